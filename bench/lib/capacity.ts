/**
 * Counted capacity per scenario (issue 7): what DynamoDB reported as consumed on the product's
 * own client (shared/adapters/capacity-meter.ts) and the Lambda invocations the runtime child
 * counted around its handlers. Collected over the measured runs only, and written to the
 * results file under `capacity`, which `npm run cost` prices.
 *
 * Units follow AWS's billing rules (see shared/adapters/capacity-meter.ts: as reported for
 * single-item calls, computed for transactions at 2 units per KB of each item). Transactional
 * units are kept apart (`transactWriteUnits`) so the report shows what exactness costs; they are
 * already at the transactional rate — nothing is to be doubled.
 */
import { functions } from '../../infra/definitions.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import type { CapacityCount } from '../../shared/adapters/capacity-meter.js';
import type { InvocationCounts } from './invocations.js';

export interface ChildCapacity {
  capacity: Record<string, CapacityCount>;
  /** The same counts per function whose invocation made the call (bench/children/runtime.ts). */
  byFunction?: Record<string, Record<string, CapacityCount>>;
  invocations: Record<string, InvocationCounts>;
}

/** What the given functions alone used: their capacity and their invocations (one path of the cost model). */
export const ofFunctions = (snapshot: ChildCapacity, ids: readonly string[]): ChildCapacity => {
  const capacity: Record<string, CapacityCount> = {};
  for (const id of ids) {
    for (const [key, count] of Object.entries(snapshot.byFunction?.[id] ?? {})) {
      const sum = (capacity[key] ??= { calls: 0, readUnits: 0, writeUnits: 0 });
      sum.calls += count.calls;
      sum.readUnits += count.readUnits;
      sum.writeUnits += count.writeUnits;
    }
  }
  return { capacity, invocations: Object.fromEntries(Object.entries(snapshot.invocations).filter(([id]) => ids.includes(id))) };
};

/** Sums of several measured runs of one child. */
export interface CapacityTally {
  readUnits: number;
  writeUnits: number;
  transactWriteUnits: number;
  calls: Record<string, number>;
  invocations: Record<string, { count: number; durationMsTotal: number; medians: number[] }>;
}

export const emptyTally = (): CapacityTally => ({ readUnits: 0, writeUnits: 0, transactWriteUnits: 0, calls: {}, invocations: {} });

export const addToTally = (tally: CapacityTally, snapshot: ChildCapacity): CapacityTally => {
  for (const [key, count] of Object.entries(snapshot.capacity)) {
    const operation = key.split(' ')[0];
    tally.calls[operation] = (tally.calls[operation] ?? 0) + count.calls;
    tally.readUnits += count.readUnits;
    if (operation.startsWith('Transact')) tally.transactWriteUnits += count.writeUnits;
    else tally.writeUnits += count.writeUnits;
  }
  for (const [id, counts] of Object.entries(snapshot.invocations)) {
    const entry = (tally.invocations[id] ??= { count: 0, durationMsTotal: 0, medians: [] });
    entry.count += counts.count;
    entry.durationMsTotal += counts.meanMs * counts.count;
    if (counts.count > 0) entry.medians.push(counts.medianMs);
  }
  return tally;
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
};

/**
 * The summary the cost model reads: totals over the measured runs, the invocations of every
 * function, and the median duration and configured memory of the scenario's main function.
 */
export const capacitySummary = (tally: CapacityTally, main: FunctionId, counts: Record<string, number>) => ({
  ...counts,
  lambdaInvocations: Object.values(tally.invocations).reduce((sum, entry) => sum + entry.count, 0),
  readUnits: round(tally.readUnits),
  writeUnits: round(tally.writeUnits),
  transactWriteUnits: round(tally.transactWriteUnits),
  medianDurationMs: round(median(tally.invocations[main]?.medians ?? [])),
  memoryMb: functions[main].memoryMb,
  calls: tally.calls,
  byFunction: Object.fromEntries(
    Object.entries(tally.invocations).map(([id, entry]) => [
      id,
      {
        invocations: entry.count,
        medianDurationMs: round(median(entry.medians)),
        meanDurationMs: round(entry.durationMsTotal / Math.max(1, entry.count)),
        memoryMb: functions[id as FunctionId]?.memoryMb,
      },
    ]),
  ),
});

const round = (value: number) => Math.round(value * 1000) / 1000;

/** "0.5 RCU + 1 WCU" per unit of work, for the report's notes. */
export const perUnit = (summary: { readUnits: number; writeUnits: number; transactWriteUnits: number }, units: number): string => {
  const f = (value: number) => (value / Math.max(1, units)).toLocaleString('en-US', { maximumFractionDigits: 3 });
  return `${f(summary.readUnits)} read units, ${f(summary.writeUnits)} write units, ${f(summary.transactWriteUnits)} write units in transactions (2 per KB of each item, as AWS bills)`;
};
