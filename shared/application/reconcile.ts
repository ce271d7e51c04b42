/**
 * Reconciliation: recount a campaign from its raw events and compare with the roll-ups.
 * Used by `npm run admin -- reconcile`, and by the tests after every fault scenario.
 * This is the one place that reads raw events in bulk; dashboards never do. It reads them page
 * by page and keeps only the expected counters of each row, so its memory follows the campaign's
 * roll-up rows, not its traffic.
 *
 * Clicks and shares leave the hot table by TTL (`hotClickRetentionDays`) long after the archive has them. So
 * with an archive, clicks (and shares) inside the lookback window (`maxLookbackDays`) are counted from the hot
 * table, older ones from hot ∪ archive, deduplicated by event id one UTC date at a time (an event
 * has one date, so duplicates can only meet within it). Without an archive (a process that has
 * none configured), every hot click is counted, as before the archive existed.
 */
import { archivedDays } from '../adapters/archive-reads.js';
import { configuredArchiveStore, type ObjectStore } from '../adapters/object-store.js';
import {
  campaignClickItemPages,
  campaignShareItemPages,
  campaignRollupRowPages,
  conversionRecordPages,
  refundRecordPages,
} from '../adapters/reconcile-reads.js';
import { rankingKeys, rollupKeys } from '../adapters/keys.js';
import { readRankingIndex } from '../adapters/ranking-index.js';
import { bucketDeltas, entrySortKey, rankMoves } from '../domain/ranking.js';
import { contributionsOfConversionRecord } from '../domain/conversion-credit.js';
import type { ArchivedEventType, ArchiveRow } from '../domain/archive.js';
import { clickOfArchiveRow, shareOfArchiveRow } from '../domain/archive-rows.js';
import { clickEventSchema, shareEventSchema } from '../domain/events.js';
import { maxLookbackDays } from '../settings.js';
import { contributionsOfRefund } from '../domain/refund-credit.js';
import { addContributions, clickContributions, shareContributions, type Contribution, type Counters } from '../domain/rollup.js';

export interface RowDifference {
  pk: string;
  sk: string;
  counter: string;
  expected: number;
  actual: number;
}

export interface ReconcileReport {
  orgId: string;
  campaignId: string;
  events: number;
  /** Shares recounted (hot and archived, once each). */
  shares: number;
  conversions: number;
  rowsChecked: number;
  differences: RowDifference[];
}

/** Where a recount stands, reported after every page read. */
export interface ReconcileProgress {
  phase: 'clicks' | 'shares' | 'conversions' | 'rows';
  /** Clicks read so far (the report's `events`). */
  events: number;
  /** Shares read so far. */
  shares: number;
  conversions: number;
  /** Expected rows (known once the events are read; 0 before). */
  rowsChecked: number;
  /** Stored roll-up rows compared so far. */
  rowsRead: number;
  /** Differing counters found so far. */
  differences: number;
}

export interface ReconcileOptions {
  onProgress?: (progress: ReconcileProgress) => void;
  /** The archive to count old clicks and shares from; default: the configured one (ARCHIVE_BUCKET / ARCHIVE_DIR), if any. */
  archive?: ObjectStore;
  /** The time the lookback window ends at (epoch ms); default: now. */
  now?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const rowKey = (pk: string, sk: string) => `${pk}\u0000${sk}`;

const compareRow = (pk: string, sk: string, want: Counters, have: Counters): RowDifference[] => {
  const differences: RowDifference[] = [];
  for (const counter of new Set([...Object.keys(want), ...Object.keys(have)])) {
    const expected = want[counter] ?? 0;
    const actual = have[counter] ?? 0;
    if (expected !== actual) differences.push({ pk, sk, counter, expected, actual });
  }
  return differences;
};

/** Raw events of one kind (clicks, shares) a recount reads from the hot table and, when old, the archive. */
interface RawEventSource<E extends { eventId: string; campaignId: string; at: string }> {
  hotPages: AsyncGenerator<Record<string, unknown>[]>;
  ofHotItem: (item: Record<string, unknown>) => E | undefined;
  archivedType: ArchivedEventType;
  ofArchiveRow: (row: ArchiveRow) => E | undefined;
  count: (event: E) => void;
}

/**
 * Counts every event of a source once: hot events from the cutoff on; older ones from hot ∪
 * archive, deduplicated by event id one UTC date at a time (an event has one date, so duplicates
 * can only meet within it). Without an archive, every hot event.
 */
const recountRawEvents = async <E extends { eventId: string; campaignId: string; at: string }>(
  scope: { orgId: string; campaignId: string; cutoff: string; archive: ObjectStore | undefined; report: () => void },
  source: RawEventSource<E>,
): Promise<void> => {
  const { orgId, campaignId, cutoff, archive, report } = scope;
  /** Hot events older than the cutoff, by date, until that date's archived events are read. */
  const olderHot = new Map<string, Map<string, E>>();
  for await (const items of source.hotPages) {
    for (const item of items) {
      const event = source.ofHotItem(item);
      if (!event) continue;
      if (archive && event.at < cutoff) {
        const date = event.at.slice(0, 10);
        let day = olderHot.get(date);
        if (!day) olderHot.set(date, (day = new Map()));
        day.set(event.eventId, event);
      } else source.count(event);
    }
    report();
  }
  if (!archive) return;
  for await (const { date, rows } of archivedDays(archive, orgId, source.archivedType, cutoff.slice(0, 10))) {
    const day = olderHot.get(date) ?? new Map<string, E>();
    olderHot.delete(date);
    for (const row of rows) {
      if (row.campaign_id !== campaignId || typeof row.at !== 'string' || row.at >= cutoff) continue;
      const event = source.ofArchiveRow(row);
      if (event && !day.has(event.eventId)) day.set(event.eventId, event);
    }
    for (const event of day.values()) source.count(event);
    report();
  }
  // Old hot events of dates the archive has nothing of (an archive batch still in the dead-letter queue).
  for (const day of olderHot.values()) for (const event of day.values()) source.count(event);
};

export const reconcileCampaign = async (orgId: string, campaignId: string, options: ReconcileOptions = {}): Promise<ReconcileReport> => {
  const progress: ReconcileProgress = { phase: 'clicks', events: 0, shares: 0, conversions: 0, rowsChecked: 0, rowsRead: 0, differences: 0 };
  const report = () => options.onProgress?.({ ...progress });

  const expectedById = new Map<string, Contribution>();
  const archive = options.archive ?? configuredArchiveStore();
  // Clicks and shares at or after the cutoff are hot for certain; older ones may have expired.
  const cutoff = new Date((options.now ?? Date.now()) - maxLookbackDays * DAY_MS).toISOString();
  const scope = { orgId, campaignId, cutoff, archive, report };
  await recountRawEvents(scope, {
    hotPages: campaignClickItemPages(orgId, campaignId),
    ofHotItem: (item) => {
      const parsed = clickEventSchema.safeParse(item);
      return parsed.success ? parsed.data : undefined;
    },
    archivedType: 'click',
    ofArchiveRow: clickOfArchiveRow,
    count: (click) => {
      progress.events++;
      addContributions(expectedById, clickContributions(click));
    },
  });
  progress.phase = 'shares';
  await recountRawEvents(scope, {
    hotPages: campaignShareItemPages(orgId, campaignId),
    ofHotItem: (item) => {
      const parsed = shareEventSchema.safeParse(item);
      return parsed.success ? parsed.data : undefined;
    },
    archivedType: 'share',
    ofArchiveRow: shareOfArchiveRow,
    count: (share) => {
      progress.shares++;
      addContributions(expectedById, shareContributions(share));
    },
  });
  // Conversions count by the credit records written atomically with their counters.
  progress.phase = 'conversions';
  for await (const records of conversionRecordPages(orgId, campaignId)) {
    for (const record of records) addContributions(expectedById, contributionsOfConversionRecord(record));
    progress.conversions += records.length;
    report();
  }
  // Refunds likewise, by the refund records written with theirs.
  for await (const records of refundRecordPages(orgId, campaignId)) {
    addContributions(expectedById, contributionsOfRefund(records));
    report();
  }

  // Where each row must be: the partition its key is sharded to. A row found anywhere else differs.
  const expected = new Map<string, { pk: string; sk: string; counters: Counters }>();
  /** Advocates' expected all-time counters: the ranking index is checked against them. */
  const advocateTotals = new Map<string, Counters>();
  for (const { row, counters } of expectedById.values()) {
    if (Object.keys(counters).length === 0) continue;
    if (row.dimension === 'advocate' && row.period === '*') advocateTotals.set(row.key, counters);
    const { pk, sk } = rollupKeys.row(row);
    expected.set(rowKey(pk, sk), { pk, sk, counters });
  }
  expectedById.clear();
  progress.phase = 'rows';
  progress.rowsChecked = expected.size;

  // Stored rows are compared as they arrive; the differences keep the order of a side-by-side
  // comparison: expected rows first (in recount order), then rows that should not exist.
  const differencesOfFound = new Map<string, RowDifference[]>();
  const unexpected: RowDifference[] = [];
  for await (const rows of campaignRollupRowPages(orgId, campaignId)) {
    for (const { pk, sk, counters } of rows) {
      const key = rowKey(pk, sk);
      const want = expected.get(key);
      const differences = compareRow(pk, sk, want?.counters ?? {}, counters);
      if (want) differencesOfFound.set(key, differences);
      else unexpected.push(...differences);
      progress.differences += differences.length;
    }
    progress.rowsRead += rows.length;
    report();
  }

  const differences: RowDifference[] = [];
  for (const [key, { pk, sk, counters }] of expected) {
    const found = differencesOfFound.get(key);
    if (found) differences.push(...found);
    else {
      const missing = compareRow(pk, sk, counters, {});
      progress.differences += missing.length;
      differences.push(...missing);
    }
  }
  differences.push(...unexpected);
  const indexDifferences = await reconcileRankingIndex(orgId, campaignId, advocateTotals);
  progress.differences += indexDifferences.length;
  differences.push(...indexDifferences);
  report();
  return { orgId, campaignId, events: progress.events, shares: progress.shares, conversions: progress.conversions, rowsChecked: expected.size, differences };
};

/**
 * The ranking index against the recounted all-time rows of the advocates: one entry per non-zero
 * ranked counter, bucket counts and the population (shared/domain/ranking.ts). A missing or extra
 * entry differs under the counter name `entry`; a count under `n`.
 */
const reconcileRankingIndex = async (orgId: string, campaignId: string, advocateTotals: Map<string, Counters>): Promise<RowDifference[]> => {
  const wantEntries = new Set<string>();
  const wantCounts = new Map<string, number>();
  const addCount = (pk: string, sk: string, delta: number) => wantCounts.set(rowKey(pk, sk), (wantCounts.get(rowKey(pk, sk)) ?? 0) + delta);
  const named: Array<{ counter: string; shard: number }> = [];
  for (const [advocateId, totals] of advocateTotals) {
    const shard = rankingKeys.shardOf(advocateId);
    const { moves } = rankMoves(totals, {});
    for (const move of moves) {
      named.push({ counter: move.counter, shard });
      wantEntries.add(rowKey(rankingKeys.entries(orgId, campaignId, move.counter, shard), entrySortKey(move.to, advocateId)));
    }
    const countsPk = rankingKeys.counts(orgId, campaignId, shard);
    for (const { counter, bucket, delta } of bucketDeltas(moves).values()) addCount(countsPk, rankingKeys.bucket(counter, bucket), delta);
    addCount(countsPk, rankingKeys.population, 1);
  }
  const stored = await readRankingIndex(orgId, campaignId, named);
  const differences: RowDifference[] = [];
  const haveEntries = new Set(stored.entries.map(({ pk, sk }) => rowKey(pk, sk)));
  const split = (key: string) => key.split('\u0000') as [string, string];
  for (const key of wantEntries) if (!haveEntries.has(key)) differences.push({ ...pkSk(split(key)), counter: 'entry', expected: 1, actual: 0 });
  for (const key of haveEntries) if (!wantEntries.has(key)) differences.push({ ...pkSk(split(key)), counter: 'entry', expected: 0, actual: 1 });
  const haveCounts = new Map(stored.counts.map(({ pk, sk, n }) => [rowKey(pk, sk), n]));
  for (const key of new Set([...wantCounts.keys(), ...haveCounts.keys()])) {
    const expected = wantCounts.get(key) ?? 0;
    const actual = haveCounts.get(key) ?? 0;
    if (expected !== actual) differences.push({ ...pkSk(split(key)), counter: 'n', expected, actual });
  }
  return differences;
};

const pkSk = ([pk, sk]: [string, string]) => ({ pk, sk });
