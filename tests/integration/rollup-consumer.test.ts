/**
 * Exactly-once roll-ups against DynamoDB Local, for clicks and attributed conversions: the same
 * stream records delivered twice, in
 * overlapping halves, reordered, concurrently, and interrupted by a crash between two
 * transactions must always leave the roll-ups equal to a recount of the raw events.
 */
import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { conversionEventId } from '../../shared/adapters/conversions.js';
import { eventKeys, rollupKeys } from '../../shared/adapters/keys.js';
import { countersOf, readDimension } from '../../shared/adapters/rollup-reads.js';
import { newVisitorId } from '../../shared/domain/ids.js';
import { dynamoRollupWriter, type RollupWriter } from '../../shared/adapters/rollup-writer.js';
import { tableName } from '../../shared/adapters/config.js';
import { reconcileCampaign, type ReconcileProgress } from '../../shared/application/reconcile.js';
import { processStreamBatch } from '../../shared/application/stream-batch.js';
import { BREAKDOWN_PART_SUFFIX, breakdownDimensions, type BreakdownDimension } from '../../shared/domain/rollup.js';
import { sampleShare } from '../support/archive-events.js';
import { writeEvents } from '../support/archive-items.js';
import { insertRecord } from '../support/stream-records.js';
import { useIsolatedTables } from '../support/tables.js';

const ORG = 'org_test';
const CLICKS = 240;
const CONVERSIONS = 30;
const TOTAL = CLICKS + CONVERSIONS;
const CAMPAIGNS = ['cmp_a', 'cmp_b'];

const visitors = Array.from({ length: 17 }, () => newVisitorId());

const makeClicks = (count: number) =>
  Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.UTC(2026, 10, 20 + (i % 3), 8, 0, i % 60)).toISOString();
    const clickId = `click${String(i).padStart(5, '0')}`;
    const human = i % 5 !== 0;
    const visitorId = visitors[i % 17];
    const campaignId = CAMPAIGNS[i % 2];
    return {
      ...(human ? eventKeys.visitorClick(visitorId, at, clickId) : eventKeys.anonymousClick(at, clickId)),
      type: 'click',
      eventId: clickId,
      clickId,
      orgId: ORG,
      campaignId,
      slug: `slug${String(i % 11).padStart(4, '0')}`,
      advocateId: `adv${i % 7}`,
      channel: ['linkedin', 'x', 'email', 'facebook', 'whatsapp'][i % 5],
      ...(i % 4 === 0 ? {} : { department: ['sales', 'eng', 'ops', 'hr', 'legal'][i % 5] }),
      at,
      ...(human ? { visitorId } : {}),
      unique: human && i % 3 === 0,
      botClass: human ? 'human' : 'preview',
      // What the click recorded of its viewer varies from click to click, so a visitor's
      // conversion is credited to many breakdown rows (some too many for one transaction).
      device: ['desktop', 'mobile', 'tablet', 'other'][i % 4],
      browser: ['Chrome', 'Mobile Safari', 'Firefox', 'Edge', 'Opera'][i % 5],
      os: ['Windows', 'iOS', 'Android', 'Linux', 'macOS', 'ChromeOS'][i % 6],
      ...(i % 5 === 1 ? {} : { country: ['FR', 'DE', 'US', 'ES', 'IT', 'NL', 'SE'][i % 7] }),
      ...(i % 6 === 2 ? {} : { referrerHost: `ref${i % 9}.example` }),
      gsi1pk: eventKeys.campaignIndex(ORG, campaignId, clickId),
      gsi1sk: eventKeys.campaignIndexSort(at, clickId),
      expiresAt: 2_000_000_000,
    };
  });

/** Conversions of some of those visitors, a day after their clicks, some with a value. */
const makeConversions = (count: number) =>
  Array.from({ length: count }, (_, i) => {
    const conversionId = `order-${i}`;
    const occurredAt = new Date(Date.UTC(2026, 10, 23, 12, 0, i)).toISOString();
    const eventId = conversionEventId(ORG, conversionId);
    return {
      ...eventKeys.conversion(ORG, conversionId),
      type: 'conversion',
      eventId,
      orgId: ORG,
      sourceId: 'src_test',
      webhookId: `msg_${i}`,
      conversionId,
      kind: 'purchase',
      occurredAt,
      receivedAt: occurredAt,
      ...(i % 2 === 0 ? { value: { amount: `${10 + i}.99`, currency: i % 4 === 0 ? 'EUR' : 'USD' } } : {}),
      visitorId: visitors[i % 17],
      ...(i % 3 === 0 ? { customerId: `crm-${i % 5}` } : {}),
      gsi1pk: eventKeys.conversionIndex(ORG),
      gsi1sk: eventKeys.campaignIndexSort(occurredAt, eventId),
      expiresAt: 2_000_000_000,
    };
  });

const makeEvents = (clicks: number, conversions: number): Array<Record<string, unknown> & { pk: string; sk: string }> => [
  ...makeClicks(clicks),
  ...makeConversions(conversions),
];

const storeRawEvents = async (events: ReturnType<typeof makeEvents>) => {
  for (let i = 0; i < events.length; i += 25) {
    await documentClient().send(
      new BatchWriteCommand({
        RequestItems: { [tableName('events')]: events.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
};

const streamRecords = (events: ReturnType<typeof makeEvents>): DynamoDBRecord[] =>
  events.map((event, i) => ({
    eventID: `id-${i}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-central-1',
    dynamodb: {
      Keys: marshall({ pk: event.pk, sk: event.sk }) as never,
      NewImage: marshall(event, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(100_000_000_000 + i),
      SizeBytes: 300,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-central-1:000000000000:table/events/stream/local',
  }));

const expectExact = async () => {
  let conversions = 0;
  for (const campaignId of CAMPAIGNS) {
    const report = await reconcileCampaign(ORG, campaignId);
    expect(report.events).toBeGreaterThan(0);
    expect(report.differences).toEqual([]);
    conversions += report.conversions;
  }
  // Every conversion's visitor has clicks in one or both campaigns: each is credited somewhere.
  expect(conversions).toBeGreaterThanOrEqual(CONVERSIONS);
};

// Each test applies 270 events and reconciles both campaigns, ranking index included: 10–20 s on an
// idle machine, past the default 30 s on the shared 2-core one at a load of 12–18.
describe('roll-up consumer exactly-once', { timeout: 120_000 }, () => {
  useIsolatedTables();
  let records: DynamoDBRecord[];

  beforeEach(async () => {
    const events = makeEvents(CLICKS, CONVERSIONS);
    await storeRawEvents(events);
    records = streamRecords(events);
  });


  it('applies a batch delivered twice once', async () => {
    const first = await processStreamBatch(records);
    expect(first.batchItemFailures).toEqual([]);
    expect(first.outcome.applied).toBe(TOTAL);
    // The ClicksRecorded metric: the batch's clicks once, none again on redelivery.
    expect(first.outcome.appliedClicks).toBe(CLICKS);
    const second = await processStreamBatch(records);
    expect(second.batchItemFailures).toEqual([]);
    expect(second.outcome.applied).toBe(0);
    expect(second.outcome.appliedClicks).toBe(0);
    expect(second.outcome.alreadyApplied).toBe(TOTAL);
    await expectExact();
  });

  it('writes each row once, in the partition its key is sharded to; dimension reads merge the partitions', async () => {
    await processStreamBatch(records);
    await expectExact();
    const campaignId = CAMPAIGNS[0];
    const rowsOf = async (pk: string) =>
      (await documentClient().send(new QueryCommand({ TableName: tableName('rollups'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }))).Items ?? [];
    const totals = (await readDimension(ORG, campaignId, 'campaign')).get('all') ?? {};
    expect(totals.clicks).toBeGreaterThan(0);
    for (const dimension of ['link', 'advocate', 'channel', 'department', 'country', 'device', 'browser', 'os', 'referrer'] as const) {
      const partitions = rollupKeys.partitions(ORG, campaignId, dimension);
      const rows = (await Promise.all(partitions.map(rowsOf))).flat();
      // Each (period, key) is one item, in its key's partition, with its daily rows.
      expect(new Set(rows.map((row) => `${row.period}\u0000${row.key}`)).size).toBe(rows.length);
      for (const row of rows) expect(row.pk).toBe(rollupKeys.rowPartition(ORG, campaignId, dimension, String(row.key)));
      if (['link', 'advocate', 'device', 'referrer'].includes(dimension)) expect(new Set(rows.map((row) => row.pk)).size).toBeGreaterThan(1);
      // Read across the partitions, the keys of a dimension add up to the campaign's totals.
      for (const range of [undefined, { from: '2026-11-20', to: '2026-11-21' }]) {
        const byKey = await readDimension(ORG, campaignId, dimension, range);
        const expected = range ? (await readDimension(ORG, campaignId, 'campaign', range)).get('all') ?? {} : totals;
        const sum = (counter: string) => [...byKey.values()].reduce((total, counters) => total + (counters[counter] ?? 0), 0);
        for (const counter of ['clicks', 'uniqueClicks', 'botClicks', 'conv_last_click']) expect(sum(counter)).toBe(expected[counter] ?? 0);
        // All time: the keys of the all-time rows; a breakdown has none and sums its daily rows.
        const allTimeKeys = breakdownDimensions.includes(dimension as BreakdownDimension)
          ? new Set(rows.map((row) => String(row.key)))
          : new Set(rows.filter((row) => row.period === '*').map((row) => String(row.key)));
        if (!range) expect([...byKey.keys()].sort()).toEqual([...allTimeKeys].sort());
        if (breakdownDimensions.includes(dimension as BreakdownDimension)) expect(rows.filter((row) => row.period === '*')).toEqual([]);
      }
    }
  });

  it("credits conversions to their clicks' breakdown rows, splitting the widest into two ledger parts", async () => {
    const first = await processStreamBatch(records);
    expect(first.outcome.applied).toBe(TOTAL);
    await expectExact();
    const ledgerOf = async (eventId: string) =>
      (await documentClient().send(new QueryCommand({ TableName: tableName('rollups'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': rollupKeys.applied(eventId).pk } }))).Items ?? [];
    const conversionIds = records.slice(CLICKS).map((record) => String(record.dynamodb!.NewImage!.eventId.S));
    const parts = await Promise.all(conversionIds.map((eventId) => ledgerOf(`${eventId}${BREAKDOWN_PART_SUFFIX}`)));
    // Some conversions' touches differ in so many dimensions that their breakdown rows took a second transaction.
    expect(parts.filter((items) => items.length === 1).length).toBeGreaterThan(0);
    // Every conversion's credit is on the breakdown rows: per model, the rows add up to the totals.
    for (const campaignId of CAMPAIGNS) {
      const totals = (await readDimension(ORG, campaignId, 'campaign')).get('all') ?? {};
      expect(totals.conv_linear).toBeGreaterThan(0);
      for (const dimension of ['country', 'device', 'browser', 'os', 'referrer'] as const) {
        const byKey = await readDimension(ORG, campaignId, dimension);
        for (const counter of ['conv_linear', 'conv_time_decay', 'rev_linear_EUR']) {
          expect([...byKey.values()].reduce((sum, counters) => sum + (counters[counter] ?? 0), 0), `${dimension} ${counter}`).toBe(totals[counter] ?? 0);
        }
      }
      expect((await readDimension(ORG, campaignId, 'country')).get('unknown')?.clicks).toBeGreaterThan(0);
    }
    // Delivered again, the split conversions are applied neither in part nor whole.
    const again = await processStreamBatch(records);
    expect(again.outcome).toMatchObject({ applied: 0, alreadyApplied: TOTAL, rowWrites: 0 });
    await expectExact();
  });

  it('applies two overlapping halves once', async () => {
    // The first half's fold may count clicks of the second (every click up to its newest is
    // in the index already): what the two deliveries apply adds up to every event once.
    const first = await processStreamBatch(records.slice(0, 160));
    const overlap = await processStreamBatch(records.slice(80));
    expect(first.outcome.applied + overlap.outcome.applied).toBe(TOTAL);
    await expectExact();
  });

  it('applies a reordered redelivery once', async () => {
    await processStreamBatch(records.slice(0, 120));
    await processStreamBatch([...records].reverse());
    await expectExact();
  });

  it('applies concurrent duplicate deliveries once', async () => {
    await Promise.all([processStreamBatch(records), processStreamBatch(records), processStreamBatch(records.slice(50, 200))]);
    await expectExact();
  });

  it('recovers from a crash between two transactions by redelivery from the reported failure', async () => {
    // The writer the use case is given crashes before its third transaction.
    const crashing: RollupWriter = {
      applyPlan: async (plan, outcome) => {
        if (outcome.transactions === 2) throw new Error('injected crash');
        return dynamoRollupWriter.applyPlan(plan, outcome);
      },
    };
    // Clicks through the ledger too (no fold), so the batch takes many transactions.
    const crashed = await processStreamBatch(records, { writer: crashing, fold: null });
    expect(crashed.batchItemFailures.length).toBeGreaterThan(0);
    const before = await reconcileCampaign(ORG, CAMPAIGNS[0]);
    const beforeB = await reconcileCampaign(ORG, CAMPAIGNS[1]);
    expect(before.differences.length + beforeB.differences.length).toBeGreaterThan(0);

    const failedFrom = records.findIndex((r) => r.dynamodb!.SequenceNumber === crashed.batchItemFailures[0].itemIdentifier);
    const retried = await processStreamBatch(records.slice(failedFrom));
    expect(retried.batchItemFailures).toEqual([]);
    await expectExact();
  });

  it('recovers from a crash between the counters and the ranking index: the whole batch is reported, the redelivery mends the index', async () => {
    const crashed = await processStreamBatch(records, {
      writer: dynamoRollupWriter,
      syncRankings: async () => {
        throw new Error('injected crash before the ranking index');
      },
    });
    // The counters are in, the index is not: reconcile says so, and every record is delivered again.
    expect(crashed.batchItemFailures).toHaveLength(records.length);
    expect(crashed.outcome.applied).toBe(TOTAL);
    const before = await reconcileCampaign(ORG, CAMPAIGNS[0]);
    expect(before.differences.length).toBeGreaterThan(0);
    expect(before.differences.every((d) => d.pk.startsWith('RK'))).toBe(true);

    const retried = await processStreamBatch(records);
    expect(retried.batchItemFailures).toEqual([]);
    expect(retried.outcome.alreadyApplied).toBe(TOTAL);
    await expectExact();
  });

  it('applies the healthy events of a refused transaction one by one, reporting from the event that cannot be applied', async () => {
    // A writer that refuses (not transiently) every transaction holding one particular click.
    const badIndex = 7;
    const badId = (unmarshall(records[badIndex].dynamodb!.NewImage as never) as { eventId: string }).eventId;
    const refusing: RollupWriter = {
      applyPlan: async (plan, outcome) => {
        if (plan.events.some((e) => e.eventId === badId)) throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' });
        return dynamoRollupWriter.applyPlan(plan, outcome);
      },
    };
    const slice = records.slice(0, 40);
    const result = await processStreamBatch(slice, { writer: refusing, fold: null });
    expect(result.transient).toBe(false);
    // Reported from the refused event on, not from the first event of its transaction.
    expect(result.batchItemFailures[0]?.itemIdentifier).toBe(slice[badIndex].dynamodb!.SequenceNumber);
    expect(result.outcome.applied).toBe(slice.length - 1);
    // The redelivery from there applies only what was missing.
    const retried = await processStreamBatch(slice.slice(badIndex), { writer: dynamoRollupWriter, fold: null });
    expect(retried.batchItemFailures).toEqual([]);
    expect(retried.outcome.applied).toBe(1);
    expect(retried.outcome.alreadyApplied).toBe(slice.length - badIndex - 1);
  });

  it('reports a poison record alone, applying everything around it', async () => {
    const poisoned = [...records.slice(0, 10)];
    const bad = structuredClone(records[10]);
    bad.dynamodb!.NewImage = marshall({ pk: 'x', sk: 'y', type: 'click', eventId: 'broken' }) as never;
    poisoned.push(bad, ...records.slice(11, 20));
    // Through the ledger (no fold): a fold would count the clicks around the poison in the table too.
    const result = await processStreamBatch(poisoned, { writer: dynamoRollupWriter, fold: null });
    // Only the poison: reporting the records behind it would send them to the dead-letter queue
    // with it once the retries run out (tests/soak found exactly that).
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([bad.dynamodb!.SequenceNumber]);
    expect(result.outcome.applied).toBe(19);
    expect(result.transient).toBe(false);
  });

  it('reconcile names a changed counter, a missing row and a row that should not exist, reporting progress page by page', async () => {
    await processStreamBatch(records);
    const campaignId = CAMPAIGNS[0];
    const partitions = rollupKeys.partitions(ORG, campaignId, 'link');
    const pk = partitions[0];
    const rowsOf = async (partition: string) =>
      (await documentClient().send(new QueryCommand({ TableName: tableName('rollups'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': partition }, ConsistentRead: true }))).Items ?? [];
    const rows = (await Promise.all(partitions.map(rowsOf))).flat();
    const [changed, removed] = rows.filter((row) => typeof row.clicks === 'number' && row.clicks > 0);
    expect(removed).toBeDefined();
    await documentClient().send(new UpdateCommand({ TableName: tableName('rollups'), Key: { pk: changed.pk, sk: changed.sk }, UpdateExpression: 'ADD clicks :five', ExpressionAttributeValues: { ':five': 5 } }));
    await documentClient().send(new DeleteCommand({ TableName: tableName('rollups'), Key: { pk: removed.pk, sk: removed.sk } }));
    await documentClient().send(new PutCommand({ TableName: tableName('rollups'), Item: { pk, sk: 'stray#row', clicks: 3 } }));

    const progress: ReconcileProgress[] = [];
    const report = await reconcileCampaign(ORG, campaignId, { onProgress: (step) => progress.push(step) });

    const removedCounters = Object.entries(countersOf(removed)).filter(([, value]) => value !== 0);
    expect(report.differences).toContainEqual({ pk: changed.pk, sk: changed.sk, counter: 'clicks', expected: changed.clicks, actual: changed.clicks + 5 });
    for (const [counter, value] of removedCounters) expect(report.differences).toContainEqual({ pk: removed.pk, sk: removed.sk, counter, expected: value, actual: 0 });
    // A row that should not exist comes after every expected row.
    expect(report.differences.at(-1)).toEqual({ pk, sk: 'stray#row', counter: 'clicks', expected: 0, actual: 3 });
    expect(report.differences).toHaveLength(1 + removedCounters.length + 1);

    // One report per page: the clicks' shards, then the conversion records, then the stored rows.
    const phases = progress.map((step) => step.phase);
    expect(phases.indexOf('conversions')).toBeGreaterThan(phases.lastIndexOf('clicks'));
    expect(phases.indexOf('rows')).toBeGreaterThan(phases.lastIndexOf('conversions'));
    for (let i = 1; i < progress.length; i++) expect(progress[i].events).toBeGreaterThanOrEqual(progress[i - 1].events);
    const last = progress.at(-1)!;
    expect(last.events).toBe(report.events);
    expect(last.conversions).toBe(report.conversions);
    expect(last.rowsChecked).toBe(report.rowsChecked);
    expect(last.rowsRead).toBe(report.rowsChecked); // one row removed, one added
    expect(last.differences).toBe(report.differences.length);
  });
});

describe('shares roll up exactly once, like clicks', () => {
  useIsolatedTables();

  it('counts each share once through overlapping, reordered and repeated deliveries, and reconciles', async () => {
    const shares = Array.from({ length: 60 }, (_, n) => sampleShare(n, { orgId: ORG, campaignId: CAMPAIGNS[n % 3 === 0 ? 1 : 0]!, at: new Date(Date.now() - (n % 4) * 86_400_000).toISOString() }));
    await writeEvents(shares);
    const records = shares.map(insertRecord);
    // A first part, then everything reversed (the part again included), then the batch again.
    expect((await processStreamBatch(records.slice(0, 25))).outcome.applied).toBe(25);
    const reordered = await processStreamBatch([...records].reverse());
    expect(reordered.outcome).toMatchObject({ applied: 35, alreadyApplied: 25, appliedClicks: 0 });
    expect((await processStreamBatch(records)).outcome).toMatchObject({ applied: 0, alreadyApplied: 60 });

    for (const campaignId of CAMPAIGNS) {
      const own = shares.filter((share) => share.campaignId === campaignId);
      const perAdvocate = await readDimension(ORG, campaignId, 'advocate');
      for (const advocateId of new Set(own.map((share) => share.advocateId))) {
        expect(perAdvocate.get(advocateId)?.shares).toBe(own.filter((share) => share.advocateId === advocateId).length);
      }
      expect((await readDimension(ORG, campaignId, 'campaign')).get('all')).toEqual({ shares: own.length });
      // No link or breakdown row: a share has neither.
      expect((await readDimension(ORG, campaignId, 'link')).size).toBe(0);
      expect((await readDimension(ORG, campaignId, 'country')).size).toBe(0);
      const report = await reconcileCampaign(ORG, campaignId);
      expect(report.differences).toEqual([]);
      expect(report.shares).toBe(own.length);
    }
  });
});
