/**
 * The intake's two conditional writes (shared/adapters/conversions.ts) against DynamoDB Local:
 * whatever state a crash or a race leaves between them, each conversion is stored once and
 * nothing accepted is lost.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { conversionEventId, storeConversion } from '../../shared/adapters/conversions.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { entityKeys, eventKeys } from '../../shared/adapters/keys.js';
import { tableName } from '../../shared/adapters/config.js';
import { createIsolatedTables } from '../support/tables.js';

const orgId = 'org_intakeintakeintake00';
const sourceId = 'src_intakeintakeintake00';
let sequence = 0;
const conversion = (conversionId = `c-${++sequence}`) => ({
  conversionId,
  kind: 'purchase',
  occurredAt: new Date().toISOString(),
  value: { amount: '10.00', currency: 'EUR' },
});

const stored = async (conversionId: string) =>
  (await documentClient().send(new GetCommand({ TableName: tableName('events'), Key: eventKeys.conversion(orgId, conversionId), ConsistentRead: true }))).Item;

describe('conversion intake', () => {
  beforeAll(async () => {
    await createIsolatedTables();
  });

  it('stores a conversion whose marker a crashed attempt left behind, once', async () => {
    const data = conversion();
    // What a crash between the two writes leaves: the marker, no conversion.
    await documentClient().send(
      new PutCommand({
        TableName: tableName('entities'),
        Item: { ...entityKeys.webhookDelivery(sourceId, 'msg_crashed'), orgId, conversionId: data.conversionId, expiresAt: 4_000_000_000 },
      }),
    );
    expect(await stored(data.conversionId)).toBeUndefined();
    expect(await storeConversion({ orgId, sourceId, webhookId: 'msg_crashed', data: data as never })).toBe('accepted');
    expect((await stored(data.conversionId))?.eventId).toBe(conversionEventId(orgId, data.conversionId));
    expect(await storeConversion({ orgId, sourceId, webhookId: 'msg_crashed', data: data as never })).toBe('duplicate');
  });

  it('a known webhook-id naming another conversion stores nothing', async () => {
    const first = conversion();
    const second = conversion();
    expect(await storeConversion({ orgId, sourceId, webhookId: 'msg_reused', data: first as never })).toBe('accepted');
    expect(await storeConversion({ orgId, sourceId, webhookId: 'msg_reused', data: second as never })).toBe('duplicate');
    expect(await stored(second.conversionId)).toBeUndefined();
  });

  it('concurrent deliveries: one accepted per conversion, whatever the mix of webhook-ids', async () => {
    const data = conversion();
    const other = conversion();
    const attempts = [
      ...Array.from({ length: 10 }, () => ({ webhookId: 'msg_race', data })),
      ...Array.from({ length: 10 }, (_, i) => ({ webhookId: `msg_race_${i}`, data })),
      // The same webhook-id as the first ten, another body: never stored.
      ...Array.from({ length: 5 }, () => ({ webhookId: 'msg_race', data: other })),
    ];
    const results = await Promise.all(attempts.map(({ webhookId, data: d }) => storeConversion({ orgId, sourceId, webhookId, data: d as never })));
    const acceptedFor = (id: string) => results.filter((result, i) => result === 'accepted' && attempts[i].data.conversionId === id).length;
    expect(acceptedFor(data.conversionId)).toBe(1);
    // `other` may win msg_race's marker; then `data` is accepted under another id and `other` once.
    expect(acceptedFor(other.conversionId)).toBeLessThanOrEqual(1);
    expect(Boolean(await stored(other.conversionId))).toBe(acceptedFor(other.conversionId) === 1);
    expect(await stored(data.conversionId)).toBeDefined();
  });
});
