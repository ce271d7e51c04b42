/**
 * The click fold against DynamoDB Local (shared/application/fold-clicks.ts): a crash between two
 * row updates of a receipt or before the watermark moves, two consumers folding one campaign at
 * once, a click that reaches the index after its range was read, clicks the ledger applied before
 * the campaign's first fold, ranges cut at the receipt's size and erased re-keys — each must leave
 * the roll-ups equal to a recount of the raw events, every click counted once.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClickFoldStore, FoldReceiptTooLargeError } from '../../shared/adapters/click-fold-store.js';
import { tableName } from '../../shared/adapters/config.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { dynamoRollupWriter } from '../../shared/adapters/rollup-writer.js';
import { foldCampaign } from '../../shared/application/fold-clicks.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { processStreamBatch } from '../../shared/application/stream-batch.js';
import { clickSortKey, rangeBound } from '../../shared/domain/click-fold.js';
import { ERASED_BY_ATTRIBUTE, erasedClick } from '../../shared/domain/erasure.js';
import type { ClickEventRecord } from '../../shared/domain/events.js';
import { sampleClick } from '../support/archive-events.js';
import { eventItem, writeEvents } from '../support/archive-items.js';
import { crashingFoldStore } from '../support/fold-faults.js';
import { insertRecord } from '../support/stream-records.js';
import { useIsolatedTables } from '../support/tables.js';

const ORG = 'org_archive';
const CAMPAIGN = 'cmp_archive';

/** Clicks of one campaign, one a second from 08:00 on one day, in time order. */
const clicksFrom = (first: number, count: number): ClickEventRecord[] =>
  Array.from({ length: count }, (_, i) => {
    const n = first + i;
    return sampleClick(n, { at: new Date(Date.UTC(2026, 10, 2, 8, 0, 0) + n * 1000).toISOString() });
  });

const recordsOf = (clicks: readonly ClickEventRecord[], from = 0) => clicks.map((click, i) => insertRecord(click, from + i));

const expectExact = async (clicks: number) => {
  const report = await reconcileCampaign(ORG, CAMPAIGN);
  expect(report.differences).toEqual([]);
  expect(report.events).toBe(clicks);
};

describe('click fold', { timeout: 120_000 }, () => {
  useIsolatedTables();

  it('counts every click of a batch by one receipt, and nothing on redelivery', async () => {
    const clicks = clicksFrom(0, 60);
    await writeEvents(clicks);
    const first = await processStreamBatch(recordsOf(clicks));
    expect(first.batchItemFailures).toEqual([]);
    expect(first.outcome).toMatchObject({ appliedClicks: 60, foldedClicks: 60, transactions: 0 });
    const again = await processStreamBatch(recordsOf(clicks));
    expect(again.outcome).toMatchObject({ applied: 0, alreadyApplied: 60, rowWrites: 0, transactions: 0 });
    await expectExact(60);
  });

  for (const [method, failAt, what] of [
    ['applyRow', 7, 'between two row updates of a receipt'],
    ['advanceWatermark', 1, 'after the rows, before the watermark moves'],
    ['createReceipt', 1, 'before the receipt is stored'],
  ] as const) {
    it(`recovers from a crash ${what}: the redelivery applies what is missing, once`, async () => {
      const clicks = clicksFrom(0, 50);
      await writeEvents(clicks);
      const crashed = await processStreamBatch(recordsOf(clicks), { writer: dynamoRollupWriter, fold: crashingFoldStore(method, failAt) });
      expect(crashed.batchItemFailures).toHaveLength(50);
      const retried = await processStreamBatch(recordsOf(clicks));
      expect(retried.batchItemFailures).toEqual([]);
      expect(crashed.outcome.foldedClicks + retried.outcome.foldedClicks).toBe(50);
      await expectExact(50);
    });
  }

  it('two consumers folding one campaign at once count each click once', async () => {
    const clicks = clicksFrom(0, 120);
    await writeEvents(clicks);
    // Two stream shards: the clicks interleaved between them, delivered at the same time, twice.
    const even = recordsOf(clicks.filter((_, i) => i % 2 === 0));
    const odd = recordsOf(clicks.filter((_, i) => i % 2 === 1), 1000);
    const results = await Promise.all([processStreamBatch(even), processStreamBatch(odd), processStreamBatch(odd), processStreamBatch(even)]);
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.outcome.appliedClicks, 0)).toBe(120);
    await expectExact(120);
  });

  it('a click that reaches the index after its range was folded goes through the ledger, once', async () => {
    const early = clicksFrom(0, 30);
    await writeEvents(early);
    await processStreamBatch(recordsOf(early));
    // Recorded at 08:00:10 but written only now (a redirect's retried write): below the watermark.
    const late = sampleClick(10_000, { at: early[10]!.at.replace('.000Z', '.500Z') });
    await writeEvents([late]);
    const delivered = await processStreamBatch([insertRecord(late, 500)]);
    expect(delivered.outcome).toMatchObject({ appliedClicks: 1, foldedClicks: 0, transactions: 1 });
    const again = await processStreamBatch([insertRecord(late, 500)]);
    expect(again.outcome).toMatchObject({ applied: 0, alreadyApplied: 1 });
    await expectExact(31);
  });

  it('clicks the ledger applied before the campaign was first folded are not counted again', async () => {
    const clicks = clicksFrom(0, 40);
    await writeEvents(clicks);
    // An older consumer (no fold) applied the first 25; the fold then starts within their range.
    await processStreamBatch(recordsOf(clicks.slice(0, 25)), { writer: dynamoRollupWriter, fold: null });
    const folded = await processStreamBatch(recordsOf(clicks.slice(20)));
    expect(folded.outcome).toMatchObject({ appliedClicks: 15, alreadyApplied: 5 });
    await expectExact(40);
  });

  it('cuts a range at the receipt size and chains the receipts, each applied once', async () => {
    const clicks = clicksFrom(0, 45);
    await writeEvents(clicks);
    const outcome = { foldedClicks: 0, receipts: 0, rowWrites: 0 };
    const sortKeys = clicks.map(clickSortKey).sort();
    const scope = { orgId: ORG, campaignId: CAMPAIGN, lowest: sortKeys[0]!, through: rangeBound(sortKeys.at(-1)!) };
    const { receipts } = await foldCampaign(dynamoClickFoldStore, scope, outcome, 10);
    expect(receipts.map((r) => r.clickDigests.length)).toEqual([10, 10, 10, 10, 5]);
    expect(receipts.slice(1).every((r, i) => r.after === receipts[i]!.through)).toBe(true);
    expect(receipts.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(outcome).toMatchObject({ foldedClicks: 45, receipts: 5 });
    // The batch's clicks are then found in those receipts: none goes through the ledger.
    const delivered = await processStreamBatch(recordsOf(clicks));
    expect(delivered.outcome).toMatchObject({ appliedClicks: 0, alreadyApplied: 45, transactions: 0 });
    await expectExact(45);
  });

  it('cuts a range shorter when its receipt would not fit one item', async () => {
    const clicks = clicksFrom(0, 30);
    await writeEvents(clicks);
    // A store whose receipts hold at most 4 clicks (as if each were too large beyond that).
    const small: typeof dynamoClickFoldStore = {
      ...dynamoClickFoldStore,
      createReceipt: (receipt) =>
        receipt.clickDigests.length > 4 ? Promise.reject(new FoldReceiptTooLargeError(400_000)) : dynamoClickFoldStore.createReceipt(receipt),
    };
    const delivered = await processStreamBatch(recordsOf(clicks), { writer: dynamoRollupWriter, fold: small });
    expect(delivered.batchItemFailures).toEqual([]);
    expect(delivered.outcome).toMatchObject({ foldedClicks: 30, transactions: 0 });
    await expectExact(30);
  });

  it('leaves out a click an erasure re-keyed before its range was folded: the ledger counts it once', async () => {
    const clicks = clicksFrom(0, 20);
    await writeEvents(clicks);
    // Erased before any fold: the original item is gone, its re-keyed copy is in the index.
    const human = clicks.find((click) => click.visitorId)!;
    const original = eventItem(human);
    await documentClient().send(new DeleteCommand({ TableName: tableName('events'), Key: { pk: original.pk, sk: original.sk } }));
    await documentClient().send(
      new PutCommand({ TableName: tableName('events'), Item: { ...eventItem(erasedClick(human)), [ERASED_BY_ATTRIBUTE]: 'era_test' } }),
    );
    const delivered = await processStreamBatch(recordsOf(clicks));
    expect(delivered.outcome).toMatchObject({ appliedClicks: 20, foldedClicks: 19, transactions: 1 });
    await expectExact(20);
  });
});
