/**
 * Pure roll-up arithmetic: which roll-up rows an event adds to, by how much, and how a batch
 * is cut into transactions of at most 100 writes. No AWS imports; the adapter
 * (shared/adapters/rollup-writer.ts) turns a plan into TransactWriteItems calls.
 *
 * Row layout (see shared/adapters/keys.ts): partition `R#<org>#<campaign>#<dimension>[#<shard>]`
 * — the shard chosen by the row's key (`rollupPartitionShards`), so a row has one item — rows
 * `<YYYY-MM-DD>#<key>` per day and `*#<key>` for all time (not for the breakdowns: `periodsOf`). The `campaign` dimension has the single
 * key `all`, so its daily rows are the campaign's day series and its `*#all` row the totals. Rows
 * are identified here by `rowId` (dimension, period, key); where they are stored is the adapter's.
 *
 * The breakdown dimensions (`country`, `device`, `browser`, `os`, `referrer`) are keyed by what the
 * click recorded of its viewer, `unknown` where it recorded nothing; a conversion adds to the rows
 * of the clicks it was credited to (shared/domain/conversion-credit.ts).
 */
import type { Touchpoint } from './attribution.js';
import type { ConversionCampaignRecord } from './conversion-credit.js';
import type { ClickEventRecord, ShareEventRecord, ViewerFacts } from './events.js';
import type { RefundCampaignRecord } from './refund-credit.js';

export const breakdownDimensions = ['country', 'device', 'browser', 'os', 'referrer'] as const;
export type BreakdownDimension = (typeof breakdownDimensions)[number];

export const rollupDimensions = ['campaign', 'link', 'advocate', 'channel', 'department', ...breakdownDimensions] as const;
export type RollupDimension = (typeof rollupDimensions)[number];

export const UNASSIGNED_DEPARTMENT = 'unassigned';
export const CAMPAIGN_TOTAL_KEY = 'all';
/** The key of a breakdown row for clicks that recorded nothing there (spec section 7). */
export const UNKNOWN_BREAKDOWN_KEY = 'unknown';

const knownOr = (value: string | undefined): string => (value ? value : UNKNOWN_BREAKDOWN_KEY);

/** The breakdown keys of a click (or of a touchpoint, which carries the same facts). */
export const breakdownKeys = (viewer: ViewerFacts): Record<BreakdownDimension, string> => ({
  country: knownOr(viewer.country),
  device: knownOr(viewer.device),
  browser: knownOr(viewer.browser),
  os: knownOr(viewer.os),
  referrer: knownOr(viewer.referrerHost),
});

export interface RowRef {
  orgId: string;
  campaignId: string;
  dimension: RollupDimension;
  /** `YYYY-MM-DD` or `*` for all time. */
  period: string;
  key: string;
}

export type Counters = Record<string, number>;

export interface Contribution {
  row: RowRef;
  counters: Counters;
}

export const rowId = (row: RowRef): string =>
  `${row.orgId}\u0000${row.campaignId}\u0000${row.dimension}\u0000${row.period}\u0000${row.key}`;

export const utcDay = (iso: string): string => iso.slice(0, 10);

/** The key of every dimension's row a click (or a touchpoint of a conversion) adds to. */
export const dimensionKeys = (
  event: { slug: string; advocateId: string; channel: string; department?: string } & ViewerFacts,
): Record<RollupDimension, string> => ({
  campaign: CAMPAIGN_TOTAL_KEY,
  link: event.slug,
  advocate: event.advocateId,
  channel: event.channel,
  department: event.department ?? UNASSIGNED_DEPARTMENT,
  ...breakdownKeys(event),
});

export const isBreakdownDimension = (dimension: string): boolean => (breakdownDimensions as readonly string[]).includes(dimension);

/**
 * The rows of a dimension an event adds to on `day`: the daily row and the all-time row — except
 * the breakdowns, daily only. Their keys are few per campaign and day (device classes, browsers,
 * OSes, countries, referrer hosts), so an all-time breakdown is read as the sum of its daily rows
 * (shared/adapters/rollup-reads.ts), while writing their all-time rows took a third of a click's
 * row writes at a program's traffic: 9.0 → 5.9 rows per click with the 30 s window (planner
 * replay, docs/scaling.md "Two profiles, and the levers measured").
 */
export const periodsOf = (dimension: string, day: string): string[] => (isBreakdownDimension(dimension) ? [day] : [day, '*']);

/** Every roll-up row a click adds to (`periodsOf` each dimension), with its counter deltas. */
export const clickContributions = (event: ClickEventRecord): Contribution[] => {
  const counters: Counters =
    event.botClass === 'human' ? { clicks: 1, uniqueClicks: event.unique ? 1 : 0 } : { botClicks: 1 };
  const day = utcDay(event.at);
  const keys = dimensionKeys(event);
  const contributions: Contribution[] = [];
  for (const dimension of rollupDimensions) {
    for (const period of periodsOf(dimension, day)) {
      contributions.push({
        row: { orgId: event.orgId, campaignId: event.campaignId, dimension, period, key: keys[dimension] },
        counters,
      });
    }
  }
  return contributions;
};

/**
 * The dimensions a share adds to: those a share knows its key in. It has no link (it is started
 * before anyone clicks) and no viewer, so its link and breakdown rows are not written — reports
 * show 0 shares there (docs/api.md, "Shares").
 */
export const shareDimensions = ['campaign', 'advocate', 'channel', 'department'] as const satisfies readonly RollupDimension[];

/** Every roll-up row a share adds to (daily and all time, as a click's), with `shares: 1`. */
export const shareContributions = (event: ShareEventRecord): Contribution[] => {
  const day = utcDay(event.at);
  const keys: Record<(typeof shareDimensions)[number], string> = {
    campaign: CAMPAIGN_TOTAL_KEY,
    advocate: event.advocateId,
    channel: event.channel,
    department: event.department ?? UNASSIGNED_DEPARTMENT,
  };
  return shareDimensions.flatMap((dimension) =>
    periodsOf(dimension, day).map((period) => ({
      row: { orgId: event.orgId, campaignId: event.campaignId, dimension, period, key: keys[dimension] },
      counters: { shares: 1 },
    })),
  );
};

/** Adds contributions into running sums per row (by `rowId`); zero deltas are skipped. */
export const addContributions = (rows: Map<string, Contribution>, contributions: Iterable<Contribution>): void => {
  for (const { row, counters } of contributions) {
    const id = rowId(row);
    let entry = rows.get(id);
    if (!entry) {
      entry = { row, counters: {} };
      rows.set(id, entry);
    }
    for (const [name, delta] of Object.entries(counters)) {
      if (delta !== 0) entry.counters[name] = (entry.counters[name] ?? 0) + delta;
    }
  }
};

/** Sums counters per row; zero deltas are dropped so they cost no write. */
export const coalesce = (contributions: Iterable<Contribution>): Map<string, Contribution> => {
  const rows = new Map<string, Contribution>();
  addContributions(rows, contributions);
  for (const [id, entry] of rows) if (Object.keys(entry.counters).length === 0) rows.delete(id);
  return rows;
};

/**
 * A write an event brings besides counters, in the domain's terms: a conversion's credit record
 * in one campaign, or a customer's path fixed by its first attributed conversion (kept if another
 * conversion fixed it first). The planner only counts them; the adapter
 * (shared/adapters/rollup-writer.ts) decides how they are stored.
 */
export type SideWrite =
  | { kind: 'conversionRecord'; record: ConversionCampaignRecord }
  | { kind: 'customerPath'; orgId: string; customerId: string; touchpoints: Touchpoint[]; fixedBy: string }
  | RefundSideWrite;

/**
 * A refund's writes (shared/application/apply-refunds.ts): its share in a campaign; the mark
 * that a conversion was credited (which campaigns), valid only if no refund was parked on it
 * since `parkedSeen` were read; and the ledger entry of a parked refund applied with it.
 */
export type RefundSideWrite =
  | { kind: 'refundRecord'; record: RefundCampaignRecord }
  | { kind: 'conversionCredited'; orgId: string; conversionEventId: string; occurredAt: string; campaignIds: string[]; parkedSeen: number }
  | { kind: 'refundApplied'; eventId: string };

export interface PlannedEvent<E> {
  event: E;
  /** The ledger id it is applied under (an event's own id, or its part's: `inLedgerParts`). */
  eventId: string;
  /** What the event is, for counting what was applied (the `ClicksRecorded` metric). */
  kind?: 'click' | 'conversion' | 'share';
  /** A second part of an event (`inLedgerParts`): applied like one, but not counted as an event. */
  part?: true;
  contributions: Contribution[];
  sideWrites?: SideWrite[];
}

export interface TransactionPlan<E> {
  events: PlannedEvent<E>[];
  rows: Contribution[];
}

/** DynamoDB's limit on actions in one TransactWriteItems call. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** Ledger id of the second part of an event applied in two (`inLedgerParts`). */
export const BREAKDOWN_PART_SUFFIX = '#breakdowns';

const isBreakdown = (contribution: Contribution): boolean => isBreakdownDimension(contribution.row.dimension);

/**
 * Actions an event may need alone: its ledger entry, its side writes, one update per distinct row —
 * counted the same on every delivery, so a redelivery splits it as the first delivery did: a
 * customer's path is written only by the delivery that first fixes it, so one action is always
 * kept for it; a conversion's credit state is added to its first part after the split
 * (shared/application/apply-refunds.ts `withParkedRefunds`), so one more is kept for that (a
 * conversion at exactly 100 actions once planned 101 and failed every delivery).
 */
const actionsOnAnyDelivery = (planned: PlannedEvent<unknown>): number =>
  2 +
  (planned.kind === 'conversion' ? 1 : 0) +
  (planned.sideWrites ?? []).filter((write) => write.kind !== 'customerPath').length +
  new Set(planned.contributions.map((c) => rowId(c.row))).size;

/**
 * An event as the parts the planner applies, each exactly once under its own ledger id: the event
 * itself, or — when it needs more actions than one transaction holds — its breakdown rows split off
 * under `<eventId>#breakdowns`. Only a conversion credited to up to 8 touches that differ in most
 * dimensions gets there (8 touches × 4 dimensions × 2 rows, the campaigns' rows, and 8 × 5 daily
 * breakdown rows); without its breakdowns it always fits (as before the breakdowns existed), and
 * its breakdown rows alone take at most 41 actions. A
 * redelivery plans the conversion again from the same clicks, so each part finds its own ledger
 * (only a lookback edited between the two parts' transactions could plan them differently;
 * reconcile would show it).
 */
export const inLedgerParts = <P extends PlannedEvent<unknown>>(planned: P, maxActions = MAX_TRANSACTION_ACTIONS): P[] => {
  if (actionsOnAnyDelivery(planned) <= maxActions) return [planned];
  return [
    { ...planned, contributions: planned.contributions.filter((c) => !isBreakdown(c)) },
    { ...planned, eventId: `${planned.eventId}${BREAKDOWN_PART_SUFFIX}`, part: true, contributions: planned.contributions.filter(isBreakdown), sideWrites: [] },
  ];
};

/**
 * Where an event's rows are: campaign, then advocate, then link. Events next to each other in
 * this order share most of their rows (a link's clicks share the ten of its own dimensions), so cutting the sorted
 * list into transactions coalesces far more than batch order does (bench: scenario 3).
 */
const affinityKey = (event: PlannedEvent<unknown>): string => {
  const keyOf = (dimension: RollupDimension) => event.contributions.find((c) => c.row.dimension === dimension)?.row.key ?? '';
  return `${campaignOf(event)}\u0000${keyOf('advocate')}\u0000${keyOf('link')}`;
};

/** The (organization, campaign) whose rows an event adds to first: its transaction's lane. */
export const campaignOf = (event: PlannedEvent<unknown>): string => {
  const first = event.contributions[0]?.row;
  return first ? `${first.orgId}\u0000${first.campaignId}` : '';
};

/**
 * Cuts events into transactions of at most `maxActions` actions: one ledger action per event,
 * its side writes, plus one update per distinct row the transaction's events touch. Events are
 * sorted by campaign, advocate and link, and the events of one link go into one transaction
 * whenever they fit in one, so events that share rows share transactions. A transaction holds
 * one campaign's events only, so transactions of different campaigns touch different rows and
 * can run side by side. The order of application does not matter: counters only add.
 */
export const planTransactions = <E>(
  events: PlannedEvent<E>[],
  maxActions = MAX_TRANSACTION_ACTIONS,
): TransactionPlan<E>[] => {
  const keyed = events.map((event) => ({ event, key: affinityKey(event) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const plans: TransactionPlan<E>[] = [];
  let current: PlannedEvent<E>[] = [];
  let rowIds = new Set<string>();
  let sideWrites = 0;
  const flush = () => {
    if (current.length === 0) return;
    plans.push({ events: current, rows: [...coalesce(current.flatMap((e) => e.contributions)).values()] });
    current = [];
    rowIds = new Set();
    sideWrites = 0;
  };
  /** Actions the transaction would hold with `group` added. */
  const actionsWith = (group: PlannedEvent<E>[]) => {
    const added = new Set<string>();
    let groupSideWrites = 0;
    for (const planned of group) {
      groupSideWrites += planned.sideWrites?.length ?? 0;
      for (const c of planned.contributions) {
        const id = rowId(c.row);
        if (!rowIds.has(id)) added.add(id);
      }
    }
    return current.length + group.length + sideWrites + groupSideWrites + rowIds.size + added.size;
  };
  const add = (group: PlannedEvent<E>[]) => {
    for (const planned of group) {
      current.push(planned);
      sideWrites += planned.sideWrites?.length ?? 0;
      for (const c of planned.contributions) rowIds.add(rowId(c.row));
    }
  };

  for (let start = 0; start < keyed.length; ) {
    let end = start + 1;
    while (end < keyed.length && keyed[end].key === keyed[start].key) end++;
    const group = keyed.slice(start, end).map(({ event }) => event);
    start = end;
    if (current.length > 0 && campaignOf(current[0]) !== campaignOf(group[0])) flush();
    if (actionsWith(group) <= maxActions) {
      add(group);
      continue;
    }
    flush();
    // Event by event into the emptied transaction: a group that fits goes in whole this way
    // too, and a group larger than a transaction is cut where it must be.
    for (const planned of group) {
      const own = new Set(planned.contributions.map((c) => rowId(c.row))).size + 1 + (planned.sideWrites?.length ?? 0);
      if (own > maxActions) throw new Error(`Event ${planned.eventId} needs more actions than one transaction holds`);
      if (actionsWith([planned]) > maxActions) flush();
      add([planned]);
    }
  }
  flush();
  return plans;
};
