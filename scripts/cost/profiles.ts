/**
 * The two traffic profiles the cost is given at (issue 15), and the floor beside them:
 * - peak: the benchmark's counts (scenarios 1, 3, 4, 5), stream batches full;
 * - program: scenario 7's counts (a real program's day at its real rates: redirect, webhook and
 *   roll-up counted per phase and weighted by the phases' shares of the day), read APIs as at peak;
 * - floor: one request, one invocation, one 1 KB write — what no tracked click can cost less than.
 * Pure: capacity in, priced lines out.
 */
import { prices as listPrices, type PriceId, type PriceTable } from './prices.js';
import { costLines, shapeAtRates, peakShape, storageEstimate, program as programPlan, totals, type Capacity, type CostLine, type RedirectOrigin } from './model.js';

/** What scenario 7 writes under `capacity.program` (bench/scenarios/program.ts). */
export interface ProgramCapacity {
  redirect: Capacity['redirect'];
  webhook: Capacity['webhook'];
  rollup: Capacity['rollup'];
  settings: { maxBatchingWindowSeconds: number; batchSize: number };
  phases: Array<{ name: string; shareOfDay: number; clicksPerSecond: number }>;
}

export const profileIds = ['peak', 'program'] as const;
export type ProfileId = (typeof profileIds)[number];

/** The program profile's capacity: its own paths; read APIs (not rate-dependent here) from the peak run. */
export const programProfileCapacity = (peak: Capacity, measured: ProgramCapacity): Capacity => ({
  redirect: measured.redirect,
  webhook: measured.webhook,
  rollup: measured.rollup,
  queries: peak.queries,
});

export interface PricedProfile {
  lines: CostLine[];
  total: ReturnType<typeof totals>;
}

export const priceProfiles = (
  peak: Capacity,
  measured: ProgramCapacity,
  priceTable: PriceTable = listPrices,
  storage = storageEstimate(),
  redirectOrigin?: RedirectOrigin,
): Record<ProfileId, PricedProfile> => {
  const price = (capacity: Capacity, shape = peakShape()) => {
    const lines = costLines(capacity, priceTable, storage, programPlan, redirectOrigin, shape);
    return { lines, total: totals(lines) };
  };
  return { peak: price(peak), program: price(programProfileCapacity(peak, measured), shapeAtRates(measured.phases)) };
};

/**
 * The floor of a tracked click on AWS: one HTTP API request, one Lambda invocation (10 ms at
 * 128 MB, the smallest useful function), one standard write of an item up to 1 KB.
 */
export const floorUsage: Partial<Record<PriceId, number>> = {
  apiGatewayHttpRequest: 1,
  lambdaRequest: 1,
  lambdaArmGbSecond: 0.01 * (128 / 1024),
  dynamoWriteRequestUnit: 1,
};

export const floorPerMillionClicks = (priceTable: PriceTable = listPrices): { total: number; parts: Partial<Record<PriceId, number>> } => {
  const parts = Object.fromEntries(
    (Object.entries(floorUsage) as Array<[PriceId, number]>).map(([id, quantity]) => [id, 1_000_000 * quantity * priceTable[id].usd]),
  ) as Partial<Record<PriceId, number>>;
  return { total: Object.values(parts).reduce((sum, usd) => sum + usd, 0), parts };
};

const cents = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** `npm run cost -- --json`: per million clicks at each profile and the floor, each with its parts (price lines, USD). */
export const perMillionClicksJson = (profiles: Record<ProfileId, PricedProfile>, floor = floorPerMillionClicks()) => ({
  perMillionClicks: Object.fromEntries(
    profileIds.map((id) => [
      id,
      { total: cents(profiles[id].total.perMillionClicks), parts: Object.fromEntries(profiles[id].lines.map((line) => [line.id, cents(line.perMillionClicks)])) },
    ]),
  ) as Record<ProfileId, { total: number; parts: Record<PriceId, number> }>,
  floor: { total: cents(floor.total), parts: Object.fromEntries(Object.entries(floor.parts).map(([id, usd]) => [id, cents(usd)])) },
});
