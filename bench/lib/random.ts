/**
 * Seeded randomness for datasets: the same seed gives the same campaigns, links, popularity and
 * visitor paths in every run, so runs compare. (Ids that must look real — click ids, visitor
 * ids — still come from the product's own generators.)
 */

/** mulberry32: tiny, fast, good enough for workload shapes (not for secrets). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export type Random = () => number;

export const randomInt = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

export const shuffle = <T>(random: Random, items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
};

/** Draws indexes with the given (unnormalised) weights in O(log n) per draw. */
export const weightedSampler = (random: Random, weights: readonly number[]): (() => number) => {
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) cumulative.push((total += weight));
  return () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return low;
  };
};

/** Zipf weights 1/rank^exponent: a few items take most of the traffic (link popularity). */
export const zipfWeights = (count: number, exponent: number): number[] =>
  Array.from({ length: count }, (_, rank) => 1 / (rank + 1) ** exponent);
