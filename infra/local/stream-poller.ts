/**
 * Local stand-in for Lambda's DynamoDB Streams event source mapping. It reads the table's real
 * stream in DynamoDB Local and invokes the consumer with events shaped exactly like Lambda's,
 * honouring the mapping settings of infra/definitions.ts (`streamConsumer`):
 *
 * - shards are read parents first, children as they appear; one batch at a time per shard;
 * - batches fill up to `batchSize` or until `maxBatchingWindowSeconds` has passed;
 * - only `filterEventNames` are delivered (the others still advance the checkpoint);
 * - `reportBatchItemFailures`: the checkpoint stays before the first failed record and the
 *   batch is retried from there; `bisectBatchOnError`: a thrown error splits the batch in two;
 * - after `retryAttempts` retries, or past `maxRecordAgeSeconds`, records go to a dead-letter
 *   store with the metadata Lambda's on-failure destination sends, plus the records themselves.
 *
 * Checkpoints live in memory, and in `<dataDir>/stream-checkpoints.json` when persistent.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type AttributeValue,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumer } from '../definitions.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import {
  defaultLambdaEnvironment,
  invokeHandler,
  lambdaContext,
  type LambdaEnvironment,
  type LambdaHandler,
} from './lambda.js';

export interface StreamConsumerSettings {
  function: FunctionId;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  maxBatchingWindowSeconds: number;
  bisectBatchOnError: boolean;
  reportBatchItemFailures: boolean;
  /** -1: retry until the record expires. */
  retryAttempts: number;
  /** -1: records never expire. */
  maxRecordAgeSeconds: number;
  filterEventNames: readonly string[];
}

export interface StreamPollerOptions {
  endpoint: string;
  /** Physical name of the table whose stream is consumed. */
  tableName: string;
  /** The consumer handler; or give `loadHandler` to import it lazily. */
  handler?: LambdaHandler;
  /** Called before each invocation (should cache, like a warm container). */
  loadHandler?: () => Promise<LambdaHandler>;
  /** Overrides of `streamConsumer` (tests shorten windows and retries). */
  settings?: Partial<StreamConsumerSettings>;
  /** Persist checkpoints and dead letters here; in memory when undefined. */
  dataDir?: string;
  region?: string;
  lambda?: LambdaEnvironment;
  /** Idle wait between empty GetRecords calls (default 200 ms). */
  pollIntervalMs?: number;
  /** How often new shards are looked for (default 1000 ms; drain() looks at once). */
  discoveryIntervalMs?: number;
  /** Retry backoff: base × 2^(retry−1), capped (defaults 100 ms and 5 s). */
  retryBackoffMs?: { base: number; max: number };
  enforceTimeouts?: boolean;
  /** Do not print consumer failures. */
  quiet?: boolean;
}

/** What Lambda's on-failure destination receives for a DynamoDB stream batch, plus the records. */
export interface DeadLetter {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
  /** Local addition: why the last attempt failed. */
  reason: string;
  /** Local addition: the failed records, as the consumer received them. */
  records: DynamoDBRecord[];
}

export interface PollerCounters {
  /** Successful invocations (including partially successful ones that moved on). */
  batchesDelivered: number;
  /** Records acknowledged by the consumer. */
  recordsDelivered: number;
  invocations: number;
  retries: number;
  bisections: number;
  partialFailures: number;
  filteredOut: number;
  deadLetteredRecords: number;
  deadLetterEntries: number;
  pollErrors: number;
}

export interface StreamPoller {
  streamArn: string;
  /** Resolves once every record now in the stream is delivered or dead-lettered. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /** Alias of drain(). */
  whenIdle(options?: { timeoutMs?: number }): Promise<void>;
  deadLetters(): DeadLetter[];
  counters(): PollerCounters;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// SDK stream record → the JSON Lambda hands the function.

type AttributeJson = Record<string, unknown>;

/** Attribute values as Lambda serialises them: binary as base64, numbers as strings. */
const attributeJson = (value: AttributeValue): AttributeJson => {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(attributeJson) };
  if (value.M !== undefined) return { M: imageJson(value.M) };
  const { $unknown: _unknown, ...plain } = value as AttributeValue & { $unknown?: unknown };
  return plain as AttributeJson;
};

const imageJson = (image: Record<string, AttributeValue>): Record<string, AttributeJson> => {
  const result: Record<string, AttributeJson> = {};
  for (const [name, value] of Object.entries(image)) result[name] = attributeJson(value);
  return result;
};

export const toLambdaRecord = (record: StreamRecord, streamArn: string, region: string): DynamoDBRecord => {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(created !== undefined && {
        ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000),
      }),
      Keys: imageJson(change.Keys ?? {}),
      ...(change.NewImage && { NewImage: imageJson(change.NewImage) }),
      ...(change.OldImage && { OldImage: imageJson(change.OldImage) }),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    eventSourceARN: streamArn,
  } as DynamoDBRecord;
};

// ---------------------------------------------------------------------------------------------
// Checkpoints and dead letters.

interface ShardCheckpoint {
  /** Last sequence number fully handled (delivered, filtered out or dead-lettered). */
  sequenceNumber?: string;
  /** The shard is closed and everything in it was handled. */
  finished?: boolean;
}

type CheckpointFile = Record<string, Record<string, ShardCheckpoint>>;

class CheckpointStore {
  private data: CheckpointFile = {};
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly file: string | undefined) {}

  async load(): Promise<void> {
    if (!this.file) return;
    try {
      this.data = JSON.parse(await readFile(this.file, 'utf8')) as CheckpointFile;
    } catch {
      this.data = {}; // missing or unreadable: start over (the consumer is idempotent)
    }
  }

  get(streamArn: string, shardId: string): ShardCheckpoint | undefined {
    return this.data[streamArn]?.[shardId];
  }

  set(streamArn: string, shardId: string, checkpoint: ShardCheckpoint): void {
    (this.data[streamArn] ??= {})[shardId] = checkpoint;
    this.scheduleWrite();
  }

  /** Writes are coalesced: at most one in flight, and one more queued. */
  private scheduleWrite(): void {
    if (!this.file || this.dirty) return;
    this.dirty = true;
    const file = this.file;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      const temporary = `${file}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(this.data));
        await rename(temporary, file);
      } catch (error) {
        console.error('[stream-poller] cannot save checkpoints:', error);
      }
    });
  }

  flush(): Promise<void> {
    return this.writing;
  }
}

class DeadLetterStore {
  private readonly entries: DeadLetter[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string | undefined) {}

  async load(): Promise<void> {
    if (!this.file) return;
    try {
      const text = await readFile(this.file, 'utf8');
      for (const line of text.split('\n')) if (line.trim()) this.entries.push(JSON.parse(line) as DeadLetter);
    } catch {
      /* none yet */
    }
  }

  add(entry: DeadLetter): void {
    this.entries.push(entry);
    const file = this.file;
    if (file) {
      this.writing = this.writing
        .then(() => appendFile(file, `${JSON.stringify(entry)}\n`))
        .catch((error) => console.error('[stream-poller] cannot write dead letter:', error));
    }
  }

  all(): DeadLetter[] {
    return [...this.entries];
  }

  flush(): Promise<void> {
    return this.writing;
  }
}

// ---------------------------------------------------------------------------------------------
// Small async helpers.

/**
 * A sleep that `wake()` can cut short (drain and stop must not wait out idle intervals). A wake
 * while nobody sleeps is kept, so the next sleep returns at once (no lost wake-ups).
 */
class Napper {
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pendingWake = true;
  }
}

/** Lambda's synchronous invocation payload limit, which also bounds a stream batch. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** `{"Records":[]}` around the records. */
const PAYLOAD_OVERHEAD_BYTES = 14;

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Monotonic logical clock ordering polls against drain requests. */
let tick = 0;
const nextTick = (): number => ++tick;

// ---------------------------------------------------------------------------------------------
// The poller.

type InvocationResult =
  | { kind: 'success' }
  | { kind: 'partial'; firstFailedIndex: number; failedIndexes: number[] }
  | { kind: 'error'; message: string };

interface ShardWorker {
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

export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const settings: StreamConsumerSettings = { ...streamConsumer, ...options.settings };
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-central-1';
  const lambda = options.lambda ?? defaultLambdaEnvironment();
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const discoveryIntervalMs = options.discoveryIntervalMs ?? 1000;
  const backoff = options.retryBackoffMs ?? { base: 100, max: 5000 };
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials });

  const streamArn = await (async () => {
    const dynamodb = new DynamoDBClient({ endpoint: options.endpoint, region, credentials });
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
      if (!Table?.LatestStreamArn) throw new Error(`Table ${options.tableName} has no stream`);
      return Table.LatestStreamArn;
    } finally {
      dynamodb.destroy();
    }
  })();

  const checkpoints = new CheckpointStore(options.dataDir && join(options.dataDir, 'stream-checkpoints.json'));
  const deadLetterStore = new DeadLetterStore(options.dataDir && join(options.dataDir, 'dead-letters.jsonl'));
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  await Promise.all([checkpoints.load(), deadLetterStore.load()]);

  const counters: PollerCounters = {
    batchesDelivered: 0,
    recordsDelivered: 0,
    invocations: 0,
    retries: 0,
    bisections: 0,
    partialFailures: 0,
    filteredOut: 0,
    deadLetteredRecords: 0,
    deadLetterEntries: 0,
    pollErrors: 0,
  };

  const workers = new Map<string, ShardWorker>();
  const discoveryNapper = new Napper();
  let stopped = false;
  let drainsPending = 0;
  let discoveredAt = 0;
  let firstDiscovery = true;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };

  const log = (...args: unknown[]) => {
    if (!options.quiet) console.error('[stream-poller]', ...args);
  };

  const loadHandler = async (): Promise<LambdaHandler> => {
    if (options.handler) return options.handler;
    if (options.loadHandler) return options.loadHandler();
    throw new Error('startStreamPoller needs a handler or loadHandler');
  };

  const matchesFilter = (record: StreamRecord): boolean =>
    settings.filterEventNames.length === 0 || settings.filterEventNames.includes(record.eventName ?? '');

  const sequenceOf = (record: StreamRecord): string => record.dynamodb?.SequenceNumber ?? '';

  const checkpoint = (shardId: string, sequenceNumber: string) =>
    checkpoints.set(streamArn, shardId, { sequenceNumber });

  // --- invoking the consumer --------------------------------------------------------------

  const invoke = async (records: StreamRecord[]): Promise<InvocationResult> => {
    counters.invocations++;
    const event: DynamoDBStreamEvent = {
      Records: records.map((record) => toLambdaRecord(record, streamArn, region)),
    };
    let result: unknown;
    try {
      const handler = await loadHandler();
      const context = lambdaContext(settings.function, lambda);
      result = await invokeHandler(settings.function, handler, event, context, options.enforceTimeouts ?? true);
    } catch (error) {
      return { kind: 'error', message: errorMessage(error) };
    }
    if (!settings.reportBatchItemFailures) return { kind: 'success' };
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

  const deadLetter = (
    shardId: string,
    records: StreamRecord[],
    condition: DeadLetter['requestContext']['condition'],
    reason: string,
    invokeCount: number,
  ) => {
    if (records.length === 0) return;
    const arrival = (record: StreamRecord) =>
      new Date(record.dynamodb?.ApproximateCreationDateTime ?? Date.now()).toISOString();
    const context = lambdaContext(settings.function, lambda);
    deadLetterStore.add({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: context.awsRequestId,
        functionArn: context.invokedFunctionArn,
        condition,
        approximateInvokeCount: invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(condition === 'RetryAttemptsExhausted' && { functionError: 'Unhandled' }),
      },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceOf(records[0]),
        endSequenceNumber: sequenceOf(records[records.length - 1]),
        approximateArrivalOfFirstRecord: arrival(records[0]),
        approximateArrivalOfLastRecord: arrival(records[records.length - 1]),
        batchSize: records.length,
        streamArn,
      },
      reason,
      records: records.map((record) => toLambdaRecord(record, streamArn, region)),
    });
    counters.deadLetterEntries++;
    counters.deadLetteredRecords += records.length;
    log(`dead-lettered ${records.length} record(s) from ${shardId}: ${condition}: ${reason}`);
  };

  const isExpired = (record: StreamRecord): boolean => {
    if (settings.maxRecordAgeSeconds < 0) return false;
    const created = record.dynamodb?.ApproximateCreationDateTime;
    if (created === undefined) return false;
    return Date.now() - new Date(created).getTime() > settings.maxRecordAgeSeconds * 1000;
  };

  const retriesExhausted = (retries: number) => settings.retryAttempts >= 0 && retries > settings.retryAttempts;

  /**
   * Delivers `records` (in order) until each one is acknowledged or dead-lettered, moving the
   * shard's checkpoint forward as it goes. Returns false if the poller stopped midway.
   */
  const deliver = async (worker: ShardWorker, initial: StreamRecord[], retries = 0): Promise<boolean> => {
    const shardId = worker.shard.ShardId!;
    let records = initial;
    let invokeCount = 0;
    while (records.length > 0) {
      if (stopped) return false;
      const expired = records.filter(isExpired);
      if (expired.length > 0) {
        deadLetter(shardId, expired, 'RecordAgeExceeded', 'record older than maxRecordAgeSeconds', invokeCount);
        records = records.filter((record) => !isExpired(record));
        if (records.length === 0) return true;
      }

      invokeCount++;
      const result = await invoke(records);
      if (result.kind === 'success') {
        counters.batchesDelivered++;
        counters.recordsDelivered += records.length;
        checkpoint(shardId, sequenceOf(records[records.length - 1]));
        return true;
      }

      if (result.kind === 'partial') {
        counters.partialFailures++;
        const { firstFailedIndex } = result;
        if (firstFailedIndex > 0) {
          // Progress: everything before the first failure is done; retry from the failure.
          counters.batchesDelivered++;
          counters.recordsDelivered += firstFailedIndex;
          checkpoint(shardId, sequenceOf(records[firstFailedIndex - 1]));
          records = records.slice(firstFailedIndex);
          retries = 0;
        } else {
          retries++;
        }
        if (retriesExhausted(retries)) {
          // Only reachable when the batch's first record keeps failing (firstFailedIndex 0).
          // The consumer acknowledged the others in this very attempt; only the failures go.
          const failed = result.failedIndexes.map((index) => records[index]);
          counters.recordsDelivered += records.length - failed.length;
          deadLetter(shardId, failed, 'RetryAttemptsExhausted', 'reported in batchItemFailures', invokeCount);
          checkpoint(shardId, sequenceOf(records[records.length - 1]));
          return true;
        }
      } else {
        if (settings.bisectBatchOnError && records.length > 1) {
          counters.bisections++;
          const middle = Math.ceil(records.length / 2);
          return (
            (await deliver(worker, records.slice(0, middle), retries)) &&
            (await deliver(worker, records.slice(middle), retries))
          );
        }
        retries++;
        if (retriesExhausted(retries)) {
          deadLetter(shardId, records, 'RetryAttemptsExhausted', result.message, invokeCount);
          checkpoint(shardId, sequenceOf(records[records.length - 1]));
          return true;
        }
        log(`batch of ${records.length} from ${shardId} failed (retry ${retries}): ${result.message}`);
      }
      counters.retries++;
      if (retries > 0) {
        // Only this shard waits; other shards have their own loops. drain() does not cut it short.
        await worker.backoff.sleep(Math.min(backoff.base * 2 ** (retries - 1), backoff.max));
      }
    }
    return true;
  };

  // --- reading shards ----------------------------------------------------------------------

  /** After `after` when given; otherwise at `start` (default: the mapping's starting position). */
  const iteratorFor = async (
    worker: ShardWorker,
    after: string | undefined,
    start?: 'TRIM_HORIZON',
  ): Promise<string | undefined> => {
    const shardId = worker.shard.ShardId!;
    const initial = start ?? (firstDiscoveryShards.has(shardId) ? settings.startingPosition : 'TRIM_HORIZON');
    const request = after
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
      : { ShardIteratorType: initial };
    try {
      const response = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...request }),
      );
      return response.ShardIterator;
    } catch (error) {
      if (after && error instanceof TrimmedDataAccessException) return iteratorFor(worker, undefined, 'TRIM_HORIZON');
      throw error;
    }
  };

  const matchingCount = (buffer: StreamRecord[]): number => {
    let count = 0;
    for (const record of buffer) if (matchesFilter(record)) count++;
    return count;
  };

  /**
   * Takes the next batch off the buffer: up to batchSize matching records, skipping others, and
   * — as Lambda does — no more than fit in a 6 MB invocation payload.
   */
  const takeBatch = (worker: ShardWorker): { batch: StreamRecord[]; lastConsumed: string } => {
    const batch: StreamRecord[] = [];
    let lastConsumed = '';
    let payloadBytes = PAYLOAD_OVERHEAD_BYTES;
    while (worker.buffer.length > 0 && batch.length < settings.batchSize) {
      const record = worker.buffer[0];
      if (!matchesFilter(record)) {
        counters.filteredOut++;
      } else {
        const bytes = Buffer.byteLength(JSON.stringify(toLambdaRecord(record, streamArn, region))) + 1;
        if (batch.length > 0 && payloadBytes + bytes > MAX_PAYLOAD_BYTES) break;
        payloadBytes += bytes;
        batch.push(record);
      }
      worker.buffer.shift();
      lastConsumed = sequenceOf(record);
    }
    // Non-matching records right after a full batch are consumed too, so the checkpoint moves.
    while (worker.buffer.length > 0 && !matchesFilter(worker.buffer[0])) {
      counters.filteredOut++;
      lastConsumed = sequenceOf(worker.buffer.shift()!);
    }
    return { batch, lastConsumed };
  };

  const runShard = async (worker: ShardWorker): Promise<void> => {
    const shardId = worker.shard.ShardId!;
    const parent = worker.shard.ParentShardId ? workers.get(worker.shard.ParentShardId) : undefined;
    if (parent) await parent.done; // lineage: a child starts after its parent is finished
    if (stopped) return;

    let lastRead = checkpoints.get(streamArn, shardId)?.sequenceNumber;
    let iterator: string | undefined;
    let closed = false;
    let errorDelay = 0;
    const backOffAfterError = async (what: string, error: unknown) => {
      counters.pollErrors++;
      errorDelay = Math.min(Math.max(errorDelay * 2, 100), 5000);
      log(`${what} failed on ${shardId}: ${errorMessage(error)}`);
      await worker.napper.sleep(errorDelay);
    };
    // DynamoDB Local may be briefly unreachable; keep trying rather than abandon the shard.
    for (;;) {
      if (stopped) return;
      try {
        iterator = await iteratorFor(worker, lastRead);
        break;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        await backOffAfterError('GetShardIterator', error);
      }
    }

    while (!stopped) {
      let foundNothing = false;
      if (iterator && matchingCount(worker.buffer) < settings.batchSize) {
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
              notify();
            }
          }
        } catch (error) {
          if (stopped) break;
          if (error instanceof ExpiredIteratorException) {
            // Resume after the last record read (buffered ones are kept).
            try {
              iterator = await iteratorFor(worker, lastRead);
            } catch (retryError) {
              await backOffAfterError('GetShardIterator', retryError);
            }
            continue;
          }
          if (error instanceof TrimmedDataAccessException) {
            // DynamoDB Local numbers records with one counter for all tables, so an iterator
            // taken on an empty shard can point before the first record it later gets, and
            // reading it fails as "trimmed". Start again after what we read (or at the top).
            try {
              iterator = await iteratorFor(worker, lastRead, 'TRIM_HORIZON');
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

      const windowElapsed =
        worker.firstBufferedAt !== undefined &&
        Date.now() - worker.firstBufferedAt >= settings.maxBatchingWindowSeconds * 1000;
      const matching = matchingCount(worker.buffer);
      const ready =
        worker.buffer.length > 0 &&
        // drain() flushes partial batches: waiting out the window would only add latency.
        (matching === 0 || matching >= settings.batchSize || windowElapsed || drainsPending > 0 || closed);

      if (ready) {
        worker.busy = true;
        try {
          const { batch, lastConsumed } = takeBatch(worker);
          const completed = batch.length === 0 || (await deliver(worker, batch));
          if (!completed) break;
          checkpoint(shardId, lastConsumed);
          worker.firstBufferedAt = worker.buffer.length > 0 ? worker.firstBufferedAt : undefined;
        } finally {
          worker.busy = false;
        }
        notify();
        continue;
      }

      if (closed && worker.buffer.length === 0) {
        checkpoints.set(streamArn, shardId, { sequenceNumber: lastRead, finished: true });
        break;
      }

      if (foundNothing || !iterator) {
        const windowLeft =
          worker.firstBufferedAt === undefined
            ? pollIntervalMs
            : settings.maxBatchingWindowSeconds * 1000 - (Date.now() - worker.firstBufferedAt);
        await worker.napper.sleep(Math.max(0, Math.min(pollIntervalMs, windowLeft)));
      }
    }
  };

  const startWorker = (shard: Shard) => {
    const shardId = shard.ShardId!;
    let resolveDone!: () => void;
    const worker: ShardWorker = {
      shard,
      napper: new Napper(),
      backoff: new Napper(),
      buffer: [],
      busy: false,
      finished: false,
      caughtUpAt: 0,
      done: new Promise((resolve) => (resolveDone = resolve)),
    };
    workers.set(shardId, worker);
    runShard(worker)
      .catch((error) => log(`shard ${shardId} stopped: ${errorMessage(error)}`))
      .finally(() => {
        worker.finished = true;
        resolveDone();
        notify();
      });
  };

  // --- discovering shards ------------------------------------------------------------------

  const firstDiscoveryShards = new Set<string>();

  const discover = async (): Promise<void> => {
    const startedAt = nextTick();
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);

    if (firstDiscovery) {
      // LATEST applies to the shards open when the mapping starts; later ones start at the top.
      for (const shard of shards) if (!shard.SequenceNumberRange?.EndingSequenceNumber) firstDiscoveryShards.add(shard.ShardId!);
      firstDiscovery = false;
    }
    // Parents first, so a child finds its parent's worker.
    const known = new Set(shards.map((shard) => shard.ShardId));
    const ordered = [...shards].sort((a, b) => depth(a) - depth(b));
    function depth(shard: Shard): number {
      let d = 0;
      for (let s: Shard | undefined = shard; s?.ParentShardId && known.has(s.ParentShardId); d++) {
        s = shards.find((candidate) => candidate.ShardId === s!.ParentShardId);
      }
      return d;
    }
    for (const shard of ordered) {
      const shardId = shard.ShardId!;
      if (workers.has(shardId)) continue;
      if (checkpoints.get(streamArn, shardId)?.finished) {
        // Finished in an earlier run: a placeholder lets children start at once.
        workers.set(shardId, {
          shard,
          napper: new Napper(),
          backoff: new Napper(),
          buffer: [],
          busy: false,
          finished: true,
          caughtUpAt: Number.MAX_SAFE_INTEGER,
          done: Promise.resolve(),
        });
        continue;
      }
      startWorker(shard);
    }
    discoveredAt = startedAt;
    notify();
  };

  const discoveryLoop = async () => {
    while (!stopped) {
      await discoveryNapper.sleep(discoveryIntervalMs);
      if (stopped) break;
      try {
        await discover();
      } catch (error) {
        if (stopped) break;
        counters.pollErrors++;
        log(`DescribeStream failed: ${errorMessage(error)}`);
      }
    }
  };

  await discover();
  const discovering = discoveryLoop();

  // --- drain, stop ---------------------------------------------------------------------------

  const isDrained = (since: number): boolean => {
    if (discoveredAt <= since) return false;
    for (const worker of workers.values()) {
      if (worker.finished) continue;
      if (worker.busy || worker.buffer.length > 0 || worker.caughtUpAt <= since) return false;
    }
    return true;
  };

  const drain = async ({ timeoutMs = 20_000 }: { timeoutMs?: number } = {}): Promise<void> => {
    if (stopped) return;
    const since = nextTick();
    drainsPending++;
    discoveryNapper.wake();
    for (const worker of workers.values()) worker.napper.wake();
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stopped || isDrained(since)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          const state = [...workers.values()].map(
            (w) => `${w.shard.ShardId}: busy=${w.busy} buffered=${w.buffer.length} finished=${w.finished}`,
          );
          reject(new Error(`Stream not drained within ${timeoutMs} ms (${state.join('; ')})`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    } finally {
      drainsPending--;
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopped = true;
      discoveryNapper.wake();
      for (const worker of workers.values()) {
        worker.napper.wake();
        worker.backoff.wake();
      }
      notify();
      await Promise.all([discovering, ...[...workers.values()].map((worker) => worker.done)]);
      await Promise.all([checkpoints.flush(), deadLetterStore.flush()]);
      streams.destroy();
    })();
    return stopping;
  };

  return {
    streamArn,
    drain,
    whenIdle: drain,
    deadLetters: () => deadLetterStore.all(),
    counters: () => ({ ...counters }),
    stop,
  };
};
