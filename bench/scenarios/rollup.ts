/**
 * Scenario 3 — roll-up throughput and write amplification (and scenario 6's memory for it).
 *
 * A backlog of click events and conversions (the seeded organization: 20 campaigns, 500
 * advocates, Zipf link popularity, visitors with 1–5 clicks) is written into an events table.
 * Per repeat, on fresh roll-up tables and from the start of the same stream:
 *   - the product: the local runtime's stream poller and rollup handler, default batch settings,
 *     until the roll-ups account for every event; then a paced phase for the lag; then an exact
 *     reconciliation of every campaign;
 *   - the naive consumer (bench/children/naive-consumer.ts), for a fixed time (its rate is a
 *     steady state), and at the same paced rate for its lag.
 * Visibility is read from outside (campaign totals rows), the same way for both; writes are
 * counted by a meter on each consumer's DynamoDB client.
 */
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { streamConsumer } from '../../infra/definitions.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { coalescingBound, plannerFigures } from '../lib/coalescing.js';
import { formatNumber, formatRange, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { generateEvents, type RawItem } from '../lib/dataset.js';
import type { MeterSnapshot } from '../lib/dynamo-meter.js';
import { writeEvents } from '../lib/events-writer.js';
import { sleep } from '../lib/pool.js';
import { startChild, watchRss, type Child } from '../lib/processes.js';
import { pairedRatios, summarize } from '../lib/stats.js';
import { createTable } from '../lib/tables.js';
import { countVisibleEvents, lagPercentiles, watchVisibility } from '../lib/visibility.js';
import { useTables } from '../lib/world.js';
import { addToTally, capacitySummary, emptyTally, perUnit, type ChildCapacity } from '../lib/capacity.js';

const THROUGHPUT_RATIO_TARGET = 5;
const WRITES_PER_EVENT_TARGET = 0.2;
/** Paced phase: events per second and seconds (both consumers get the same offered load). */
const PACED_RATE = 40;
const PACED_SECONDS = 15;

interface WriteCounts {
  events: number;
  total: number;
  byKind: Record<string, number>;
  transactions: number;
}

const rollupWrites = (meter: MeterSnapshot, table: string, events: number): WriteCounts => ({
  events,
  total: meter.tables[table]?.itemsWritten ?? 0,
  byKind: meter.tables[table]?.writtenByKind ?? {},
  transactions: meter.commands.TransactWrite ?? 0,
});

export const rollup = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  const eventsTable = await createTable(context.dynamodbEndpoint, 'events', 's3-events');
  const generate = (clicks: number, conversions: number, seed: number, spanMs: number) =>
    generateEvents(world.links, { seed, clicks, conversions, botShare: 0.1, spanMs, endMs: Date.now(), sourceId: world.sourceId }).items;

  context.log(`rollup: generating ${options.rollupClicks} clicks and ${options.rollupConversions} conversions`);
  const backlog = generate(options.rollupClicks, options.rollupConversions, options.seed + 31, 60 * 60_000);
  const writeStarted = performance.now();
  await writeEvents(context.client, eventsTable, backlog, { concurrency: 8 });
  const writeSeconds = (performance.now() - writeStarted) / 1000;
  context.log(`rollup: wrote ${backlog.length} events in ${formatNumber(writeSeconds, 0)} s`);
  let written = backlog.length;
  const countTypes = (items: RawItem[]) => items.reduce((n, item) => n + (item.type === 'click' ? 1 : 0), 0);
  let writtenClicks = countTypes(backlog);
  const capacity = emptyTally();
  const capacityCounts = { events: 0, clicks: 0, conversions: 0 };

  const consumerChild = (consumer: 'product' | 'naive', rollupsTable: string, latest = false) =>
    startChild<RuntimeChildReady>('runtime', {
      dynamodbEndpoint: context.dynamodbEndpoint,
      tablePrefix: 's3-',
      env: { ...world.entitiesEnv, TABLE_ROLLUPS: rollupsTable, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY! },
      consumer,
      meter: true,
      ...(latest ? { streamConsumer: { startingPosition: 'LATEST' } } : {}),
    } satisfies RuntimeChildConfig);
  const visibility = (table: string) => watchVisibility(() => countVisibleEvents(context.client, table, world.orgId, world.campaignIds), 250);

  /** Paced writing of fresh events; lag of each against the table's visibility. */
  const pacedLag = async (child: Child<RuntimeChildReady>, table: string, visibleBefore: number, seed: number) => {
    const events = generate(Math.round(PACED_RATE * PACED_SECONDS * 0.92), Math.round(PACED_RATE * PACED_SECONDS * 0.08), seed, 60_000);
    const watch = visibility(table);
    const writes = await writeEvents(context.client, eventsTable, events, { ratePerSecond: PACED_RATE });
    written += events.length;
    writtenClicks += countTypes(events);
    let complete = true;
    try {
      await watch.reach(visibleBefore + events.length, 300_000);
    } catch {
      complete = false;
    }
    const samples = watch.stop();
    void child;
    return { ...lagPercentiles(writes.ackedAt, samples, visibleBefore), complete, events: events.length };
  };

  const product: Array<{
    eventsPerSecond: number;
    writes: WriteCounts;
    pacedWrites: WriteCounts;
    lag: ReturnType<typeof lagPercentiles>;
    differences: number;
    peakRss: number;
    final: number;
    expected: number;
    meanBatch: number;
  }> = [];
  const naive: Array<{ eventsPerSecond: number; writes: WriteCounts; pacedWrites: WriteCounts; lag: ReturnType<typeof lagPercentiles> & { complete: boolean } }> = [];

  for (let repeat = 0; repeat < options.repeats; repeat++) {
    // The product: the whole stream, then the paced phase, then reconciliation.
    const productTable = await createTable(context.dynamodbEndpoint, 'rollups', `s3-r${repeat}-product`);
    const expected = written;
    context.log(`rollup: product, repeat ${repeat + 1}/${options.repeats}: ${expected} events`);
    const child = await consumerChild('product', productTable);
    const memory = watchRss(child.pid);
    const watch = visibility(productTable);
    try {
      const reachedAt = await watch.reach(expected, 1_800_000);
      watch.stop();
      const eventsPerSecond = expected / ((reachedAt - child.ready.startingAt) / 1000);
      // Writes and batch sizes of the backlog (full batches), then of the paced phase apart.
      const meter = await child.call<MeterSnapshot>('meter');
      addToTally(capacity, await child.call<ChildCapacity>('capacity'));
      capacityCounts.events += expected;
      capacityCounts.clicks += writtenClicks;
      capacityCounts.conversions += expected - writtenClicks;
      const poller = await child.call<{ batchesDelivered: number; recordsDelivered: number }>('poller');
      await child.call('resetMeter');
      const lag = await pacedLag(child, productTable, expected, options.seed + 300 + repeat);
      const pacedMeter = await child.call<MeterSnapshot>('meter');
      await sleep(1000);
      const final = await countVisibleEvents(context.client, productTable, world.orgId, world.campaignIds);
      const peakRss = memory.stop().peakBytes;
      useTables({ TABLE_EVENTS: eventsTable, TABLE_ROLLUPS: productTable });
      let differences = 0;
      for (const campaignId of world.campaignIds) differences += (await reconcileCampaign(world.orgId, campaignId)).differences.length;
      const meanBatch = poller.recordsDelivered / Math.max(1, poller.batchesDelivered);
      const writes = rollupWrites(meter, productTable, expected);
      const pacedWrites = rollupWrites(pacedMeter, productTable, lag.events);
      product.push({ eventsPerSecond, writes, pacedWrites, lag, differences, peakRss, final, expected: expected + lag.events, meanBatch });
      context.log(`rollup: product ${formatNumber(eventsPerSecond, 0)} events/s, ${formatNumber(writes.total / writes.events, 2)} writes/event, ${differences} differences`);
    } finally {
      watch.stop();
      memory.stop();
      await child.stop();
    }

    // The naive consumer: a fixed time on the same stream from its start.
    const naiveTable = await createTable(context.dynamodbEndpoint, 'rollups', `s3-r${repeat}-naive`);
    context.log(`rollup: naive, repeat ${repeat + 1}/${options.repeats}: ${options.naiveSeconds} s`);
    const naiveChild = await consumerChild('naive', naiveTable);
    const naiveWatch = visibility(naiveTable);
    let eventsPerSecond = 0;
    let writes: WriteCounts;
    try {
      await sleep(options.naiveSeconds * 1000);
      const meter = await naiveChild.call<MeterSnapshot>('meter');
      const visible = await countVisibleEvents(context.client, naiveTable, world.orgId, world.campaignIds);
      eventsPerSecond = visible / ((Date.now() - naiveChild.ready.startingAt) / 1000);
      writes = rollupWrites(meter, naiveTable, visible);
    } finally {
      naiveWatch.stop();
      await naiveChild.stop();
    }
    // …and its lag at the same offered rate, from the stream's end.
    const naiveLagTable = await createTable(context.dynamodbEndpoint, 'rollups', `s3-r${repeat}-naive-lag`);
    const lagChild = await consumerChild('naive', naiveLagTable, true);
    try {
      await lagChild.call('drain', { timeoutMs: 60_000 });
      const lag = await pacedLag(lagChild, naiveLagTable, 0, options.seed + 400 + repeat);
      const pacedWrites = rollupWrites(await lagChild.call<MeterSnapshot>('meter'), naiveLagTable, lag.events);
      naive.push({ eventsPerSecond, writes: writes!, pacedWrites, lag });
    } finally {
      await lagChild.stop();
    }
  }

  const throughputRatio = pairedRatios(product.map((p) => p.eventsPerSecond), naive.map((n) => n.eventsPerSecond));
  const writesPerEvent = summarize(product.map((p) => p.writes.total / p.writes.events));
  const kinds = (writes: WriteCounts) =>
    Object.entries(writes.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => `${kind} ${formatNumber(count / writes.events, 3)}`)
      .join(', ');
  const differences = product.reduce((sum, p) => sum + p.differences, 0);
  const exact = product.every((p) => p.final === p.expected) && differences === 0;
  const clickCount = backlog.filter((item) => item.type === 'click').length;
  const bound = coalescingBound(backlog, [...[100, streamConsumer.batchSize, 10_000].filter((window) => window < clickCount), clickCount]);
  const planner = plannerFigures(backlog, streamConsumer.batchSize);
  const peakRss = Math.max(...product.map((p) => p.peakRss));

  const capacityOfRuns = capacitySummary(capacity, 'rollup', capacityCounts);
  return {
    id: 'rollup',
    title: '3. Roll-up throughput and write amplification',
    method:
      `${formatNumber(backlog.length, 0)} events (${formatNumber(options.rollupClicks, 0)} clicks incl. 10% bots, ${formatNumber(options.rollupConversions, 0)} conversions) written into the events table, ` +
      `then consumed from the start of its stream with the default mapping settings (batch ${streamConsumer.batchSize}, window ${streamConsumer.maxBatchingWindowSeconds} s). ` +
      `Product: until the campaign totals account for every event (events/s = events / time from the consumer's start). Naive: ${options.naiveSeconds} s, events/s = events visible / time. ` +
      `Lag: ${PACED_RATE} events/s for ${PACED_SECONDS} s offered to each, p50/p95 of (visible in the roll-ups − write acknowledged). Writes: every item written to the roll-up table, counted on the consumer's client. ` +
      `${options.repeats} repeats, each on fresh roll-up tables.`,
    targets: [
      {
        name: 'throughput vs naive',
        target: `≥ ${THROUGHPUT_RATIO_TARGET}×`,
        measured: `${formatRange(throughputRatio, 1, '×')} (${formatNumber(summarize(product.map((p) => p.eventsPerSecond)).median, 0)} vs ${formatNumber(summarize(naive.map((n) => n.eventsPerSecond)).median, 0)} events/s)`,
        met: throughputRatio.median >= THROUGHPUT_RATIO_TARGET,
      },
      {
        name: 'roll-up writes per event',
        target: `≤ ${WRITES_PER_EVENT_TARGET}`,
        measured: `${formatRange(writesPerEvent, 2)} (${kinds(product[product.length - 1].writes)})`,
        met: writesPerEvent.median <= WRITES_PER_EVENT_TARGET,
      },
      {
        name: 'exact reconciliation',
        target: '0 differences, every event once',
        measured: `${differences} differing counters; ${product.map((p) => `${p.final}/${p.expected}`).join(', ')} events visible/written`,
        met: exact,
      },
    ],
    tables: [
      {
        caption: 'Per consumer (median, min–max over the repeats)',
        headers: ['consumer', 'events/s', 'roll-up writes/event', 'transactions/event', 'mean batch', `lag p50 s @${PACED_RATE}/s`, `lag p95 s @${PACED_RATE}/s`, `writes/event @${PACED_RATE}/s`],
        rows: [
          [
            'product',
            formatRange(summarize(product.map((p) => p.eventsPerSecond)), 0),
            formatRange(writesPerEvent, 2),
            formatRange(summarize(product.map((p) => p.writes.transactions / p.writes.events)), 3),
            formatRange(summarize(product.map((p) => p.meanBatch)), 0),
            formatRange(summarize(product.map((p) => p.lag.p50 / 1000)), 1),
            formatRange(summarize(product.map((p) => p.lag.p95 / 1000)), 1),
            formatRange(summarize(product.map((p) => p.pacedWrites.total / Math.max(1, p.pacedWrites.events))), 2),
          ],
          [
            'naive',
            formatRange(summarize(naive.map((n) => n.eventsPerSecond)), 0),
            formatRange(summarize(naive.map((n) => n.writes.total / Math.max(1, n.writes.events))), 2),
            '0',
            '',
            formatRange(summarize(naive.map((n) => n.lag.p50 / 1000)), 1),
            formatRange(summarize(naive.map((n) => n.lag.p95 / 1000)), 1),
            formatRange(summarize(naive.map((n) => n.pacedWrites.total / Math.max(1, n.pacedWrites.events))), 2),
          ],
        ],
      },
      {
        caption:
          'Counter rows a window of consecutive click events touches — the fewest counter writes per event any consumer can make if a window becomes visible when it is done (clicks of this workload, computed)',
        headers: ['window (events)', 'counter rows per event'],
        rows: [
          ...bound.map((b) => [formatNumber(b.window, 0), formatNumber(b.rowsPerEvent, 3)]),
          [`product planner, batches of ${planner.batchSize}`, `${formatNumber(planner.rowWritesPerEvent, 3)} (+ ${planner.ledgerWritesPerEvent} ledger, ${formatNumber(planner.transactionsPerEvent, 4)} transactions)`],
        ],
      },
    ],
    notes: [
      `Capacity per event rolled up (the product's backlog phases, ReturnConsumedCapacity on the consumer's client): ${perUnit(capacityOfRuns, capacityCounts.events)}; ` +
        `${formatNumber(capacityOfRuns.lambdaInvocations, 0)} consumer invocations for ${formatNumber(capacityCounts.events, 0)} events, median ${formatNumber(capacityOfRuns.medianDurationMs, 0)} ms each.`,
      `Backlog written in ${formatNumber(writeSeconds, 0)} s (${formatNumber(backlog.length / writeSeconds, 0)} events/s through BatchWriteItem), not part of the figures.`,
      `Naive lag: ${naive.map((n) => `${n.lag.measured}/${n.lag.of} events seen${n.lag.complete ? '' : ' (did not catch up within 5 min)'}`).join('; ')}.`,
      `Peak RSS of the local runtime process while consuming: ${formatNumber(peakRss / 1024 ** 2, 0)} MB (scenario 6).`,
    ],
    data: { product, naive, bound, planner, writeSeconds, backlog: backlog.length, peakRssBytes: peakRss, capacity: capacityOfRuns },
  };
};
