/**
 * Turning roll-up counters into the numbers dashboards read (spec section 7): conversions as
 * decimal numbers (rounded to 6 places from exact micro-conversions), revenue as decimal strings
 * per currency (from exact minor units), never summed across currencies.
 */
import type { AttributionModel } from './attribution.js';
import { conversionCounter } from './conversion-credit.js';
import { formatAmount, microToNumber } from './money.js';

export type Counters = Record<string, number>;

export interface ReportNumbers {
  /** Shares started (spec section 15); 0 where shares have no key (link and breakdown rows). */
  shares: number;
  clicks: number;
  uniqueClicks: number;
  botClicks: number;
  conversions: number;
  revenue: Record<string, string>;
}

export const reportNumbers = (counters: Counters | undefined, model: AttributionModel): ReportNumbers => {
  const revenue: Record<string, string> = {};
  const prefix = `rev_${model}_`;
  for (const [name, value] of Object.entries(counters ?? {})) {
    if (name.startsWith(prefix) && value !== 0) {
      const currency = name.slice(prefix.length);
      revenue[currency] = formatAmount(BigInt(value), currency);
    }
  }
  return {
    shares: counters?.shares ?? 0,
    clicks: counters?.clicks ?? 0,
    uniqueClicks: counters?.uniqueClicks ?? 0,
    botClicks: counters?.botClicks ?? 0,
    conversions: microToNumber(counters?.[conversionCounter(model)] ?? 0),
    revenue: Object.fromEntries(Object.entries(revenue).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
};

/** Revenue of one currency in minor units, for ranking. */
export const revenueMinor = (counters: Counters | undefined, model: AttributionModel, currency: string): number =>
  counters?.[`rev_${model}_${currency}`] ?? 0;

export const microConversions = (counters: Counters | undefined, model: AttributionModel): number =>
  counters?.[conversionCounter(model)] ?? 0;

/** Spec order: conversions descending, then clicks descending; key ascending keeps it stable. */
export const compareByConversionsThenClicks =
  (model: AttributionModel) =>
  (a: { key: string; counters: Counters }, b: { key: string; counters: Counters }): number =>
    microConversions(b.counters, model) - microConversions(a.counters, model) ||
    (b.counters.clicks ?? 0) - (a.counters.clicks ?? 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Competition ranking ("1224"): equal scores share a rank. */
export const competitionRanks = (scores: number[]): number[] => {
  const ranks: number[] = [];
  scores.forEach((score, index) => {
    ranks.push(index > 0 && score === scores[index - 1] ? ranks[index - 1] : index + 1);
  });
  return ranks;
};

/** The currencies present in counters under a model, largest total first. */
export const currenciesOf = (counters: Counters | undefined, model: AttributionModel): string[] => {
  const prefix = `rev_${model}_`;
  return Object.entries(counters ?? {})
    .filter(([name, value]) => name.startsWith(prefix) && value !== 0)
    .sort(([, a], [, b]) => b - a)
    .map(([name]) => name.slice(prefix.length));
};
