/**
 * First-invocation events for the cold-start probes: payload format 2.0 requests (with the
 * authorizer context API Gateway adds), the authorizer's own REQUEST event, and a DynamoDB
 * stream event for the consumer. Every event does real work against DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { routes, type FunctionId } from '../../shared/contract/routes.js';
import { signWebhook } from '../../shared/domain/webhook-signature.js';
import { browserUserAgents, clickItem } from './dataset.js';
import type { World } from './world.js';

const requestContext = (method: string, path: string, routeKey: string, authorizer?: Record<string, string>) => ({
  accountId: '000000000000',
  apiId: 'bench',
  domainName: 'go.bench.example',
  domainPrefix: 'go',
  http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: browserUserAgents[0] },
  requestId: randomUUID(),
  routeKey,
  stage: '$default',
  time: '27/Nov/2026:10:00:00 +0000',
  timeEpoch: Date.now(),
  ...(authorizer ? { authorizer: { lambda: authorizer } } : {}),
});

export const httpEvent = (
  routePath: string,
  method: string,
  params: Record<string, string>,
  options: { body?: string; headers?: Record<string, string>; query?: Record<string, string>; principal?: Record<string, string> } = {},
) => {
  const rawPath = routePath.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? 'x');
  const routeKey = `${method} ${routePath}`;
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers: {
      host: 'go.bench.example',
      'user-agent': browserUserAgents[0],
      accept: '*/*',
      ...(options.body ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: requestContext(method, rawPath, routeKey, options.principal),
    pathParameters: params,
    ...(options.body ? { body: options.body } : {}),
    isBase64Encoded: false,
  };
};

const adminPrincipal = (world: World) => ({
  principal: 'apiKey',
  orgId: world.orgId,
  keyId: world.apiKey.split('_')[1],
  scopes: 'campaigns:write,advocates:write,links:write,analytics:read,admin',
});

/** A stream record as Lambda delivers it (numbers as strings, as Lambda serialises them). */
const streamEvent = (item: Record<string, unknown>) => ({
  Records: [
    {
      eventID: randomUUID(),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-central-1',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: marshall({ pk: item.pk, sk: item.sk }),
        NewImage: marshall(item, { removeUndefinedValues: true }),
        SequenceNumber: String(Date.now()),
        SizeBytes: 600,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: 'arn:aws:dynamodb:eu-central-1:000000000000:table/events/stream/bench',
    },
  ],
});

const signedConversion = (world: World) => {
  const body = JSON.stringify({
    type: 'conversion.created',
    data: { conversionId: `cold-${randomUUID()}`, kind: 'purchase', occurredAt: new Date().toISOString(), value: { amount: '49.90', currency: 'EUR' } },
  });
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signWebhook({ id, timestamp, body, secret: world.webhookSecret });
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature } };
};

/** The event a function's first invocation gets; unknown functions get their first route. */
export const firstInvocationEvent = (fn: FunctionId | 'baseline', world: World): unknown => {
  const link = world.links[0];
  const principal = adminPrincipal(world);
  switch (fn) {
    case 'baseline':
    case 'redirect':
      return httpEvent('/{slug}', 'GET', { slug: link.slug });
    case 'authorizer':
      return {
        version: '2.0',
        type: 'REQUEST',
        routeArn: 'arn:aws:execute-api:eu-central-1:000000000000:bench/$default/GET/v1/campaigns',
        identitySource: [],
        routeKey: 'GET /v1/campaigns',
        rawPath: '/v1/campaigns',
        rawQueryString: '',
        headers: { authorization: `Bearer ${world.apiKey}`, host: 'go.bench.example' },
        requestContext: requestContext('GET', '/v1/campaigns', 'GET /v1/campaigns'),
      };
    case 'rollup':
      return streamEvent(clickItem(link, Date.now(), { visitorId: 'AAAAAAAAAAAAAAAAAAAAAA', unique: true, userAgent: 0 }, 'human'));
    case 'conversions': {
      const { body, headers } = signedConversion(world);
      return httpEvent('/v1/webhooks/conversions/{sourceId}', 'POST', { sourceId: world.sourceId }, { body, headers });
    }
    case 'campaigns':
      return httpEvent('/v1/campaigns', 'GET', {}, { principal });
    case 'advocates':
      return httpEvent('/v1/advocates/{advocateId}', 'GET', { advocateId: link.advocateId }, { principal });
    case 'links':
      return httpEvent('/v1/links/{slug}', 'GET', { slug: link.slug }, { principal });
    case 'apiKeys':
      return httpEvent('/v1/api-keys', 'POST', {}, { principal, body: JSON.stringify({ name: 'cold start', scopes: ['analytics:read'] }) });
    case 'organization':
      return httpEvent('/v1/organization', 'GET', {}, { principal });
    case 'webhookSources':
      return httpEvent('/v1/webhook-sources', 'POST', {}, { principal, body: JSON.stringify({ name: 'cold start' }) });
    case 'analytics':
      return httpEvent('/v1/campaigns/{campaignId}/attribution', 'GET', { campaignId: link.campaignId }, { principal, query: { groupBy: 'advocate' } });
    default: {
      const route = routes.find((candidate) => candidate.function === fn);
      if (!route) return {};
      const params = Object.fromEntries([...route.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name, name === 'slug' ? link.slug : name]));
      return httpEvent(route.path, route.method, params, route.auth === 'authorizer' ? { principal } : {});
    }
  }
};
