/**
 * The ranking index (spec sections 7 and 15): advocates ordered by a counter of their all-time
 * roll-up row, so a top-N and one advocate's rank read a few small items however many advocates a
 * campaign has. Pure: which index items an advocate's row implies and how to move them; the
 * adapter (shared/adapters/ranking-index.ts) stores them.
 *
 * Per ranked counter and advocate with a non-zero value, one **entry** whose sort key orders by the
 * value descending, then the advocate id ascending (the documented tie rule: equal values share a
 * rank, "1224", and list by id). Per counter, **buckets** count the entries whose value falls in a
 * range (exact below 32, then 16 ranges per power of two), so a rank is the sum of the counts of
 * the buckets above an advocate's plus the entries above it within its own bucket (at most a 16th
 * of its value's range). Advocates whose value is 0 have no entry: they are the **population**
 * (advocates with an all-time row) less the entries.
 */

/**
 * Counters the index ranks: a new metric is one more pattern here (clicks; conversions and
 * revenue per model, and per currency, as the roll-ups name them: shared/domain/conversion-credit.ts).
 */
const rankedCounterPatterns: readonly RegExp[] = [/^clicks$/, /^shares$/, /^conv_[a-z_]+$/, /^rev_[a-z_]+_[A-Z]{3}$/];

export const isRankedCounter = (counter: string): boolean => rankedCounterPatterns.some((pattern) => pattern.test(counter));

/** The ranked counters of a row and their values (absent and 0 are the same: no entry). */
export const rankedValues = (counters: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counters).filter(([name, value]) => isRankedCounter(name) && value !== 0));

/** Values are integers within ±OFFSET (micro-conversions and minor units stay far below it). */
const OFFSET = 10n ** 16n;
const WIDTH = 17;

/** A value as a fixed-width string that sorts descending: a larger value, a smaller string. */
export const descendingValueKey = (value: number): string => (OFFSET - BigInt(value)).toString().padStart(WIDTH, '0');

/** The sort key of an entry: value descending, then advocate id ascending (ids are ASCII: byte order is string order). */
export const entrySortKey = (value: number, advocateId: string): string => `${descendingValueKey(value)}#${advocateId}`;

/** The advocate id of an entry's sort key. */
export const advocateOfEntry = (sortKey: string): string => sortKey.slice(WIDTH + 1);

/** The value of an entry's sort key. */
export const valueOfEntry = (sortKey: string): number => Number(OFFSET - BigInt(sortKey.slice(0, WIDTH)));

const EXACT_BELOW = 32n;
const SUB_BUCKET_BITS = 5;

/**
 * A value's bucket as [lowest, highest] (inclusive): exact below 32, then 16 buckets per power of
 * two (a bucket spans at most a 16th of its values); every negative value (a refund larger than its row's credit by a rounding unit) in one.
 */
export const bucketOf = (value: number): { lowest: number; highest: number } => {
  if (value < 0) return { lowest: -Number(OFFSET) + 1, highest: -1 };
  const v = BigInt(value);
  if (v < EXACT_BELOW) return { lowest: value, highest: value };
  const shift = BigInt(v.toString(2).length - SUB_BUCKET_BITS);
  const lowest = (v >> shift) << shift;
  return { lowest: Number(lowest), highest: Number(lowest + (1n << shift) - 1n) };
};

/** A bucket's id: its lowest value, sortable descending like the entries. */
export const bucketId = (value: number): string => descendingValueKey(bucketOf(value).lowest);

/** The lowest value of a bucket id. */
export const lowestOfBucket = (id: string): number => Number(OFFSET - BigInt(id));

/** One ranked counter of an advocate moving from the value the index holds to the row's. */
export interface RankMove {
  counter: string;
  from: number;
  to: number;
}

/**
 * What the index must do for one advocate: each ranked counter whose row value differs from the
 * value the index holds for it (`indexed`, kept on the row: absent = 0), and whether the advocate
 * joins the population (its row was never indexed).
 */
export const rankMoves = (counters: Record<string, number>, indexed: Record<string, number> | undefined): { moves: RankMove[]; joins: boolean } => {
  const want = rankedValues(counters);
  const have = indexed ?? {};
  const moves: RankMove[] = [];
  for (const counter of new Set([...Object.keys(want), ...Object.keys(have)])) {
    const from = have[counter] ?? 0;
    const to = want[counter] ?? 0;
    if (from !== to) moves.push({ counter, from, to });
  }
  moves.sort((a, b) => (a.counter < b.counter ? -1 : 1));
  return { moves, joins: indexed === undefined };
};

/** Bucket count deltas of moves, by counter and bucket id; zero deltas dropped. */
export const bucketDeltas = (moves: readonly RankMove[]): Map<string, { counter: string; bucket: string; delta: number }> => {
  const deltas = new Map<string, { counter: string; bucket: string; delta: number }>();
  const add = (counter: string, value: number, delta: number) => {
    if (value === 0) return;
    const bucket = bucketId(value);
    const id = `${counter}\u0000${bucket}`;
    const entry = deltas.get(id) ?? { counter, bucket, delta: 0 };
    entry.delta += delta;
    deltas.set(id, entry);
  };
  for (const move of moves) {
    add(move.counter, move.from, -1);
    add(move.counter, move.to, 1);
  }
  for (const [id, entry] of deltas) if (entry.delta === 0) deltas.delete(id);
  return deltas;
};

/**
 * Competition rank of `value` ("1224"): 1 + how many advocates have a larger value, from the
 * bucket counts above its bucket, the entries above it within its bucket, and — for a negative
 * value — the advocates at 0 (the population less the entries).
 */
export const rankOf = (
  value: number,
  counts: { bucketsAbove: number; withinBucketAbove: number; entries: number; population: number },
): number => {
  const zerosAbove = value < 0 ? Math.max(0, counts.population - counts.entries) : 0;
  return 1 + counts.bucketsAbove + counts.withinBucketAbove + zerosAbove;
};

/** The counter a leaderboard metric ranks by, under a model (and a currency for revenue). */
export const rankedCounterOf = (metric: 'clicks' | 'shares' | 'conversions' | 'revenue', model: string, currency: string | undefined): string | undefined =>
  metric === 'clicks' || metric === 'shares' ? metric : metric === 'conversions' ? `conv_${model}` : currency ? `rev_${model}_${currency}` : undefined;
