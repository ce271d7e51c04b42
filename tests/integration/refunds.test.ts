/**
 * Refunds through the roll-up consumer against DynamoDB Local (spec section 13): the refunded
 * revenue leaves exactly the rows the conversion credited, in the same shares, under every model;
 * the conversion count stays; a refund processed before its conversion is applied with it; and
 * every delivery order, redelivery, race and crash leaves the roll-ups equal to a recount.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { tableName } from '../../shared/adapters/config.js';
import { conversionEventId, conversionItem } from '../../shared/adapters/conversions.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { clickItemKeys } from '../../shared/adapters/keys.js';
import { refundEventId, refundItem } from '../../shared/adapters/refunds.js';
import { readDimension } from '../../shared/adapters/rollup-reads.js';
import { dynamoRollupWriter, type RollupWriter } from '../../shared/adapters/rollup-writer.js';
import { applyRefund } from '../../shared/application/apply-refunds.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { processStreamBatch, processStreamBatchPatiently } from '../../shared/application/stream-batch.js';
import { attributionModels } from '../../shared/domain/attribution.js';
import type { ConversionEventRecord, RefundEventRecord } from '../../shared/domain/events.js';
import { newVisitorId } from '../../shared/domain/ids.js';
import { useIsolatedTables } from '../support/tables.js';

const ORG = 'org_refunds';
const CAMPAIGNS = ['cmp_a', 'cmp_b'];
const OCCURRED_AT = '2026-11-23T12:00:00.000Z';

/** Three clicks of one visitor: adv1 (cmp_a), adv2 (cmp_b), adv3 (cmp_a), a day apart. */
const clicksOf = (visitorId: string) =>
  [
    { advocateId: 'adv1', campaignId: 'cmp_a', channel: 'linkedin', day: 20 },
    { advocateId: 'adv2', campaignId: 'cmp_b', channel: 'x', day: 21 },
    { advocateId: 'adv3', campaignId: 'cmp_a', channel: 'email', day: 22 },
  ].map(({ advocateId, campaignId, channel, day }) => {
    const at = new Date(Date.UTC(2026, 10, day, 9)).toISOString();
    const clickId = `${visitorId}-${advocateId}`;
    const click = {
      type: 'click' as const,
      eventId: clickId,
      clickId,
      orgId: ORG,
      campaignId,
      slug: `slug-${advocateId}`,
      advocateId,
      channel,
      at,
      visitorId,
      unique: true,
      botClass: 'human' as const,
      device: 'desktop' as const,
      browser: 'Chrome',
      os: 'Windows',
    };
    return { ...clickItemKeys(click), ...click, expiresAt: 2_000_000_000 };
  });

const conversionOf = (visitorId: string, conversionId: string, amount = '100.00'): ReturnType<typeof conversionItem> => {
  const event: ConversionEventRecord = {
    type: 'conversion',
    eventId: conversionEventId(ORG, conversionId),
    orgId: ORG,
    sourceId: 'src_test',
    webhookId: `msg-${conversionId}`,
    conversionId,
    kind: 'purchase',
    occurredAt: OCCURRED_AT,
    receivedAt: '2026-11-23T12:00:01.000Z',
    value: { amount, currency: 'EUR' },
    visitorId,
  };
  return conversionItem(event);
};

const refundOf = (conversionId: string, refundId: string, amount: string, currency = 'EUR') => {
  const event: RefundEventRecord = {
    type: 'refund',
    eventId: refundEventId(ORG, conversionId, refundId),
    orgId: ORG,
    sourceId: 'src_test',
    webhookId: `msg-${conversionId}-${refundId}`,
    conversionId,
    conversionEventId: conversionEventId(ORG, conversionId),
    refundId,
    occurredAt: '2026-11-25T08:00:00.000Z',
    receivedAt: '2026-11-25T08:00:01.000Z',
    value: { amount, currency },
  };
  return refundItem(event);
};

type Item = Record<string, unknown> & { pk: string; sk: string };

const store = async (items: Item[]) => {
  for (let i = 0; i < items.length; i += 25) {
    await documentClient().send(
      new BatchWriteCommand({ RequestItems: { [tableName('events')]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
};

let sequence = 0;
const recordsOf = (items: Item[]): DynamoDBRecord[] =>
  items.map((item) => ({
    eventID: `id-${++sequence}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(200_000_000_000 + sequence),
      StreamViewType: 'NEW_IMAGE',
    },
  }));

/** All-time advocate rows of both campaigns: { adv1: counters, … }. */
const advocateTotals = async () => {
  const rows: Record<string, Record<string, number>> = {};
  for (const campaignId of CAMPAIGNS) for (const [key, counters] of await readDimension(ORG, campaignId, 'advocate')) rows[key] = counters;
  return rows;
};

const expectExact = async () => {
  for (const campaignId of CAMPAIGNS) expect((await reconcileCampaign(ORG, campaignId)).differences).toEqual([]);
};

describe('refunds in the roll-ups', () => {
  useIsolatedTables();

  it('takes the refund back from the credited rows in the credited shares, under every model; the count stays', async () => {
    const visitor = newVisitorId();
    const clicks = clicksOf(visitor);
    const conversion = conversionOf(visitor, 'order-1');
    await store([...clicks, conversion]);
    expect((await processStreamBatch(recordsOf([...clicks, conversion]))).batchItemFailures).toEqual([]);
    const before = await advocateTotals();

    const refund = refundOf('order-1', 're-1', '10.00');
    await store([refund]);
    const result = await processStreamBatch(recordsOf([refund]));
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcome.applied).toBe(1);
    const after = await advocateTotals();

    // Linear: 33.33 / 33.33 / 33.34 credited; 10.00 refunded as 3.33 / 3.33 / 3.34.
    expect([before.adv1.rev_linear_EUR, before.adv2.rev_linear_EUR, before.adv3.rev_linear_EUR]).toEqual([3333, 3333, 3334]);
    expect([after.adv1.rev_linear_EUR, after.adv2.rev_linear_EUR, after.adv3.rev_linear_EUR]).toEqual([3000, 3000, 3000]);
    // Position-based: 40 / 20 / 40 of 100.00, each losing 40 / 20 / 40 % of 10.00.
    expect([after.adv1.rev_position_based_EUR, after.adv2.rev_position_based_EUR, after.adv3.rev_position_based_EUR]).toEqual([3600, 1800, 3600]);
    // Last and first click: only the credited touch loses revenue; the others were never credited.
    expect(after.adv3.rev_last_click_EUR).toBe(9000);
    expect(after.adv1.rev_last_click_EUR ?? 0).toBe(0);
    expect(after.adv1.rev_first_click_EUR).toBe(9000);
    for (const model of attributionModels) {
      const revenue = `rev_${model}_EUR`;
      const total = (rows: typeof after) => Object.values(rows).reduce((sum, counters) => sum + (counters[revenue] ?? 0), 0);
      expect(total(after), model).toBe(9000);
      for (const advocate of ['adv1', 'adv2', 'adv3']) {
        expect(after[advocate][revenue] ?? 0, `${model} ${advocate}`).toBeLessThanOrEqual(before[advocate][revenue] ?? 0);
        expect(after[advocate][revenue] ?? 0, `${model} ${advocate}`).toBeGreaterThanOrEqual(0);
        // The conversion count does not move.
        expect(after[advocate][`conv_${model}`], model).toBe(before[advocate][`conv_${model}`]);
      }
    }
    await expectExact();
  });

  it('partial and repeated refunds add up, each once however often it is delivered', async () => {
    const visitor = newVisitorId();
    const events = [...clicksOf(visitor), conversionOf(visitor, 'order-2')];
    const refunds = [refundOf('order-2', 'r1', '25.00'), refundOf('order-2', 'r2', '75.00')];
    await store([...events, ...refunds]);
    await processStreamBatch(recordsOf(events));
    const records = recordsOf(refunds);
    await Promise.all([processStreamBatch(records), processStreamBatch(records), processStreamBatch([...records].reverse())]);
    const after = await advocateTotals();
    for (const model of attributionModels) {
      const total = Object.values(after).reduce((sum, counters) => sum + (counters[`rev_${model}_EUR`] ?? 0), 0);
      expect(total, model).toBe(0);
    }
    expect(after.adv3.conv_last_click).toBe(1_000_000);
    await expectExact();
  });

  it('a refund processed before its conversion is parked, then applied with it, the same as after it', async () => {
    const early = newVisitorId();
    const late = newVisitorId();
    const refundFirst = refundOf('order-early', 'r1', '10.00');
    const earlyEvents = [...clicksOf(early), conversionOf(early, 'order-early')];
    await store([refundFirst, ...earlyEvents]);
    const parked = await processStreamBatch(recordsOf([refundFirst]));
    expect(parked.batchItemFailures).toEqual([]);
    expect(parked.outcome.applied).toBe(0);
    // The conversion applies itself and the parked refund; the refund's redelivery is a no-op.
    const withConversion = await processStreamBatch(recordsOf(earlyEvents));
    expect(withConversion.batchItemFailures).toEqual([]);
    const redelivered = await processStreamBatch(recordsOf([refundFirst]));
    expect(redelivered.outcome).toMatchObject({ applied: 0, alreadyApplied: 1 });
    const earlyRows = await advocateTotals();
    await expectExact();

    // The same refund of the same conversion, in the same batch, behind it.
    const lateEvents = [...clicksOf(late), conversionOf(late, 'order-late'), refundOf('order-late', 'r1', '10.00')];
    await store(lateEvents);
    await processStreamBatch(recordsOf(lateEvents));
    const both = await advocateTotals();
    for (const advocate of ['adv1', 'adv2', 'adv3']) {
      for (const model of attributionModels) {
        // Two conversions, each refunded the same: exactly twice the first one's rows.
        expect(both[advocate][`rev_${model}_EUR`] ?? 0, `${model} ${advocate}`).toBe(2 * (earlyRows[advocate][`rev_${model}_EUR`] ?? 0));
      }
    }
    expect(both.adv1.rev_linear_EUR).toBe(6000);
    await expectExact();
  });

  it('a refund parked while its conversion is being applied is not lost: the conversion plans again', async () => {
    const visitor = newVisitorId();
    const events = [...clicksOf(visitor), conversionOf(visitor, 'order-race')];
    const refund = refundOf('order-race', 'r1', '50.00');
    await store([...events, refund]);
    let raced = false;
    const racing: RollupWriter = {
      applyPlan: async (plan, outcome) => {
        if (!raced && plan.events.some((e) => e.eventId === conversionEventId(ORG, 'order-race'))) {
          raced = true;
          // The refund parks after the conversion read its (empty) parked set.
          expect(await applyRefund(refund as unknown as RefundEventRecord, dynamoRollupWriter, { ...outcome })).toBe('parked');
        }
        return dynamoRollupWriter.applyPlan(plan, outcome);
      },
    };
    const result = await processStreamBatchPatiently(recordsOf(events), Date.now() + 10_000, { writer: racing });
    expect(raced).toBe(true);
    expect(result.batchItemFailures).toEqual([]);
    const after = await advocateTotals();
    expect(after.adv3.rev_last_click_EUR).toBe(5000);
    expect((await processStreamBatch(recordsOf([refund]))).outcome).toMatchObject({ applied: 0, alreadyApplied: 1 });
    await expectExact();
  });

  it('a crash before the refund transaction is repaired by redelivery, once', async () => {
    const visitor = newVisitorId();
    const events = [...clicksOf(visitor), conversionOf(visitor, 'order-crash')];
    const refund = refundOf('order-crash', 'r1', '20.00');
    await store([...events, refund]);
    await processStreamBatch(recordsOf(events));
    const crashing: RollupWriter = {
      applyPlan: async () => {
        throw new Error('injected crash');
      },
    };
    const records = recordsOf([refund]);
    expect((await processStreamBatch(records, { writer: crashing })).batchItemFailures).toHaveLength(1);
    expect((await processStreamBatch(records)).outcome.applied).toBe(1);
    expect((await processStreamBatch(records)).outcome.alreadyApplied).toBe(1);
    expect((await advocateTotals()).adv3.rev_last_click_EUR).toBe(8000);
    await expectExact();
  });

  it('a parked refund in another currency takes nothing back and is not retried forever', async () => {
    const visitor = newVisitorId();
    const refund = refundOf('order-usd', 'r1', '10.00', 'USD');
    const events = [...clicksOf(visitor), conversionOf(visitor, 'order-usd')];
    await store([refund, ...events]);
    await processStreamBatch(recordsOf([refund]));
    expect((await processStreamBatch(recordsOf(events))).batchItemFailures).toEqual([]);
    const after = await advocateTotals();
    expect(after.adv3.rev_last_click_EUR).toBe(10000);
    expect(after.adv3.rev_last_click_USD).toBeUndefined();
    expect((await processStreamBatch(recordsOf([refund]))).outcome.alreadyApplied).toBe(1);
    await expectExact();
  });
});
