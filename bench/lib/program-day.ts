/**
 * A real program's day, compressed (issue 15): 10,000 advocates, 2 M clicks a month. Each phase
 * of the day is played at its real per-second rate for a few minutes; its figures are then
 * weighted by its share of the day's clicks. The shares are an assumption (stated in
 * docs/scaling.md): shares go out in the morning, are clicked through the working day, and a
 * long tail follows in the evening and at night.
 */
import { zipfWeights } from './random.js';

export const programProfile = {
  advocates: 10_000,
  clicksPerMonth: 2_000_000,
  campaigns: 2,
  links: 200,
  /** Zipf exponent of link popularity (as the other scenarios). */
  linkPopularityExponent: 1.1,
  botShare: 0.1,
  /** Conversions per click. */
  conversionShare: 0.01,
  phases: [
    { name: 'morning peak of shares', hours: 1, shareOfDay: 0.2 },
    { name: 'working day', hours: 9, shareOfDay: 0.55 },
    { name: 'long tail (evening, night)', hours: 14, shareOfDay: 0.25 },
  ],
} as const;

const DAYS_PER_MONTH = 365.25 / 12;

export interface PlayedPhase {
  name: string;
  shareOfDay: number;
  /** Clicks per second at this time of a real day. */
  clicksPerSecond: number;
  /** Seconds it is played for. */
  seconds: number;
  clicks: number;
}

export const clicksPerSecondOf = (phase: { hours: number; shareOfDay: number }, clicksPerMonth = programProfile.clicksPerMonth): number =>
  ((clicksPerMonth / DAYS_PER_MONTH) * phase.shareOfDay) / (phase.hours * 3600);

export const playedPhases = (secondsEach: number): PlayedPhase[] =>
  programProfile.phases.map((phase) => {
    const clicksPerSecond = clicksPerSecondOf(phase);
    return { name: phase.name, shareOfDay: phase.shareOfDay, clicksPerSecond, seconds: secondsEach, clicks: Math.max(1, Math.round(clicksPerSecond * secondsEach)) };
  });

/** The average rate of the program (2 M clicks a month ≈ 0.76 clicks/s). */
export const averageClicksPerSecond = (): number => programProfile.clicksPerMonth / (DAYS_PER_MONTH * 86_400);

/** Sum over phases of share × value: a per-click figure of the whole day. */
export const weightedByShare = (phases: ReadonlyArray<{ shareOfDay: number }>, values: readonly number[]): number =>
  phases.reduce((sum, phase, index) => sum + phase.shareOfDay * values[index], 0) / phases.reduce((sum, phase) => sum + phase.shareOfDay, 0);

/**
 * Percentile of samples drawn from several phases, each phase's samples weighted so that the
 * phase counts by its share of the day's clicks (not by how many events were played in it).
 */
export const weightedPercentile = (groups: ReadonlyArray<{ weight: number; values: readonly number[] }>, p: number): number => {
  const entries = groups
    .filter((group) => group.values.length > 0)
    .flatMap((group) => group.values.map((value) => ({ value, weight: group.weight / group.values.length })))
    .sort((a, b) => a.value - b.value);
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (entries.length === 0 || total === 0) return Number.NaN;
  let cumulative = 0;
  for (const entry of entries) {
    cumulative += entry.weight;
    if (cumulative >= (p / 100) * total - 1e-12) return entry.value;
  }
  return entries[entries.length - 1].value;
};

/** The program's links: the `count` most popular of the seeded ones, re-weighted by Zipf over that count. */
export const programLinks = <T extends { weight: number }>(links: readonly T[], count = programProfile.links): T[] => {
  const top = [...links].sort((a, b) => b.weight - a.weight).slice(0, count);
  const weights = zipfWeights(top.length, programProfile.linkPopularityExponent);
  return top.map((link, index) => ({ ...link, weight: weights[index] }));
};
