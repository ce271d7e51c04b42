/**
 * The whole system on one machine: DynamoDB Local (spawned, or one already running), the tables
 * of infra/definitions.ts, the local HTTP API and the events-stream poller — wired with the same
 * environment variables the CDK stack gives the functions (infra/local/environment.ts).
 *
 * `role` picks the parts: `api` (HTTP only), `consumer` (stream poller only) or `all`, so the
 * two can run as separate processes against one DynamoDB Local, as they are separate functions
 * on AWS. Handler modules read process.env, and Node caches modules per process, so one process
 * hosts one runtime at a time: the runtime applies its handler environment to process.env once,
 * when its parts are up and before the first invocation (see environment.ts).
 */
import { loadOrCreateSecretsKey } from './issuer.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveConsumer, streamConsumer, streamConsumers } from '../definitions.js';
import { archiveDirEnvVar, type TableId } from '../../shared/settings.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { startHttpServer, type JwksProvider } from './http-server.js';
import { applyHandlerEnvironment, handlerEnvironment, runtimeRegion } from './environment.js';
import { createBackgroundInvoker, createHandlerLoader, createInvoker, type HandlerOverrides, type LambdaEnvironment } from './lambda.js';
import { registerLocalAsyncInvoker } from '../../shared/adapters/invoke-async.js';
import { emptyPollerCounters, startStreamPoller, type StreamConsumerSettings, type StreamPoller } from './stream-poller.js';
import { ensureTables } from './tables.js';

export interface IssuerSettings {
  issuer: string;
  audience: string;
  jwks: object;
}

export type RuntimeRole = 'api' | 'consumer' | 'all';

export interface LocalRuntimeOptions {
  /** Which parts run here: the HTTP API, the stream consumer, or both (default). */
  role?: RuntimeRole;
  /** HTTP port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Where DynamoDB files, stream checkpoints and dead letters persist (ignored with inMemory). */
  dataDir?: string;
  /** Keep nothing on disk. Default: true when no dataDir is given. */
  inMemory?: boolean;
  /** Use this DynamoDB Local instead of spawning one (it is not stopped by stop()). */
  dynamodbEndpoint?: string;
  /** Prefix of the physical table names (several runtimes can share one DynamoDB Local). */
  tablePrefix?: string;
  /** Host used in `shortUrl`s (PUBLIC_BASE_URL); default: the runtime's base URL. */
  publicBaseUrl?: string;
  /** The local token issuer: its JWKS is served and JWT_ISSUER/JWT_AUDIENCE point at it. */
  issuer?: IssuerSettings;
  /** A JWKS to serve when there is no `issuer` (object, or function returning one). */
  jwks?: JwksProvider;
  /** Environment overrides, applied last (before any handler module is imported). */
  env?: Record<string, string>;
  /** Stub handlers replacing the entry modules of infra/definitions.ts (tests). */
  handlers?: HandlerOverrides;
  /** Overrides of the roll-up consumer's mapping settings (tests: short windows, few retries). */
  streamConsumer?: Partial<StreamConsumerSettings>;
  /**
   * Overrides of the archiver's mapping settings (tests: a short window), or `'off'`: no archiver
   * (benchmarks that measure the roll-up alone).
   */
  archiveConsumer?: Partial<StreamConsumerSettings> | 'off';
  /** The archive's directory (ARCHIVE_DIR). Default: `<dataDir>/archive`, or a temporary directory removed by stop(). */
  archiveDir?: string;
  /** The exports' directory (EXPORTS_DIR). Default: `<dataDir>/exports`, or a temporary directory removed by stop(). */
  exportsDir?: string;
  /** Poller tuning (tests). */
  poller?: { pollIntervalMs?: number; discoveryIntervalMs?: number; retryBackoffMs?: { base: number; max: number } };
  /** Fail invocations that run past the function timeout, as Lambda does (default true). */
  enforceTimeouts?: boolean;
  /** No error output from the local API and poller (tests that provoke failures). */
  quiet?: boolean;
}

export interface LocalRuntime {
  role: RuntimeRole;
  /** The HTTP API's base URL ('' with role consumer). */
  baseUrl: string;
  /** The HTTP API's port (0 with role consumer). */
  port: number;
  dynamodbEndpoint: string;
  tableNames: Record<TableId, string>;
  /** `TABLE_ENTITIES` etc. */
  tableEnv: Record<string, string>;
  /** The roll-up consumer's stream poller (role api: none; calling its drain() is an error). */
  poller: StreamPoller;
  /** Every consumer's poller by consumer name (`streamConsumers`); none with role api. */
  pollers: Record<string, StreamPoller>;
  /** The directory the archiver writes the history archive to (ARCHIVE_DIR). */
  archiveDir: string;
  /** What the handlers of this runtime see (applied to process.env by the runtime). */
  handlerEnv: Record<string, string>;
  /** The DynamoDB Local this runtime spawned (undefined when it reused one). */
  dynamodb?: DynamoDbLocal;
  /** Settles when every asynchronous invocation started so far (export workers) has finished. */
  backgroundIdle(): Promise<void>;
  stop(): Promise<void>;
}

/** Stands in for a poller where the role runs none: asking it to drain is a mistake. */
const noPoller = (): StreamPoller => {
  const absent = () => Promise.reject(new Error('This runtime runs no stream consumer (role api)'));
  return {
    streamArn: '',
    drain: absent,
    whenIdle: absent,
    deadLetters: () => [],
    counters: emptyPollerCounters,
    stop: () => Promise.resolve(),
  };
};

export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const role = options.role ?? 'all';
  const inMemory = options.inMemory ?? options.dataDir === undefined;
  const dataDir = inMemory ? undefined : options.dataDir;
  const region = runtimeRegion(process.env, options.env);
  const lambda: LambdaEnvironment = { region, accountId: '000000000000', functionNamePrefix: 'advocacy-local-' };

  // Stopped in this order: HTTP first (no new events), then the poller (it finishes its
  // batch), then DynamoDB Local. Filled in as parts start, so a failed start cleans up too.
  const parts: {
    http?: () => Promise<void>;
    background?: () => Promise<void>;
    poller?: () => Promise<void>;
    dynamodb?: () => Promise<void>;
    archiveDir?: () => Promise<void>;
    exportsDir?: () => Promise<void>;
  } = {};
  const cleanUp = async () => {
    for (const stopPart of [parts.http, parts.background, parts.poller, parts.dynamodb, parts.archiveDir, parts.exportsDir]) {
      await stopPart?.().catch((error) => console.error('[local-runtime] stop failed:', error));
    }
  };

  try {
    let dynamodb: DynamoDbLocal | undefined;
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      dynamodb = await startDynamoDbLocal(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : { inMemory: true });
      parts.dynamodb = dynamodb.stop;
      dynamodbEndpoint = dynamodb.endpoint;
    }
    const tables = await ensureTables(dynamodbEndpoint, { prefix: options.tablePrefix, region });

    let archiveDir = options.archiveDir ?? (dataDir ? join(dataDir, 'archive') : undefined);
    if (!archiveDir) {
      const temporary = await mkdtemp(join(tmpdir(), 'advocacy-archive-'));
      parts.archiveDir = () => rm(temporary, { recursive: true, force: true });
      archiveDir = temporary;
    }
    // The exports' directory store: the one given (`npm start`'s workers share one), else kept
    // with the data, or thrown away on stop.
    let exportsDir = options.exportsDir ?? (dataDir ? join(dataDir, 'exports') : undefined);
    if (!exportsDir) {
      const temporary = await mkdtemp(join(tmpdir(), 'advocacy-exports-'));
      parts.exportsDir = () => rm(temporary, { recursive: true, force: true });
      exportsDir = temporary;
    }

    const loadHandler = createHandlerLoader(options.handlers);
    const jwks = options.issuer?.jwks ?? options.jwks;
    const http =
      role === 'consumer'
        ? undefined
        : await startHttpServer({
            loadHandler,
            host: options.host,
            port: options.port ?? 0,
            jwks,
            lambda,
            enforceTimeouts: options.enforceTimeouts,
            quiet: options.quiet,
            logRequests: (options.env?.LOCAL_HTTP_LOG ?? process.env.LOCAL_HTTP_LOG) === '1',
          });
    parts.http = http?.close;

    // Applied before the first request can reach a handler (handlers are imported lazily on
    // first use, and nothing is invoked between the listen above and this line).
    const handlerEnv = handlerEnvironment({
      base: process.env,
      region,
      // Stands in for KMS when sealing webhook secrets; kept with the data so they survive restarts.
      secretsKey: () => loadOrCreateSecretsKey(dataDir),
      dynamodbEndpoint,
      tableEnv: tables.env,
      issuer: options.issuer,
      publicBaseUrl: options.publicBaseUrl ?? http?.baseUrl,
      jwksUrl: http && jwks ? `${http.baseUrl}/.well-known/jwks.json` : undefined,
      exportsDir,
      overrides: { [archiveDirEnvVar]: archiveDir, ...options.env },
    });
    applyHandlerEnvironment(handlerEnv);

    // Lambda's asynchronous invocations (the export worker), run in the background of this process.
    const background = createBackgroundInvoker(createInvoker({ loadHandler, lambda, enforceTimeouts: options.enforceTimeouts ?? true }), (id, error) => {
      if (!options.quiet) console.error(`[local-runtime] asynchronous ${id} failed:`, error);
    });
    if (role !== 'consumer') registerLocalAsyncInvoker((target, payload) => background.start(target, payload));
    parts.background = async () => {
      registerLocalAsyncInvoker(undefined);
      await background.idle();
    };

    const pollers: Record<string, StreamPoller> = {};
    parts.poller = async () => {
      await Promise.all(Object.values(pollers).map((running) => running.stop()));
    };
    if (role !== 'api') {
      const overrides = { [streamConsumer.name]: options.streamConsumer, [archiveConsumer.name]: options.archiveConsumer };
      for (const definition of streamConsumers) {
        const override = overrides[definition.name];
        if (override === 'off') continue;
        const settings = { ...definition, ...override };
        pollers[definition.name] = await startStreamPoller({
          endpoint: dynamodbEndpoint,
          tableName: tables.tableNames[definition.table],
          loadHandler: () => loadHandler(settings.function),
          settings,
          dataDir,
          region,
          lambda,
          enforceTimeouts: options.enforceTimeouts,
          quiet: options.quiet,
          ...options.poller,
        });
      }
    }
    const poller = pollers[streamConsumer.name] ?? noPoller();

    let stopping: Promise<void> | undefined;
    return {
      role,
      baseUrl: http?.baseUrl ?? '',
      port: http?.port ?? 0,
      dynamodbEndpoint,
      tableNames: tables.tableNames,
      tableEnv: tables.env,
      poller,
      pollers,
      archiveDir,
      handlerEnv,
      dynamodb,
      backgroundIdle: () => background.idle(),
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
};
