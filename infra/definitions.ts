/**
 * The single definition of tables, functions, routes and stream settings.
 * Both the CDK stack (infra/stack.ts) and the local runtime (infra/local/) read this file,
 * so the two cannot drift apart. Keep it free of AWS SDK and CDK imports.
 */

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
