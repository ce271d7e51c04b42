/**
 * Local stand-in for Lambda's DynamoDB Streams event source mapping. It reads the table's real
 * stream in DynamoDB Local and invokes the consumer with events shaped exactly like Lambda's,
 * honouring the mapping settings of infra/definitions.ts (`streamConsumer`):
 *
 * - shards are read parents first, children as they appear; one batch at a time per shard
 *   (stream/shards.ts, stream/shard-reader.ts);
 * - batches fill up to `batchSize` or until `maxBatchingWindowSeconds` has passed; only
 *   `filterEventNames` are delivered, the others still advance the checkpoint (stream/batching.ts);
 * - `reportBatchItemFailures`: the checkpoint stays before the first failed record and the
 *   batch is retried from there; `bisectBatchOnError`: a thrown error splits the batch in two;
 * - after `retryAttempts` retries, or past `maxRecordAgeSeconds`, records go to a dead-letter
 *   store with the metadata Lambda's on-failure destination sends, plus the records themselves
 *   (stream/delivery.ts, stream/dead-letters.ts).
 *
 * Each consumer of infra/definitions.ts `streamConsumers` gets a poller of its own, as each gets
 * its own mapping on AWS. Checkpoints live in memory, and in `<dataDir>/stream-checkpoints.json`
 * when persistent (`stream-checkpoints-<name>.json` for consumers other than the roll-up's; dead
 * letters likewise) (stream/checkpoints.ts). This file wires the parts and keeps discovery,
 * drain() and stop().
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumer } from '../definitions.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import {
  defaultLambdaEnvironment,
  invokeHandler,
  lambdaContext,
  type LambdaEnvironment,
  type LambdaHandler,
} from './lambda.js';
import type { BatchRules } from './stream/batching.js';
import { CheckpointStore } from './stream/checkpoints.js';
import { buildDeadLetter, DeadLetterStore, type DeadLetter } from './stream/dead-letters.js';
import { createDeliverer, interpretBatchResponse, type InvocationResult } from './stream/delivery.js';
import { toLambdaRecord, type StreamRecord } from './stream/lambda-records.js';
import { Napper } from './stream/napper.js';
import { newShardWorker, nextTick, runShard, type ShardReaderContext, type ShardWorker } from './stream/shard-reader.js';
import { listShards, openShardIds, orderByLineage } from './stream/shards.js';

export { toLambdaRecord } from './stream/lambda-records.js';
export type { DeadLetter } from './stream/dead-letters.js';

export interface StreamConsumerSettings {
  /** The consumer's name (`streamConsumers`): its checkpoints and dead letters are its own. */
  name: string;
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
  /** The consumer's settings (default: the roll-up consumer), with overrides (tests shorten windows and retries). */
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

/** A poller's counters before its first poll (and those of a runtime without a consumer). */
export const emptyPollerCounters = (): PollerCounters => ({
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
});

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


const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const describeStreamArn = async (endpoint: string, region: string, tableName: string): Promise<string> => {
  const dynamodb = new DynamoDBClient({ endpoint, region, credentials: localCredentials });
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`Table ${tableName} has no stream`);
    return Table.LatestStreamArn;
  } finally {
    dynamodb.destroy();
  }
};

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Where a consumer keeps its state under the data directory: the roll-up consumer keeps the
 * names it always had (data directories of earlier versions resume where they stopped).
 */
export const consumerStateFiles = (name: string): { checkpoints: string; deadLetters: string } =>
  name === streamConsumer.name
    ? { checkpoints: 'stream-checkpoints.json', deadLetters: 'dead-letters.jsonl' }
    : { checkpoints: `stream-checkpoints-${name}.json`, deadLetters: `dead-letters-${name}.jsonl` };

export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const settings: StreamConsumerSettings = { ...streamConsumer, ...options.settings };
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-central-1';
  const lambda = options.lambda ?? defaultLambdaEnvironment();
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials: localCredentials });
  const streamArn = await describeStreamArn(options.endpoint, region, options.tableName);

  const stateFiles = consumerStateFiles(settings.name);
  const checkpoints = new CheckpointStore(options.dataDir && join(options.dataDir, stateFiles.checkpoints));
  const deadLetterStore = new DeadLetterStore(options.dataDir && join(options.dataDir, stateFiles.deadLetters));
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  await Promise.all([checkpoints.load(), deadLetterStore.load()]);

  const counters = emptyPollerCounters();

  const workers = new Map<string, ShardWorker>();
  const discoveryNapper = new Napper();
  let stopped = false;
  let drainsPending = 0;
  let discoveredAt = 0;
  let startingPositionShards: Set<string> | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };

  const log = (...args: unknown[]) => {
    if (!options.quiet) console.error(`[stream-poller ${settings.name}]`, ...args);
  };

  const loadHandler = async (): Promise<LambdaHandler> => {
    if (options.handler) return options.handler;
    if (options.loadHandler) return options.loadHandler();
    throw new Error('startStreamPoller needs a handler or loadHandler');
  };

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
    return interpretBatchResponse(result, records, settings.reportBatchItemFailures);
  };

  const deliver = createDeliverer({
    policy: settings,
    backoffMs: options.retryBackoffMs ?? { base: 100, max: 5000 },
    invoke,
    checkpoint: (shardId, sequenceNumber) => checkpoints.set(streamArn, shardId, { sequenceNumber }),
    deadLetter: (shardId, records, condition, reason, invokeCount) => {
      if (records.length === 0) return;
      const context = lambdaContext(settings.function, lambda);
      deadLetterStore.add(buildDeadLetter({ shardId, streamArn, region, records, condition, reason, invokeCount, context }));
      counters.deadLetterEntries++;
      counters.deadLetteredRecords += records.length;
      log(`dead-lettered ${records.length} record(s) from ${shardId}: ${condition}: ${reason}`);
    },
    counters,
    isStopped: () => stopped,
    log: (message) => log(message),
  });

  const batchRules: BatchRules = {
    batchSize: settings.batchSize,
    matches: (record) =>
      settings.filterEventNames.length === 0 || settings.filterEventNames.includes(record.eventName ?? ''),
    payloadBytes: (record) => Buffer.byteLength(JSON.stringify(toLambdaRecord(record, streamArn, region))),
  };

  const readerContext: ShardReaderContext = {
    streams,
    streamArn,
    settings,
    batchRules,
    checkpoints,
    deliver,
    workerOf: (shardId) => workers.get(shardId),
    startsAtStartingPosition: (shardId) => startingPositionShards?.has(shardId) ?? false,
    pollIntervalMs: options.pollIntervalMs ?? 200,
    isStopped: () => stopped,
    isDraining: () => drainsPending > 0,
    onReadError: () => counters.pollErrors++,
    onFilteredOut: (count) => (counters.filteredOut += count),
    notify,
    log: (message) => log(message),
  };

  const startWorker = (shard: Shard) => {
    const shardId = shard.ShardId!;
    let resolveDone!: () => void;
    const worker = newShardWorker(shard, new Promise((resolve) => (resolveDone = resolve)));
    workers.set(shardId, worker);
    runShard(readerContext, worker)
      .catch((error) => log(`shard ${shardId} stopped: ${errorMessage(error)}`))
      .finally(() => {
        worker.finished = true;
        resolveDone();
        notify();
      });
  };

  // --- discovering shards ------------------------------------------------------------------

  const discover = async (): Promise<void> => {
    const startedAt = nextTick();
    const shards = await listShards(streams, streamArn);
    // LATEST applies to the shards open when the mapping starts; later ones start at the top.
    startingPositionShards ??= openShardIds(shards);
    // Parents first, so a child finds its parent's worker.
    for (const shard of orderByLineage(shards)) {
      const shardId = shard.ShardId!;
      if (workers.has(shardId)) continue;
      if (checkpoints.get(streamArn, shardId)?.finished) {
        // Finished in an earlier run: a placeholder lets children start at once.
        workers.set(shardId, newShardWorker(shard, Promise.resolve(), true));
        continue;
      }
      startWorker(shard);
    }
    discoveredAt = startedAt;
    notify();
  };

  const discoveryLoop = async () => {
    while (!stopped) {
      await discoveryNapper.sleep(options.discoveryIntervalMs ?? 1000);
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
