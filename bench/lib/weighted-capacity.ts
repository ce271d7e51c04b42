/**
 * Counted capacity of several phases of a day combined as the day would: each phase's amounts
 * per unit of work (request, event) weighted by its share of the day's clicks, expressed over the
 * units actually counted — so the cost model's `amount / units` is the day's weighted figure.
 */
import type { capacitySummary } from './capacity.js';

type Summary = ReturnType<typeof capacitySummary>;

export interface PhaseCapacity {
  shareOfDay: number;
  summary: Summary;
}

const AMOUNTS = ['lambdaInvocations', 'readUnits', 'writeUnits', 'transactWriteUnits'] as const;

const round = (value: number) => Math.round(value * 1000) / 1000;

/** `unit`: the key of the summary counting the path's units of work (`requests`, `events`). */
export const weightedCapacity = (phases: readonly PhaseCapacity[], unit: string) => {
  const counted = phases.filter((phase) => Number(phase.summary[unit as keyof Summary] ?? 0) > 0);
  const shares = counted.reduce((sum, phase) => sum + phase.shareOfDay, 0);
  const unitsOf = (phase: PhaseCapacity) => Number(phase.summary[unit as keyof Summary]);
  /** The day's value of `per-unit figure of a phase`, weighted. */
  const weighted = (perUnit: (phase: PhaseCapacity) => number) =>
    shares > 0 ? counted.reduce((sum, phase) => sum + phase.shareOfDay * perUnit(phase), 0) / shares : 0;
  const first = phases[0]?.summary;
  const counts: Record<string, number> = {};
  for (const key of Object.keys(first ?? {})) {
    if (typeof first?.[key as keyof Summary] === 'number' && !(AMOUNTS as readonly string[]).includes(key) && key !== 'medianDurationMs' && key !== 'memoryMb') {
      counts[key] = phases.reduce((sum, phase) => sum + Number(phase.summary[key as keyof Summary] ?? 0), 0);
    }
  }
  const units = counts[unit] ?? 0;
  const amounts = Object.fromEntries(AMOUNTS.map((key) => [key, round(units * weighted((phase) => Number(phase.summary[key]) / unitsOf(phase)))]));
  const functionIds = [...new Set(phases.flatMap((phase) => Object.keys(phase.summary.byFunction)))];
  const byFunction = Object.fromEntries(
    functionIds.map((id) => {
      const entry = (phase: PhaseCapacity) => phase.summary.byFunction[id] ?? { invocations: 0, medianDurationMs: 0, meanDurationMs: 0, memoryMb: undefined };
      return [
        id,
        {
          invocations: round(units * weighted((phase) => entry(phase).invocations / unitsOf(phase))),
          // Durations weighted by the phases' invocations of the function in the day.
          medianDurationMs: round(weightedDuration(counted, (phase) => entry(phase).invocations / unitsOf(phase), (phase) => entry(phase).medianDurationMs)),
          meanDurationMs: round(weightedDuration(counted, (phase) => entry(phase).invocations / unitsOf(phase), (phase) => entry(phase).meanDurationMs)),
          memoryMb: phases.map((phase) => phase.summary.byFunction[id]?.memoryMb).find((memory) => memory !== undefined),
        },
      ];
    }),
  );
  return {
    ...counts,
    ...amounts,
    medianDurationMs: round(weighted((phase) => phase.summary.medianDurationMs)),
    memoryMb: first?.memoryMb ?? 0,
    byFunction,
    weightedBy: 'share of the day\'s clicks per phase',
  };
};

const weightedDuration = (
  phases: readonly PhaseCapacity[],
  invocationsPerUnit: (phase: PhaseCapacity) => number,
  duration: (phase: PhaseCapacity) => number,
): number => {
  const weights = phases.map((phase) => phase.shareOfDay * invocationsPerUnit(phase));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return total > 0 ? phases.reduce((sum, phase, index) => sum + weights[index] * duration(phase), 0) / total : 0;
};
