/**
 * The local runtime mirrors AWS: API Gateway HTTP API payload 2.0 events and answers, the
 * Lambda REQUEST authorizer, DynamoDB Streams events with the event source mapping's batching,
 * filtering, partial failures, bisection, retries and dead letters, and no stray Java process.
 * Handlers are stubs; DynamoDB Local is the real one from the global setup.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayProxyEventV2Schema,
  APIGatewayRequestAuthorizerEventV2Schema,
} from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas/dynamodb';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routes } from '../../shared/contract/routes.js';
import { isProcessAlive } from '../../infra/local/dynamodb-local.js';
import { createRouter, startHttpServer } from '../../infra/local/http-server.js';
import { createHandlerLoader, repositoryRoot, type LambdaHandler } from '../../infra/local/lambda.js';
import { startLocalRuntime } from '../../infra/local/runtime.js';
import { startStreamPoller, type StreamPoller, type StreamPollerOptions } from '../../infra/local/stream-poller.js';
import { ensureTables, localClient } from '../../infra/local/tables.js';
import { startTestRuntime, stopTestRuntime, testDynamoDbEndpoint, uniqueTablePrefix, type TestRuntime } from '../support/runtime.js';

// ---------------------------------------------------------------------------------------------
// Stub handlers: they record what they receive; each test says what they answer.

interface Invocation {
  event: any;
  context: Context;
}
const invocations: Invocation[] = [];
let respond: (event: any) => unknown = (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ routeKey: event.routeKey }),
});
const apiStub: LambdaHandler = async (event, context) => {
  invocations.push({ event, context });
  return respond(event);
};

const authorizerEvents: any[] = [];
const authorizerStub: LambdaHandler = async (event) => {
  authorizerEvents.push(event);
  const credential = event.headers?.authorization;
  if (credential === 'Bearer deny') return { isAuthorized: false };
  if (credential === 'Bearer crash') throw new Error('authorizer crashed');
  return { isAuthorized: true, context: { orgId: 'org-1', principal: credential ?? 'anonymous' } };
};

const streamEvents: DynamoDBStreamEvent[] = [];
const rollupStub: LambdaHandler = async (event: DynamoDBStreamEvent) => {
  streamEvents.push(event);
  return { batchItemFailures: [] };
};

const lastInvocation = (): Invocation => invocations[invocations.length - 1];

// ---------------------------------------------------------------------------------------------
// Helpers.

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any;
}

/** node:http rather than fetch: we need repeated header lines and a Cookie header. */
const send = (
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { method, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          json: () => JSON.parse(body.toString('utf8')),
        });
      });
    });
    request.on('error', reject);
    request.end(options.body);
  });

const item = (pk: string, sk: string, extra: Record<string, any> = {}) => ({
  pk: { S: pk },
  sk: { S: sk },
  ...extra,
});

const putItems = async (client: DynamoDBClient, table: string, items: Record<string, any>[]) => {
  // One BatchWriteItem so that a poller started afterwards reads them in one GetRecords call.
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
};

const skOf = (record: DynamoDBRecord): string => record.dynamodb!.Keys!.sk.S!;
const sksOf = (event: DynamoDBStreamEvent): string[] => event.Records.map(skOf);

// ---------------------------------------------------------------------------------------------

let runtime: TestRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime({
    quiet: true, // several tests make handlers fail on purpose
    handlers: {
      health: apiStub,
      campaigns: apiStub,
      advocates: apiStub,
      links: apiStub,
      apiKeys: apiStub,
      redirect: apiStub,
      authorizer: authorizerStub,
      rollup: rollupStub,
    },
  });
});

afterAll(async () => {
  await stopTestRuntime(runtime);
});

describe('HTTP API events (payload format 2.0)', () => {
  it('builds events that Powertools parses as APIGatewayProxyEventV2, with API Gateway’s details', async () => {
    const response = await send(runtime.baseUrl, 'GET', '/abc%20d?x=1&y=two%20words&x=2&flag', {
      headers: { 'X-Multi': ['a', 'b'], 'User-Agent': 'test-agent/1.0', Cookie: 'eav=v1; other=2' },
    });
    expect(response.status).toBe(200);
    const { event, context } = lastInvocation();
    expect(APIGatewayProxyEventV2Schema.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /{slug}',
      rawPath: '/abc%20d',
      rawQueryString: 'x=1&y=two%20words&x=2&flag',
      queryStringParameters: { x: '1,2', y: 'two words', flag: '' },
      pathParameters: { slug: 'abc d' },
      cookies: ['eav=v1', 'other=2'],
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /{slug}',
        stage: '$default',
        http: { method: 'GET', path: '/abc%20d', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test-agent/1.0' },
      },
    });
    expect(event.headers['x-multi']).toBe('a,b');
    expect(event.headers['user-agent']).toBe('test-agent/1.0');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.body).toBeUndefined();
    expect(event.stageVariables).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
    expect(response.headers['apigw-requestid']).toBe(event.requestContext.requestId);

    expect(context.functionName).toMatch(/redirect$/);
    expect(context.invokedFunctionArn).toMatch(/^arn:aws:lambda:[\w-]+:\d{12}:function:/);
    expect(context.memoryLimitInMB).toBe('512');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(5000);
  });

  it('passes text bodies as-is and base64-encodes binary ones', async () => {
    await send(runtime.baseUrl, 'POST', '/v1/links', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"a":"ü"}',
    });
    expect(lastInvocation().event).toMatchObject({ body: '{"a":"ü"}', isBase64Encoded: false });

    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await send(runtime.baseUrl, 'POST', '/v1/links', {
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const { event } = lastInvocation();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(bytes);
    expect(APIGatewayProxyEventV2Schema.safeParse(event).success).toBe(true);
  });

  it('answers 413 like API Gateway for bodies over 10 MB', async () => {
    const before = invocations.length;
    const response = await send(runtime.baseUrl, 'POST', '/v1/links', {
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(response.status).toBe(413);
    expect(invocations.length).toBe(before);
  });
});

describe('handler modules', () => {
  it('imports the entry module named in definitions once and reuses it, like a warm container', async () => {
    const load = createHandlerLoader();
    const handler = await load('health');
    expect(await load('health')).toBe(handler);
    expect(await handler({}, {} as Context)).toMatchObject({ statusCode: 200 });
  });
});

describe('routing', () => {
  const match = createRouter(routes);
  const keyOf = (method: string, path: string) => match(method, path)?.route.routeKey;

  it('prefers the most specific route and matches {param} to exactly one segment', () => {
    expect(keyOf('GET', '/healthz')).toBe('GET /healthz');
    expect(keyOf('GET', '/v1')).toBe('GET /{slug}');
    expect(keyOf('GET', '/v1/links')).toBe('GET /v1/links');
    expect(keyOf('GET', '/v1/links/Ab3xYz9')).toBe('GET /v1/links/{slug}');
    expect(keyOf('GET', '/Ab3xYz9')).toBe('GET /{slug}');
    expect(keyOf('HEAD', '/Ab3xYz9')).toBe('HEAD /{slug}');
    expect(keyOf('DELETE', '/v1/links/x')).toBe('DELETE /v1/links/{slug}');
    expect(keyOf('GET', '/')).toBeUndefined();
    expect(keyOf('GET', '/a/b')).toBeUndefined();
    expect(keyOf('GET', '/v1/links/x/')).toBeUndefined();
    expect(keyOf('POST', '/Ab3xYz9')).toBeUndefined();
    expect(keyOf('HEAD', '/healthz')).toBe('HEAD /{slug}'); // as on API Gateway: no HEAD /healthz route
  });

  it('serves the routes over HTTP, and answers problem+json 404 for no route or no method', async () => {
    for (const [method, path, routeKey] of [
      ['GET', '/healthz', 'GET /healthz'],
      ['GET', '/v1/campaigns/c1', 'GET /v1/campaigns/{campaignId}'],
      ['PATCH', '/v1/campaigns/c1', 'PATCH /v1/campaigns/{campaignId}'],
      ['GET', '/v1/links', 'GET /v1/links'],
      ['HEAD', '/Ab3xYz9', 'HEAD /{slug}'],
    ]) {
      const response = await send(runtime.baseUrl, method, path);
      expect(response.status, `${method} ${path}`).toBe(200);
      expect(lastInvocation().event.routeKey).toBe(routeKey);
    }
    for (const [method, path] of [
      ['GET', '/a/b/c'],
      ['POST', '/Ab3xYz9'],
      ['PUT', '/v1/links'],
      ['GET', '/'],
    ]) {
      const response = await send(runtime.baseUrl, method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.json()).toMatchObject({ type: expect.any(String), title: 'Not Found', status: 404, detail: expect.any(String) });
    }
  });
});

describe('handler results (payload format 2.0 responses)', () => {
  it('maps cookies to one Set-Cookie each, headers, status and base64 bodies', async () => {
    respond = () => ({
      statusCode: 302,
      headers: { Location: 'https://example.com/x', 'Cache-Control': 'private, no-store' },
      cookies: ['eav=abc; HttpOnly; Secure; SameSite=Lax; Max-Age=31536000', 'second=2'],
    });
    const redirect = await send(runtime.baseUrl, 'GET', '/Ab3xYz9');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('https://example.com/x');
    expect(redirect.headers['cache-control']).toBe('private, no-store');
    expect(redirect.headers['set-cookie']).toEqual(['eav=abc; HttpOnly; Secure; SameSite=Lax; Max-Age=31536000', 'second=2']);

    respond = () => ({
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([137, 80, 78, 71]).toString('base64'),
      isBase64Encoded: true,
    });
    const binary = await send(runtime.baseUrl, 'GET', '/Ab3xYz9');
    expect(binary.body).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  it('treats a string or an object without statusCode as a 200 JSON body', async () => {
    respond = () => 'plain';
    let response = await send(runtime.baseUrl, 'GET', '/Ab3xYz9');
    expect([response.status, response.headers['content-type'], response.body.toString()]).toEqual([200, 'application/json', 'plain']);
    respond = () => ({ hello: 'world' });
    response = await send(runtime.baseUrl, 'GET', '/Ab3xYz9');
    expect([response.status, response.json()]).toEqual([200, { hello: 'world' }]);
  });

  it('answers 500 {"message":"Internal Server Error"} when the handler throws', async () => {
    respond = () => {
      throw new Error('boom');
    };
    const response = await send(runtime.baseUrl, 'GET', '/Ab3xYz9');
    expect(response.status).toBe(500);
    expect(response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('serves the issuer’s JWKS', async () => {
    const response = await send(runtime.baseUrl, 'GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.json()).toEqual(runtime.issuer.jwks);
    expect(process.env.JWKS_URL).toBe(`${runtime.baseUrl}/.well-known/jwks.json`);
    expect(process.env.JWT_ISSUER).toBe(runtime.issuer.issuer);
  });
});

describe('Lambda REQUEST authorizer (simple responses)', () => {
  it('runs before protected routes with a v2 authorizer event, and passes its context on', async () => {
    respond = (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer) });
    const response = await send(runtime.baseUrl, 'GET', '/v1/campaigns/c1?x=1', {
      headers: { authorization: 'Bearer ak_good' },
    });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ lambda: { orgId: 'org-1', principal: 'Bearer ak_good' } });
    const authorizerEvent = authorizerEvents[authorizerEvents.length - 1];
    expect(APIGatewayRequestAuthorizerEventV2Schema.safeParse(authorizerEvent).success).toBe(true);
    expect(authorizerEvent).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeKey: 'GET /v1/campaigns/{campaignId}',
      rawPath: '/v1/campaigns/c1',
      rawQueryString: 'x=1',
      pathParameters: { campaignId: 'c1' },
      queryStringParameters: { x: '1' },
    });
    expect(authorizerEvent.routeArn).toMatch(/^arn:aws:execute-api:[\w-]+:\d{12}:\w+\/\$default\/GET\/v1\/campaigns\/c1$/);
    const { event } = lastInvocation();
    expect(APIGatewayProxyEventV2Schema.safeParse(event).success).toBe(true);
  });

  it('does not run for public routes', async () => {
    const before = authorizerEvents.length;
    await send(runtime.baseUrl, 'GET', '/healthz');
    await send(runtime.baseUrl, 'GET', '/Ab3xYz9');
    expect(authorizerEvents.length).toBe(before);
  });

  it('answers what API Gateway answers when the authorizer denies or fails', async () => {
    const denied = await send(runtime.baseUrl, 'GET', '/v1/links', { headers: { authorization: 'Bearer deny' } });
    expect([denied.status, denied.headers['content-type'], denied.json()]).toEqual([403, 'application/json', { message: 'Forbidden' }]);
    const crashed = await send(runtime.baseUrl, 'GET', '/v1/links', { headers: { authorization: 'Bearer crash' } });
    expect([crashed.status, crashed.json()]).toEqual([500, { message: 'Internal Server Error' }]);
  });

  it('answers 401 without calling the authorizer when a configured identity source is missing', async () => {
    const server = await startHttpServer({
      loadHandler: createHandlerLoader({ authorizer: authorizerStub, links: apiStub }),
      identitySource: ['$request.header.Authorization'],
    });
    try {
      const before = authorizerEvents.length;
      const missing = await send(server.baseUrl, 'GET', '/v1/links');
      expect([missing.status, missing.headers['content-type'], missing.json()]).toEqual([401, 'application/json', { message: 'Unauthorized' }]);
      expect(authorizerEvents.length).toBe(before);
      const present = await send(server.baseUrl, 'GET', '/v1/links', { headers: { authorization: 'Bearer ak_x' } });
      expect(present.status).toBe(200);
      expect(authorizerEvents[authorizerEvents.length - 1].identitySource).toEqual(['Bearer ak_x']);
    } finally {
      await server.close();
    }
  });
});

describe('events stream → consumer, through the runtime', () => {
  it('delivers Lambda-shaped DynamoDB stream events for inserts only', async () => {
    const client = localClient(runtime.dynamodbEndpoint);
    const table = runtime.tableNames.events;
    const pk = `wiring-${randomBytes(4).toString('hex')}`;
    try {
      // DynamoDB Local numbers stream records with one counter for all tables: writes elsewhere
      // first make the events stream start past the iterator the poller took on an empty shard.
      for (const sk of ['x', 'y', 'z']) {
        await client.send(new PutItemCommand({ TableName: runtime.tableNames.entities, Item: item(pk, sk) }));
      }
      const binary = new Uint8Array([1, 2, 3]);
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: item(pk, 'one', { n: { N: '42' }, b: { B: binary }, l: { L: [{ S: 'x' }, { NULL: true }] }, m: { M: { k: { BOOL: true } } } }),
        }),
      );
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: item(pk, 'one'),
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': { N: '43' } },
        }),
      );
      await client.send(new DeleteItemCommand({ TableName: table, Key: item(pk, 'one') }));
      await runtime.poller.drain();

      const records = streamEvents.flatMap((event) => event.Records).filter((r) => r.dynamodb?.Keys?.pk.S === pk);
      expect(records.map((r) => r.eventName)).toEqual(['INSERT']);
      const event = streamEvents.find((e) => e.Records.some((r) => r.dynamodb?.Keys?.pk.S === pk))!;
      expect(DynamoDBStreamSchema.safeParse(event).success).toBe(true);
      const [record] = records;
      expect(record).toMatchObject({
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: process.env.AWS_REGION,
        eventSourceARN: runtime.poller.streamArn,
        dynamodb: {
          Keys: { pk: { S: pk }, sk: { S: 'one' } },
          NewImage: {
            pk: { S: pk },
            n: { N: '42' },
            b: { B: Buffer.from(binary).toString('base64') },
            l: { L: [{ S: 'x' }, { NULL: true }] },
            m: { M: { k: { BOOL: true } } },
          },
          StreamViewType: 'NEW_IMAGE',
        },
      });
      expect(record.dynamodb!.SequenceNumber).toMatch(/^\d+$/);
      expect(record.dynamodb!.SizeBytes).toBeGreaterThan(0);
      expect(Number.isInteger(record.dynamodb!.ApproximateCreationDateTime)).toBe(true);
      expect(Math.abs(record.dynamodb!.ApproximateCreationDateTime! - Date.now() / 1000)).toBeLessThan(120);
      expect(JSON.parse(JSON.stringify(event))).toEqual(event); // plain JSON, as Lambda delivers it
      expect(runtime.poller.counters().filteredOut).toBeGreaterThanOrEqual(2);
    } finally {
      client.destroy();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Event source mapping semantics, on a fresh table per test, with the poller started after the
// writes so that batches are deterministic.

describe('stream poller: event source mapping semantics', () => {
  let client: DynamoDBClient;
  const pollers: StreamPoller[] = [];

  beforeAll(() => {
    client = localClient(testDynamoDbEndpoint());
  });
  afterAll(async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    client.destroy();
  });

  const freshTableWith = async (sks: string[]) => {
    const tables = await ensureTables(testDynamoDbEndpoint(), { prefix: uniqueTablePrefix() });
    await putItems(client, tables.tableNames.events, sks.map((sk) => item('p', sk)));
    return tables.tableNames.events;
  };

  const startPoller = async (tableName: string, handler: LambdaHandler, options: Partial<StreamPollerOptions> = {}) => {
    const poller = await startStreamPoller({
      endpoint: testDynamoDbEndpoint(),
      tableName,
      handler,
      quiet: true,
      retryBackoffMs: { base: 1, max: 10 },
      ...options,
      settings: { batchSize: 10, maxBatchingWindowSeconds: 0, retryAttempts: 2, ...options.settings },
    });
    pollers.push(poller);
    return poller;
  };

  it('collects records up to batchSize within the batching window', async () => {
    const table = await freshTableWith(['a', 'b', 'c', 'd', 'e']);
    const batches: string[][] = [];
    const poller = await startPoller(table, async (event: DynamoDBStreamEvent) => {
      batches.push(sksOf(event));
    }, { settings: { batchSize: 3, maxBatchingWindowSeconds: 1 } });
    await poller.drain();
    expect(batches.flat()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(batches[0]).toEqual(['a', 'b', 'c']);
    expect(batches.every((batch) => batch.length <= 3)).toBe(true);
  });

  it('reportBatchItemFailures: checkpoints before the first failure and retries from it', async () => {
    const table = await freshTableWith(['a', 'b', 'c', 'd', 'e']);
    const batches: string[][] = [];
    let failedOnce = false;
    const poller = await startPoller(table, async (event: DynamoDBStreamEvent) => {
      batches.push(sksOf(event));
      const failures = event.Records.filter((record) => skOf(record) === 'c' && !failedOnce);
      failedOnce ||= failures.length > 0;
      return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber })) };
    });
    await poller.drain();
    expect(batches).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['c', 'd', 'e'],
    ]);
    expect(poller.deadLetters()).toEqual([]);
    expect(poller.counters()).toMatchObject({ partialFailures: 1, retries: 1, deadLetteredRecords: 0 });
  });

  it('bisects a batch on error until the poison record is alone, then dead-letters it after the retries', async () => {
    const table = await freshTableWith(['a', 'b', 'c', 'poison', 'e', 'f', 'g', 'h']);
    const batches: string[][] = [];
    const acknowledged: string[] = [];
    const poller = await startPoller(table, async (event: DynamoDBStreamEvent) => {
      batches.push(sksOf(event));
      if (sksOf(event).includes('poison')) throw new Error('cannot process poison');
      acknowledged.push(...sksOf(event));
    });
    await poller.drain();

    expect(batches.slice(0, 3)).toEqual([
      ['a', 'b', 'c', 'poison', 'e', 'f', 'g', 'h'],
      ['a', 'b', 'c', 'poison'],
      ['a', 'b'],
    ]);
    expect(batches.filter((batch) => batch.length === 1 && batch[0] === 'poison')).toHaveLength(1 + 2);
    expect(acknowledged).toEqual(['a', 'b', 'c', 'e', 'f', 'g', 'h']);

    const [deadLetter, ...others] = poller.deadLetters();
    expect(others).toEqual([]);
    expect(deadLetter.records.map(skOf)).toEqual(['poison']);
    expect(deadLetter).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { functionError: 'Unhandled' },
      reason: 'cannot process poison',
      DDBStreamBatchInfo: {
        batchSize: 1,
        streamArn: poller.streamArn,
        startSequenceNumber: deadLetter.records[0].dynamodb!.SequenceNumber,
        endSequenceNumber: deadLetter.records[0].dynamodb!.SequenceNumber,
        shardId: expect.stringMatching(/^shardId-/),
      },
    });
    expect(poller.counters()).toMatchObject({ deadLetteredRecords: 1, deadLetterEntries: 1 });
    expect(poller.counters().bisections).toBeGreaterThanOrEqual(3);
  });

  it('without bisection, dead-letters the whole batch once the retries are exhausted, and moves on', async () => {
    const table = await freshTableWith(['a', 'b', 'c']);
    let calls = 0;
    const poller = await startPoller(table, async () => {
      calls++;
      throw new Error('always fails');
    }, { settings: { bisectBatchOnError: false } });
    await poller.drain();
    expect(calls).toBe(3);
    const deadLetters = poller.deadLetters();
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].records.map(skOf)).toEqual(['a', 'b', 'c']);
    expect(deadLetters[0].DDBStreamBatchInfo.batchSize).toBe(3);
  });

  it('dead-letters the records a partial failure keeps reporting, and acknowledges the rest', async () => {
    const table = await freshTableWith(['a', 'b', 'c']);
    const poller = await startPoller(table, async (event: DynamoDBStreamEvent) => ({
      batchItemFailures: event.Records.filter((record) => skOf(record) !== 'b').map((record) => ({
        itemIdentifier: record.dynamodb!.SequenceNumber,
      })),
    }));
    await poller.drain();
    const [deadLetter] = poller.deadLetters();
    expect(deadLetter.records.map(skOf)).toEqual(['a', 'c']);
    expect(deadLetter.requestContext.condition).toBe('RetryAttemptsExhausted');
  });

  it('dead-letters records older than maxRecordAgeSeconds without invoking the consumer', async () => {
    const table = await freshTableWith(['a']);
    let calls = 0;
    const poller = await startPoller(table, async () => {
      calls++;
    }, { settings: { maxRecordAgeSeconds: 0 } });
    // DynamoDB Local stamps records to the minute, so the record is already "older" than 0 s.
    await poller.drain();
    expect(calls).toBe(0);
    expect(poller.deadLetters().map((entry) => entry.requestContext.condition)).toEqual(['RecordAgeExceeded']);
  });

  it('keeps checkpoints and dead letters in the data directory across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'poller-'));
    try {
      const table = await freshTableWith(['a', 'poison']);
      const delivered: string[] = [];
      const handler: LambdaHandler = async (event: DynamoDBStreamEvent) => {
        if (sksOf(event).includes('poison')) throw new Error('poison');
        delivered.push(...sksOf(event));
      };
      const first = await startPoller(table, handler, { dataDir });
      await first.drain();
      await first.stop();
      expect(delivered).toEqual(['a']);

      await putItems(client, table, [item('p', 'b')]);
      const second = await startPoller(table, handler, { dataDir });
      await second.drain();
      expect(delivered).toEqual(['a', 'b']); // nothing redelivered
      expect(second.deadLetters().map((entry) => entry.records.map(skOf))).toEqual([['poison']]);
      await second.stop();
      const lines = (await readFile(join(dataDir, 'dead-letters.jsonl'), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      const checkpoints = JSON.parse(await readFile(join(dataDir, 'stream-checkpoints.json'), 'utf8'));
      expect(Object.keys(checkpoints)).toEqual([second.streamArn]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('events parse with Powertools’ DynamoDBStreamSchema', async () => {
    const table = await freshTableWith(['a', 'b']);
    const events: unknown[] = [];
    const poller = await startPoller(table, async (event) => {
      events.push(event);
    });
    await poller.drain();
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(DynamoDBStreamSchema.safeParse(event).success).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('no orphan Java processes', () => {
  it('stop() ends the DynamoDB Local a runtime spawned', async () => {
    const own = await startLocalRuntime({ inMemory: true, tablePrefix: uniqueTablePrefix(), quiet: true, handlers: { rollup: rollupStub } });
    const pid = own.dynamodb!.pid;
    try {
      expect(isProcessAlive(pid)).toBe(true);
      expect((await send(own.baseUrl, 'GET', '/nothing/here')).status).toBe(404);
    } finally {
      await own.stop();
      // stop() is idempotent.
      await own.stop();
    }
    expect(isProcessAlive(pid)).toBe(false);
    // Leave the shared runtime's environment as it was for the other tests of this file.
    process.env.DYNAMODB_ENDPOINT = runtime.dynamodbEndpoint;
    Object.assign(process.env, runtime.tableEnv);
    process.env.PUBLIC_BASE_URL = runtime.baseUrl;
    process.env.JWKS_URL = `${runtime.baseUrl}/.well-known/jwks.json`;
    // Starting a JVM and its tables took over 30 s on a loaded 2-core machine: a timeout, not a measurement.
  }, 90_000);

  it('Java dies when the Node process that started it is killed with SIGKILL', async () => {
    const script = `
      const { startDynamoDbLocal } = await import(${JSON.stringify(join(repositoryRoot, 'infra/local/dynamodb-local.ts'))});
      const dynamodb = await startDynamoDbLocal({ inMemory: true });
      process.stdout.write(JSON.stringify({ pid: dynamodb.pid }) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const javaPid = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { pid: number }).pid);
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    expect(isProcessAlive(javaPid)).toBe(true);
    child.kill('SIGKILL');
    await vi.waitFor(() => expect(isProcessAlive(javaPid)).toBe(false), { timeout: 15_000, interval: 50 });
  }, 90_000);
});
