/**
 * Benchmark child: the local runtime (infra/local/runtime.ts) exactly as `npm start` runs it —
 * HTTP API, authorizer, handlers and the stream poller — in its own Node process, with:
 *   consumer 'product' (the real roll-up consumer), 'naive' (bench/children/naive-consumer.ts)
 *   or 'idle' (the poller waits: the scenario measures the HTTP side alone, as on AWS where the
 *   consumer is a separate Lambda);
 *   an optional meter on the product's DynamoDB document client.
 * Diagnostics: BENCH_STUB_REDIRECT=1 replaces the redirect handler by the baseline's single
 * PutItem, to see what the local API emulation itself costs next to bare node:http.
 */
import type { StreamConsumerSettings } from '../../infra/local/stream-poller.js';
import { startLocalRuntime } from '../../infra/local/runtime.js';
import { createHandlerLoader, type HandlerOverrides } from '../../infra/local/lambda.js';
import { functions } from '../../infra/definitions.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { capacitySnapshot, capacitySnapshotByScope, resetCapacityMeter, setCapacityScope } from '../../shared/adapters/capacity-meter.js';
import { createInvocationMeter } from '../lib/invocations.js';
import { meterDocumentClient, type DynamoMeter } from '../lib/dynamo-meter.js';
import { childConfig, serveParent } from '../lib/processes.js';

export interface RuntimeChildConfig {
  dynamodbEndpoint: string;
  tablePrefix: string;
  env: Record<string, string>;
  consumer: 'product' | 'naive' | 'idle';
  meter?: boolean;
  streamConsumer?: Partial<StreamConsumerSettings>;
}

export interface RuntimeChildReady {
  baseUrl: string;
  tableNames: Record<string, string>;
  /** Epoch ms just before the runtime (and so its stream poller) started. */
  startingAt: number;
}

const config = childConfig<RuntimeChildConfig>();
const idle = config.consumer === 'idle';
const handlers: Record<string, unknown> = {};
if (config.consumer === 'naive') handlers.rollup = (await import('./naive-consumer.js')).handler;
if (process.env.BENCH_STUB_REDIRECT) {
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documentClient } = await import('../../shared/adapters/dynamo.js');
  const { clickItem } = await import('../lib/dataset.js');
  const { newVisitorId } = await import('../../shared/domain/ids.js');
  const link = { slug: 'AbCdEfGh', orgId: 'org_aaaaaaaaaaaaaaaaaaaa', campaignId: 'cmp_aaaaaaaaaaaaaaaaaaaa', advocateId: 'emp-00001', channel: 'linkedin', weight: 1 };
  handlers.redirect = async () => {
    await documentClient().send(new PutCommand({ TableName: process.env.TABLE_EVENTS, Item: clickItem(link, Date.now(), { visitorId: newVisitorId(), unique: true, userAgent: 0 }, 'human') }));
    return { statusCode: 302, headers: { location: 'https://careers.example.com/' } };
  };
}

let meter: DynamoMeter | undefined;
const invocations = createInvocationMeter();
if (config.meter) {
  // Installed before anything runs, on the very client the handlers use (one module instance
  // per process): the endpoint must be known when the client is created. The capacity meter
  // (ReturnConsumedCapacity on every call) counts what DynamoDB reports as consumed (issue 7).
  process.env.DYNAMODB_ENDPOINT = config.dynamodbEndpoint;
  process.env.DYNAMODB_CAPACITY_METER = '1';
  const { documentClient } = await import('../../shared/adapters/dynamo.js');
  meter = meterDocumentClient(documentClient());
  // Every function, wrapped to count its invocations and their durations (as Lambda bills them),
  // and its DynamoDB capacity apart (one process serves them all here; on AWS each is a Lambda).
  const loadHandler = createHandlerLoader({ ...handlers } as HandlerOverrides);
  const invoking = new AsyncLocalStorage<FunctionId>();
  setCapacityScope(() => invoking.getStore());
  // Loaded on first use, as the runtime itself does (modules read their environment then).
  for (const id of Object.keys(functions) as FunctionId[]) {
    handlers[id] = invocations.wrap(id, async (event, context) => invoking.run(id, async () => (await loadHandler(id))(event, context)));
  }
}

const startingAt = Date.now();
const runtime = await startLocalRuntime({
  port: 0,
  inMemory: true,
  dynamodbEndpoint: config.dynamodbEndpoint,
  tablePrefix: config.tablePrefix,
  env: config.env,
  handlers: handlers as never,
  // Idle: from the stream's end, so a backlog already in the table is not consumed either.
  streamConsumer: idle ? { ...config.streamConsumer, startingPosition: 'LATEST' } : config.streamConsumer,
  // An hour between polls: the poller looks once at start and then sleeps.
  poller: idle ? { pollIntervalMs: 3_600_000, discoveryIntervalMs: 3_600_000 } : undefined,
  quiet: false,
});

serveParent(
  { baseUrl: runtime.baseUrl, tableNames: runtime.tableNames, startingAt } satisfies RuntimeChildReady,
  {
    meter: () => meter?.snapshot(),
    resetMeter: () => {
      meter?.reset();
      resetCapacityMeter();
      invocations.reset();
    },
    capacity: () => ({ capacity: capacitySnapshot(), byFunction: capacitySnapshotByScope(), invocations: invocations.snapshot() }),
    drain: (args) => runtime.poller.drain({ timeoutMs: (args as { timeoutMs?: number })?.timeoutMs ?? 600_000 }),
    poller: () => runtime.poller.counters(),
    deadLetters: () => runtime.poller.deadLetters().length,
  },
  () => runtime.stop(),
);
