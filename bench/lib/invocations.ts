/**
 * Lambda invocations and their durations per function, counted in the runtime child around each
 * handler — the figures Lambda bills (requests and duration), for the cost model of issue 7.
 */
import type { LambdaHandler } from '../../infra/local/lambda.js';

export interface InvocationCounts {
  count: number;
  medianMs: number;
  meanMs: number;
}

/** Durations kept per function: enough for a stable median, bounded memory. */
const MAX_SAMPLES = 200_000;

export const createInvocationMeter = () => {
  let durations = new Map<string, number[]>();
  return {
    wrap(id: string, handler: LambdaHandler): LambdaHandler {
      return async (event, context) => {
        const started = performance.now();
        try {
          return await handler(event, context);
        } finally {
          let list = durations.get(id);
          if (!list) durations.set(id, (list = []));
          if (list.length < MAX_SAMPLES) list.push(performance.now() - started);
        }
      };
    },
    reset() {
      durations = new Map();
    },
    snapshot(): Record<string, InvocationCounts> {
      return Object.fromEntries(
        [...durations].map(([id, list]) => {
          const sorted = [...list].sort((a, b) => a - b);
          const mean = sorted.reduce((sum, ms) => sum + ms, 0) / Math.max(1, sorted.length);
          return [id, { count: list.length, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, meanMs: mean }];
        }),
      );
    },
  };
};
