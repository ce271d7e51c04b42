/**
 * Baseline of scenarios 1 and 5: a bare node:http server doing only the unavoidable work —
 * exactly one lib-dynamodb PutItem per request, of an item the same size as the product's, to
 * the same DynamoDB Local, into a table with the same definition (stream, index) — then answering.
 *   GET /{slug}                              → PutItem of a click item → 302
 *   POST /v1/webhooks/conversions/{sourceId} → PutItem of a conversion item → 202
 *   POST /puts/v1/webhooks/conversions/{sourceId} → the product's storage shape instead: a
 *     conditional PutItem of the webhook-id marker, then one of the conversion → 202 (what the
 *     two uniqueness rules cost by themselves, without the product's handler around them);
 *   POST /tx/v1/webhooks/conversions/{sourceId} → the product's former shape: one
 *     TransactWriteItems of both, conditional → 202.
 * Every call asks for ReturnConsumedCapacity, as the product's metered client does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { clickItem, type SeededLink } from '../lib/dataset.js';
import { childConfig, serveParent } from '../lib/processes.js';
import { newVisitorId } from '../../shared/domain/ids.js';
import { conversionEventId } from '../../shared/adapters/conversions.js';

interface Config {
  dynamodbEndpoint: string;
  eventsTable: string;
  /** For the transactional variant's webhook-id markers. */
  entitiesTable?: string;
}

const config = childConfig<Config>();
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: config.dynamodbEndpoint,
    region: process.env.AWS_REGION ?? 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

const links = new Map<string, SeededLink & { destinationUrl: string }>();

const retentionSeconds = 400 * 24 * 60 * 60;

/** Same length as a real organization id, so items are the same size. */
const BASELINE_ORG_ID = 'org_baselineBASELINEbase';

const conversionItem = (sourceId: string, body: { data: Record<string, any> }, webhookId: string) => {
  const { data } = body;
  const now = Date.now();
  return {
    pk: `CONV#${BASELINE_ORG_ID}#${data.conversionId}`,
    sk: 'CONV',
    type: 'conversion',
    // The product's own event id: a prefix of the conversion id collided when ids were long (two
    // conversions under one id made the consumer's transactions invalid).
    eventId: conversionEventId(BASELINE_ORG_ID, String(data.conversionId)),
    orgId: BASELINE_ORG_ID,
    sourceId,
    webhookId,
    conversionId: data.conversionId,
    kind: data.kind,
    occurredAt: data.occurredAt,
    receivedAt: new Date(now).toISOString(),
    value: data.value,
    clickId: data.clickId,
    visitorId: data.visitorId,
    customerId: data.customerId,
    gsi1pk: `${BASELINE_ORG_ID}#_conversions`,
    gsi1sk: `${data.occurredAt}#cv000000000000000000000000`,
    expiresAt: Math.floor(now / 1000) + retentionSeconds,
  };
};

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (request.method === 'GET') {
    request.resume();
    const link = links.get(url.slice(1).split('?')[0]);
    if (!link) {
      response.writeHead(404).end();
      return;
    }
    const item = clickItem(link, Date.now(), { visitorId: newVisitorId(), unique: true, userAgent: 0 }, 'human');
    client
      .send(new PutCommand({ TableName: config.eventsTable, Item: item, ReturnConsumedCapacity: 'TOTAL' }))
      .then(
        () => response.writeHead(302, { location: link.destinationUrl, 'cache-control': 'private, no-store' }).end(),
        () => response.writeHead(500).end(),
      );
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const sourceId = url.split('/').pop() ?? '';
    let item;
    try {
      item = conversionItem(sourceId, JSON.parse(Buffer.concat(chunks).toString('utf8')), String(request.headers['webhook-id']));
    } catch {
      response.writeHead(400).end();
      return;
    }
    const webhookId = String(request.headers['webhook-id']);
    const marker = { pk: `WHID#${sourceId}#${webhookId}`, sk: 'WHID', orgId: BASELINE_ORG_ID, conversionId: item.conversionId, expiresAt: item.expiresAt };
    const conditionalPut = (TableName: string | undefined, Item: Record<string, unknown>) =>
      client.send(new PutCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)', ReturnConsumedCapacity: 'TOTAL' }));
    const store = url.startsWith('/puts/')
      ? conditionalPut(config.entitiesTable, marker).then(() => conditionalPut(config.eventsTable, item))
      : url.startsWith('/tx/')
      ? client.send(
          new TransactWriteCommand({
            ReturnConsumedCapacity: 'TOTAL',
            TransactItems: [
              { Put: { TableName: config.eventsTable, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: { TableName: config.entitiesTable, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' },
              },
            ],
          }),
        )
      : client.send(new PutCommand({ TableName: config.eventsTable, Item: item, ReturnConsumedCapacity: 'TOTAL' }));
    store.then(
      () => {
        const body = JSON.stringify({ conversionId: item.conversionId, status: 'accepted' });
        response.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      (error: Error) => {
        // The conditional variants refuse a repeat as the product does: 200 duplicate.
        if (error.name !== 'TransactionCanceledException' && error.name !== 'ConditionalCheckFailedException') return response.writeHead(500).end();
        const body = JSON.stringify({ conversionId: item.conversionId, status: 'duplicate' });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
    );
  });
});
server.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serveParent(
  { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
  {
    links: (args) => {
      for (const link of args as Array<SeededLink & { destinationUrl: string }>) links.set(link.slug, link);
      return links.size;
    },
  },
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
