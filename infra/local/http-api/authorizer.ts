/**
 * The Lambda REQUEST authorizer with simple responses: identity sources, the v2 authorizer
 * event, and what its answer means for the request.
 */
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { GatewayContext } from './proxy-event.js';
import { gatewayMessage, type GatewayAnswer } from './responses.js';

export type IdentitySource = (event: APIGatewayProxyEventV2) => string | undefined;

/** `$request.header.X` / `$request.querystring.x` selectors (one string or a list). */
export const compileIdentitySources = (sources: string | readonly string[]): IdentitySource[] =>
  [sources].flat().map((source): IdentitySource => {
    const header = /^\$request\.header\.(.+)$/i.exec(source);
    if (header) {
      const name = header[1].toLowerCase();
      return (event) => event.headers[name] || undefined;
    }
    const query = /^\$request\.querystring\.(.+)$/i.exec(source);
    if (query) return (event) => event.queryStringParameters?.[query[1]] || undefined;
    return () => undefined;
  });

export const buildAuthorizerEvent = (
  proxyEvent: APIGatewayProxyEventV2,
  identitySource: string[],
  gateway: GatewayContext,
): APIGatewayRequestAuthorizerEventV2 => {
  const { method } = proxyEvent.requestContext.http;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${gateway.region}:${gateway.accountId}:${gateway.apiId}/$default/${method}${proxyEvent.rawPath}`,
    identitySource,
    routeKey: proxyEvent.routeKey,
    rawPath: proxyEvent.rawPath,
    rawQueryString: proxyEvent.rawQueryString,
    ...(proxyEvent.cookies && { cookies: proxyEvent.cookies }),
    headers: proxyEvent.headers as Record<string, string>,
    ...(proxyEvent.queryStringParameters && {
      queryStringParameters: proxyEvent.queryStringParameters as Record<string, string>,
    }),
    requestContext: proxyEvent.requestContext,
    ...(proxyEvent.pathParameters && {
      pathParameters: proxyEvent.pathParameters as Record<string, string>,
    }),
  } as APIGatewayRequestAuthorizerEventV2;
};

export type AuthorizerOutcome =
  | { kind: 'unauthorized' } // an identity source is missing: the authorizer is not called
  | { kind: 'denied' } // the authorizer answered isAuthorized: false
  | { kind: 'failed' } // the authorizer threw or answered something malformed
  | { kind: 'allowed'; context: Record<string, unknown> };

/**
 * What API Gateway answers when the authorizer does not let a request through. This is the
 * one place to change if the product decides to map these differently.
 */
export const authorizerRejection = (outcome: Exclude<AuthorizerOutcome, { kind: 'allowed' }>): GatewayAnswer => {
  switch (outcome.kind) {
    case 'unauthorized':
      return gatewayMessage(401, 'Unauthorized');
    case 'denied':
      return gatewayMessage(403, 'Forbidden');
    case 'failed':
      return gatewayMessage(500, 'Internal Server Error');
  }
};

/** Interprets a simple-format authorizer response. */
export const authorizerOutcome = (result: unknown): AuthorizerOutcome => {
  if (typeof result !== 'object' || result === null) return { kind: 'failed' };
  const { isAuthorized, context } = result as { isAuthorized?: unknown; context?: unknown };
  if (typeof isAuthorized !== 'boolean') return { kind: 'failed' };
  if (!isAuthorized) return { kind: 'denied' };
  if (context !== undefined && context !== null && typeof context !== 'object') return { kind: 'failed' };
  return { kind: 'allowed', context: (context as Record<string, unknown> | null) ?? {} };
};

export interface AuthorizerOptions {
  identitySource: string | readonly string[];
  gateway: GatewayContext;
  /** Invokes the authorizer function with its event. */
  invokeAuthorizer: (event: APIGatewayRequestAuthorizerEventV2) => Promise<unknown>;
  onError: (error: unknown) => void;
}

/** What API Gateway does before a protected route: check identity sources, call, interpret. */
export const createAuthorizer = (options: AuthorizerOptions) => {
  const identitySources = compileIdentitySources(options.identitySource);
  return async (event: APIGatewayProxyEventV2): Promise<AuthorizerOutcome> => {
    const identity = identitySources.map((source) => source(event));
    if (identity.some((value) => value === undefined)) return { kind: 'unauthorized' };
    try {
      const result = await options.invokeAuthorizer(buildAuthorizerEvent(event, identity as string[], options.gateway));
      return authorizerOutcome(result);
    } catch (error) {
      options.onError(error);
      return { kind: 'failed' };
    }
  };
};
