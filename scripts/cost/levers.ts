/**
 * Levers of issue 15 counted on paper from the product's own planner (shared/domain/rollup.ts):
 * a program's click stream (the program's day: its phases' rates, 200 links by popularity, 2
 * campaigns, 10% bots, returning visitors) cut into stream batches by the batching window, each
 * batch planned as the consumer plans it. Counted per click:
 * - roll-up rows written, with and without the all-time (`*`) rows;
 * - the write units of those rows applied in transactions (2 per KB of each action, a ledger
 *   entry per event) or as conditional updates (1 per KB, no ledger: a per-row applied marker).
 * Clicks only: a conversion's rows depend on attribution (reads), 1% of the events.
 */
import { generateEvents, type SeededLink } from '../../bench/lib/dataset.js';
import { generateStructure } from '../../bench/lib/dataset.js';
import { programLinks, programProfile, playedPhases } from '../../bench/lib/program-day.js';
import { clickEventSchema } from '../../shared/domain/events.js';
import { clickContributions, planTransactions, type PlannedEvent } from '../../shared/domain/rollup.js';

const ORG = 'org_o4YZMT8VVhjy3uBP3h17';
const CAMPAIGNS = ['cmp_9DBKIk7itB1gW1monBZt', 'cmp_2DBKIk7itB1gW1monBZq'];
/** Seconds of each phase replayed: enough batches for a stable count at the slowest rate. */
const REPLAY_SECONDS = 1_800;

/** The program's links, as the benchmark seeds them (slugs made up: the planner only keys rows by them). */
export const programReplayLinks = (seed = 20261127): SeededLink[] => {
  const structure = generateStructure({ seed, campaigns: programProfile.campaigns, advocates: 100, linkPopularityExponent: programProfile.linkPopularityExponent });
  return programLinks(
    structure.links.map((spec, index) => ({
      slug: `L${String(index).padStart(7, '0')}`,
      orgId: ORG,
      campaignId: CAMPAIGNS[spec.campaign],
      advocateId: spec.advocateId,
      channel: spec.channel,
      department: spec.department,
      weight: spec.weight,
    })),
  );
};

/** Stream batches as an event source mapping with this window forms them: a batch opens with its first record and closes `windowSeconds` later. */
export const batchesByWindow = <T extends { atMs: number }>(events: readonly T[], windowSeconds: number, batchSize: number): T[][] => {
  const batches: T[][] = [];
  let current: T[] = [];
  let opensAt = 0;
  for (const event of events) {
    if (current.length > 0 && (event.atMs - opensAt >= windowSeconds * 1000 || current.length >= batchSize)) {
      batches.push(current);
      current = [];
    }
    if (current.length === 0) opensAt = event.atMs;
    current.push(event);
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

export interface PlanCount {
  clicks: number;
  rows: number;
  transactions: number;
}

/** Rows and transactions the planner makes of these batches, with or without the all-time rows. */
export const countPlans = (batches: ReadonlyArray<ReadonlyArray<PlannedEvent<null>>>, allTimeRows: boolean): PlanCount => {
  let rows = 0;
  let transactions = 0;
  let clicks = 0;
  for (const batch of batches) {
    const events = allTimeRows ? [...batch] : batch.map((planned) => ({ ...planned, contributions: planned.contributions.filter((c) => c.row.period !== '*') }));
    const plans = planTransactions(events);
    transactions += plans.length;
    rows += plans.reduce((sum, plan) => sum + plan.rows.length, 0);
    clicks += batch.length;
  }
  return { clicks, rows, transactions };
};

export interface ReplayFigures {
  windowSeconds: number;
  /** Per click, the day's (phases weighted by their share of the day's clicks). */
  rowsPerClick: { withAllTime: number; dailyOnly: number };
  transactionsPerClick: { withAllTime: number; dailyOnly: number };
  meanBatchClicks: number;
}

/** Replays the program's day through the planner at a batching window. */
export const replayProgram = (windowSeconds: number, batchSize = 5_000, links = programReplayLinks()): ReplayFigures => {
  const perPhase = playedPhases(REPLAY_SECONDS).map((phase, index) => {
    const { items } = generateEvents(links, {
      seed: 9_000 + index,
      clicks: phase.clicks,
      conversions: 0,
      botShare: programProfile.botShare,
      spanMs: REPLAY_SECONDS * 1000,
      endMs: Date.parse('2026-11-27T20:00:00.000Z'),
      sourceId: 'src_replay',
    });
    const planned = items.map((item) => {
      const event = clickEventSchema.parse(item);
      return { atMs: Date.parse(event.at), planned: { event: null, eventId: event.eventId, contributions: clickContributions(event) } satisfies PlannedEvent<null> };
    });
    const batches = batchesByWindow(planned, windowSeconds, batchSize).map((batch) => batch.map((entry) => entry.planned));
    return { phase, batches, withAllTime: countPlans(batches, true), dailyOnly: countPlans(batches, false) };
  });
  const weighted = (value: (entry: (typeof perPhase)[number]) => number) =>
    perPhase.reduce((sum, entry) => sum + entry.phase.shareOfDay * value(entry), 0) / perPhase.reduce((sum, entry) => sum + entry.phase.shareOfDay, 0);
  return {
    windowSeconds,
    rowsPerClick: { withAllTime: weighted((e) => e.withAllTime.rows / e.withAllTime.clicks), dailyOnly: weighted((e) => e.dailyOnly.rows / e.dailyOnly.clicks) },
    transactionsPerClick: {
      withAllTime: weighted((e) => e.withAllTime.transactions / e.withAllTime.clicks),
      dailyOnly: weighted((e) => e.dailyOnly.transactions / e.dailyOnly.clicks),
    },
    meanBatchClicks: weighted((e) => e.withAllTime.clicks / e.batches.length),
  };
};

/**
 * Write units per click of a plan: in transactions, 2 per KB of every action — each row update
 * (a counter row is under 1 KB) and the event's ledger entry; as conditional updates, 1 per row
 * (the row carries the marker of the last batch applied to it instead of a ledger entry).
 */
export const writeUnitsPerClick = (rowsPerClick: number) => ({
  transactional: 2 * (rowsPerClick + 1),
  conditional: rowsPerClick,
});

/**
 * Reading all-time figures derived from daily rows: a query of `keys` rows of one dimension reads
 * `days` daily rows per key instead of one all-time row. Eventually consistent reads: ½ unit per
 * 4 KB read (a Query is billed on the bytes it reads, summed).
 */
export const extraReadUnitsPerQuery = (keys: number, days: number, rowBytes: number): number => (keys * (days - 1) * rowBytes) / 4096 / 2;

/**
 * The program's read APIs (assumptions of scripts/cost/model.ts `program`): 40,000 advocate
 * stats a month (an advocate's own rows: ~2 links), 10,000 manager dashboard queries (a
 * leaderboard of one dimension: ~5,000 advocates of a campaign), at a campaign age of 90 days.
 */
export const derivedAllTimeReads = { advocateQueries: 40_000, advocateKeys: 2, dashboardQueries: 10_000, dashboardKeys: 5_000, campaignAgeDays: 90 };
