/**
 * The click fold: a campaign's clicks applied to its roll-up rows by ranges of the campaign
 * index's sort key (`<at>#<clickId>`), not event by event. Transactions bill 2 write units per
 * row and need a 2-unit ledger entry per click; a fold writes each row it touches once per range,
 * 1 unit, with a fence on the row instead of a ledger (docs/scaling.md, "The click fold").
 *
 * A range is fixed by a **receipt** before any row moves: `(after, through]` (bounds from
 * `rangeBound`: no visitor id in them), its sequence number, a digest of every
 * click it counted and the rows' deltas. Ranges of a campaign are contiguous and applied in order
 * (the campaign's watermark moves from `after` to `through` only once every row holds the
 * receipt's sequence as its fence), so a row refuses a receipt whose fence it already has, and a crash between
 * two rows is mended by applying the same receipt again. A click is counted by the fold exactly
 * when its digest is in the receipt covering its sort key; any other click (older than the
 * campaign's first fold, in the ledger already, or not yet visible in the index when its range
 * was read) is applied by the ledger as before. No AWS here: the store is the adapter's
 * (shared/adapters/click-fold-store.ts), the order of calls the use case's
 * (shared/application/fold-clicks.ts).
 */
import { createHash } from 'node:crypto';
import type { ClickEventRecord } from './events.js';
import { CLICK_ID_LENGTH } from './ids.js';
import { clickContributions, coalesce, type Contribution } from './rollup.js';

/** A click as the fold reads it: the event and its campaign-index sort key. */
export interface IndexedClick {
  sortKey: string;
  event: ClickEventRecord;
}

/** How far a campaign's clicks are folded: through this bound, by this many receipts. */
export interface FoldWatermark {
  through: string;
  sequence: number;
}

export interface FoldReceipt {
  orgId: string;
  campaignId: string;
  /** Exclusive lower bound of the range (the previous receipt's `through`). */
  after: string;
  /** Inclusive upper bound of the range. */
  through: string;
  /** Its place among the campaign's receipts (1, 2, …): the fence its rows keep. */
  sequence: number;
  /** Digests (`clickDigest`) of the clicks the fold counted: a receipt names no visitor. */
  clickDigests: string[];
  /** Advocates whose rows the receipt moves (the ranking index follows them). */
  advocateIds: string[];
  rows: Contribution[];
}

/** The sort key a click has in its campaign's index (shared/adapters/keys.ts builds the same). */
export const clickSortKey = (click: Pick<ClickEventRecord, 'at' | 'clickId'>): string => `${click.at}#${click.clickId}`;

/**
 * The bound a range ends at to hold a click's sort key: its time and the click id's time id (not the
 * visitor id it ends with: the watermark, which has no TTL, keeps a bound), then U+FFFF, above every character of an id. Every key up to the click's sorts below it; the
 * next key above it does too only if it has the same time id (none: a time id has random bits).
 */
export const rangeBound = (sortKey: string): string => {
  const hash = sortKey.indexOf('#');
  return `${sortKey.slice(0, hash + 1)}${sortKey.slice(hash + 1, hash + 1 + CLICK_ID_LENGTH)}\uffff`;
};

/**
 * A short one-way digest of an event id (96 bits): what a receipt keeps to say which clicks it
 * counted, without the click id (which carries the visitor id, spec section 16). Collisions
 * within one receipt's few thousand clicks are beyond any practical chance (~10⁻²²).
 */
export const clickDigest = (eventId: string): string => createHash('sha256').update(eventId).digest('base64url').slice(0, 16);

/**
 * The first watermark of a campaign: just below the lowest sort key a batch brings — its time
 * alone, which sorts below every key of that millisecond (`<time>#…`) and above every key of an
 * earlier one. Clicks below it are older than the campaign's first fold: the ledger applies them.
 */
export const firstWatermark = (lowestSortKey: string): string => lowestSortKey.slice(0, lowestSortKey.indexOf('#'));

/**
 * The receipt of the range `(after, through]`: the clicks read from the index in it (the store
 * decides where a range read is cut), of which those in `alreadyApplied` (event ids in the
 * ledger) are left to the ledger.
 */
export const planReceipt = (
  scope: { orgId: string; campaignId: string; after: string; through: string; sequence: number },
  clicks: readonly IndexedClick[],
  alreadyApplied: ReadonlySet<string>,
): FoldReceipt => {
  const counted = clicks.filter(
    (click) => click.sortKey > scope.after && click.sortKey <= scope.through && !alreadyApplied.has(click.event.eventId),
  );
  return {
    orgId: scope.orgId,
    campaignId: scope.campaignId,
    after: scope.after,
    through: scope.through,
    sequence: scope.sequence,
    clickDigests: counted.map((click) => clickDigest(click.event.eventId)),
    advocateIds: [...new Set(counted.map((click) => click.event.advocateId))],
    rows: [...coalesce(counted.flatMap((click) => clickContributions(click.event))).values()],
  };
};

/** Whether `receipt` covers a sort key (its range holds it), and so decides how the click is applied. */
export const receiptCovers = (receipt: Pick<FoldReceipt, 'after' | 'through'>, sortKey: string): boolean =>
  sortKey > receipt.after && sortKey <= receipt.through;
