/**
 * The HTTP API emulation's pure parts: route precedence as API Gateway applies it, handler
 * result → HTTP answer (payload format 2.0), and the REQUEST authorizer's outcome.
 */
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../shared/contract/routes.js';
import { authorizerOutcome, authorizerRejection, createAuthorizer } from '../../infra/local/http-api/authorizer.js';
import { buildProxyEvent, isTextContentType } from '../../infra/local/http-api/proxy-event.js';
import { mapLambdaResult } from '../../infra/local/http-api/responses.js';
import { createRouter } from '../../infra/local/http-api/routing.js';

const route = (method: string, path: string): RouteDefinition => ({ method, path, function: 'links', auth: 'public' }) as unknown as RouteDefinition;

describe('createRouter', () => {
  const match = createRouter([
    route('GET', '/{slug}'),
    route('GET', '/v1/links/{slug}'),
    route('GET', '/v1/links/stats'),
    route('GET', '/v1/{kind}/stats'),
    route('POST', '/v1/links'),
  ]);
  const keyOf = (method: string, path: string) => match(method, path)?.route.routeKey;

  it('prefers literal segments over parameters, from the left, whatever the declaration order', () => {
    expect(keyOf('GET', '/v1/links/stats')).toBe('GET /v1/links/stats');
    expect(keyOf('GET', '/v1/links/abc')).toBe('GET /v1/links/{slug}');
    expect(keyOf('GET', '/v1/other/stats')).toBe('GET /v1/{kind}/stats');
  });

  it('binds {param} to exactly one non-empty, URL-decoded segment, and matches the method', () => {
    expect(match('GET', '/Ab%20c')?.pathParameters).toEqual({ slug: 'Ab c' });
    expect(match('GET', '/')).toBeUndefined();
    expect(match('GET', '/a/b')).toBeUndefined();
    expect(match('DELETE', '/v1/links')).toBeUndefined();
    expect(keyOf('POST', '/v1/links')).toBe('POST /v1/links');
  });
});

describe('buildProxyEvent: Host and domainName, as API Gateway gives them', () => {
  const gateway = { region: 'eu-central-1', accountId: '000000000000', apiId: 'local', domainName: '127.0.0.1' };
  const eventFor = (rawHeaders: string[]) =>
    buildProxyEvent(
      { url: '/aB3dE5gH', method: 'GET', httpVersion: '1.1', rawHeaders, socket: { remoteAddress: '127.0.0.1', localPort: 3000 } } as unknown as IncomingMessage,
      createRouter([route('GET', '/{slug}')])('GET', '/aB3dE5gH')!,
      undefined,
      gateway,
    );

  it('passes Host and X-Forwarded-Host on as sent', () => {
    const event = eventFor(['Host', 'Go.Acme.test', 'X-Forwarded-Host', 'go.acme.test']);
    expect(event.headers).toMatchObject({ host: 'Go.Acme.test', 'x-forwarded-host': 'go.acme.test' });
  });

  it("names the API's own domain in requestContext.domainName: the local name the client used, never another Host", () => {
    expect(eventFor(['Host', '127.0.0.1:3000']).requestContext.domainName).toBe('127.0.0.1:3000');
    expect(eventFor(['Host', 'localhost:3000']).requestContext.domainName).toBe('localhost:3000');
    expect(eventFor(['Host', 'go.acme.test']).requestContext.domainName).toBe('127.0.0.1');
    expect(eventFor(['Host', 'evil.example:3000']).requestContext.domainName).toBe('127.0.0.1');
    expect(eventFor([]).requestContext.domainName).toBe('127.0.0.1');
  });
});

describe('mapLambdaResult', () => {
  it('maps status, headers (lower-cased, hop-by-hop dropped), cookies and base64 bodies', () => {
    const answer = mapLambdaResult({
      statusCode: 302,
      headers: { Location: 'https://x.example/', Connection: 'close', 'X-Empty': null },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(answer.statusCode).toBe(302);
    expect(answer.headers).toEqual({ location: 'https://x.example/', 'set-cookie': ['a=1', 'b=2'] });
    expect(answer.body).toEqual(Buffer.from('hi'));
  });

  it('treats a string or an object without statusCode as a 200 JSON body, and a bad status as 500', () => {
    expect(mapLambdaResult('plain')).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: 'plain' });
    expect(mapLambdaResult({ hello: 'world' }).body).toBe('{"hello":"world"}');
    expect(mapLambdaResult(undefined).body).toBe('null');
    expect(mapLambdaResult({ statusCode: 42 })).toMatchObject({ statusCode: 500, body: '{"message":"Internal Server Error"}' });
  });

  it('passes text content types as-is and base64-encodes the others (request side)', () => {
    expect(['application/json', 'text/html; charset=utf-8', 'application/problem+json'].map(isTextContentType)).toEqual([true, true, true]);
    expect(['image/png', 'application/octet-stream', undefined].map(isTextContentType)).toEqual([false, false, false]);
  });
});

describe('the REQUEST authorizer', () => {
  const event = (headers: Record<string, string>) =>
    ({
      routeKey: 'GET /v1/links',
      rawPath: '/v1/links',
      rawQueryString: '',
      headers,
      requestContext: { http: { method: 'GET' } },
    }) as unknown as APIGatewayProxyEventV2;
  const gateway = { region: 'eu-central-1', accountId: '000000000000', apiId: 'local', domainName: 'localhost' };

  it('interprets simple responses, and rejects as API Gateway does', () => {
    expect(authorizerOutcome({ isAuthorized: true, context: { orgId: 'o' } })).toEqual({ kind: 'allowed', context: { orgId: 'o' } });
    expect(authorizerOutcome({ isAuthorized: true })).toEqual({ kind: 'allowed', context: {} });
    expect(authorizerOutcome({ isAuthorized: false })).toEqual({ kind: 'denied' });
    expect(authorizerOutcome({ isAuthorized: 'yes' })).toEqual({ kind: 'failed' });
    expect(authorizerOutcome({ isAuthorized: true, context: 'x' })).toEqual({ kind: 'failed' });
    expect(['unauthorized', 'denied', 'failed'].map((kind) => authorizerRejection({ kind } as never).statusCode)).toEqual([401, 403, 500]);
  });

  it('does not call the authorizer without the identity source, and calls it with the v2 event otherwise', async () => {
    const calls: unknown[] = [];
    const errors: unknown[] = [];
    const authorize = createAuthorizer({
      identitySource: '$request.header.Authorization',
      gateway,
      invokeAuthorizer: async (authorizerEvent) => {
        calls.push(authorizerEvent);
        if (authorizerEvent.headers?.authorization === 'Bearer bad') throw new Error('crash');
        return { isAuthorized: true, context: { advocateId: 'alice' } };
      },
      onError: (error) => errors.push(error),
    });
    expect(await authorize(event({}))).toEqual({ kind: 'unauthorized' });
    expect(calls).toHaveLength(0);
    expect(await authorize(event({ authorization: 'Bearer good' }))).toEqual({ kind: 'allowed', context: { advocateId: 'alice' } });
    expect(calls[0]).toMatchObject({
      type: 'REQUEST',
      identitySource: ['Bearer good'],
      routeArn: 'arn:aws:execute-api:eu-central-1:000000000000:local/$default/GET/v1/links',
    });
    expect(await authorize(event({ authorization: 'Bearer bad' }))).toEqual({ kind: 'failed' });
    expect(errors).toHaveLength(1);
  });
});
