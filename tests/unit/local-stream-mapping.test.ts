/**
 * The event source mapping's decisions as pure functions fed with records: batching and the
 * window, the consumer's partial-failure answer, retries, bisection and dead letters, and
 * shard lineage. No DynamoDB: records are built here.
 */
import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { idleWaitMs, isBatchDue, MAX_PAYLOAD_BYTES, takeBatch, type BatchRules } from '../../infra/local/stream/batching.js';
import { buildDeadLetter } from '../../infra/local/stream/dead-letters.js';
import {
  createDeliverer,
  interpretBatchResponse,
  isExpired,
  nextDeliveryStep,
  retryDelayMs,
  type InvocationResult,
} from '../../infra/local/stream/delivery.js';
import type { StreamRecord } from '../../infra/local/stream/lambda-records.js';
import { Napper } from '../../infra/local/stream/napper.js';
import { openShardIds, orderByLineage } from '../../infra/local/stream/shards.js';

const record = (sequence: number, eventName = 'INSERT', createdAt?: Date): StreamRecord => ({
  eventID: `e${sequence}`,
  eventName: eventName as StreamRecord['eventName'],
  dynamodb: { SequenceNumber: String(sequence), Keys: { pk: { S: `k${sequence}` } }, ApproximateCreationDateTime: createdAt },
});
const records = (...sequences: number[]) => sequences.map((sequence) => record(sequence));
const sequences = (list: StreamRecord[]) => list.map((r) => Number(r.dynamodb!.SequenceNumber));

const rules = (overrides: Partial<BatchRules> = {}): BatchRules => ({
  batchSize: 3,
  matches: (r) => r.eventName === 'INSERT',
  payloadBytes: () => 100,
  ...overrides,
});

describe('takeBatch', () => {
  it('takes up to batchSize matching records, skips others, and consumes filtered ones after a full batch', () => {
    const buffer = [record(1), record(2, 'MODIFY'), record(3), record(4), record(5, 'REMOVE'), record(6)];
    const taken = takeBatch(buffer, rules());
    expect(sequences(taken.batch)).toEqual([1, 3, 4]);
    expect([taken.consumed, taken.lastConsumed, taken.filteredOut]).toEqual([5, '5', 2]);
    expect(buffer).toHaveLength(6); // the caller removes what was consumed
  });

  it('consumes a buffer of filtered records only, so the checkpoint can move past them', () => {
    const taken = takeBatch([record(1, 'MODIFY'), record(2, 'REMOVE')], rules());
    expect([taken.batch.length, taken.consumed, taken.lastConsumed, taken.filteredOut]).toEqual([0, 2, '2', 2]);
  });

  it('stops before the 6 MB invocation payload limit, but always takes one record', () => {
    const big = rules({ batchSize: 10, payloadBytes: () => MAX_PAYLOAD_BYTES / 2 });
    expect(sequences(takeBatch(records(1, 2, 3), big).batch)).toEqual([1]);
    const huge = rules({ payloadBytes: () => MAX_PAYLOAD_BYTES * 2 });
    expect(sequences(takeBatch(records(1, 2), huge).batch)).toEqual([1]);
  });
});

describe('isBatchDue and idleWaitMs (the batching window)', () => {
  const state = { buffered: 2, matching: 2, batchSize: 3, firstBufferedAt: 1_000, maxBatchingWindowSeconds: 1, draining: false, closed: false, now: 1_500 };
  it('waits for a full batch or the end of the window', () => {
    expect(isBatchDue(state)).toBe(false);
    expect(isBatchDue({ ...state, matching: 3, buffered: 3 })).toBe(true);
    expect(isBatchDue({ ...state, now: 2_000 })).toBe(true);
  });
  it('goes at once when draining, when the shard is closed, or when nothing buffered matches', () => {
    expect(isBatchDue({ ...state, draining: true })).toBe(true);
    expect(isBatchDue({ ...state, closed: true })).toBe(true);
    expect(isBatchDue({ ...state, matching: 0 })).toBe(true);
    expect(isBatchDue({ ...state, buffered: 0, matching: 0, draining: true })).toBe(false);
  });
  it('sleeps the poll interval, or only until the window ends', () => {
    expect(idleWaitMs({ firstBufferedAt: undefined, maxBatchingWindowSeconds: 1, now: 0 }, 200)).toBe(200);
    expect(idleWaitMs({ firstBufferedAt: 1_000, maxBatchingWindowSeconds: 1, now: 1_950 }, 200)).toBe(50);
    expect(idleWaitMs({ firstBufferedAt: 1_000, maxBatchingWindowSeconds: 1, now: 3_000 }, 200)).toBe(0);
  });
});

describe('interpretBatchResponse (reportBatchItemFailures)', () => {
  const batch = records(10, 11, 12);
  it('reads batchItemFailures by sequence number, sorted', () => {
    const answer = { batchItemFailures: [{ itemIdentifier: '12' }, { itemIdentifier: '11' }] };
    expect(interpretBatchResponse(answer, batch, true)).toEqual({ kind: 'partial', firstFailedIndex: 1, failedIndexes: [1, 2] });
  });
  it('treats no or empty failures as success, and ignores them when the setting is off', () => {
    expect(interpretBatchResponse(undefined, batch, true)).toEqual({ kind: 'success' });
    expect(interpretBatchResponse({ batchItemFailures: [] }, batch, true)).toEqual({ kind: 'success' });
    expect(interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: '10' }] }, batch, false)).toEqual({ kind: 'success' });
  });
  it('fails the whole batch on a malformed answer or an unknown identifier, as Lambda does', () => {
    expect(interpretBatchResponse({ batchItemFailures: 'x' }, batch, true).kind).toBe('error');
    expect(interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: '99' }] }, batch, true)).toEqual({
      kind: 'error',
      message: 'Invalid itemIdentifier 99',
    });
    expect(interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, batch, true).kind).toBe('error');
  });
});

describe('nextDeliveryStep', () => {
  const policy = { bisectBatchOnError: true, retryAttempts: 2 };
  const batch = records(1, 2, 3, 4, 5);
  const error: InvocationResult = { kind: 'error', message: 'boom' };
  it('moves past the records before the first reported failure', () => {
    const partial: InvocationResult = { kind: 'partial', firstFailedIndex: 2, failedIndexes: [2, 4] };
    expect(nextDeliveryStep(batch, partial, 1, policy)).toEqual({ kind: 'progress', acknowledged: 2 });
  });
  it('retries a batch whose first record fails, then gives up only the reported failures', () => {
    const partial: InvocationResult = { kind: 'partial', firstFailedIndex: 0, failedIndexes: [0, 3] };
    expect(nextDeliveryStep(batch, partial, 1, policy)).toEqual({ kind: 'retry', retries: 2 });
    const step = nextDeliveryStep(batch, partial, 2, policy);
    expect(step.kind).toBe('give-up');
    expect(step.kind === 'give-up' && sequences(step.failed)).toEqual([1, 4]);
  });
  it('bisects on error (the first half gets the odd record), and retries a lone record', () => {
    const step = nextDeliveryStep(batch, error, 0, policy);
    expect(step.kind === 'bisect' && step.halves.map(sequences)).toEqual([[1, 2, 3], [4, 5]]);
    expect(nextDeliveryStep(records(3), error, 0, policy)).toEqual({ kind: 'retry', retries: 1, error: 'boom' });
  });
  it('without bisection, gives the whole batch up once retries are exhausted; -1 retries forever', () => {
    const noBisect = { bisectBatchOnError: false, retryAttempts: 2 };
    expect(nextDeliveryStep(batch, error, 1, noBisect)).toEqual({ kind: 'retry', retries: 2, error: 'boom' });
    expect(nextDeliveryStep(batch, error, 2, noBisect)).toEqual({ kind: 'give-up', failed: batch, reason: 'boom' });
    expect(nextDeliveryStep(batch, error, 1_000, { bisectBatchOnError: false, retryAttempts: -1 }).kind).toBe('retry');
  });
  it('backs off exponentially up to a cap, and expires records by age', () => {
    expect([1, 2, 3, 4, 10].map((n) => retryDelayMs(n, { base: 100, max: 500 }))).toEqual([100, 200, 400, 500, 500]);
    const old = record(1, 'INSERT', new Date(0));
    expect(isExpired(old, 60, 61_001)).toBe(true);
    expect(isExpired(old, 60, 60_000)).toBe(false);
    expect(isExpired(old, -1, 1e12)).toBe(false);
  });
});

describe('createDeliverer: a poison record among good ones', () => {
  it('bisects down to the poison record, dead-letters it after the retries and acknowledges the others', async () => {
    const invocations: number[][] = [];
    const deadLetters: { sequences: number[]; condition: string; reason: string }[] = [];
    const checkpoints: string[] = [];
    const counters = { batchesDelivered: 0, recordsDelivered: 0, retries: 0, bisections: 0, partialFailures: 0 };
    const deliver = createDeliverer({
      policy: { bisectBatchOnError: true, retryAttempts: 1, maxRecordAgeSeconds: -1 },
      backoffMs: { base: 0, max: 0 },
      invoke: async (batch) => {
        invocations.push(sequences(batch));
        return sequences(batch).includes(3) ? { kind: 'error', message: 'poison' } : { kind: 'success' };
      },
      checkpoint: (_shard, sequence) => checkpoints.push(sequence),
      deadLetter: (_shard, failed, condition, reason) => deadLetters.push({ sequences: sequences(failed), condition, reason }),
      counters,
      isStopped: () => false,
      log: () => {},
    });
    expect(await deliver('shard-1', new Napper(), records(1, 2, 3, 4))).toBe(true);
    expect(invocations).toEqual([[1, 2, 3, 4], [1, 2], [3, 4], [3], [3], [4]]);
    expect(deadLetters).toEqual([{ sequences: [3], condition: 'RetryAttemptsExhausted', reason: 'poison' }]);
    expect(checkpoints).toEqual(['2', '3', '4']);
    expect(counters).toEqual({ batchesDelivered: 2, recordsDelivered: 3, retries: 1, bisections: 2, partialFailures: 0 });
  });

  it('retries from the first reported failure and stops when the poller stops', async () => {
    let stopped = false;
    const invocations: number[][] = [];
    const deliver = createDeliverer({
      policy: { bisectBatchOnError: false, retryAttempts: -1, maxRecordAgeSeconds: -1 },
      backoffMs: { base: 0, max: 0 },
      invoke: async (batch) => {
        invocations.push(sequences(batch));
        if (invocations.length === 2) stopped = true;
        return interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: String(sequences(batch).at(-1)) }] }, batch, true);
      },
      checkpoint: () => {},
      deadLetter: () => {},
      counters: { batchesDelivered: 0, recordsDelivered: 0, retries: 0, bisections: 0, partialFailures: 0 },
      isStopped: () => stopped,
      log: () => {},
    });
    expect(await deliver('shard-1', new Napper(), records(1, 2, 3))).toBe(false);
    expect(invocations).toEqual([[1, 2, 3], [3]]);
  });
});

describe('dead letters and shard lineage', () => {
  it('builds the on-failure destination entry Lambda sends, plus reason and records', () => {
    const entry = buildDeadLetter({
      shardId: 'shard-1',
      streamArn: 'arn:stream',
      region: 'eu-central-1',
      records: [record(7, 'INSERT', new Date('2026-01-01T00:00:00Z')), record(9, 'INSERT', new Date('2026-01-01T00:00:05Z'))],
      condition: 'RecordAgeExceeded',
      reason: 'too old',
      invokeCount: 0,
      context: { awsRequestId: 'req-1', invokedFunctionArn: 'arn:fn' },
      now: new Date('2026-01-02T00:00:00Z'),
    });
    expect(entry.requestContext).toEqual({ requestId: 'req-1', functionArn: 'arn:fn', condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(entry.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(entry.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: '7',
      endSequenceNumber: '9',
      approximateArrivalOfFirstRecord: '2026-01-01T00:00:00.000Z',
      approximateArrivalOfLastRecord: '2026-01-01T00:00:05.000Z',
      batchSize: 2,
    });
    expect(entry.records.map((r) => r.eventSourceARN)).toEqual(['arn:stream', 'arn:stream']);
  });

  it('orders parents before children and starts LATEST only on shards open at the start', () => {
    const shards: Shard[] = [
      { ShardId: 'grandchild', ParentShardId: 'child' },
      { ShardId: 'child', ParentShardId: 'root', SequenceNumberRange: { StartingSequenceNumber: '5' } },
      { ShardId: 'orphan', ParentShardId: 'trimmed-away' },
      { ShardId: 'root', SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '4' } },
    ];
    expect(orderByLineage(shards).map((s) => s.ShardId)).toEqual(['orphan', 'root', 'child', 'grandchild']);
    expect([...openShardIds(shards)].sort()).toEqual(['child', 'grandchild', 'orphan']);
  });
});
