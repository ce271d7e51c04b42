/**
 * Scenario 7 — a real program's traffic (issue 15): the local runtime (HTTP API, redirect,
 * conversion webhook, stream poller with the production stream settings of infra/definitions.ts)
 * driven from outside at a 10,000-advocate program's rate and shape — a compressed day whose
 * phases (morning peak, working day, long tail) each run at their real per-second rate, 200 links
 * by popularity over 2 campaigns, 10% bots, returning visitors carrying their cookies, 1%
 * conversions through the signed webhook. Per phase: capacity counted by the project's meter per
 * function (as scenario 3 counts it), and roll-up lag (click answered → its counters visible).
 * Figures of the day are the phases' weighted by their share of the day's clicks.
 *
 * `--batching-window <s>` and `--batch-size <n>` override the stream settings (the levers of
 * docs/scaling.md); `--program-seconds <s>` sets the seconds each phase is played.
 */
import { streamConsumer } from '../../infra/definitions.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { signWebhook } from '../../shared/domain/webhook-signature.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { capacitySummary, emptyTally, addToTally, ofFunctions, type ChildCapacity } from '../lib/capacity.js';
import { formatNumber, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { browserUserAgents, countries, generateVisits, pickBy, referrerHosts } from '../lib/dataset.js';
import { VIEWER_COUNTRY_HEADER } from '../../shared/application/record-click.js';
import { sleep } from '../lib/pool.js';
import { startChild, watchRss } from '../lib/processes.js';
import { averageClicksPerSecond, playedPhases, programLinks, programProfile, weightedByShare, weightedPercentile, type PlayedPhase } from '../lib/program-day.js';
import { seededRandom, type Random } from '../lib/random.js';
import { percentile } from '../lib/stats.js';
import { countVisibleEvents, eventLags, watchVisibility } from '../lib/visibility.js';
import { useTables } from '../lib/world.js';
import { weightedCapacity, type PhaseCapacity } from '../lib/weighted-capacity.js';

const LAG_P95_TARGET_SECONDS = 60;
const WARMUP_SECONDS = 30;
const BOT_USER_AGENTS = [
  'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
/** The functions of each path the cost model prices (their invocations and DynamoDB capacity). */
const PATH_FUNCTIONS = { redirect: ['redirect'], webhook: ['conversions'], rollup: [streamConsumer.function] } as const satisfies Record<string, readonly FunctionId[]>;

type Arrival = { atMs: number } & ({ kind: 'click'; slug: string; visitor?: string; userAgent: string } | { kind: 'conversion' });

/** One phase's arrivals: Poisson at the phase's rate; a visitor's later clicks come a little later, with its cookies. */
const phaseArrivals = (random: Random, links: ReturnType<typeof programLinks<{ slug: string; weight: number }>>, phase: PlayedPhase, seed: number): Arrival[] => {
  const humans = Math.round(phase.clicks * (1 - programProfile.botShare));
  const spanMs = phase.seconds * 1000;
  const placed: Arrival[] = [];
  let visitorStart = 0;
  for (const visit of generateVisits(seed, links, humans)) {
    // A returning visitor comes back within a minute or so (the phase is a compressed day).
    const atMs = visit.ordinal === 0 ? (visitorStart = random() * spanMs) : Math.min(spanMs, visitorStart + random() * 60_000);
    placed.push({ atMs, kind: 'click', slug: links[visit.slugIndex].slug, visitor: visit.visitorId, userAgent: browserUserAgents[visit.userAgent] });
  }
  for (let i = humans; i < phase.clicks; i++) {
    placed.push({ atMs: random() * spanMs, kind: 'click', slug: links[Math.floor(random() * links.length)].slug, userAgent: BOT_USER_AGENTS[Math.floor(random() * BOT_USER_AGENTS.length)] });
  }
  const conversions = Math.round(phase.clicks * programProfile.conversionShare);
  for (let i = 0; i < conversions; i++) placed.push({ atMs: spanMs * (0.2 + 0.8 * random()), kind: 'conversion' });
  return placed.sort((a, b) => a.atMs - b.atMs);
};

interface PhaseRun {
  phase: PlayedPhase;
  clicks: number;
  conversions: number;
  unexpected: number;
  lags: number[];
  complete: boolean;
  capacity: ChildCapacity;
  batches: number;
  records: number;
}

export const program = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  const settings = {
    maxBatchingWindowSeconds: options.batchingWindowSeconds ?? streamConsumer.maxBatchingWindowSeconds,
    batchSize: options.batchSize ?? streamConsumer.batchSize,
  };
  const phases = playedPhases(options.programPhaseSeconds);
  const links = programLinks(world.links);
  const child = await startChild<RuntimeChildReady>('runtime', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    tablePrefix: 's7-',
    env: { ...world.entitiesEnv, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY! },
    consumer: 'product',
    meter: true,
    streamConsumer: settings,
  } satisfies RuntimeChildConfig);
  const rollupsTable = child.ready.tableNames.rollups;
  const memory = watchRss(child.pid);
  const random = seededRandom(options.seed + 71);
  const jars = new Map<string, string>();
  const recentClickIds: string[] = [];
  let conversionCount = 0;
  const runs: PhaseRun[] = [];
  let peakRss = 0;
  let differences = 0;
  try {
    const sendClick = async (arrival: Extract<Arrival, { kind: 'click' }>): Promise<number> => {
      const cookie = arrival.visitor ? jars.get(arrival.visitor) : undefined;
      const country = pickBy(arrival.visitor ?? `${arrival.atMs}`, countries);
      const referrer = arrival.visitor ? pickBy(`${arrival.visitor}${arrival.atMs}`, referrerHosts) : undefined;
      const response = await fetch(`${child.ready.baseUrl}/${arrival.slug}`, {
        redirect: 'manual',
        headers: {
          'user-agent': arrival.userAgent,
          accept: 'text/html',
          // Spread as the other scenarios' data (bench/lib/dataset.ts): a visitor keeps its country, referrers vary by click.
          ...(country ? { [VIEWER_COUNTRY_HEADER]: country } : {}),
          ...(referrer ? { referer: `https://${referrer}/` } : {}),
          ...(cookie ? { cookie } : {}),
        },
      });
      await response.arrayBuffer();
      const cookies = response.headers.getSetCookie().map((value) => value.split(';')[0]);
      if (arrival.visitor && cookies.length > 0) jars.set(arrival.visitor, cookies.join('; '));
      const clickId = new URL(response.headers.get('location') ?? 'http://x/').searchParams.get('eaclid');
      if (clickId && recentClickIds.push(clickId) > 200) recentClickIds.shift();
      return response.status;
    };
    const sendConversion = async (): Promise<number> => {
      const conversionId = `program-${options.seed}-${conversionCount++}`;
      const clickId = recentClickIds.length > 0 ? recentClickIds[Math.floor(random() * recentClickIds.length)] : undefined;
      const body = JSON.stringify({
        type: 'conversion.created',
        data: { conversionId, kind: 'purchase', occurredAt: new Date().toISOString(), value: { amount: '49.90', currency: 'EUR' }, customerId: `crm-${conversionId}`, ...(clickId ? { clickId } : {}) },
      });
      const id = `msg_${conversionId}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(`${child.ready.baseUrl}/v1/webhooks/conversions/${world.sourceId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook({ id, timestamp, body, secret: world.webhookSecret }) },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    };

    // A warm-up at the peak's rate first, not measured: DynamoDB Local's JIT and the handlers'
    // first loads made the first requests of a cold runtime time out (seen in the first runs).
    const warmup: PlayedPhase = { ...phases[0], name: 'warm-up (not measured)', seconds: WARMUP_SECONDS, clicks: Math.round(phases[0].clicksPerSecond * WARMUP_SECONDS) };
    for (const [index, phase] of [warmup, ...phases].entries()) {
      const arrivals = phaseArrivals(random, links, phase, options.seed + 700 + index);
      const visibleBefore = await countVisibleEvents(context.client, rollupsTable, world.orgId, world.campaignIds);
      const pollerBefore = await child.call<{ batchesDelivered: number; recordsDelivered: number }>('poller');
      await child.call('resetMeter');
      context.log(`program: ${phase.name}: ${arrivals.length} events at ${formatNumber(phase.clicksPerSecond, 2)} clicks/s for ${phase.seconds} s`);
      const watch = watchVisibility(() => countVisibleEvents(context.client, rollupsTable, world.orgId, world.campaignIds), 250);
      const ackedAt: number[] = [];
      let unexpected = 0;
      const started = Date.now();
      const inFlight: Array<Promise<void>> = [];
      for (const arrival of arrivals) {
        await sleep(Math.max(0, started + arrival.atMs - Date.now()));
        inFlight.push(
          (arrival.kind === 'click' ? sendClick(arrival) : sendConversion()).then(
            (status) => {
              if (status === (arrival.kind === 'click' ? 302 : 202)) ackedAt.push(Date.now());
              else unexpected++;
            },
            () => void unexpected++,
          ),
        );
      }
      await Promise.all(inFlight);
      let complete = true;
      try {
        await watch.reach(visibleBefore + ackedAt.length, (settings.maxBatchingWindowSeconds + 180) * 1000);
      } catch {
        complete = false;
      }
      const lags = eventLags(ackedAt, watch.stop(), visibleBefore);
      const capacity = await child.call<ChildCapacity>('capacity');
      const poller = await child.call<{ batchesDelivered: number; recordsDelivered: number }>('poller');
      const clicks = arrivals.filter((arrival) => arrival.kind === 'click').length;
      if (phase === warmup) continue;
      runs.push({
        phase,
        clicks,
        conversions: arrivals.length - clicks,
        unexpected,
        lags,
        complete,
        capacity,
        batches: poller.batchesDelivered - pollerBefore.batchesDelivered,
        records: poller.recordsDelivered - pollerBefore.recordsDelivered,
      });
      context.log(`program: ${phase.name}: lag p95 ${formatNumber(percentile(lags, 95) / 1000, 1)} s, ${unexpected} unexpected answers`);
    }
    peakRss = memory.stop().peakBytes;
    useTables({ TABLE_EVENTS: child.ready.tableNames.events, TABLE_ROLLUPS: rollupsTable });
    for (const campaignId of world.campaignIds) differences += (await reconcileCampaign(world.orgId, campaignId)).differences.length;
  } finally {
    memory.stop();
    await child.stop();
  }

  // Per phase, per path: what the path's functions used, then the day's weighted figures.
  const pathOf = (run: PhaseRun, path: keyof typeof PATH_FUNCTIONS) => addToTally(emptyTally(), ofFunctions(run.capacity, PATH_FUNCTIONS[path]));
  const phaseCapacity = (path: keyof typeof PATH_FUNCTIONS, counts: (run: PhaseRun) => Record<string, number>): PhaseCapacity[] =>
    runs.map((run) => ({ shareOfDay: run.phase.shareOfDay, summary: capacitySummary(pathOf(run, path), PATH_FUNCTIONS[path][0], counts(run)) }));
  const events = (run: PhaseRun) => run.clicks + run.conversions;
  const capacity = {
    redirect: weightedCapacity(phaseCapacity('redirect', (run) => ({ requests: run.clicks, apiRequests: run.clicks })), 'requests'),
    webhook: weightedCapacity(phaseCapacity('webhook', (run) => ({ requests: run.conversions, accepted: run.conversions, apiRequests: run.conversions })), 'requests'),
    rollup: weightedCapacity(phaseCapacity('rollup', (run) => ({ events: events(run), clicks: run.clicks, conversions: run.conversions })), 'events'),
    settings,
    phases: runs.map((run) => ({ name: run.phase.name, shareOfDay: run.phase.shareOfDay, clicksPerSecond: run.phase.clicksPerSecond })),
  };
  const rollupUnitsPerEvent = runs.map((run) => {
    const tally = pathOf(run, 'rollup');
    return (tally.writeUnits + tally.transactWriteUnits) / Math.max(1, events(run));
  });
  const rollupUnitsPerClick = runs.map((run, index) => (rollupUnitsPerEvent[index] * events(run)) / Math.max(1, run.clicks));
  const dayUnitsPerClick = weightedByShare(runs.map((run) => run.phase), rollupUnitsPerClick);
  const lagGroups = runs.map((run) => ({ weight: run.phase.shareOfDay, values: run.lags }));
  const dayLag = { p50: weightedPercentile(lagGroups, 50), p95: weightedPercentile(lagGroups, 95) };
  const unexpected = runs.reduce((sum, run) => sum + run.unexpected, 0);
  const complete = runs.every((run) => run.complete);
  const seconds = (ms: number) => formatNumber(ms / 1000, 1);

  return {
    id: 'program',
    title: '7. A real program\'s day (roll-up cost and lag at the program profile)',
    method:
      `The local runtime with the production stream settings (batch ${settings.batchSize}, window ${settings.maxBatchingWindowSeconds} s${options.batchingWindowSeconds !== undefined || options.batchSize !== undefined ? ', overridden for this run' : ''}) driven over HTTP at a ${formatNumber(programProfile.advocates, 0)}-advocate program's rate ` +
      `(${formatNumber(programProfile.clicksPerMonth, 0)} clicks a month, ${formatNumber(averageClicksPerSecond(), 2)} clicks/s on average): ${phases.length} phases of a day, each played ${options.programPhaseSeconds} s at its real rate ` +
      `(${phases.map((phase) => `${phase.name} ${formatNumber(phase.clicksPerSecond, 2)}/s, ${formatNumber(100 * phase.shareOfDay, 0)}% of the day`).join('; ')}), ` +
      `${links.length} links by popularity (Zipf ${programProfile.linkPopularityExponent}) over ${world.campaignIds.length} campaigns, ${formatNumber(100 * programProfile.botShare, 0)}% bots, returning visitors with their cookies, ` +
      `${formatNumber(100 * programProfile.conversionShare, 0)}% conversions through the signed webhook. Capacity per function by the project's meter; lag = counters visible − answer received; day figures weighted by each phase's share of the day's clicks.`,
    targets: [
      { name: 'roll-up lag p95 (day)', target: `≤ ${LAG_P95_TARGET_SECONDS} s`, measured: `${seconds(dayLag.p95)} s (p50 ${seconds(dayLag.p50)} s)`, met: dayLag.p95 <= LAG_P95_TARGET_SECONDS * 1000 },
      { name: 'roll-up write units per click (day)', target: 'as few as the lag allows', measured: formatNumber(dayUnitsPerClick, 2), met: null },
      {
        name: 'exact reconciliation, every answer expected',
        target: '0 differences, 0 unexpected',
        measured: `${differences} differing counters, ${unexpected} unexpected answers${complete ? '' : ', some events not visible in time'}`,
        met: differences === 0 && unexpected === 0 && complete,
      },
    ],
    tables: [
      {
        caption: 'Per phase',
        headers: ['phase', 'clicks/s', 'share of day', 'clicks + conversions played', 'mean batch (records)', 'roll-up write units per click', 'lag p50 s', 'lag p95 s'],
        rows: runs.map((run, index) => [
          run.phase.name,
          formatNumber(run.phase.clicksPerSecond, 2),
          `${formatNumber(100 * run.phase.shareOfDay, 0)}%`,
          `${run.clicks} + ${run.conversions}`,
          formatNumber(run.records / Math.max(1, run.batches), 1),
          formatNumber(rollupUnitsPerClick[index], 2),
          seconds(percentile(run.lags, 50)),
          seconds(percentile(run.lags, 95)),
        ]),
      },
    ],
    notes: [`Peak RSS of the local runtime: ${formatNumber(peakRss / 1024 ** 2, 0)} MB.`],
    data: {
      settings,
      phases: runs.map((run, index) => ({ ...run.phase, played: run.clicks + run.conversions, batches: run.batches, records: run.records, rollupUnitsPerClick: rollupUnitsPerClick[index], lagP50Ms: percentile(run.lags, 50), lagP95Ms: percentile(run.lags, 95), unexpected: run.unexpected })),
      day: { rollupUnitsPerClick: dayUnitsPerClick, lagP50Ms: dayLag.p50, lagP95Ms: dayLag.p95 },
      differences,
      peakRssBytes: peakRss,
      capacity,
    },
  };
};
