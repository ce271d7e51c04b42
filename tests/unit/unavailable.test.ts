/**
 * While the database is away the API says so: 503 with Retry-After, never a bare 500, and a
 * credential that could not be checked never grants anything.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { isTransientDynamoError } from '../../shared/adapters/transient-errors.js';
import { createRouter, type RouteHandler } from '../../shared/contract/router.js';
import type { AuthorizerContext } from '../../shared/domain/principal.js';

/** The api-keys function's routes (a router must handle exactly its routes), all answering alike. */
const routesAnswering = (handler: RouteHandler) => ({ 'POST /v1/api-keys': handler, 'DELETE /v1/api-keys/{keyId}': handler });

const event = (context: AuthorizerContext): APIGatewayProxyEventV2 =>
  ({ routeKey: 'POST /v1/api-keys', headers: {}, requestContext: { authorizer: { lambda: context } } }) as unknown as APIGatewayProxyEventV2;

const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

describe('database unavailable', () => {
  it('classifies unreachable and throttled as transient, a bad request not', () => {
    expect(isTransientDynamoError(unreachable)).toBe(true);
    expect(isTransientDynamoError(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))).toBe(true);
    expect(isTransientDynamoError(Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });

  it('a route whose database call fails transiently answers 503 with Retry-After', async () => {
    const router = createRouter('apiKeys', routesAnswering(async () => Promise.reject(unreachable)));
    const answer = await router(event({ principal: 'apiKey', orgId: 'org_x', keyId: 'k', scopes: 'admin' }));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers?.['retry-after']).toBe('5');
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
  });

  it('an unchecked credential reaches no handler: 503, not access', async () => {
    let called = false;
    const router = createRouter('apiKeys', routesAnswering(async () => ((called = true), { statusCode: 200, headers: {}, body: '{}' })));
    const answer = await router(event({ principal: 'unavailable', reason: 'The database is temporarily unavailable; retry later' }));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers?.['retry-after']).toBe('5');
    expect(called).toBe(false);
  });

  it('any other failure stays a 500', async () => {
    const router = createRouter('apiKeys', routesAnswering(async () => Promise.reject(new Error('bug'))));
    expect((await router(event({ principal: 'apiKey', orgId: 'org_x', keyId: 'k', scopes: 'admin' }))).statusCode).toBe(500);
  });
});
