/** Summaries of repeated measurements: medians and ranges, never a single run. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export const median = (values: number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const summarize = (values: number[]): Summary => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  runs: values,
});

/** Nearest-rank percentile of an unsorted sample. */
export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
};

/** Ratios of paired runs (product run i over baseline run i), summarised. */
export const pairedRatios = (product: number[], baseline: number[]): Summary =>
  summarize(product.map((value, i) => value / baseline[i]));
