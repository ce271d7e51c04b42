/**
 * Delivering one batch until every record is acknowledged or dead-lettered: the consumer's
 * answer (reportBatchItemFailures), retries with backoff, bisection on error, record age.
 * The decisions are pure functions; `createDeliverer` runs them against the real invoker.
 */
import type { DeadLetterCondition } from './dead-letters.js';
import { sequenceOf, type StreamRecord } from './lambda-records.js';
import type { Napper } from './napper.js';

export type InvocationResult =
  | { kind: 'success' }
  | { kind: 'partial'; firstFailedIndex: number; failedIndexes: number[] }
  | { kind: 'error'; message: string };

/** What a consumer's return value means for the batch it was given. */
export const interpretBatchResponse = (
  result: unknown,
  records: readonly StreamRecord[],
  reportBatchItemFailures: boolean,
): InvocationResult => {
  if (!reportBatchItemFailures) return { kind: 'success' };
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'error', message: 'Invalid batchItemFailures in response' };
  if (failures.length === 0) return { kind: 'success' };
  const indexBySequence = new Map(records.map((record, index) => [sequenceOf(record), index]));
  const failedIndexes: number[] = [];
  for (const failure of failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof identifier === 'string' ? indexBySequence.get(identifier) : undefined;
    // Lambda treats an empty, null or unknown identifier as a failure of the whole batch.
    if (index === undefined) return { kind: 'error', message: `Invalid itemIdentifier ${String(identifier)}` };
    failedIndexes.push(index);
  }
  failedIndexes.sort((a, b) => a - b);
  return { kind: 'partial', firstFailedIndex: failedIndexes[0], failedIndexes };
};

export interface RetryPolicy {
  bisectBatchOnError: boolean;
  /** -1: retry until the record expires. */
  retryAttempts: number;
}

export type DeliveryStep =
  /** Every record is acknowledged. */
  | { kind: 'delivered' }
  /** The first `acknowledged` records are done; the rest is tried again at once, retries reset. */
  | { kind: 'progress'; acknowledged: number }
  /** Nothing moved: wait, then try the same records again (`error` when the consumer threw). */
  | { kind: 'retry'; retries: number; error?: string }
  /** The consumer threw: deliver each half on its own, with the same retry count. */
  | { kind: 'bisect'; halves: [StreamRecord[], StreamRecord[]] }
  /** Retries are exhausted: `failed` go to the on-failure destination, the others are acknowledged. */
  | { kind: 'give-up'; failed: StreamRecord[]; reason: string };

export const retriesExhausted = (retries: number, policy: RetryPolicy): boolean =>
  policy.retryAttempts >= 0 && retries > policy.retryAttempts;

/** What the event source mapping does after an invocation of `records` answered `result`. */
export const nextDeliveryStep = (
  records: StreamRecord[],
  result: InvocationResult,
  retries: number,
  policy: RetryPolicy,
): DeliveryStep => {
  if (result.kind === 'success') return { kind: 'delivered' };
  if (result.kind === 'partial') {
    if (result.firstFailedIndex > 0) return { kind: 'progress', acknowledged: result.firstFailedIndex };
    // The batch's first record failed: nothing moved. The consumer acknowledged the others in
    // this very attempt, so when giving up only the reported failures go.
    if (retriesExhausted(retries + 1, policy)) {
      return {
        kind: 'give-up',
        failed: result.failedIndexes.map((index) => records[index]),
        reason: 'reported in batchItemFailures',
      };
    }
    return { kind: 'retry', retries: retries + 1 };
  }
  if (policy.bisectBatchOnError && records.length > 1) {
    const middle = Math.ceil(records.length / 2);
    return { kind: 'bisect', halves: [records.slice(0, middle), records.slice(middle)] };
  }
  if (retriesExhausted(retries + 1, policy)) return { kind: 'give-up', failed: records, reason: result.message };
  return { kind: 'retry', retries: retries + 1, error: result.message };
};

/** Backoff before retry number `retries` (1, 2, …): base × 2^(retries−1), capped. */
export const retryDelayMs = (retries: number, backoff: { base: number; max: number }): number =>
  Math.min(backoff.base * 2 ** (retries - 1), backoff.max);

/** Older than maxRecordAgeSeconds (-1: never). */
export const isExpired = (record: StreamRecord, maxRecordAgeSeconds: number, now: number): boolean => {
  if (maxRecordAgeSeconds < 0) return false;
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (created === undefined) return false;
  return now - new Date(created).getTime() > maxRecordAgeSeconds * 1000;
};

export interface DeliveryCounters {
  batchesDelivered: number;
  recordsDelivered: number;
  retries: number;
  bisections: number;
  partialFailures: number;
}

export interface DelivererDependencies {
  policy: RetryPolicy & { maxRecordAgeSeconds: number };
  backoffMs: { base: number; max: number };
  /** Calls the consumer; never throws (a thrown error is an `error` result). */
  invoke: (records: StreamRecord[]) => Promise<InvocationResult>;
  checkpoint: (shardId: string, sequenceNumber: string) => void;
  deadLetter: (shardId: string, records: StreamRecord[], condition: DeadLetterCondition, reason: string, invokeCount: number) => void;
  counters: DeliveryCounters;
  isStopped: () => boolean;
  log: (message: string) => void;
}

export type Deliver = (shardId: string, backoff: Napper, records: StreamRecord[], retries?: number) => Promise<boolean>;

/**
 * Returns `deliver`: delivers `records` (in order) until each one is acknowledged or
 * dead-lettered, moving the shard's checkpoint forward as it goes. It resolves false if the
 * poller stopped midway. Only this shard waits out its backoff (`backoff`, which stop wakes).
 */
export const createDeliverer = (deps: DelivererDependencies): Deliver => {
  const { policy, counters } = deps;
  const deliver: Deliver = async (shardId, backoff, initial, initialRetries = 0) => {
    let records = initial;
    let retries = initialRetries;
    let invokeCount = 0;
    while (records.length > 0) {
      if (deps.isStopped()) return false;
      const now = Date.now();
      const expired = records.filter((record) => isExpired(record, policy.maxRecordAgeSeconds, now));
      if (expired.length > 0) {
        deps.deadLetter(shardId, expired, 'RecordAgeExceeded', 'record older than maxRecordAgeSeconds', invokeCount);
        records = records.filter((record) => !expired.includes(record));
        if (records.length === 0) return true;
      }

      invokeCount++;
      const result = await deps.invoke(records);
      if (result.kind === 'partial') counters.partialFailures++;
      const step = nextDeliveryStep(records, result, retries, policy);
      const last = records[records.length - 1];
      switch (step.kind) {
        case 'delivered':
          counters.batchesDelivered++;
          counters.recordsDelivered += records.length;
          deps.checkpoint(shardId, sequenceOf(last));
          return true;
        case 'progress':
          counters.batchesDelivered++;
          counters.recordsDelivered += step.acknowledged;
          deps.checkpoint(shardId, sequenceOf(records[step.acknowledged - 1]));
          records = records.slice(step.acknowledged);
          retries = 0;
          break;
        case 'bisect':
          counters.bisections++;
          return (
            (await deliver(shardId, backoff, step.halves[0], retries)) &&
            (await deliver(shardId, backoff, step.halves[1], retries))
          );
        case 'give-up':
          counters.recordsDelivered += records.length - step.failed.length;
          deps.deadLetter(shardId, step.failed, 'RetryAttemptsExhausted', step.reason, invokeCount);
          deps.checkpoint(shardId, sequenceOf(last));
          return true;
        case 'retry':
          retries = step.retries;
          if (step.error !== undefined) {
            deps.log(`batch of ${records.length} from ${shardId} failed (retry ${retries}): ${step.error}`);
          }
          break;
      }
      counters.retries++;
      if (retries > 0) await backoff.sleep(retryDelayMs(retries, deps.backoffMs));
    }
    return true;
  };
  return deliver;
};
