/**
 * The single definition of how the product is deployed: tables, functions, the authorizer, the
 * stream consumer, throttling and capacity. Both the CDK stack (infra/stack.ts) and the local
 * runtime (infra/local/) read this file, so the two cannot drift apart. The product's own facts
 * — routes (shared/contract/routes.ts), scopes (shared/domain/scopes.ts), retention and shard
 * counts (shared/settings.ts) — live under shared/ and are imported here, never the reverse.
 * Keep it free of AWS SDK and CDK imports.
 */

import { routes, type FunctionId } from '../shared/contract/routes.js';
import { campaignIndexName, type TableId } from '../shared/settings.js';
import { webAssetFiles } from '../shared/contract/web-assets.js';
import { CLICK_REQUEST_HEADERS, VIEWER_HOST_HEADER } from '../shared/application/record-click.js';
import { EXPORT_WORKER_TIMEOUT_SECONDS } from '../shared/domain/exports.js';
import { ERASURE_WORKER_TIMEOUT_SECONDS } from '../shared/domain/erasure.js';

export type AttributeType = 'S' | 'N';

export interface KeyDefinition {
  partitionKey: { name: string; type: AttributeType };
  sortKey?: { name: string; type: AttributeType };
}

/**
 * What an index holds besides the keys: `ALL` (every attribute: the item stored twice) or
 * `KEYS_ONLY` (the table's and the index's keys; readers fetch the items from the table).
 */
export type IndexProjection = 'ALL' | 'KEYS_ONLY';

export interface IndexDefinition extends KeyDefinition {
  indexName: string;
  projection: IndexProjection;
}

export interface TableDefinition extends KeyDefinition {
  /** The product's table id (shared/settings.ts); handlers read its name from `tableEnvVar(id)`. */
  id: TableId;
  /** Local table name; on AWS CloudFormation names the table. */
  localName: string;
  globalSecondaryIndexes: IndexDefinition[];
  timeToLiveAttribute?: string;
  stream?: 'NEW_IMAGE';
  /**
   * Point-in-time recovery (continuous backups, 35 days, billed per GB of table). On where the
   * table is the only copy; off where another copy exists (docs/operations.md, "Backups and
   * restores", says what restores what).
   */
  pointInTimeRecovery: boolean;
}

export const tables = {
  /** Organizations, API keys, campaigns, advocates, links, short domains, webhook sources and their lookup items. */
  entities: {
    id: 'entities',
    localName: 'entities',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
        projection: 'ALL',
      },
      {
        indexName: 'gsi2',
        partitionKey: { name: 'gsi2pk', type: 'S' },
        sortKey: { name: 'gsi2sk', type: 'S' },
        projection: 'ALL',
      },
    ],
    timeToLiveAttribute: 'expiresAt',
    // The only copy of organizations, keys, links and webhook secrets.
    pointInTimeRecovery: true,
  },
  /** Raw click and conversion events. Its stream feeds the roll-up consumer. */
  events: {
    id: 'events',
    localName: 'events',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      {
        // A campaign's clicks by time (events pages, reconciliation). Keys only: the readers fetch
        // the items they show from the table (BatchGetItem), so a click is stored once, not twice
        // (docs/scaling.md, "The byCampaign index's projection", measured both ways).
        indexName: campaignIndexName,
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
        projection: 'KEYS_ONLY',
      },
    ],
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    // Off: raw events are archived to S3 (spec section 14) and live in the table only for the
    // attribution window; point-in-time recovery would back up the busiest table a second time.
    pointInTimeRecovery: false,
  },
  /** Exact counters per campaign × dimension × key × day, and the consumer's applied-event ledger. */
  rollups: {
    id: 'rollups',
    localName: 'rollups',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiresAt',
    // The roll-ups are the product's answer; rebuilt from raw events only within the hot window.
    pointInTimeRecovery: true,
  },
} as const satisfies Record<TableId, TableDefinition>;

export type TableAccess = 'read' | 'write' | 'readWrite';

export interface FunctionDefinition {
  /** Entry file, relative to the repository root. */
  entry: string;
  /** Exported handler name. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Tables the function touches and how; drives IAM grants and env vars. */
  tables: Partial<Record<TableId, TableAccess>>;
  /**
   * Use of the history archive's object store (shared/adapters/object-store.ts): drives the S3
   * grant and `ARCHIVE_BUCKET` on AWS, `ARCHIVE_DIR` locally.
   */
  archive?: TableAccess;
  /**
   * Tables it deletes items from (dynamodb:DeleteItem, granted apart: no other function deletes):
   * the erasure worker re-keys a visitor's clicks and drops customer paths and its own lookups.
   */
  deletes?: readonly TableId[];
  /** Use of the webhook-secret key: `seal` (kms:Encrypt) or `open` (kms:Decrypt). */
  secrets?: 'seal' | 'open';
  /** Use of the export download-link HMAC key: `sign` (kms:GenerateMac) or `verify` (kms:VerifyMac). */
  downloadLinks?: 'sign' | 'verify';
  /** Functions it starts asynchronously (lambda:InvokeFunction; `<ID>_FUNCTION_NAME` env var). */
  invokes?: readonly FunctionId[];
  /** Runs export queries: the archive (read), the exports bucket (read/write), Athena and Glue. */
  exportEngine?: boolean;
  /** Reads export files from the exports bucket (presigned downloads). */
  exportFiles?: 'read';
  /**
   * Files (relative to the repository root) the handler reads at run time: copied next to the
   * bundle on AWS under the same relative paths; read from the repository locally.
   */
  files?: readonly string[];
  description: string;
}

export const functions = {
  redirect: {
    entry: 'functions/redirect.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 5,
    tables: { entities: 'read', events: 'readWrite' },
    description: 'GET/HEAD /{slug}: classify, record the click, answer 302',
  },
  authorizer: {
    entry: 'functions/authorizer.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 5,
    tables: { entities: 'read' },
    description: 'HTTP API Lambda authorizer: API keys (ak_…) and advocate JWTs',
  },
  health: {
    entry: 'functions/health.ts',
    handler: 'handler',
    memoryMb: 128,
    timeoutSeconds: 3,
    tables: {},
    description: 'GET /healthz',
  },
  campaigns: {
    entry: 'functions/campaigns.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    description: 'Campaign management',
  },
  advocates: {
    entry: 'functions/advocates.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    description: 'Advocate management',
  },
  links: {
    entry: 'functions/links.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite', rollups: 'read' },
    description: 'Tracked link issuance, listing, stats and disabling',
  },
  shares: {
    entry: 'functions/shares.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    // entities: the campaign, the advocate (created on an advocate's first use) and the flood
    // cap's counter; events: the share itself.
    tables: { entities: 'readWrite', events: 'write' },
    description: 'POST /v1/shares: record that an advocate started a share (flood-capped)',
  },
  domains: {
    entry: 'functions/domains.ts',
    handler: 'handler',
    memoryMb: 256,
    // Verification waits for DNS: at most the first query and one retry (3 × DNS_TIMEOUT_MS).
    timeoutSeconds: 15,
    tables: { entities: 'readWrite' },
    description: 'Short domains: add, list, verify by DNS TXT record, make primary, delete',
  },
  apiKeys: {
    entry: 'functions/api-keys.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    description: 'API key creation and revocation',
  },
  organization: {
    entry: 'functions/organization.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    description: "GET/PATCH /v1/organization: the organization's privacy settings",
  },
  webhookSources: {
    entry: 'functions/webhook-sources.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    secrets: 'seal',
    description: 'Webhook sources: create and rotate signing secrets',
  },
  conversions: {
    entry: 'functions/conversions.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 10,
    // events read: a refund is checked against its conversion before it is stored.
    tables: { entities: 'readWrite', events: 'readWrite' },
    secrets: 'open',
    description: 'POST /v1/webhooks/conversions/{sourceId}: signed conversion and refund intake',
  },
  analytics: {
    entry: 'functions/analytics.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 29,
    tables: { entities: 'read', events: 'read', rollups: 'read' },
    description: 'Dashboard reads: attribution, leaderboard, advocate stats, raw events',
  },
  exports: {
    entry: 'functions/exports.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    downloadLinks: 'sign',
    invokes: ['exportWorker'],
    description: 'POST /v1/exports, GET /v1/exports/{exportId}: history exports, queued and followed',
  },
  exportDownload: {
    entry: 'functions/export-download.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'read' },
    downloadLinks: 'verify',
    exportFiles: 'read',
    description: 'GET /v1/exports/{exportId}/download: checks the signed link, redirects to the file',
  },
  exportWorker: {
    entry: 'functions/export-worker.ts',
    handler: 'handler',
    // Stages a range's hot events (up to ~90 days of a campaign's clicks) as Parquet in memory.
    memoryMb: 1024,
    // Athena's queue and scan of 13 months of a large program, with room to spare (Lambda's maximum).
    timeoutSeconds: EXPORT_WORKER_TIMEOUT_SECONDS,
    tables: { entities: 'readWrite', events: 'read', rollups: 'read' },
    archive: 'read',
    exportEngine: true,
    description: 'Export worker (invoked asynchronously): stages hot events, runs the export query, marks the export done',
  },
  privacyErasures: {
    entry: 'functions/privacy-erasures.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    invokes: ['erasureWorker'],
    description: 'POST /v1/privacy/erasures, GET /v1/privacy/erasures/{erasureId}: erasure requests, queued and followed',
  },
  erasureWorker: {
    entry: 'functions/erasure-worker.ts',
    handler: 'handler',
    // Decodes and re-encodes one archive file at a time.
    memoryMb: 1024,
    timeoutSeconds: ERASURE_WORKER_TIMEOUT_SECONDS,
    // events: re-keys clicks, strips conversions; rollups: credit records, customer paths, the ledger (read).
    tables: { entities: 'readWrite', events: 'readWrite', rollups: 'readWrite' },
    deletes: ['entities', 'events', 'rollups'],
    archive: 'readWrite',
    description: "Erasure worker (invoked asynchronously): removes a visitor's or customer's identifiers, resumably",
  },
  openapi: {
    entry: 'functions/openapi.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 5,
    tables: {},
    description: 'GET /openapi.json: the OpenAPI 3.1 document, generated from the zod schemas',
  },
  pages: {
    entry: 'functions/pages.ts',
    handler: 'handler',
    memoryMb: 128,
    timeoutSeconds: 3,
    tables: {},
    files: webAssetFiles,
    description: 'GET /dashboard, /me, /docs and /assets/{file}: the static web pages',
  },
  rollup: {
    entry: 'functions/rollup.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 60,
    tables: { entities: 'read', events: 'read', rollups: 'readWrite' },
    description: 'Events stream consumer: exact roll-ups',
  },
  archiver: {
    entry: 'functions/archiver.ts',
    handler: 'handler',
    // A 10,000-record batch is ~6 MB of JSON in and a few MB of Parquet out, built in memory.
    memoryMb: 1024,
    timeoutSeconds: 120,
    // entities: each organization's archive retention class, the tag its files carry.
    tables: { entities: 'read' },
    archive: 'readWrite',
    description: 'Events stream consumer: raw events into the Parquet history archive',
  },
} as const satisfies Record<FunctionId, FunctionDefinition>;

/**
 * Lambda authorizer settings; the same handler runs locally before every `authorizer` route.
 * The authorizer only authenticates: it always answers `isAuthorized: true` with the principal
 * (or an `anonymous` principal and the reason) in its context, and the handler refuses with a
 * problem+json 401/403. API Gateway's own 401/403 bodies are not problem+json, so no identity
 * source is set (allowed because caching is off) and the authorizer runs on every request.
 */
export const authorizerSettings = {
  identitySource: [] as string[],
  /** No result caching: a revoked key stops working at once. */
  resultsCacheTtlSeconds: 0,
  responseType: 'SIMPLE' as const,
};

/**
 * The events-table stream consumers. The CDK event source mappings and the local poller both
 * take these values; each consumer has its own mapping, checkpoints and dead-letter queue.
 *
 * The roll-up consumer: exact counters, seconds behind the clicks.
 */
export const streamConsumer = {
  /** Names the consumer's construct, checkpoints and dead letters. */
  name: 'rollup',
  function: 'rollup' as FunctionId,
  table: 'events' as TableId,
  startingPosition: 'TRIM_HORIZON' as const,
  /** Not binding below ~165 clicks/s with the 30 s window: a batch closes on the window first. */
  batchSize: 5000,
  /**
   * 30 s, not 2 s (issue 15, measured in docs/scaling.md "Levers"): at a real program's rate
   * (0.3–3.7 clicks/s) a 2 s window delivers 1–7 clicks per batch and each click writes most of
   * its own counter rows; 30 s coalesces them into shared rows — roll-up write units per click
   * 29.2 → 15.5 — for a lag p95 of ~31 s (target ≤ 60 s).
   */
  maxBatchingWindowSeconds: 30,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 60 * 60,
  parallelizationFactor: 1,
  /** Only inserts carry new facts; updates and TTL deletions are not delivered. */
  filterEventNames: ['INSERT'] as const,
};

/**
 * The archiver (docs/architecture.md, "The history archive"): every inserted event into Parquet.
 * Large batches and a long window make few, large files (an archive of many small files is slow
 * and costly to query, and each S3 PUT is billed); an event is at most ~5 minutes behind in the
 * archive, which it joins months before it leaves the hot table. No bisection: the archiver fails
 * whole batches only (a retry must start at the batch's first record, which names its files);
 * `reportBatchItemFailures` lets it say so without counting as a function error.
 */
export const archiveConsumer = {
  name: 'archive',
  function: 'archiver' as FunctionId,
  table: 'events' as TableId,
  startingPosition: 'TRIM_HORIZON' as const,
  batchSize: 10_000,
  maxBatchingWindowSeconds: 300,
  bisectBatchOnError: false,
  reportBatchItemFailures: true,
  retryAttempts: 10,
  // The stream keeps records 24 hours; give up (DLQ) well before they vanish, so a replay can still read them.
  maxRecordAgeSeconds: 12 * 60 * 60,
  parallelizationFactor: 1,
  filterEventNames: ['INSERT'] as const,
  /** Its iterator age reaches the 5-minute window in normal operation; alarm when it is far past it. */
  iteratorAgeAlarmSeconds: 30 * 60,
};

/** Every consumer of the events stream: the CDK stack and the local runtime start one mapping each. */
export const streamConsumers = [streamConsumer, archiveConsumer] as const;
export type StreamConsumerDefinition = (typeof streamConsumers)[number];

/** Default HTTP API throttling (stage-wide), and the higher limit for the public redirect. */
export const throttling = {
  defaultRateLimit: 200,
  defaultBurstLimit: 400,
  redirectRateLimit: 2000,
  redirectBurstLimit: 4000,
} as const;

/** Reads and writes per second a table (and each of its indexes) can take at once, from the first second. */
export interface WarmThroughput {
  readUnitsPerSecond: number;
  writeUnitsPerSecond: number;
}

/**
 * Capacity settings that matter at internet scale, read by the CDK stack (docs/scaling.md, "Limits
 * on paper", says when to change them). The other scale settings live with what they govern:
 * `throttling` (API Gateway), `streamConsumer` (batch size, window, parallelization factor),
 * `campaignIndexShards`, `rollupPartitionShards`. Defaults are safe for a first deploy into a
 * fresh account: nothing reserved, nothing pre-warmed.
 */
export const scaling = {
  /**
   * Lambda reserved concurrency per function. None by default: reservations come out of the
   * account's concurrency quota (1,000 by default, lower in some new accounts, and 100 must stay
   * unreserved), so a first deploy must not claim any. Reserving for the redirect (e.g.
   * `{ redirect: 900 }`) keeps a burst elsewhere from starving it — and also caps it.
   */
  reservedConcurrency: {} as Partial<Record<FunctionId, number>>,
  /**
   * Warm throughput per table (applied to its indexes too). None by default (pre-warming is
   * billed once): a new on-demand table takes ~4,000 writes/s at once and scales beyond on its
   * own. Before an expected spike above that, e.g. `{ events: { readUnitsPerSecond: 12_000,
   * writeUnitsPerSecond: 12_000 } }` for 10,000 clicks/s.
   */
  warmThroughput: {} as Partial<Record<TableId, WarmThroughput>>,
};

/**
 * The CDN in front of the HTTP API and the redirect's function URL
 * (infra/constructs/edge-distribution.ts; docs/scaling.md, "The CDN and the redirect's origin",
 * says why the redirect's origin is its function URL). Paths are CloudFront path patterns.
 */
export const edge = {
  /**
   * Cached at the edge and revalidated by ETag: the static pages and the OpenAPI document
   * (their routes' functions answer `ETag` and 304). Derived from the routes, so a new page is
   * cached without an edit here.
   */
  cachedPaths: routes
    .filter((route) => route.function === 'pages' || route.function === 'openapi')
    .map((route) => route.path.replace(/\{[^}]+\}$/, '*')),
  /** Never cached, every method and header (Authorization included) forwarded: the API and its webhooks. */
  apiPaths: ['/v1/*'],
  /**
   * Never cached, GET/HEAD, to the HTTP API: the routes outside `/v1` that are neither a page nor
   * the redirect (`/healthz`). Everything else goes to the redirect's function URL.
   */
  apiGetPaths: routes
    .filter((route) => !route.path.startsWith('/v1/') && !['pages', 'openapi', 'redirect'].includes(route.function))
    .map((route) => route.path),
  /**
   * Where CloudFront sends the redirect: its Lambda function URL (edge-distribution.ts builds it;
   * no API Gateway request per click). The cost model prices what this says.
   */
  redirectOrigin: 'functionUrl' as 'functionUrl' | 'httpApi',
  /** How long CloudFront waits for the redirect's answer (its function times out at 5 s). */
  redirectOriginReadTimeoutSeconds: 10,
  /**
   * How long the edge keeps a page before asking the origin again (with `If-None-Match`; a 304
   * costs no body). The origin says `no-cache` to browsers; the minimum TTL makes the edge hold
   * the page that long anyway, so a deploy shows within a minute.
   */
  pageTtlSeconds: { min: 60, default: 60, max: 86_400 },
  /** Strict-Transport-Security max-age: two years, the preload list's minimum. */
  hstsMaxAgeSeconds: 2 * 365 * 24 * 60 * 60,
  /**
   * The header carrying the viewer's Host to the origin (API Gateway needs its own Host). The
   * host-aware redirect reads exactly this name, else `host`.
   */
  forwardedHostHeader: VIEWER_HOST_HEADER,
  /**
   * What the redirect's behaviour forwards: exactly the headers a click is decided by, the
   * viewer's country among them (a CloudFront header: only an allow-list names it for certain),
   * and every cookie and query string.
   */
  redirectHeaders: CLICK_REQUEST_HEADERS,
} as const;

/** History exports on AWS (infra/constructs/export-analytics.ts). */
export const exportSettings = {
  /**
   * Bytes one Athena query may scan: 10 GB ($0.05 at $5/TB). A year of a 2 M-clicks-a-month
   * program is ~24 M clicks, ~0.7 GB of Parquet (bench: 1 M clicks in 27 MB); anything beyond is
   * a runaway query.
   */
  bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
};

/** Log levels Powertools understands (`POWERTOOLS_LOG_LEVEL`). */
export const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * What the operator watches (infra/constructs/operations-monitoring.ts; docs/operations.md says
 * what each alarm means and what to do).
 */
export const monitoring = {
  /** Function log level on AWS unless the `LogLevel` parameter says otherwise. */
  defaultLogLevel: 'WARN' as (typeof logLevels)[number],
  /** HTTP API 5xx answers, as a share of all requests over 5 minutes, above which to alarm. */
  apiErrorRatePercent: 1,
  /** Age of the newest roll-up applied (metric `RollupLag`) above which to alarm, 3 minutes running. */
  rollupLagSeconds: 120,
  /** Functions whose throttling is an outage of a path: the redirect, the API's door, the intake, the consumer. */
  throttleWatchedFunctions: ['redirect', 'authorizer', 'conversions', 'rollup'] as FunctionId[],
};
