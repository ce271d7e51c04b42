/**
 * The whole system on one machine: DynamoDB Local (spawned, or one already running), the tables
 * of infra/definitions.ts, the local HTTP API and the events-stream poller — wired with the same
 * environment variables the CDK stack gives the functions.
 *
 * Handler modules read process.env, and Node caches modules per process, so one process runs
 * one runtime at a time (the environment is that of the runtime started last).
 */
import { loadOrCreateSecretsKey } from './issuer.js';
import { join } from 'node:path';
import { streamConsumer } from '../definitions.js';
import type { TableId } from '../../shared/settings.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { startHttpServer, type JwksProvider } from './http-server.js';
import { createHandlerLoader, defaultLambdaEnvironment, type HandlerOverrides } from './lambda.js';
import { startStreamPoller, type StreamConsumerSettings, type StreamPoller } from './stream-poller.js';
import { ensureTables } from './tables.js';

export interface IssuerSettings {
  issuer: string;
  audience: string;
  jwks: object;
}

export interface LocalRuntimeOptions {
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
  /** Overrides of the stream mapping settings (tests: short windows, few retries). */
  streamConsumer?: Partial<StreamConsumerSettings>;
  /** Poller tuning (tests). */
  poller?: { pollIntervalMs?: number; discoveryIntervalMs?: number; retryBackoffMs?: { base: number; max: number } };
  /** Fail invocations that run past the function timeout, as Lambda does (default true). */
  enforceTimeouts?: boolean;
  /** No error output from the local API and poller (tests that provoke failures). */
  quiet?: boolean;
}

export interface LocalRuntime {
  baseUrl: string;
  port: number;
  dynamodbEndpoint: string;
  tableNames: Record<TableId, string>;
  /** `TABLE_ENTITIES` etc. */
  tableEnv: Record<string, string>;
  poller: StreamPoller;
  /** The DynamoDB Local this runtime spawned (undefined when it reused one). */
  dynamodb?: DynamoDbLocal;
  stop(): Promise<void>;
}

/** Defaults that make the handlers behave well outside Lambda; explicit settings win. */
const setEnvironmentDefaults = () => {
  const defaults: Record<string, string> = {
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_SERVICE_NAME: 'advocacy',
    POWERTOOLS_METRICS_NAMESPACE: 'advocacy',
    // Pretty logs, and no EMF metric blobs on stdout (set POWERTOOLS_METRICS_DISABLED=false to see them).
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Per-request INFO logs would drown the terminal and the benchmarks.
    POWERTOOLS_LOG_LEVEL: 'WARN',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [name, value] of Object.entries(defaults)) {
    if (!process.env[name]) process.env[name] = value;
  }
};

export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const inMemory = options.inMemory ?? options.dataDir === undefined;
  const dataDir = inMemory ? undefined : options.dataDir;
  setEnvironmentDefaults();
  // Stands in for KMS when sealing webhook secrets; kept with the data so they survive restarts.
  process.env.LOCAL_SECRETS_KEY ||= loadOrCreateSecretsKey(dataDir);
  Object.assign(process.env, options.env);

  // Stopped in this order: HTTP first (no new events), then the poller (it finishes its
  // batch), then DynamoDB Local. Filled in as parts start, so a failed start cleans up too.
  const parts: { http?: () => Promise<void>; poller?: () => Promise<void>; dynamodb?: () => Promise<void> } = {};
  const cleanUp = async () => {
    for (const stopPart of [parts.http, parts.poller, parts.dynamodb]) {
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

    const region = process.env.AWS_REGION!;
    const tables = await ensureTables(dynamodbEndpoint, { prefix: options.tablePrefix, region });
    Object.assign(process.env, { DYNAMODB_ENDPOINT: dynamodbEndpoint }, tables.env);
    if (options.issuer) {
      process.env.JWT_ISSUER = options.issuer.issuer;
      process.env.JWT_AUDIENCE = options.issuer.audience;
    }
    Object.assign(process.env, options.env);

    const loadHandler = createHandlerLoader(options.handlers);
    const lambda = defaultLambdaEnvironment();
    const jwks = options.issuer?.jwks ?? options.jwks;
    const http = await startHttpServer({
      loadHandler,
      host: options.host,
      port: options.port ?? 0,
      jwks,
      lambda,
      enforceTimeouts: options.enforceTimeouts,
      quiet: options.quiet,
    });
    parts.http = http.close;
    // Set before the first request can arrive (handlers are imported lazily on first use).
    process.env.PUBLIC_BASE_URL = options.publicBaseUrl ?? http.baseUrl;
    if (jwks) process.env.JWKS_URL = `${http.baseUrl}/.well-known/jwks.json`;
    Object.assign(process.env, options.env);

    const settings = { ...streamConsumer, ...options.streamConsumer };
    const poller = await startStreamPoller({
      endpoint: dynamodbEndpoint,
      tableName: tables.tableNames[streamConsumer.table],
      loadHandler: () => loadHandler(settings.function),
      settings,
      dataDir,
      region,
      lambda,
      enforceTimeouts: options.enforceTimeouts,
      quiet: options.quiet,
      ...options.poller,
    });
    parts.poller = poller.stop;

    let stopping: Promise<void> | undefined;
    return {
      baseUrl: http.baseUrl,
      port: http.port,
      dynamodbEndpoint,
      tableNames: tables.tableNames,
      tableEnv: tables.env,
      poller,
      dynamodb,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
};
