/**
 * Scenario 5 — webhook ingestion. autocannon posts Standard Webhooks-signed conversions to the
 * local runtime at 16 connections; a fifth of them are duplicates (half replays of the same
 * delivery, half the same conversionId under a new webhook-id), sent while the original may
 * still be in flight. Baseline: the bare server answering 202 after a single PutItem. Afterwards
 * the stream consumer rolls the conversions up: every conversion must be counted exactly once.
 * The product also takes Stripe `checkout.session.completed` events on its Stripe receiver
 * (signed by the `stripe` package), against the same baseline in the same run.
 */
import Stripe from 'stripe';
import { signWebhook } from '../../shared/domain/webhook-signature.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { formatNumber, formatRange, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { runLoad, unexpectedAnswers, type LoadResult, type PlannedRequest } from '../lib/load.js';
import { countMatching } from '../lib/count.js';
import { startChild } from '../lib/processes.js';
import { seededRandom } from '../lib/random.js';
import { pairedRatios, summarize } from '../lib/stats.js';
import { countVisibleEvents, watchVisibility } from '../lib/visibility.js';
import { addToTally, capacitySummary, emptyTally, perUnit, type ChildCapacity } from '../lib/capacity.js';

const CONNECTIONS = 16;
const SERVERS = ['product', 'stripe', 'baseline', 'puts', 'transaction'] as const;
type Server = (typeof SERVERS)[number];
const SERVER_LABELS: Record<Server, string> = {
  product: 'product',
  stripe: 'product, Stripe receiver',
  baseline: 'baseline (1 PutItem)',
  puts: 'storage baseline (2 conditional PutItems)',
  transaction: 'former storage (1 two-item transaction)',
};
const DUPLICATE_SHARE = 0.2;
const RPS_RATIO_TARGET = 0.7;

interface Delivery {
  conversionId: string;
  webhookId: string;
  body: string;
}

const stripeSigner = new Stripe('sk_test_unused');

/** A Standard Webhooks delivery as the product's Stripe receiver gets it: a signed Checkout event. */
const asStripeEvent = (world: BenchContext['world'], delivery: Delivery): PlannedRequest => {
  const { data } = JSON.parse(delivery.body) as { data: { conversionId: string; occurredAt: string; value: { amount: string }; customerId: string } };
  const payload = JSON.stringify({
    id: `evt_${delivery.webhookId}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.parse(data.occurredAt) / 1000),
    data: {
      object: {
        id: `cs_${data.conversionId}`,
        object: 'checkout.session',
        payment_intent: data.conversionId,
        amount_total: Math.round(Number(data.value.amount) * 100),
        currency: 'eur',
        customer: data.customerId,
        client_reference_id: null,
        metadata: {},
      },
    },
  });
  return {
    method: 'POST',
    path: `/v1/integrations/stripe/${world.stripeSourceId}`,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripeSigner.webhooks.generateTestHeaderString({ payload, secret: world.stripeSecret }) },
    body: payload,
  };
};

/** Signed deliveries, made as they are sent (timestamps must be fresh). */
const deliveryStream = (world: BenchContext['world'], label: string, seed: number, pathPrefix = '', vendor?: 'stripe') => {
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
    if (vendor === 'stripe') return { ...asStripeEvent(world, delivery), conversionId: delivery.conversionId };
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      method: 'POST',
      path: `${pathPrefix}/v1/webhooks/conversions/${world.sourceId}`,
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

/** The organization's conversion events in the table, counted on the table itself. */
const countStoredConversions = (context: BenchContext, table: string): Promise<number> =>
  countMatching(context, table, {
    expression: '#type = :conversion AND orgId = :orgId',
    names: { '#type': 'type' },
    values: { ':conversion': 'conversion', ':orgId': context.world.orgId },
  });

export const webhooks = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  // Five servers warm one after another, so DynamoDB Local is warm long before the last: a
  // shorter warm-up each keeps the whole run under 20 minutes.
  const warmupSeconds = Math.min(options.warmupSeconds, 8);
  // Every conversion accepted is rolled up afterwards to check for double counts — that takes
  // longer than the load itself, so the runs are a little shorter than scenario 1's.
  const loadSeconds = Math.min(options.loadSeconds, 8);
  const childConfig = (consumer: RuntimeChildConfig['consumer'], meter = false): RuntimeChildConfig => ({
    dynamodbEndpoint: context.dynamodbEndpoint,
    tablePrefix: 's5-',
    env: { ...world.entitiesEnv, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY! },
    consumer,
    meter,
  });
  const product = await startChild<RuntimeChildReady>('runtime', childConfig('idle', true));
  // Into the product's own events table, as in scenario 1 (DynamoDB Local's write cost differs
  // between stream-enabled tables); the baseline's conversions belong to another organization.
  const baseline = await startChild<{ baseUrl: string }>('baseline-server', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    eventsTable: product.ready.tableNames.events,
    entitiesTable: product.ready.tableNames.entities,
  });
  const streams = {
    product: deliveryStream(world, 'p', options.seed + 51),
    stripe: deliveryStream(world, 's', options.seed + 51, '', 'stripe'),
    baseline: deliveryStream(world, 'b', options.seed + 51),
    puts: deliveryStream(world, 'q', options.seed + 51, '/puts'),
    transaction: deliveryStream(world, 't', options.seed + 51, '/tx'),
  };
  const productStream = streams.product;
  // A conversion answered 202 twice would be a double count at the door.
  const accepted = new Map<string, number>();
  const countAccepted = (status: number, _headers: unknown, request: PlannedRequest) => {
    if (status === 202) {
      const id = (request as PlannedRequest & { conversionId: string }).conversionId;
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }
  };
  const capacity = emptyTally();
  let measuredRequests = 0;
  let measuredAccepted = 0;
  const load = async (which: Server, seconds: number, measured = true) => {
    if (which === 'product') await product.call('resetMeter');
    const result = await runLoad({
      url: which === 'product' || which === 'stripe' ? product.ready.baseUrl : baseline.ready.baseUrl,
      connections: CONNECTIONS,
      seconds,
      next: streams[which].next,
      onResponse: which === 'product' || which === 'stripe' ? countAccepted : undefined,
      cpuOf: { server: which === 'product' || which === 'stripe' ? product.pid : baseline.pid, dynamodb: context.dynamodbPid },
    });
    if (which === 'product' && measured) {
      addToTally(capacity, await product.call<ChildCapacity>('capacity'));
      measuredRequests += result.responses;
      measuredAccepted += result.statusCounts['202'] ?? 0;
    }
    return result;
  };

  let consumer: Awaited<ReturnType<typeof startChild<RuntimeChildReady>>> | undefined;
  try {
    context.log(`webhooks: warm-up ${warmupSeconds} s each`);
    for (const which of SERVERS) await load(which, warmupSeconds, false);
    const runs = { product: [] as LoadResult[], stripe: [] as LoadResult[], baseline: [] as LoadResult[], puts: [] as LoadResult[], transaction: [] as LoadResult[] };
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      context.log(`webhooks: round ${repeat + 1}/${options.repeats}`);
      // Rotate who goes first, so drift in the machine's load favours no one.
      const order = SERVERS.map((_, i) => SERVERS[(i + repeat) % SERVERS.length]);
      for (const which of order) runs[which].push(await load(which, loadSeconds));
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

    const capacityOfRuns = capacitySummary(capacity, 'conversions', {
      requests: measuredRequests,
      accepted: measuredAccepted,
      apiRequests: measuredRequests,
    });
    const rps = (which: Server) => runs[which].map((r) => r.requestsPerSecond);
    const versusStorage = pairedRatios(rps('product'), rps('puts'));
    const storageVersusPut = pairedRatios(rps('puts'), rps('baseline'));
    const transactionVersusPut = pairedRatios(rps('transaction'), rps('baseline'));
    const ratio = pairedRatios(runs.product.map((r) => r.requestsPerSecond), runs.baseline.map((r) => r.requestsPerSecond));
    const stripeRatio = pairedRatios(rps('stripe'), rps('baseline'));
    const wrong = [...runs.product, ...runs.stripe].reduce((sum, r) => sum + unexpectedAnswers(r, (status) => status === 200 || status === 202), 0);
    const acceptedTwice = [...accepted.values()].filter((times) => times > 1).length;
    const duplicatesAnswered = runs.product.reduce((sum, r) => sum + (r.statusCounts['200'] ?? 0), 0);
    const rows = SERVERS.map((which) => [
      SERVER_LABELS[which],
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
        `autocannon ${loadSeconds} s runs at ${CONNECTIONS} connections, ${options.repeats} rounds of the five servers (rotating order) after a ${warmupSeconds} s warm-up of each. ` +
        'The baseline answers after one PutItem (the issue\'s baseline); the storage baseline is the same bare server writing what the product writes (a conditional PutItem of the webhook-id marker, then one of the conversion); ' +
        'the former storage writes both in one conditional TransactWriteItems, as the product did before. ' +
        `Bodies signed per request (Standard Webhooks, fresh timestamps); ${DUPLICATE_SHARE * 100}% duplicates drawn from the last 200 deliveries ` +
        '(half replays of the same webhook-id, half the same conversionId under a new webhook-id). Afterwards the stream consumer rolls everything up.',
      targets: [
        { name: 'requests/s vs baseline', target: `≥ ${RPS_RATIO_TARGET}×`, measured: formatRange(ratio, 2, '×'), met: ratio.median >= RPS_RATIO_TARGET },
        { name: 'Stripe receiver requests/s vs baseline', target: `≥ ${RPS_RATIO_TARGET}×`, measured: formatRange(stripeRatio, 2, '×'), met: stripeRatio.median >= RPS_RATIO_TARGET },
        { name: 'requests/s vs storage baseline (same writes, bare server)', target: 'information', measured: formatRange(versusStorage, 2, '×'), met: null },
        { name: 'storage baseline vs baseline (the cost of the two dedupe writes)', target: 'information', measured: formatRange(storageVersusPut, 2, '×'), met: null },
        { name: 'former storage (transaction) vs baseline', target: 'information', measured: formatRange(transactionVersusPut, 2, '×'), met: null },
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
        `Capacity per webhook request (measured runs, ReturnConsumedCapacity on the product's client): ${perUnit(capacityOfRuns, measuredRequests)}; ` +
          `${formatNumber(capacityOfRuns.lambdaInvocations / Math.max(1, measuredRequests), 3)} Lambda invocations per request, median handler duration ${formatNumber(capacityOfRuns.medianDurationMs, 2)} ms.`,
        `${formatNumber(duplicatesAnswered, 0)} duplicates answered \`200 duplicate\` in the measured runs; ${accepted.size} conversions answered 202 (warm-up included), ${stored} stored, ${productStream.sent.size} distinct conversionIds sent.`,
      ],
      data: { runs, stripeRatio, stored, counted, acceptedTwice, acceptedDistinct: accepted.size, distinctSent: productStream.sent.size, capacity: capacityOfRuns, versusStorage, storageVersusPut, transactionVersusPut },
    };
  } finally {
    await Promise.all([product.stop(), baseline.stop(), consumer?.stop()]);
  }
};
