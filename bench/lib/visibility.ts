/**
 * Roll-up visibility seen from outside, as a dashboard sees it: how many events the campaign
 * totals rows account for. Every click adds 1 to its campaign's `*#all` row (clicks or
 * botClicks); every attributed conversion adds exactly 1 000 000 micro-conversions across the
 * campaigns it credits; every unattributed one adds 1 to the organization's unattributed row.
 * Works the same for the product and for the naive consumer, whatever their internals.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { conversionCounter, ORG_LEVEL_CAMPAIGN } from '../../shared/domain/conversion-credit.js';
import { CAMPAIGN_TOTAL_KEY } from '../../shared/domain/rollup.js';
import { percentile } from './stats.js';

export interface VisibilitySample {
  at: number;
  visible: number;
}

export const countVisibleEvents = async (
  client: DynamoDBDocumentClient,
  rollupsTable: string,
  orgId: string,
  campaignIds: string[],
): Promise<number> => {
  const keys = [
    ...campaignIds.map((campaignId) => rollupKeys.row({ orgId, campaignId, dimension: 'campaign', period: '*', key: CAMPAIGN_TOTAL_KEY })),
    rollupKeys.row({ orgId, campaignId: ORG_LEVEL_CAMPAIGN, dimension: 'unattributed', period: '*', key: CAMPAIGN_TOTAL_KEY }),
  ];
  let clicks = 0;
  let microConversions = 0;
  let unattributed = 0;
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [rollupsTable]: { Keys: keys.slice(i, i + 100), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const { Responses, UnprocessedKeys } = await client.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of Responses?.[rollupsTable] ?? []) {
        clicks += Number(item.clicks ?? 0) + Number(item.botClicks ?? 0);
        microConversions += Number(item[conversionCounter('last_click')] ?? 0);
        if (String(item.pk).endsWith('#unattributed')) unattributed += Number(item.conversions ?? 0);
      }
      request = UnprocessedKeys as typeof request;
    }
  }
  return clicks + Math.round(microConversions / 1_000_000) + unattributed;
};

export interface VisibilityWatch {
  samples: VisibilitySample[];
  /** Resolves when `visible` reaches `target` (or rejects after `timeoutMs`). */
  reach(target: number, timeoutMs: number): Promise<number>;
  stop(): VisibilitySample[];
}

export const watchVisibility = (poll: () => Promise<number>, intervalMs = 150): VisibilityWatch => {
  const samples: VisibilitySample[] = [];
  let stopped = false;
  const waiters = new Set<() => void>();
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        const visible = await poll();
        // Stamped when the answer is in: lag errs long, never short.
        samples.push({ at: Date.now(), visible });
      } catch {
        /* a failed poll is just a missing sample */
      }
      for (const waiter of waiters) waiter();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
    }
  })();
  void loop;
  return {
    samples,
    reach(target, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`roll-ups show ${samples.at(-1)?.visible ?? 0} of ${target} events after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          const last = samples.at(-1);
          if (last && last.visible >= target) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(last.at);
          }
        };
        waiters.add(check);
        check();
      });
    },
    stop() {
      stopped = true;
      return samples;
    },
  };
};

/**
 * Lag of the k-th written event = when the k-th event became visible − when the k-th write was
 * acknowledged (ranks, not identities: visibility is a count). Resolution: the polling interval.
 */
export const eventLags = (ackedAt: ArrayLike<number>, samples: VisibilitySample[], baseline = 0): number[] => {
  const acks = Array.from(ackedAt).sort((a, b) => a - b);
  const lags: number[] = [];
  let sample = 0;
  for (let k = 0; k < acks.length; k++) {
    while (sample < samples.length && samples[sample].visible - baseline < k + 1) sample++;
    if (sample >= samples.length) break;
    lags.push(Math.max(0, samples[sample].at - acks[k]));
  }
  return lags;
};

export const lagPercentiles = (ackedAt: ArrayLike<number>, samples: VisibilitySample[], baseline = 0) => {
  const lags = eventLags(ackedAt, samples, baseline);
  return { p50: percentile(lags, 50), p95: percentile(lags, 95), measured: lags.length, of: ackedAt.length };
};
