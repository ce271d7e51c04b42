/**
 * The router of the credentialed routes: it dispatches on API Gateway's `routeKey`, resolves the
 * principal the authorizer set, enforces the access each route's record grants
 * (./operations.ts) and turns errors into problem+json.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { isTransientDynamoError } from '../adapters/transient-errors.js';
import { logger } from '../adapters/observability.js';
import { InvalidCursorError } from '../domain/errors.js';
import type { AuthorizerContext, Principal } from '../domain/principal.js';
import { hasScope, type ApiScope } from '../domain/scopes.js';
import { HttpError, problem, serviceUnavailable, type HttpResult } from './http.js';
import { operations, type OperationAuth } from './operations.js';
import type { FunctionId } from './routes.js';

export const principalOf = (event: APIGatewayProxyEventV2): Principal => {
  const context = (event.requestContext as { authorizer?: { lambda?: AuthorizerContext } }).authorizer?.lambda;
  if (context?.principal === 'apiKey' && context.orgId && context.keyId) {
    const scopes = (context.scopes ?? '').split(',').filter(Boolean) as ApiScope[];
    return { kind: 'apiKey', orgId: context.orgId, keyId: context.keyId, scopes };
  }
  if (context?.principal === 'advocate' && context.orgId && context.advocateId) {
    return { kind: 'advocate', orgId: context.orgId, advocateId: context.advocateId };
  }
  if (context?.principal === 'unavailable') throw new HttpError(503, context.reason ?? 'The database is temporarily unavailable; retry later');
  throw new HttpError(401, context?.reason ?? 'A valid API key or advocate token is required');
};

/**
 * The access a route's record grants (shared/contract/operations.ts): an API key needs the route's
 * scope (`admin` implies every scope; `any` takes any key of the organization); an advocate token
 * passes only where the record admits advocates. Which advocate may see what stays the handler's.
 */
const checkAccess = (principal: Principal, access: CredentialAccess): void => {
  const { apiKeyScope, advocate } = access;
  if (principal.kind === 'advocate') {
    if (advocate) return;
    throw new HttpError(403, apiKeyScope === 'any' ? 'This operation needs an API key' : `This operation needs an API key with the ${apiKeyScope} scope`);
  }
  if (apiKeyScope !== 'any' && !hasScope(principal.scopes, apiKeyScope)) {
    throw new HttpError(403, `The API key lacks the ${apiKeyScope} scope`);
  }
};

// ---------------------------------------------------------------------------------------------
// Router

export type RouteHandler = (event: APIGatewayProxyEventV2, principal: Principal) => Promise<HttpResult>;

type CredentialAccess = Extract<OperationAuth, { kind: 'credential' }>;

/** The route keys a function serves, by its records. */
const routeKeysOf = (functionId: FunctionId): string[] =>
  Object.entries(operations).flatMap(([key, operation]) => (operation.function === functionId ? [key] : []));

/**
 * A function's router over the credentialed routes it serves: it must handle exactly the routes
 * its records give it (checked when the module loads). Per request it dispatches on `routeKey`
 * (`"GET /v1/links/{slug}"`), resolves the principal and checks the access the route's record
 * grants before the handler runs, and turns errors into problem+json.
 */
export const createRouter = (functionId: FunctionId, routeHandlers: Record<string, RouteHandler>) => {
  const expected = routeKeysOf(functionId).sort();
  const handled = Object.keys(routeHandlers).sort();
  if (expected.join('\n') !== handled.join('\n')) {
    throw new Error(`The ${functionId} router handles ${handled.join(', ')}; its routes are ${expected.join(', ')}`);
  }
  const access = new Map<string, CredentialAccess>();
  for (const key of expected) {
    const { auth } = operations[key]!;
    if (auth.kind !== 'credential') throw new Error(`${key} is not a credentialed route; it needs no router`);
    access.set(key, auth);
  }
  return async (event: APIGatewayProxyEventV2, _context?: Context): Promise<HttpResult> => {
    try {
      const routeHandler = routeHandlers[event.routeKey];
      const routeAccess = access.get(event.routeKey);
      if (!routeHandler || !routeAccess) return problem(404, 'No such route');
      const principal = principalOf(event);
      checkAccess(principal, routeAccess);
      return await routeHandler(event, principal);
    } catch (error) {
      if (error instanceof HttpError) {
        return error.status === 503 ? serviceUnavailable(error.detail) : problem(error.status, error.detail, error.errors, error.type);
      }
      if (error instanceof InvalidCursorError) {
        return problem(400, 'Invalid cursor', [{ field: 'cursor', message: 'is not a cursor this API issued' }]);
      }
      logger.error('Unhandled error', { routeKey: event.routeKey, error: error as Error });
      if (isTransientDynamoError(error)) return serviceUnavailable('The database is temporarily unavailable; retry later');
      return problem(500, 'An unexpected error occurred');
    }
  };
};
