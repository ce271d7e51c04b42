/**
 * The click fold's steps (shared/domain/click-fold.ts says why and what makes it exact): bring a
 * campaign's fold through the newest click a stream batch brings, then tell, for each of the
 * batch's clicks, whether the fold counted it or the ledger must apply it.
 *
 * Any consumer may fold any campaign: the receipt of the range after the watermark is created
 * once (a conditional put), every consumer that finds it applies it (rows fenced: each row moves
 * once), and the watermark moves past it once. A crash anywhere leaves a receipt to apply again
 * or a range to read again; nothing is counted twice and nothing is skipped.
 */
import { clickFoldMaxClicks } from '../settings.js';
import { FoldReceiptTooLargeError, type ClickFoldStore } from '../adapters/click-fold-store.js';
import { clickDigest, clickSortKey, firstWatermark, planReceipt, receiptCovers, type FoldReceipt } from '../domain/click-fold.js';
import type { ClickEventRecord } from '../domain/events.js';
import { rowId } from '../domain/rollup.js';
import { inLanes } from './in-lanes.js';

/** Fenced row updates in flight at once for one receipt. */
const ROW_WRITES_AT_ONCE = 16;

export interface FoldOutcome {
  /** Clicks counted by receipts this call moved the watermark past. */
  foldedClicks: number;
  receipts: number;
  /** Row updates made (a row that refused its fence is not one). */
  rowWrites: number;
}

/** Every row of a receipt, each its own lane: rows are distinct items, so any order will do. */
const applyReceipt = (store: ClickFoldStore, receipt: FoldReceipt, outcome: FoldOutcome): Promise<void> =>
  inLanes(receipt.rows, (row) => rowId(row.row), ROW_WRITES_AT_ONCE, async (row) => {
    if (await store.applyRow(row, receipt.sequence)) outcome.rowWrites++;
    return true;
  });

/**
 * Folds a campaign through `through` (the highest sort key of a batch's clicks), from its
 * watermark — or, for a campaign never folded, from just below `lowest` (the batch's lowest key).
 * Answers the receipts it applied (the batch's clicks are looked up in them first), and of those
 * the ones it moved the watermark past (whose clicks it counts).
 */
export const foldCampaign = async (
  store: ClickFoldStore,
  scope: { orgId: string; campaignId: string; lowest: string; through: string },
  outcome: FoldOutcome,
  maxClicks = clickFoldMaxClicks,
): Promise<{ receipts: FoldReceipt[]; advanced: FoldReceipt[] }> => {
  const { orgId, campaignId, through } = scope;
  let mark = (await store.watermark(orgId, campaignId)) ?? (await store.startWatermark(orgId, campaignId, firstWatermark(scope.lowest)));
  const applied: FoldReceipt[] = [];
  /** The receipts whose clicks this call counts (it moved the watermark past them). */
  const advanced: FoldReceipt[] = [];
  let limit = maxClicks;
  while (mark.through < through) {
    let receipt = await store.receipt(orgId, campaignId, mark.through);
    if (!receipt) {
      const { clicks, end } = await store.clicksInRange(orgId, campaignId, mark.through, through, limit);
      // Clicks the ledger applied (before the campaign's first fold, or as late clicks) stay its.
      const inLedger = clicks.length > 0 ? await store.inLedger(clicks.map((click) => click.event.eventId)) : new Set<string>();
      const planned = planReceipt({ orgId, campaignId, after: mark.through, through: end, sequence: mark.sequence + 1 }, clicks, inLedger);
      // Another consumer may have fixed this range first: then its receipt is the one.
      let created: boolean;
      try {
        created = await store.createReceipt(planned);
      } catch (error) {
        // Clicks that differ in nearly every row: the same range in shorter pieces.
        if (!(error instanceof FoldReceiptTooLargeError) || limit === 1) throw error;
        limit = Math.max(1, Math.floor(limit / 2));
        continue;
      }
      receipt = created ? planned : await store.receipt(orgId, campaignId, mark.through);
      if (!receipt) throw new Error(`Fold receipt ${mark.sequence + 1} of campaign ${campaignId} is neither new nor stored`);
    }
    await applyReceipt(store, receipt, outcome);
    applied.push(receipt);
    if (await store.advanceWatermark(orgId, campaignId, mark, receipt)) {
      outcome.foldedClicks += receipt.clickDigests.length;
      outcome.receipts++;
      advanced.push(receipt);
      mark = { through: receipt.through, sequence: receipt.sequence };
    } else {
      // Another consumer moved it (past this receipt, which it applied before moving).
      mark = (await store.watermark(orgId, campaignId))!;
    }
  }
  return { receipts: applied, advanced };
};

/**
 * Which of a batch's clicks of one campaign the fold counted (their event ids); the others are the
 * ledger's. Call after `foldCampaign` brought the campaign through the batch's newest click: every
 * click is then below the watermark, so it is either in the receipt covering it, or in none
 * (older than the campaign's first fold).
 */
export const foldedClickIds = async (
  store: ClickFoldStore,
  clicks: readonly ClickEventRecord[],
  known: readonly FoldReceipt[],
): Promise<Set<string>> => {
  const folded = new Set<string>();
  const digests = new Map<FoldReceipt, Set<string>>();
  const receipts = [...known];
  const sorted = clicks.map((event) => ({ event, sortKey: clickSortKey(event) })).sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  for (const { event, sortKey } of sorted) {
    let receipt = receipts.find((candidate) => receiptCovers(candidate, sortKey));
    if (!receipt) {
      const below = await store.receiptBelow(event.orgId, event.campaignId, sortKey);
      if (!below) continue; // older than the campaign's first fold: the ledger's
      if (!receiptCovers(below, sortKey)) throw new Error(`Click ${event.eventId} is above its campaign's fold watermark`);
      receipts.push((receipt = below));
    }
    let set = digests.get(receipt);
    if (!set) digests.set(receipt, (set = new Set(receipt.clickDigests)));
    if (set.has(clickDigest(event.eventId))) folded.add(event.eventId);
  }
  return folded;
};
