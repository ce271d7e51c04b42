/**
 * Every HTTP route of the API: method, path, the function that serves it, and whether the
 * authorizer runs first. The CDK stack, the local runtime, the functions' routers and the OpenAPI
 * document all read this list.
 */

/** The product's functions (one Lambda each); infra/definitions.ts says how each is deployed. */
export const functionIds = [
  'redirect',
  'authorizer',
  'health',
  'campaigns',
  'advocates',
  'links',
  'apiKeys',
  'webhookSources',
  'conversions',
  'analytics',
  'openapi',
  'pages',
  'rollup',
] as const;
export type FunctionId = (typeof functionIds)[number];

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

