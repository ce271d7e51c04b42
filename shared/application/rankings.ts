/**
 * Rankings (spec sections 7 and 15): a campaign's leaderboard and one advocate's standing. Over
 * all time they come from the ranking index (shared/adapters/ranking-index.ts), a few small reads
 * however many advocates the campaign has; over a date range from every advocate's daily rows of
 * the range (the index holds all-time values only). Both give the same order: value descending,
 * then advocate id ascending; equal values share a rank ("1224").
 */
import { advocateRanked, rankOfValue, rankingTotals, readAdvocateRows, topEntries, zeroValuedAdvocates } from '../adapters/ranking-index.js';
import { countersOf, readDimension, type DayRange, type RowCounters } from '../adapters/rollup-reads.js';
import type { AttributionModel } from '../domain/attribution.js';
import { rankedCounterOf } from '../domain/ranking.js';
import { competitionRanks, microConversions, revenueMinor } from '../domain/report.js';

export type LeaderboardMetric = 'clicks' | 'shares' | 'conversions' | 'revenue';

export interface RankedAdvocate {
  advocateId: string;
  counters: RowCounters;
  score: number;
  rank: number;
}

/** Advocates of a campaign ranked by a metric. */
export const rankAdvocates = (
  rows: Map<string, RowCounters>,
  metric: LeaderboardMetric,
  model: AttributionModel,
  currency: string | undefined,
) => {
  const score = (counters: RowCounters) =>
    metric === 'clicks' || metric === 'shares'
      ? (counters[metric] ?? 0)
      : metric === 'conversions'
        ? microConversions(counters, model)
        : currency
          ? revenueMinor(counters, model, currency)
          : 0;
  const ordered = [...rows]
    .map(([advocateId, counters]) => ({ advocateId, counters, score: score(counters) }))
    .sort((a, b) => b.score - a.score || (a.advocateId < b.advocateId ? -1 : 1));
  const ranks = competitionRanks(ordered.map((row) => row.score));
  return ordered.map((row, index) => ({ ...row, rank: ranks[index] }));
};

/**
 * The first `limit` advocates of a ranked counter over all time, from the ranking index: the
 * entries (value descending, then id), then — when fewer than `limit` advocates have a non-zero
 * value — the advocates at 0 by id, then the negative entries. Exactly the order `rankAdvocates`
 * gives over every row, read from a few items however many advocates the campaign has.
 */
const indexedTop = async (orgId: string, campaignId: string, counter: string, limit: number) => {
  const top = await topEntries(orgId, campaignId, counter, limit);
  const positive = top.filter((entry) => entry.value > 0);
  if (positive.length === limit) return positive;
  const { entries } = await rankingTotals(orgId, campaignId, counter);
  const zeros = await zeroValuedAdvocates(orgId, campaignId, counter, limit - positive.length, entries);
  const negative = entries > positive.length ? (await topEntries(orgId, campaignId, counter, entries)).filter((entry) => entry.value < 0) : [];
  return [...positive, ...zeros.map((advocateId) => ({ advocateId, value: 0 })), ...negative].slice(0, limit);
};

/** Ranked rows with their all-time counters, from the index (no range) or every row (a range). */
export const leaderboardRows = async (
  orgId: string,
  campaignId: string,
  metric: LeaderboardMetric,
  model: AttributionModel,
  currency: string | undefined,
  range: DayRange | undefined,
  limit: number,
): Promise<RankedAdvocate[]> => {
  const counter = rankedCounterOf(metric, model, currency);
  if (range || !counter) return rankAdvocates(await readDimension(orgId, campaignId, 'advocate', range), metric, model, currency).slice(0, limit);
  const top = await indexedTop(orgId, campaignId, counter, limit);
  const rows = await readAdvocateRows(orgId, campaignId, top.map((entry) => entry.advocateId));
  const ranks = competitionRanks(top.map((entry) => entry.value));
  return top.map((entry, index) => ({ advocateId: entry.advocateId, counters: countersOf(rows.get(entry.advocateId)), score: entry.value, rank: ranks[index] }));
};

/**
 * An advocate's counters in a campaign, its rank by conversions under the model and how many
 * advocates are ranked: over all time from the ranking index (an item read and a few small
 * queries), over a range from every advocate's rows of the range.
 */
export const campaignStanding = async (orgId: string, campaignId: string, advocateId: string, model: AttributionModel, range: DayRange | undefined) => {
  if (range) {
    const ranked = rankAdvocates(await readDimension(orgId, campaignId, 'advocate', range), 'conversions', model, undefined);
    const own = ranked.find((row) => row.advocateId === advocateId);
    // Not ranked means no row in the range: zero.
    return { counters: own?.counters ?? {}, rank: own?.rank ?? null, advocates: ranked.length };
  }
  const counter = rankedCounterOf('conversions', model, undefined)!;
  const own = await advocateRanked(orgId, campaignId, advocateId);
  // The value the index holds (what every other advocate is ranked by), the row's until indexed.
  const value = own ? (own.ranked ? (own.ranked[counter] ?? 0) : (own.counters[counter] ?? 0)) : 0;
  const { rank, population } = await rankOfValue(orgId, campaignId, counter, value);
  return { counters: own?.counters ?? {}, rank: own ? rank : null, advocates: population };
};

