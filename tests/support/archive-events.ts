/** Sample raw events for the archive tests: every optional field present in some, absent in others. */
import type { ClickEventRecord, ConversionEventRecord, RawEvent, RefundEventRecord, ShareEventRecord } from '../../shared/domain/events.js';

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

export const sampleShare = (n: number, overrides: Partial<ShareEventRecord> = {}): ShareEventRecord => ({
  type: 'share',
  eventId: `shsh_${String(n).padStart(6, '0')}`,
  shareId: `sh_${String(n).padStart(6, '0')}`,
  orgId: 'org_archive',
  campaignId: 'cmp_archive',
  advocateId: `adv${n % 5}`,
  channel: n % 2 === 0 ? 'linkedin' : 'x',
  at: new Date(Date.UTC(2026, 10, 1 + (n % 3), 9, 0, n % 60)).toISOString(),
  recordedBy: n % 3 === 0 ? 'apiKey' : 'advocate',
  ...(n % 2 === 0 ? { department: 'sales' } : {}),
  ...overrides,
});

export const sampleEvents = (count: number): RawEvent[] =>
  Array.from({ length: count }, (_, n) => (n % 10 === 3 ? sampleConversion(n) : n % 10 === 7 ? sampleRefund(n) : sampleClick(n)));

/** An in-memory object store (the plan's tests), keeping each object's tags. */
export const memoryObjectStore = () => {
  const objects = new Map<string, Uint8Array>();
  const tags = new Map<string, Readonly<Record<string, string>> | undefined>();
  return {
    objects,
    tags,
    async put(key: string, bytes: Uint8Array, _contentType?: string, objectTags?: Readonly<Record<string, string>>) {
      objects.set(key, bytes);
      tags.set(key, objectTags);
    },
    async get(key: string) {
      return objects.get(key);
    },
    async list(prefix: string) {
      return [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    },
    async delete(key: string) {
      objects.delete(key);
    },
    localPath: () => undefined,
    presignGet: async () => undefined,
  };
};

type Store = ReturnType<typeof memoryObjectStore> | import('../../shared/adapters/object-store.js').ObjectStore;

/**
 * The store, crashing (throwing) on its `failAt`-th write or delete (1-based): an archiver that
 * dies after some files were written. `failAt` 0: never.
 */
export const crashingStore = <S extends Store>(store: S, failAt: number): S => {
  let writes = 0;
  const hit = () => {
    if (failAt > 0 && ++writes === failAt) throw new Error(`injected crash at store write ${failAt}`);
  };
  return {
    ...store,
    put: async (key: string, bytes: Uint8Array, contentType: string, tags?: Readonly<Record<string, string>>) => {
      hit();
      await store.put(key, bytes, contentType, tags);
    },
    delete: async (key: string) => {
      hit();
      await store.delete(key);
    },
  };
};
