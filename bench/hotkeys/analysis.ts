/**
 * From counted capacity per partition key and second to the figures that decide a design: per
 * key, the units one click of the viral link (or campaign) costs it, and what it would take at
 * `projectTo` clicks per second of that link — against DynamoDB's per-partition limits.
 *
 * Extrapolation is linear in the clicks of the viral entity: the whole measured workload is
 * scaled until the viral link (campaign) takes `projectTo` clicks/s, the remaining traffic
 * alike. For the roll-up table that is an upper bound: at higher rates batches fill up (1,000
 * records instead of a 2 s window's worth) and coalesce at least as well.
 */
import type { KeyLoad, KeyMeterSnapshot, Target } from './key-meter.js';

/**
 * What a key's load grows with. `viral`: every click of the viral link (campaign) — scaled to
 * `projectTo`. `visitor`: one visitor's or one event's own partition (`V#…`, `X#…`, `APPLIED#…`) —
 * a viral post brings more visitors, not more clicks per visitor, so it is not scaled.
 * `container`: the redirect's per-container link and campaign cache — one read per container
 * per cache TTL, however many clicks.
 */
export type Scaling = 'viral' | 'visitor' | 'container';

/** DynamoDB's per-partition throughput limits (table and GSI partitions alike). */
export const PARTITION_LIMITS = { writeUnitsPerSecond: 1000, readUnitsPerSecond: 3000 } as const;

export interface KeyFigure {
  target: Target;
  kind: 'write' | 'read' | 'item write';
  /** The key with ids replaced by their role (`<org>#<viral campaign>`). */
  label: string;
  scaling: Scaling;
  items: number;
  units: number;
  /** Units per click of the viral entity. */
  unitsPerViralClick: number;
  /** The busiest single second measured. */
  peakSecondUnits: number;
  meanUnitsPerSecond: number;
  /** Viral keys: units per viral click × projectTo; visitor keys: the busiest measured second; container keys: NaN. */
  projectedUnitsPerSecond: number;
  limit: number;
  /** Projected units over the limit: above 1 the key would be throttled (NaN: not projected). */
  limitShare: number;
}

export interface ScenarioFigures {
  seconds: number;
  requests: number;
  viralRequests: number;
  viralShare: number;
  measuredViralClicksPerSecond: number;
  projectTo: number;
  keys: KeyFigure[];
  /** Units DynamoDB Local reported against those the meter counted, per target (transactions: Local 1, AWS 2). */
  crossCheck: Array<{ target: Target; counted: number; reported: number }>;
  largestItemBytes: Record<string, number>;
}

const figure = (
  target: Target,
  kind: KeyFigure['kind'],
  label: string,
  scaling: Scaling,
  load: KeyLoad,
  seconds: number,
  viralRequests: number,
  projectTo: number,
): KeyFigure => {
  const limit = kind === 'read' ? PARTITION_LIMITS.readUnitsPerSecond : PARTITION_LIMITS.writeUnitsPerSecond;
  const unitsPerViralClick = load.units / Math.max(1, viralRequests);
  const peakSecondUnits = Math.max(0, ...load.unitsBySecond.values());
  const projectedUnitsPerSecond =
    scaling === 'viral' ? unitsPerViralClick * projectTo : scaling === 'visitor' ? peakSecondUnits : Number.NaN;
  return {
    target,
    kind,
    label,
    scaling,
    items: load.items,
    units: load.units,
    unitsPerViralClick,
    peakSecondUnits,
    meanUnitsPerSecond: load.units / seconds,
    projectedUnitsPerSecond,
    limit,
    limitShare: projectedUnitsPerSecond / limit,
  };
};

/** The `count` keys of a target taking the most units, their labels merged (`V#<visitor>` is many keys). */
const hottest = (keys: Map<string, KeyLoad>, count: number): Array<[string, KeyLoad]> =>
  [...keys].sort(([, a], [, b]) => b.units - a.units).slice(0, count);

export const analyze = (input: {
  snapshot: KeyMeterSnapshot;
  seconds: number;
  requests: number;
  viralRequests: number;
  projectTo: number;
  label: (key: string) => string;
  scalingOf: (target: Target, kind: KeyFigure['kind'], label: string) => Scaling;
  keysPerTarget?: number;
}): ScenarioFigures => {
  const { snapshot, seconds, viralRequests, projectTo, label, scalingOf } = input;
  const keysPerTarget = input.keysPerTarget ?? 3;
  const keys: KeyFigure[] = [];
  const collect = (kind: KeyFigure['kind'], byTarget: Map<Target, Map<string, KeyLoad>>) => {
    for (const [target, loads] of [...byTarget].sort(([a], [b]) => a.localeCompare(b))) {
      // Keys that label alike (every visitor partition is `V#<visitor>`) show once: the hottest.
      const seen = new Set<string>();
      for (const [key, load] of hottest(loads, 50)) {
        const text = label(key);
        if (seen.has(text)) continue;
        seen.add(text);
        keys.push(figure(target, kind, text, scalingOf(target, kind, text), load, seconds, viralRequests, projectTo));
        if (seen.size >= keysPerTarget) break;
      }
    }
  };
  collect('write', snapshot.writes);
  collect('item write', snapshot.itemWrites);
  collect('read', snapshot.reads);

  const counted = new Map<Target, number>();
  for (const [target, loads] of snapshot.writes) counted.set(target, [...loads.values()].reduce((sum, load) => sum + load.units, 0));
  for (const [target, loads] of snapshot.reads) counted.set(target, (counted.get(target) ?? 0) + [...loads.values()].reduce((sum, load) => sum + load.units, 0));
  const crossCheck = [...new Set([...counted.keys(), ...snapshot.reported.keys()])]
    .sort()
    .map((target) => ({ target, counted: counted.get(target) ?? 0, reported: snapshot.reported.get(target) ?? 0 }));

  return {
    seconds,
    requests: input.requests,
    viralRequests,
    viralShare: viralRequests / Math.max(1, input.requests),
    measuredViralClicksPerSecond: viralRequests / seconds,
    projectTo,
    keys,
    crossCheck,
    largestItemBytes: Object.fromEntries(snapshot.largestItemBytes),
  };
};
