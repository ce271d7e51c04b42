/**
 * The product's functions and the list of its HTTP routes (method, path, function, whether the
 * authorizer runs first), as the CDK stack and the local runtime need them. The routes are derived
 * from the one record per route in ./operations.ts.
 */
import { operations } from './operations.js';

/** The product's functions (one Lambda each); infra/definitions.ts says how each is deployed. */
export const functionIds = [
  'redirect',
  'authorizer',
  'health',
  'campaigns',
  'advocates',
  'links',
  'shares',
  'domains',
  'apiKeys',
  'organization',
  'webhookSources',
  'conversions',
  'analytics',
  'exports',
  'exportDownload',
  'exportWorker',
  'privacyErasures',
  'erasureWorker',
  'openapi',
  'pages',
  'rollup',
  'archiver',
] as const;
export type FunctionId = (typeof functionIds)[number];

export type RouteAuth = 'none' | 'authorizer';

export interface RouteDefinition {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** HTTP API path syntax: `/v1/links/{slug}`. */
  path: string;
  function: FunctionId;
  auth: RouteAuth;
  /** Why a route without the authorizer needs none (cdk-nag APIG4). */
  publicReason?: string;
}

/** The HTTP API's route key, as API Gateway writes it into `event.routeKey`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/**
 * Every HTTP route, derived from the route records of ./operations.ts. API Gateway and the local
 * runtime's matcher both prefer literal paths to parameterised ones, so the order does not matter.
 */
export const routes: RouteDefinition[] = Object.entries(operations).map(([key, operation]) => {
  const [method, path] = key.split(' ') as [RouteDefinition['method'], string];
  const { auth } = operation;
  return auth.kind === 'credential'
    ? { method, path, function: operation.function, auth: 'authorizer' }
    : { method, path, function: operation.function, auth: 'none', publicReason: auth.reason };
});
