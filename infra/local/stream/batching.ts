/**
 * The batching half of the event source mapping, as pure functions over buffered records:
 * which records make the next batch, and when a batch is due.
 */
import { sequenceOf, type StreamRecord } from './lambda-records.js';

/** Lambda's synchronous invocation payload limit, which also bounds a stream batch. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** `{"Records":[]}` around the records. */
const PAYLOAD_OVERHEAD_BYTES = 14;

export interface BatchRules {
  batchSize: number;
  /** The mapping's filter (filterEventNames). */
  matches: (record: StreamRecord) => boolean;
  /** Bytes of the record as the consumer receives it (JSON). */
  payloadBytes: (record: StreamRecord) => number;
}

export interface TakenBatch {
  batch: StreamRecord[];
  /** How many records off the front of the buffer this batch uses up (batch and filtered). */
  consumed: number;
  /** Sequence number of the last consumed record ('' when none). */
  lastConsumed: string;
  filteredOut: number;
}

/**
 * The next batch off the front of `buffer`: up to batchSize matching records, skipping others,
 * and — as Lambda does — no more than fit in a 6 MB invocation payload. `buffer` is not changed.
 */
export const takeBatch = (buffer: readonly StreamRecord[], rules: BatchRules): TakenBatch => {
  const batch: StreamRecord[] = [];
  let consumed = 0;
  let filteredOut = 0;
  let lastConsumed = '';
  let payloadBytes = PAYLOAD_OVERHEAD_BYTES;
  while (consumed < buffer.length && batch.length < rules.batchSize) {
    const record = buffer[consumed];
    if (!rules.matches(record)) {
      filteredOut++;
    } else {
      const bytes = rules.payloadBytes(record) + 1;
      if (batch.length > 0 && payloadBytes + bytes > MAX_PAYLOAD_BYTES) break;
      payloadBytes += bytes;
      batch.push(record);
    }
    consumed++;
    lastConsumed = sequenceOf(record);
  }
  // Non-matching records right after a full batch are consumed too, so the checkpoint moves.
  while (consumed < buffer.length && !rules.matches(buffer[consumed])) {
    filteredOut++;
    lastConsumed = sequenceOf(buffer[consumed]);
    consumed++;
  }
  return { batch, consumed, lastConsumed, filteredOut };
};

export const countMatching = (buffer: readonly StreamRecord[], matches: (record: StreamRecord) => boolean): number => {
  let count = 0;
  for (const record of buffer) if (matches(record)) count++;
  return count;
};

export interface BufferState {
  buffered: number;
  /** Buffered records that pass the filter. */
  matching: number;
  batchSize: number;
  /** When the first buffered record arrived (undefined: nothing buffered). */
  firstBufferedAt?: number;
  maxBatchingWindowSeconds: number;
  /** A drain() is waiting: partial batches go at once (waiting would only add latency). */
  draining: boolean;
  /** The shard is closed: nothing more will come. */
  closed: boolean;
  now: number;
}

const windowMs = (state: BufferState) => state.maxBatchingWindowSeconds * 1000;

/** A batch is due when the buffer is full, the window has passed, or waiting cannot help. */
export const isBatchDue = (state: BufferState): boolean => {
  if (state.buffered === 0) return false;
  const windowElapsed = state.firstBufferedAt !== undefined && state.now - state.firstBufferedAt >= windowMs(state);
  return state.matching === 0 || state.matching >= state.batchSize || windowElapsed || state.draining || state.closed;
};

/** How long to wait before polling again: the poll interval, or less if the window ends sooner. */
export const idleWaitMs = (state: Pick<BufferState, 'firstBufferedAt' | 'maxBatchingWindowSeconds' | 'now'>, pollIntervalMs: number): number => {
  const windowLeft =
    state.firstBufferedAt === undefined
      ? pollIntervalMs
      : state.maxBatchingWindowSeconds * 1000 - (state.now - state.firstBufferedAt);
  return Math.max(0, Math.min(pollIntervalMs, windowLeft));
};
