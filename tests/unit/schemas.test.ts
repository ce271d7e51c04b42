import { describe, expect, it } from 'vitest';
import { rawEventSchema } from '../../shared/domain/events.js';
import { campaignPatchSchema } from '../../shared/domain/resources.js';
import { InvalidCursorError } from '../../shared/domain/errors.js';

const click = {
  type: 'click',
  eventId: 'evt-1',
  clickId: 'c1',
  orgId: 'org_1',
  campaignId: 'cmp_1',
  slug: 'abcdefg1',
  advocateId: 'alice',
  channel: 'linkedin',
  at: '2026-11-27T10:00:00.000Z',
  unique: true,
  botClass: 'human',
  device: 'desktop',
  browser: 'Chrome',
  os: 'Windows',
};

const conversion = {
  type: 'conversion',
  eventId: 'evt-2',
  orgId: 'org_1',
  sourceId: 'src_1',
  webhookId: 'msg_1',
  conversionId: 'order-1042',
  kind: 'purchase',
  occurredAt: '2026-11-27T10:00:00Z',
  receivedAt: '2026-11-27T10:00:01Z',
  value: { amount: '129.90', currency: 'EUR' },
};

describe('raw event records (the consumer refuses anything else as a poison record)', () => {
  it('reads a click and a conversion by their type', () => {
    expect(rawEventSchema.parse(click)).toEqual(click);
    expect(rawEventSchema.parse(conversion)).toEqual(conversion);
  });

  it('refuses an unknown type, empty ids, a bad bot class and a value without currency', () => {
    expect(rawEventSchema.safeParse({ ...click, type: 'share' }).success).toBe(false);
    for (const field of ['eventId', 'clickId', 'orgId', 'campaignId', 'slug', 'advocateId', 'channel', 'department']) {
      expect(rawEventSchema.safeParse({ ...click, [field]: '' }).success, field).toBe(false);
    }
    expect(rawEventSchema.safeParse({ ...click, botClass: 'robot' }).success).toBe(false);
    expect(rawEventSchema.safeParse({ ...click, at: 'yesterday' }).success).toBe(false);
    for (const field of ['eventId', 'orgId', 'sourceId', 'conversionId', 'kind']) {
      expect(rawEventSchema.safeParse({ ...conversion, [field]: '' }).success, field).toBe(false);
    }
    expect(rawEventSchema.safeParse({ ...conversion, value: { amount: '1.00' } }).success).toBe(false);
  });

  it('accepts long ids (only empty ones are refused)', () => {
    expect(rawEventSchema.safeParse({ ...click, eventId: 'e'.repeat(64), department: 'sales' }).success).toBe(true);
  });
});

describe('campaign patch and cursor errors', () => {
  it('needs at least one field in a campaign patch', () => {
    expect(campaignPatchSchema.safeParse({}).success).toBe(false);
    expect(campaignPatchSchema.safeParse({ status: 'archived' }).success).toBe(true);
  });

  it('says only "Invalid cursor"', () => {
    expect(new InvalidCursorError().message).toBe('Invalid cursor');
  });
});
