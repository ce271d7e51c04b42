/**
 * The system under soak: DynamoDB Local in persistent mode (its own process, so the soak can stop
 * and restart it on the same port and data directory), the local runtime on top of it, and the
 * stream consumer under the soak's control (stopped, restarted, made to crash mid-batch).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumer } from '../../infra/definitions.js';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { loadOrCreateIssuer, type LocalIssuer } from '../../infra/local/issuer.js';
import type { LambdaHandler } from '../../infra/local/lambda.js';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.js';
import { startStreamPoller, type StreamPoller } from '../../infra/local/stream-poller.js';

export interface SoakSystem {
  baseUrl: string;
  dataDir: string;
  issuer: LocalIssuer;
  runtime: LocalRuntime;
  /** host:port of every server of the soak (the database's and the API's own addresses). */
  serverAddresses(): string[];
  consumer: ConsumerControl;
  archiver: ArchiverControl;
  /** The erasure worker's injected crashes, and a wait for the background invocations. */
  erasures: { crashesInjected(): number; backgroundIdle(): Promise<void> };
  database: DatabaseControl;
  stop(): Promise<void>;
}

export interface ConsumerControl {
  /** Stops the running poller (it finishes the batch in hand) and starts a new one. */
  restart(pauseMs: number): Promise<void>;
  /**
   * Every `n`th invocation with two or more records crashes after applying part of it (0: never):
   * alternately after a prefix of its records, and inside the click fold between two row updates.
   */
  crashEvery(n: number): void;
  drain(timeoutMs: number): Promise<void>;
  counters(): { restarts: number; crashesInjected: number; foldCrashesInjected: number; invocations: number; retries: number; bisections: number };
  poller(): StreamPoller;
}

export interface ArchiverControl {
  /** Where the archive is written. */
  dir: string;
  /** Every `n`th invocation with two or more records dies after writing part of its files (0: never). */
  crashEvery(n: number): void;
  drain(timeoutMs: number): Promise<void>;
  counters(): { crashesInjected: number; invocations: number; retries: number };
}

export interface DatabaseControl {
  endpoint: string;
  /** Stops DynamoDB Local, waits `downMs`, starts it again on the same port and data. */
  outage(downMs: number): Promise<{ startedAt: number; endedAt: number }>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The roll-up consumer's batching window in the soak (production: 30 s, infra/definitions.ts). */
const soakRollupWindow = { maxBatchingWindowSeconds: 3 };

export const startSoakSystem = async (env: Record<string, string>): Promise<SoakSystem> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'advocacy-soak-'));
  const dbPath = join(dataDir, 'dynamodb');
  const port = await freePort();
  let database: DynamoDbLocal = await startDynamoDbLocal({ dbPath, port });
  const issuer = await loadOrCreateIssuer(dataDir);

  // The real consumer, wrapped so the soak can make it die half-way through a batch.
  let crashInterval = 0;
  let multiRecordInvocations = 0;
  let crashesInjected = 0;
  let foldCrashesInjected = 0;
  let realConsumer: LambdaHandler | undefined;
  const consumer: LambdaHandler = async (event: DynamoDBStreamEvent, context: Context) => {
    realConsumer ??= (await import('../../functions/rollup.js')).handler as LambdaHandler;
    const records = event.Records;
    if (records.length >= 2 && crashInterval > 0 && ++multiRecordInvocations % crashInterval === 1) {
      crashesInjected++;
      // The fold's crash first, until one happened (a batch of clicks all folded already moves no row), then alternately.
      if (foldCrashesInjected === 0 || crashesInjected % 2 === 0) {
        // Dies inside the click fold, after some of a receipt's rows moved (if the batch brings
        // clicks past the campaign's watermark): the redelivery must apply the rest of it, once.
        const { processStreamBatch } = await import('../../shared/application/stream-batch.js');
        const { dynamoRollupWriter } = await import('../../shared/adapters/rollup-writer.js');
        const { crashingFoldStore } = await import('../support/fold-faults.js');
        const fold = crashingFoldStore('applyRow', 1 + Math.floor(Math.random() * 3), () => foldCrashesInjected++);
        await processStreamBatch(records, { writer: dynamoRollupWriter, fold });
        throw new Error('soak: injected consumer crash inside the click fold');
      }
      // Apply a prefix for real, then fail the invocation: a crash after some transactions
      // committed. Single records never crash, so injection alone never exhausts retries.
      await realConsumer({ Records: records.slice(0, Math.floor(Math.random() * records.length)) }, context);
      throw new Error('soak: injected consumer crash after a partial batch');
    }
    return realConsumer(event, context);
  };

  // The real archiver, wrapped so the soak can make it die after writing some of a batch's files
  // (the manifest counts as the first write): the retry must replace them, adding nothing twice.
  let archiverCrashInterval = 0;
  let archiverMultiRecordInvocations = 0;
  let archiverCrashes = 0;
  let realArchiver: LambdaHandler | undefined;
  const archiver: LambdaHandler = async (event: DynamoDBStreamEvent, context: Context) => {
    realArchiver ??= (await import('../../functions/archiver.js')).handler as LambdaHandler;
    if (event.Records.length >= 2 && archiverCrashInterval > 0 && ++archiverMultiRecordInvocations % archiverCrashInterval === 1) {
      const { archiveBatch } = await import('../../shared/application/archive-batch.js');
      const { archiveStore } = await import('../../shared/adapters/object-store.js');
      const { crashingStore } = await import('../support/archive-events.js');
      archiverCrashes++;
      // Dies at a random store write after the manifest: some files written, others not.
      await archiveBatch(event.Records, crashingStore(archiveStore(), 2 + Math.floor(Math.random() * 3)));
      // A batch of one partition may finish before the crash point: die anyway, after it.
      throw new Error('soak: injected archiver crash after a partial batch');
    }
    return realArchiver(event, context);
  };

  // The real erasure worker, wrapped so its first attempt of each erasure dies after saving its
  // second page of progress: the runtime's retry (as Lambda's) must resume it to the end.
  let erasureCrashes = 0;
  const crashedErasures = new Set<string>();
  const erasureWorker: LambdaHandler = async (event: { orgId: string; erasureId: string }, context: Context) => {
    const real = (await import('../../functions/erasure-worker.js')).handler as LambdaHandler;
    if (!crashedErasures.has(event.erasureId)) {
      crashedErasures.add(event.erasureId);
      const { startErasure } = await import('../../shared/adapters/erasures.js');
      const { runErasure } = await import('../../shared/application/run-erasure.js');
      const { archiveStore } = await import('../../shared/adapters/object-store.js');
      const record = await startErasure(event.orgId, event.erasureId);
      let saves = 0;
      if (record) {
        await runErasure(record, {
          store: archiveStore(),
          settleBudgetMs: 60_000,
          settlePollMs: 500,
          afterSave: () => {
            if (++saves === 2) {
              erasureCrashes++;
              throw new Error('soak: injected erasure worker crash mid-erasure');
            }
          },
        });
      }
    }
    return real(event, context);
  };

  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    dynamodbEndpoint: database.endpoint,
    issuer,
    env,
    handlers: { rollup: consumer, archiver, erasureWorker },
    // Batches every few seconds instead of every 5 minutes (archiver) or 30 s (roll-ups), so a
    // one-minute soak, whose consumer restarts every ~15 s, crashes both often.
    archiveConsumer: { maxBatchingWindowSeconds: 3 },
    streamConsumer: soakRollupWindow,
  });
  const archivePoller = runtime.pollers.archive!;

  let poller: StreamPoller = runtime.poller;
  let restarts = 0;
  /** Counters of the pollers already stopped. */
  const past = { invocations: 0, retries: 0, bisections: 0 };
  const startPoller = () =>
    startStreamPoller({
      endpoint: database.endpoint,
      tableName: runtime.tableNames[streamConsumer.table],
      handler: consumer,
      settings: { ...streamConsumer, ...soakRollupWindow },
      dataDir,
    });

  return {
    baseUrl: runtime.baseUrl,
    dataDir,
    issuer,
    runtime,
    serverAddresses: () => [new URL(runtime.baseUrl).host, new URL(database.endpoint).host],
    consumer: {
      async restart(pauseMs) {
        await poller.stop();
        const stopped = poller.counters();
        past.invocations += stopped.invocations;
        past.retries += stopped.retries;
        past.bisections += stopped.bisections;
        await delay(pauseMs);
        // The new poller needs the database to start; if it is down, keep trying (bounded).
        for (let attempt = 1; ; attempt++) {
          try {
            poller = await startPoller();
            break;
          } catch (error) {
            if (attempt >= 60) throw error;
            await delay(500);
          }
        }
        restarts++;
      },
      crashEvery: (n) => {
        crashInterval = n;
      },
      drain: (timeoutMs) => poller.drain({ timeoutMs }),
      counters: () => {
        const current = poller.counters();
        return {
          restarts,
          crashesInjected,
          foldCrashesInjected,
          invocations: past.invocations + current.invocations,
          retries: past.retries + current.retries,
          bisections: past.bisections + current.bisections,
        };
      },
      poller: () => poller,
    },
    archiver: {
      dir: runtime.archiveDir,
      crashEvery: (n) => {
        archiverCrashInterval = n;
      },
      drain: (timeoutMs) => archivePoller.drain({ timeoutMs }),
      counters: () => ({ crashesInjected: archiverCrashes, invocations: archivePoller.counters().invocations, retries: archivePoller.counters().retries }),
    },
    erasures: { crashesInjected: () => erasureCrashes, backgroundIdle: () => runtime.backgroundIdle() },
    database: {
      endpoint: database.endpoint,
      async outage(downMs) {
        const startedAt = Date.now();
        await database.stop();
        await delay(downMs);
        database = await startDynamoDbLocal({ dbPath, port });
        return { startedAt, endedAt: Date.now() };
      },
    },
    async stop() {
      await poller.stop();
      await runtime.stop();
      await database.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
