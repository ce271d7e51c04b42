/**
 * One shard's loop: read records (GetRecords), buffer them, hand batches to the deliverer when
 * they are due, move the checkpoint, and mark the shard finished once it is closed and empty.
 * DynamoDB Local may be briefly unreachable: errors back off and retry rather than abandon the shard.
 */
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { countMatching, idleWaitMs, isBatchDue, takeBatch, type BatchRules } from './batching.js';
import type { CheckpointStore } from './checkpoints.js';
import type { Deliver } from './delivery.js';
import { sequenceOf, type StreamRecord } from './lambda-records.js';
import { Napper } from './napper.js';

export interface ShardWorker {
  shard: Shard;
  /** Idle and error waits (drain and stop wake it). */
  napper: Napper;
  /** Retry backoff (only stop wakes it). */
  backoff: Napper;
  buffer: StreamRecord[];
  firstBufferedAt?: number;
  busy: boolean;
  finished: boolean;
  /** Logical time at which a poll that found nothing (with nothing buffered) began. */
  caughtUpAt: number;
  done: Promise<void>;
}

export const newShardWorker = (shard: Shard, done: Promise<void>, finished = false): ShardWorker => ({
  shard,
  napper: new Napper(),
  backoff: new Napper(),
  buffer: [],
  busy: false,
  finished,
  // A shard finished in an earlier run never holds a drain up.
  caughtUpAt: finished ? Number.MAX_SAFE_INTEGER : 0,
  done,
});

/** Exponential delay after a read error: 100 ms doubling to 5 s; 0 after a success. */
export const nextErrorDelayMs = (previous: number): number => Math.min(Math.max(previous * 2, 100), 5000);

/** Monotonic logical clock ordering polls against drain requests. */
let tick = 0;
export const nextTick = (): number => ++tick;

export interface ShardReaderContext {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  settings: { batchSize: number; maxBatchingWindowSeconds: number; startingPosition: 'TRIM_HORIZON' | 'LATEST' };
  batchRules: BatchRules;
  checkpoints: CheckpointStore;
  deliver: Deliver;
  /** The worker of a shard (its parent's, for lineage). */
  workerOf: (shardId: string) => ShardWorker | undefined;
  /** Shards open when the mapping started: they begin at the starting position. */
  startsAtStartingPosition: (shardId: string) => boolean;
  pollIntervalMs: number;
  isStopped: () => boolean;
  isDraining: () => boolean;
  onReadError: () => void;
  onFilteredOut: (count: number) => void;
  /** Something changed that a drain() may wait for. */
  notify: () => void;
  log: (message: string) => void;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const runShard = async (context: ShardReaderContext, worker: ShardWorker): Promise<void> => {
  const { streams, streamArn, settings, checkpoints } = context;
  const shardId = worker.shard.ShardId!;
  const parent = worker.shard.ParentShardId ? context.workerOf(worker.shard.ParentShardId) : undefined;
  if (parent) await parent.done; // lineage: a child starts after its parent is finished
  if (context.isStopped()) return;

  /** After `after` when given; otherwise at `start` (default: the mapping's starting position). */
  const iteratorFor = async (after: string | undefined, start?: 'TRIM_HORIZON'): Promise<string | undefined> => {
    const initial = start ?? (context.startsAtStartingPosition(shardId) ? settings.startingPosition : 'TRIM_HORIZON');
    const request = after
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
      : { ShardIteratorType: initial };
    try {
      const response = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...request }));
      return response.ShardIterator;
    } catch (error) {
      if (after && error instanceof TrimmedDataAccessException) return iteratorFor(undefined, 'TRIM_HORIZON');
      throw error;
    }
  };

  let lastRead = checkpoints.get(streamArn, shardId)?.sequenceNumber;
  let iterator: string | undefined;
  let closed = false;
  let errorDelay = 0;
  const backOffAfterError = async (what: string, error: unknown) => {
    context.onReadError();
    errorDelay = nextErrorDelayMs(errorDelay);
    context.log(`${what} failed on ${shardId}: ${errorMessage(error)}`);
    await worker.napper.sleep(errorDelay);
  };
  for (;;) {
    if (context.isStopped()) return;
    try {
      iterator = await iteratorFor(lastRead);
      break;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      await backOffAfterError('GetShardIterator', error);
    }
  }

  while (!context.isStopped()) {
    let foundNothing = false;
    if (iterator && countMatching(worker.buffer, context.batchRules.matches) < settings.batchSize) {
      const pollStartedAt = nextTick();
      try {
        const response = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, settings.batchSize) }),
        );
        errorDelay = 0;
        iterator = response.NextShardIterator;
        const records = response.Records ?? [];
        if (records.length > 0) {
          worker.buffer.push(...records);
          worker.firstBufferedAt ??= Date.now();
          lastRead = sequenceOf(records[records.length - 1]);
        } else {
          foundNothing = true;
          if (worker.buffer.length === 0) {
            worker.caughtUpAt = pollStartedAt;
            context.notify();
          }
        }
      } catch (error) {
        if (context.isStopped()) break;
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          // Expired: resume after the last record read (buffered ones are kept). Trimmed:
          // DynamoDB Local numbers records with one counter for all tables, so an iterator
          // taken on an empty shard can point before the first record it later gets, and
          // reading it fails as "trimmed". Start again after what we read (or at the top).
          const start = error instanceof TrimmedDataAccessException ? 'TRIM_HORIZON' : undefined;
          try {
            iterator = await iteratorFor(lastRead, start);
          } catch (retryError) {
            await backOffAfterError('GetShardIterator', retryError);
          }
          continue;
        }
        if (error instanceof ResourceNotFoundException) break;
        await backOffAfterError('GetRecords', error);
        continue;
      }
    }
    if (!iterator) closed = true;

    const due = isBatchDue({
      buffered: worker.buffer.length,
      matching: countMatching(worker.buffer, context.batchRules.matches),
      batchSize: settings.batchSize,
      firstBufferedAt: worker.firstBufferedAt,
      maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
      draining: context.isDraining(),
      closed,
      now: Date.now(),
    });
    if (due) {
      worker.busy = true;
      try {
        const { batch, consumed, lastConsumed, filteredOut } = takeBatch(worker.buffer, context.batchRules);
        worker.buffer.splice(0, consumed);
        context.onFilteredOut(filteredOut);
        const completed = batch.length === 0 || (await context.deliver(shardId, worker.backoff, batch));
        if (!completed) break;
        checkpoints.set(streamArn, shardId, { sequenceNumber: lastConsumed });
        worker.firstBufferedAt = worker.buffer.length > 0 ? worker.firstBufferedAt : undefined;
      } finally {
        worker.busy = false;
      }
      context.notify();
      continue;
    }

    if (closed && worker.buffer.length === 0) {
      checkpoints.set(streamArn, shardId, { sequenceNumber: lastRead, finished: true });
      break;
    }

    if (foundNothing || !iterator) {
      const wait = idleWaitMs(
        { firstBufferedAt: worker.firstBufferedAt, maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds, now: Date.now() },
        context.pollIntervalMs,
      );
      await worker.napper.sleep(wait);
    }
  }
};
