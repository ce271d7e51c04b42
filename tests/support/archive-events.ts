/** Sample raw events for the archive tests: every optional field present in some, absent in others. */
import type { ClickEventRecord, ConversionEventRecord, RawEvent, RefundEventRecord } from '../../shared/domain/events.js';

export const sampleClick = (n: number, overrides: Partial<ClickEventRecord> = {}): ClickEventRecord => ({
  type: 'click',
  eventId: `C#clk_${String(n).padStart(6, '0')}`,
  clickId: `clk_${String(n).padStart(6, '0')}`,
  orgId: 'org_archive',
  campaignId: 'cmp_archive',
  slug: `s${n % 7}`,
  advocateId: `adv${n % 5}`,
  channel: 'linkedin',
  at: new Date(Date.UTC(2026, 10, 1 + (n % 3), 8, 0, n % 60)).toISOString(),
  unique: n % 2 === 0,
  botClass: n % 10 === 0 ? 'crawler' : 'human',
  device: 'mobile',
  browser: 'Safari',
  os: 'iOS',
  ...(n % 2 === 0 ? { department: 'sales', visitorId: `v_${n}`, country: 'DE', referrerHost: 'linkedin.com' } : {}),
  ...overrides,
});

export const sampleConversion = (n: number, overrides: Partial<ConversionEventRecord> = {}): ConversionEventRecord => ({
  type: 'conversion',
  eventId: `V#cnv_${n}`,
  orgId: 'org_archive',
  sourceId: 'src_1',
  webhookId: `wh_${n}`,
  conversionId: `order-${n}`,
  kind: 'purchase',
  occurredAt: '2026-11-02T10:00:00.000Z',
  receivedAt: '2026-11-02T10:00:01.000Z',
  ...(n % 2 === 0 ? { value: { amount: '19.99', currency: 'EUR' }, clickId: `clk_${n}`, visitorId: `v_${n}`, customerId: `cus_${n}` } : {}),
  ...overrides,
});

export const sampleRefund = (n: number): RefundEventRecord => ({
  type: 'refund',
  eventId: `R#ref_${n}`,
  orgId: 'org_archive',
  sourceId: 'src_1',
  webhookId: `whr_${n}`,
  conversionId: `order-${n}`,
  conversionEventId: `V#cnv_${n}`,
  refundId: `re_${n}`,
  occurredAt: '2026-11-03T10:00:00.000Z',
  receivedAt: '2026-11-03T10:00:02.000Z',
  value: { amount: '5.00', currency: 'EUR' },
});

export const sampleEvents = (count: number): RawEvent[] =>
  Array.from({ length: count }, (_, n) => (n % 10 === 3 ? sampleConversion(n) : n % 10 === 7 ? sampleRefund(n) : sampleClick(n)));
