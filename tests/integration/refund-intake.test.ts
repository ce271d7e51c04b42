/**
 * Refund intake (shared/adapters/refunds.ts) against DynamoDB Local: once per (organization,
 * conversionId, refundId); never more than the conversion's amount, even concurrently; never in
 * another currency; refused refunds store nothing.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableName } from '../../shared/adapters/config.js';
import { storeConversion } from '../../shared/adapters/conversions.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { entityKeys, eventKeys } from '../../shared/adapters/keys.js';
import { storeRefund } from '../../shared/adapters/refunds.js';
import { createIsolatedTables } from '../support/tables.js';

const orgId = 'org_refundintake0000000';
const sourceId = 'src_refundintake0000000';
let sequence = 0;
const webhookId = () => `msg_${++sequence}`;

const conversion = async (amount?: string) => {
  const conversionId = `order-${++sequence}`;
  const data = { conversionId, kind: 'purchase', occurredAt: new Date().toISOString(), ...(amount ? { value: { amount, currency: 'EUR' } } : {}) };
  expect(await storeConversion({ orgId, sourceId, webhookId: webhookId(), data })).toBe('accepted');
  return conversionId;
};

const refund = (conversionId: string, refundId: string, amount: string, currency = 'EUR') =>
  storeRefund({ orgId, sourceId, webhookId: webhookId(), data: { conversionId, refundId, occurredAt: new Date().toISOString(), value: { amount, currency } } });

const storedRefund = async (conversionId: string, refundId: string) =>
  (await documentClient().send(new GetCommand({ TableName: tableName('events'), Key: eventKeys.refund(orgId, conversionId, refundId), ConsistentRead: true }))).Item;

const refundedMinor = async (conversionId: string) =>
  (await documentClient().send(new GetCommand({ TableName: tableName('entities'), Key: entityKeys.refundTally(orgId, conversionId), ConsistentRead: true }))).Item
    ?.refundedMinor;

describe('refund intake', () => {
  beforeAll(async () => {
    await createIsolatedTables();
  });

  it('stores a refund once; the same refundId again is a duplicate whatever its webhook-id', async () => {
    const conversionId = await conversion('100.00');
    expect(await refund(conversionId, 're_1', '30.00')).toBe('accepted');
    expect(await refund(conversionId, 're_1', '30.00')).toBe('duplicate');
    expect((await storedRefund(conversionId, 're_1'))?.value).toEqual({ amount: '30.00', currency: 'EUR' });
    expect(await refundedMinor(conversionId)).toBe(3000);
  });

  it('refuses refunds beyond the amount (422 fields), other currencies and conversions without value; storing nothing', async () => {
    const conversionId = await conversion('100.00');
    expect(await refund(conversionId, 're_1', '60.00')).toBe('accepted');
    expect(await refund(conversionId, 're_2', '40.01')).toEqual({
      refused: [{ field: 'data.value.amount', message: "refunds may not exceed the conversion's amount: 40.00 EUR left to refund" }],
    });
    expect(await refund(conversionId, 're_3', '10.00', 'USD')).toEqual({
      refused: [{ field: 'data.value.currency', message: "must be the conversion's currency (EUR)" }],
    });
    expect(await storedRefund(conversionId, 're_2')).toBeUndefined();
    expect(await storedRefund(conversionId, 're_3')).toBeUndefined();
    expect(await refundedMinor(conversionId)).toBe(6000);
    // Exactly the rest is fine.
    expect(await refund(conversionId, 're_4', '40.00')).toBe('accepted');
    expect(await refundedMinor(conversionId)).toBe(10000);

    const valueless = await conversion();
    expect(await refund(valueless, 're_1', '1.00')).toEqual({ refused: [{ field: 'data.conversionId', message: 'the conversion has no value to refund' }] });
  });

  it('concurrent partial refunds never pass the amount together', async () => {
    const conversionId = await conversion('100.00');
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => refund(conversionId, `re_${i}`, '20.00')));
    const accepted = outcomes.filter((outcome) => outcome === 'accepted').length;
    expect(accepted).toBe(5);
    expect(await refundedMinor(conversionId)).toBe(10000);
  });

  it('keeps a refund of a conversion not received yet; its later refunds must keep its currency', async () => {
    const conversionId = `order-future-${++sequence}`;
    expect(await refund(conversionId, 're_1', '5.00')).toBe('accepted');
    expect(await storedRefund(conversionId, 're_1')).toBeDefined();
    expect(await refund(conversionId, 're_2', '5.00', 'USD')).toEqual({
      refused: [{ field: 'data.value.currency', message: 'must be the currency of the earlier refunds of this conversion' }],
    });
    expect(await storedRefund(conversionId, 're_2')).toBeUndefined();
  });
});
