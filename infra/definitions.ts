/**
 * The single definition of tables, functions, routes and stream settings.
 * Both the CDK stack (infra/stack.ts) and the local runtime (infra/local/) read this file,
 * so the two cannot drift apart. Keep it free of AWS SDK and CDK imports.
 */

import type { RollupDimension } from '../shared/domain/rollup.js';
import { webAssetFiles } from '../shared/web-assets.js';

export type AttributeType = 'S' | 'N';

export interface KeyDefinition {
  partitionKey: { name: string; type: AttributeType };
  sortKey?: { name: string; type: AttributeType };
}

export interface TableDefinition extends KeyDefinition {
  /** Logical id, also the env var suffix (`TABLE_<ENV>`) handlers read the table name from. */
  id: 'entities' | 'events' | 'rollups';
  envVar: string;
  /** Local table name; on AWS CloudFormation names the table. */
  localName: string;
  globalSecondaryIndexes: Array<KeyDefinition & { indexName: string }>;
  timeToLiveAttribute?: string;
  stream?: 'NEW_IMAGE';
}

export const tables = {
  /** Organizations, API keys, campaigns, advocates, links, webhook sources and their lookup items. */
  entities: {
    id: 'entities',
    envVar: 'TABLE_ENTITIES',
    localName: 'entities',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
      },
      {
        indexName: 'gsi2',
        partitionKey: { name: 'gsi2pk', type: 'S' },
        sortKey: { name: 'gsi2sk', type: 'S' },
      },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
  /** Raw click and conversion events. Its stream feeds the roll-up consumer. */
  events: {
    id: 'events',
    envVar: 'TABLE_EVENTS',
    localName: 'events',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: 'byCampaign',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
      },
    ],
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
  },
  /** Exact counters per campaign × dimension × key × day, and the consumer's applied-event ledger. */
  rollups: {
    id: 'rollups',
    envVar: 'TABLE_ROLLUPS',
    localName: 'rollups',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof tables;

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
  /** Use of the webhook-secret key: `seal` (kms:Encrypt) or `open` (kms:Decrypt). */
  secrets?: 'seal' | 'open';
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
  apiKeys: {
    entry: 'functions/api-keys.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { entities: 'readWrite' },
    description: 'API key creation and revocation',
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
    tables: { entities: 'readWrite', events: 'write' },
    secrets: 'open',
    description: 'POST /v1/webhooks/conversions/{sourceId}: signed conversion intake',
  },
  analytics: {
    entry: 'functions/analytics.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 29,
    tables: { entities: 'read', events: 'read', rollups: 'read' },
    description: 'Dashboard reads: attribution, leaderboard, advocate stats, raw events',
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
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionId = keyof typeof functions;

export type RouteAuth = 'none' | 'authorizer';

export interface RouteDefinition {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** HTTP API path syntax: `/v1/links/{slug}`. */
  path: string;
  function: FunctionId;
  auth: RouteAuth;
}

/**
 * Every HTTP route. Order matters only for the local runtime's matcher: literal paths are
 * tried before parameterised ones, exactly as API Gateway prefers the most specific route.
 */
export const routes: RouteDefinition[] = [
  { method: 'GET', path: '/healthz', function: 'health', auth: 'none' },

  { method: 'POST', path: '/v1/campaigns', function: 'campaigns', auth: 'authorizer' },
  { method: 'GET', path: '/v1/campaigns', function: 'campaigns', auth: 'authorizer' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}', function: 'campaigns', auth: 'authorizer' },
  { method: 'PATCH', path: '/v1/campaigns/{campaignId}', function: 'campaigns', auth: 'authorizer' },

  { method: 'PUT', path: '/v1/advocates/{advocateId}', function: 'advocates', auth: 'authorizer' },
  { method: 'GET', path: '/v1/advocates/{advocateId}', function: 'advocates', auth: 'authorizer' },

  { method: 'POST', path: '/v1/links', function: 'links', auth: 'authorizer' },
  { method: 'GET', path: '/v1/links', function: 'links', auth: 'authorizer' },
  { method: 'GET', path: '/v1/links/{slug}', function: 'links', auth: 'authorizer' },
  { method: 'GET', path: '/v1/links/{slug}/qr', function: 'links', auth: 'authorizer' },
  { method: 'DELETE', path: '/v1/links/{slug}', function: 'links', auth: 'authorizer' },

  { method: 'POST', path: '/v1/api-keys', function: 'apiKeys', auth: 'authorizer' },
  { method: 'DELETE', path: '/v1/api-keys/{keyId}', function: 'apiKeys', auth: 'authorizer' },

  { method: 'POST', path: '/v1/webhook-sources', function: 'webhookSources', auth: 'authorizer' },
  { method: 'POST', path: '/v1/webhook-sources/{sourceId}/rotate', function: 'webhookSources', auth: 'authorizer' },
  { method: 'POST', path: '/v1/webhooks/conversions/{sourceId}', function: 'conversions', auth: 'none' },

  { method: 'GET', path: '/v1/campaigns/{campaignId}/attribution', function: 'analytics', auth: 'authorizer' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}/leaderboard', function: 'analytics', auth: 'authorizer' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}/events', function: 'analytics', auth: 'authorizer' },
  { method: 'GET', path: '/v1/advocates/{advocateId}/stats', function: 'analytics', auth: 'authorizer' },
  { method: 'GET', path: '/v1/conversions/unattributed', function: 'analytics', auth: 'authorizer' },

  // Public, data-free pages and the API description. Literal one-segment paths win over the
  // `/{slug}` catch-all (here and on API Gateway); slugs are 8 base62 characters, so none of
  // these names can be issued as a slug.
  { method: 'GET', path: '/openapi.json', function: 'openapi', auth: 'none' },
  { method: 'GET', path: '/dashboard', function: 'pages', auth: 'none' },
  { method: 'GET', path: '/me', function: 'pages', auth: 'none' },
  { method: 'GET', path: '/docs', function: 'pages', auth: 'none' },
  { method: 'GET', path: '/assets/{file}', function: 'pages', auth: 'none' },

  { method: 'GET', path: '/{slug}', function: 'redirect', auth: 'none' },
  { method: 'HEAD', path: '/{slug}', function: 'redirect', auth: 'none' },
];

/** The HTTP API's route key, as API Gateway writes it into `event.routeKey`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

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
 * The events-table stream consumer. The CDK event source mapping and the local poller both
 * take these values.
 */
export const streamConsumer = {
  function: 'rollup' as FunctionId,
  table: 'events' as TableId,
  startingPosition: 'TRIM_HORIZON' as const,
  batchSize: 5000,
  maxBatchingWindowSeconds: 2,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 60 * 60,
  parallelizationFactor: 1,
  /** Only inserts carry new facts; updates and TTL deletions are not delivered. */
  filterEventNames: ['INSERT'] as const,
};

/** Default HTTP API throttling (stage-wide), and the higher limit for the public redirect. */
export const throttling = {
  defaultRateLimit: 200,
  defaultBurstLimit: 400,
  redirectRateLimit: 2000,
  redirectBurstLimit: 4000,
} as const;

/** Raw-event retention: DynamoDB TTL removes raw events after this many days. */
export const rawEventRetentionDays = 400;

export const apiScopes = [
  'campaigns:write',
  'advocates:write',
  'links:write',
  'analytics:read',
  'admin',
] as const;
export type ApiScope = (typeof apiScopes)[number];

/**
 * Write shards of the events table's `byCampaign` index. Every click of a campaign lands in
 * that index; on one partition key (`<org>#<campaign>`, time-ordered sort key, so DynamoDB's
 * split-for-heat cannot spread the appends) a campaign above ~1,000 clicks/s would exceed the
 * 1,000 WCU/s of a partition, and a throttled index throttles the redirect's own PutItem (lost
 * click ids). A click goes to shard `hash(clickId) mod campaignIndexShards` (shard 0 is the
 * unsuffixed key of the unsharded layout); readers query every shard and merge by time
 * (shared/adapters/event-reads.ts, shared/reconcile.ts). 16 shards take ~16,000 clicks/s of one
 * campaign (a click item is ~0.6 KB: 1 WCU); an events page then costs 16 small queries.
 *
 * Only ever raise it: readers query shards 0…n−1, so lowering it would hide the clicks written to
 * the shards above. Raising it invalidates raw-event cursors issued before (400, start again).
 * bench/hotkeys/ measures it: `npm run simulate:hotkeys` (docs/scaling.md).
 */
export const campaignIndexShards = 16;

/**
 * Partitions per roll-up dimension. Every row of a campaign's dimension used to share one
 * partition key (`R#<org>#<campaign>#<dimension>`): each row is written at most once per
 * transaction (≤ ~500 WCU/s per row at 10,000 clicks/s on one campaign), but a viral campaign's
 * `link` and `advocate` rows together took 2,300–7,700 WCU/s — above the 1,000 WCU/s of a
 * partition, and DynamoDB splits a hot key range only after minutes of heat. Now a row's partition
 * is chosen by its key (link slug, advocate id…): shard `hash(key) mod n` (FNV-1a, `shardOf`;
 * channels by their place in the channel list, one channel per shard), shard 0 being the unsuffixed
 * key of the unsharded layout, `#<n>` the others. A key's daily and all-time rows stay together in
 * exactly one item each — no reader sums shards of a row; dimension reads query the n partitions in
 * parallel and merge them (shared/adapters/rollup-reads.ts, shared/reconcile.ts).
 *
 * Sharding by key spreads a dimension's keys, not one key: the `campaign` dimension has the single
 * key `all` (its two rows, the campaign totals, take ≤ ~1,000 WCU/s together), so it stays 1.
 *
 * **Do not change a dimension's count once it holds rows.** Lowering it hides the rows of the
 * shards above (readers query shards 0…n−1). Unlike `campaignIndexShards` (a click is written
 * once), raising it is not free either: a row is updated in place, and a key whose shard changes
 * would start a second item beside its old one — dimension reads would still sum them per key,
 * but a link's stats (one `GetItem`) and `reconcileCampaign` (one item per row) would not. Changing
 * it on live data takes a re-aggregation of the roll-ups. bench/hotkeys/ measures it:
 * `npm run simulate:hotkeys` (docs/scaling.md, "Hot keys").
 */
export const rollupPartitionShards = {
  campaign: 1,
  link: 16,
  advocate: 16,
  /** One per channel (`shared/domain/channels.ts`, append-only): two busy channels never share one. */
  channel: 12,
  department: 16,
} as const satisfies Record<RollupDimension, number>;

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
