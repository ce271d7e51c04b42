/**
 * Scenario 5 — webhook ingestion. autocannon posts Standard Webhooks-signed conversions to the
 * local runtime at 16 connections; a fifth of them are duplicates (half replays of the same
 * delivery, half the same conversionId under a new webhook-id), sent while the original may
 * still be in flight. Baseline: the bare server answering 202 after a single PutItem. Afterwards
 * the stream consumer rolls the conversions up: every conversion must be counted exactly once.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { signWebhook } from '../../shared/domain/webhook-signature.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { formatNumber, formatRange, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { runLoad, unexpectedAnswers, type LoadResult, type PlannedRequest } from '../lib/load.js';
import { startChild } from '../lib/processes.js';
import { seededRandom } from '../lib/random.js';
import { pairedRatios, summarize } from '../lib/stats.js';
import { createTable } from '../lib/tables.js';
import { countVisibleEvents, watchVisibility } from '../lib/visibility.js';

const CONNECTIONS = 16;
const DUPLICATE_SHARE = 0.2;
const RPS_RATIO_TARGET = 0.7;

interface Delivery {
  conversionId: string;
  webhookId: string;
  body: string;
}

/** Signed deliveries, made as they are sent (timestamps must be fresh). */
const deliveryStream = (world: BenchContext['world'], label: string, seed: number) => {
  const random = seededRandom(seed);
  const recent: Delivery[] = [];
  let count = 0;
  const sent = new Set<string>();
  const next = (): PlannedRequest & { conversionId: string } => {
    let delivery: Delivery;
    if (recent.length > 0 && random() < DUPLICATE_SHARE) {
      const original = recent[Math.floor(random() * recent.length)];
      delivery = random() < 0.5 ? original : { ...original, webhookId: `msg_${label}_${count++}` };
    } else {
      const conversionId = `${label}-${count++}`;
      const body = JSON.stringify({
        type: 'conversion.created',
        data: {
          conversionId,
          kind: 'purchase',
          occurredAt: new Date().toISOString(),
          value: { amount: (10 + Math.floor(random() * 49_000) / 100).toFixed(2), currency: 'EUR' },
          customerId: `crm-${Math.floor(random() * 1_000_000)}`,
        },
      });
      delivery = { conversionId, webhookId: `msg_${label}_${count}`, body };
      recent.push(delivery);
      // Duplicates come from the last few hundred: some while the original is still in flight.
      if (recent.length > 200) recent.shift();
    }
    sent.add(delivery.conversionId);
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      method: 'POST',
      path: `/v1/webhooks/conversions/${world.sourceId}`,
      conversionId: delivery.conversionId,
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook({ id: delivery.webhookId, timestamp, body: delivery.body, secret: world.webhookSecret }),
      },
      body: delivery.body,
    };
  };
  return { next, sent };
};

/** Conversion events in the table (it holds nothing else), counted on the table itself. */
const countStoredConversions = async (context: BenchContext, table: string): Promise<number> => {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await context.client.send(
      new ScanCommand({ TableName: table, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
};

export const webhooks = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  const baselineTable = await createTable(context.dynamodbEndpoint, 'events', 's5b-events');
  const childConfig = (consumer: RuntimeChildConfig['consumer']): RuntimeChildConfig => ({
    dynamodbEndpoint: context.dynamodbEndpoint,
    tablePrefix: 's5-',
    env: { ...world.entitiesEnv, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY! },
    consumer,
  });
  const product = await startChild<RuntimeChildReady>('runtime', childConfig('idle'));
  const baseline = await startChild<{ baseUrl: string }>('baseline-server', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    eventsTable: baselineTable,
  });
  const productStream = deliveryStream(world, 'p', options.seed + 51);
  const baselineStream = deliveryStream(world, 'b', options.seed + 51);
  // A conversion answered 202 twice would be a double count at the door.
  const accepted = new Map<string, number>();
  const countAccepted = (status: number, _headers: unknown, request: PlannedRequest) => {
    if (status === 202) {
      const id = (request as PlannedRequest & { conversionId: string }).conversionId;
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }
  };
  const load = (which: 'product' | 'baseline', seconds: number) =>
    runLoad({
      url: which === 'product' ? product.ready.baseUrl : baseline.ready.baseUrl,
      connections: CONNECTIONS,
      seconds,
      next: which === 'product' ? productStream.next : baselineStream.next,
      onResponse: which === 'product' ? countAccepted : undefined,
      cpuOf: { server: which === 'product' ? product.pid : baseline.pid, dynamodb: context.dynamodbPid },
    });

  let consumer: Awaited<ReturnType<typeof startChild<RuntimeChildReady>>> | undefined;
  try {
    context.log(`webhooks: warm-up ${options.warmupSeconds} s each`);
    await load('baseline', options.warmupSeconds);
    await load('product', options.warmupSeconds);
    const runs = { product: [] as LoadResult[], baseline: [] as LoadResult[] };
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      context.log(`webhooks: pair ${repeat + 1}/${options.repeats}`);
      const order = repeat % 2 === 0 ? (['baseline', 'product'] as const) : (['product', 'baseline'] as const);
      for (const which of order) runs[which].push(await load(which, options.loadSeconds));
    }
    await product.stop();

    // Roll the conversions up and compare with what was stored. Writes of requests still in
    // flight when a run ended may land a little later: count again once the roll-ups are done.
    let stored = await countStoredConversions(context, 's5-events');
    context.log(`webhooks: rolling up ${stored} stored conversions`);
    consumer = await startChild<RuntimeChildReady>('runtime', childConfig('product'));
    const watch = watchVisibility(() => countVisibleEvents(context.client, consumer!.ready.tableNames.rollups, world.orgId, []), 500);
    let counted = 0;
    try {
      // Until the roll-ups hold every stored conversion and the count has stopped moving (a
      // late write is counted too; anything counted twice would show as more than stored).
      for (let settled = false; !settled; ) {
        await watch.reach(stored, 600_000);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const again = await countStoredConversions(context, 's5-events');
        settled = again === stored;
        stored = again;
      }
    } finally {
      counted = watch.stop().at(-1)?.visible ?? 0;
    }

    const ratio = pairedRatios(runs.product.map((r) => r.requestsPerSecond), runs.baseline.map((r) => r.requestsPerSecond));
    const wrong = runs.product.reduce((sum, r) => sum + unexpectedAnswers(r, (status) => status === 200 || status === 202), 0);
    const acceptedTwice = [...accepted.values()].filter((times) => times > 1).length;
    const duplicatesAnswered = runs.product.reduce((sum, r) => sum + (r.statusCounts['200'] ?? 0), 0);
    const rows = (['product', 'baseline'] as const).map((which) => [
      which,
      formatRange(summarize(runs[which].map((r) => r.requestsPerSecond)), 0),
      formatRange(summarize(runs[which].map((r) => r.latencyP50)), 1),
      formatRange(summarize(runs[which].map((r) => r.latencyP99)), 1),
      Object.entries(runs[which].reduce<Record<string, number>>((all, r) => {
        for (const [code, count] of Object.entries(r.statusCounts)) all[code] = (all[code] ?? 0) + count;
        return all;
      }, {}))
        .map(([code, count]) => `${code}: ${count}`)
        .join(', '),
      formatRange(summarize(runs[which].map((r) => r.serverCpuMsPerResponse ?? Number.NaN)), 2),
      formatRange(summarize(runs[which].map((r) => r.dynamodbCpuMsPerResponse ?? Number.NaN)), 2),
    ]);
    return {
      id: 'webhooks',
      title: '5. Webhook ingestion',
      method:
        `autocannon ${options.loadSeconds} s runs at ${CONNECTIONS} connections, ${options.repeats} product/baseline pairs (alternating order) after a ${options.warmupSeconds} s warm-up. ` +
        `Bodies signed per request (Standard Webhooks, fresh timestamps); ${DUPLICATE_SHARE * 100}% duplicates drawn from the last 200 deliveries ` +
        '(half replays of the same webhook-id, half the same conversionId under a new webhook-id). Afterwards the stream consumer rolls everything up.',
      targets: [
        { name: 'requests/s vs baseline', target: `≥ ${RPS_RATIO_TARGET}×`, measured: formatRange(ratio, 2, '×'), met: ratio.median >= RPS_RATIO_TARGET },
        {
          name: 'double counts',
          target: '0',
          measured: `${acceptedTwice} accepted twice; ${counted} counted in roll-ups for ${stored} stored`,
          met: acceptedTwice === 0 && counted === stored,
        },
        { name: 'answers other than 202/200', target: '0', measured: String(wrong), met: wrong === 0 },
      ],
      tables: [
        {
          caption: 'Requests/s and latency in ms (median, min–max over the runs)',
          headers: ['server', 'requests/s', 'p50 ms', 'p99 ms', 'answers', 'CPU ms/request: server', 'CPU ms/request: DynamoDB Local'],
          rows,
        },
      ],
      notes: [
        `${formatNumber(duplicatesAnswered, 0)} duplicates answered \`200 duplicate\` in the measured runs; ${accepted.size} conversions answered 202 (warm-up included), ${stored} stored, ${productStream.sent.size} distinct conversionIds sent.`,
      ],
      data: { runs, stored, counted, acceptedTwice, acceptedDistinct: accepted.size, distinctSent: productStream.sent.size },
    };
  } finally {
    await Promise.all([product.stop(), baseline.stop(), consumer?.stop()]);
  }
};
