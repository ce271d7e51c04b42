/**
 * Scenario 1 — redirect throughput and latency (and scenario 6's memory for it). autocannon
 * against GET /{slug} of the local runtime (a child process: HTTP API, payload 2.0 events, the
 * redirect handler) with browser user agents over the seeded links by popularity; a visitor's
 * second to fifth click carries the `eav` cookie its first click got. Baseline in the same run:
 * bare node:http doing one PutItem of a same-sized click item (bench/children/baseline-server.ts).
 * Runs alternate product/baseline, after a warm-up of both.
 */
import { browserUserAgents, generateVisits } from '../lib/dataset.js';
import { seededRandom } from '../lib/random.js';
import { formatNumber, formatRange, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { runLoad, unexpectedAnswers, type LoadResult, type PlannedRequest } from '../lib/load.js';
import { countMatching } from '../lib/count.js';
import { startChild, watchRss } from '../lib/processes.js';
import { pairedRatios, summarize } from '../lib/stats.js';
import type { MeterSnapshot } from '../lib/dynamo-meter.js';
import { addToTally, capacitySummary, emptyTally, perUnit, type ChildCapacity } from '../lib/capacity.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';

/**
 * BENCH_LEGACY_REDIRECT=1 reproduces the redirect before this benchmark's changes as far as
 * configuration can: a 5 s link cache and every returning visitor's clicks read from the table.
 * Used for the before/after figures in docs/benchmarks.md.
 */
const LEGACY = process.env.BENCH_LEGACY_REDIRECT === '1';

const RPS_RATIO_TARGET = 0.85;
/** Same length as a real organization id (`org_` + 20), so the baseline's items are the same size. */
export const BASELINE_ORG_ID = 'org_baselineBASELINEbase';
const P99_RATIO_TARGET = 1.3;
const CONNECTIONS = [16, 64];

/**
 * The same request stream for both servers. Each side keeps a cookie jar per planned visitor, as
 * a browser does: a visitor's first click gets no cookie, later ones send back what the server
 * set (the baseline sets none). Visitors' ids are the server's, not the plan's.
 */
const requestPlan = (context: BenchContext, count: number) => {
  const { links } = context.world;
  // A visitor's clicks are spread over the stream (as over time), so a later click comes back
  // with the cookies the earlier one got, as a browser's would.
  const random = seededRandom(context.options.seed + 12);
  let position = 0;
  const placed = generateVisits(context.options.seed + 11, links, count).map((visit) => {
    position = visit.ordinal === 0 ? random() * count : position + 200 + random() * 2000;
    return { visit, position };
  });
  const visits = placed.sort((a, b) => a.position - b.position).map((entry) => entry.visit);
  return () => {
    const jars = new Map<string, Map<string, string>>();
    let next = 0;
    const request = (): PlannedRequest & { visitor: string } => {
      const visit = visits[next++ % visits.length];
      const jar = jars.get(visit.visitorId);
      const cookie = jar && jar.size > 0 ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
      return {
        method: 'GET',
        path: `/${links[visit.slugIndex].slug}`,
        visitor: visit.visitorId,
        headers: {
          'user-agent': browserUserAgents[visit.userAgent],
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
          'accept-language': 'de-DE,de;q=0.9,en;q=0.8',
          referer: 'https://www.linkedin.com/',
          ...(cookie ? { cookie } : {}),
        },
      };
    };
    const keepCookies = (_status: number, headers: Record<string, string | string[]>, planned: PlannedRequest) => {
      const setCookie = headers['set-cookie'] ?? headers['Set-Cookie'];
      if (!setCookie) return;
      const visitor = (planned as PlannedRequest & { visitor: string }).visitor;
      const jar = jars.get(visitor) ?? new Map<string, string>();
      for (const cookie of [setCookie].flat()) {
        const pair = cookie.split(';')[0];
        const equals = pair.indexOf('=');
        // BENCH_LEGACY_REDIRECT: browsers keep only `eav`, as before the click memory existed.
        if (LEGACY && pair.slice(0, equals) !== 'eav') continue;
        jar.set(pair.slice(0, equals), pair.slice(equals + 1));
      }
      jars.set(visitor, jar);
    };
    return { request, keepCookies, returning: () => visits.slice(0, next).filter((visit) => visit.ordinal > 0).length / Math.max(1, next) };
  };
};

const callsPerRedirect = (runs: Array<LoadResult & { dynamoCallsPerResponse?: Record<string, number> }>): string => {
  const responses = runs.reduce((sum, run) => sum + run.responses, 0);
  const calls: Record<string, number> = {};
  for (const run of runs) {
    for (const [operation, perResponse] of Object.entries(run.dynamoCallsPerResponse ?? {})) {
      calls[operation] = (calls[operation] ?? 0) + perResponse * run.responses;
    }
  }
  const total = Object.values(calls).reduce((sum, value) => sum + value, 0) / Math.max(1, responses);
  return `${formatNumber(total, 3)} (${Object.entries(calls)
    .map(([operation, count]) => `${operation} ${formatNumber(count / Math.max(1, responses), 3)}`)
    .join(', ')})`;
};

const countItems = (context: BenchContext, table: string, orgId: string): Promise<number> =>
  countMatching(context, table, { expression: 'orgId = :orgId', values: { ':orgId': orgId } });

export const redirect = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  const product = await startChild<RuntimeChildReady>('runtime', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    tablePrefix: 's1-',
    env: { ...world.entitiesEnv, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY!, ...(LEGACY ? { LINK_CACHE_TTL_MS: '5000' } : {}) },
    consumer: 'idle',
    // Counts the product's DynamoDB calls per redirect.
    meter: true,
  } satisfies RuntimeChildConfig);
  // The baseline writes into the product's own events table: DynamoDB Local's cost per write
  // differs between stream-enabled tables (measured: the second such table created costs 2.3× the
  // first), so only the same table compares fairly. Its clicks carry another organization id.
  const baseline = await startChild<{ baseUrl: string }>('baseline-server', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    eventsTable: product.ready.tableNames.events,
  });
  await baseline.call(
    'links',
    world.links.map((link) => ({ ...link, orgId: BASELINE_ORG_ID, destinationUrl: 'https://careers.example.com/jobs/x?ref=advocacy' })),
  );
  const memory = watchRss(product.pid);

  const plan = requestPlan(context, 400_000);
  const productPlan = plan();
  const baselinePlan = plan();
  const productAnswers: LoadResult[] = [];
  const capacity = emptyTally();
  let measuredRedirects = 0;
  const load = async (which: 'product' | 'baseline', connections: number, seconds: number, measured = true) => {
    if (which === 'product') await product.call('resetMeter');
    const result: LoadResult & { dynamoCallsPerResponse?: Record<string, number> } = await runLoad({
      url: which === 'product' ? product.ready.baseUrl : baseline.ready.baseUrl,
      connections,
      seconds,
      next: which === 'product' ? productPlan.request : baselinePlan.request,
      onResponse: which === 'product' ? productPlan.keepCookies : baselinePlan.keepCookies,
      cpuOf: { server: which === 'product' ? product.pid : baseline.pid, dynamodb: context.dynamodbPid },
    });
    if (which === 'product') {
      const meter = await product.call<MeterSnapshot>('meter');
      result.dynamoCallsPerResponse = Object.fromEntries(
        Object.entries(meter.commands).map(([operation, calls]) => [operation, calls / Math.max(1, result.responses)]),
      );
      productAnswers.push(result);
      if (measured) {
        addToTally(capacity, await product.call<ChildCapacity>('capacity'));
        measuredRedirects += result.responses;
      }
    }
    return result;
  };

  try {
    context.log(`redirect: warm-up ${options.warmupSeconds} s each`);
    await load('baseline', 16, options.warmupSeconds, false);
    await load('product', 16, options.warmupSeconds, false);

    const runs: Record<number, { product: LoadResult[]; baseline: LoadResult[] }> = {};
    for (const connections of CONNECTIONS) {
      runs[connections] = { product: [], baseline: [] };
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        context.log(`redirect: ${connections} connections, pair ${repeat + 1}/${options.repeats}`);
        // Alternate who goes first, so drift in the machine's load does not favour one side.
        const order = repeat % 2 === 0 ? (['baseline', 'product'] as const) : (['product', 'baseline'] as const);
        for (const which of order) runs[connections][which].push(await load(which, connections, options.loadSeconds));
      }
    }
    const peakRss = memory.stop().peakBytes;

    // Every 302 that carried a click id stored its click: count what the product wrote.
    const stored = await countItems(context, product.ready.tableNames.events, world.orgId);
    const answered302 = productAnswers.reduce((sum, run) => sum + (run.statusCounts['302'] ?? 0), 0);

    const rows = [];
    const targets = [];
    const capacitySummaryOfRuns = capacitySummary(capacity, 'redirect', {
      requests: measuredRedirects,
      apiRequests: measuredRedirects,
    });
    const data: Record<string, unknown> = { runs, peakRssBytes: peakRss, stored, answered302, capacity: capacitySummaryOfRuns };
    for (const connections of CONNECTIONS) {
      const { product: p, baseline: b } = runs[connections];
      const rps = pairedRatios(p.map((r) => r.requestsPerSecond), b.map((r) => r.requestsPerSecond));
      const p99 = pairedRatios(p.map((r) => r.latencyP99), b.map((r) => r.latencyP99));
      const wrong = p.reduce((sum, r) => sum + unexpectedAnswers(r, (status) => status >= 300 && status < 400), 0);
      targets.push(
        { name: `requests/s vs baseline @${connections}`, target: `≥ ${RPS_RATIO_TARGET}×`, measured: `${formatRange(rps, 2, '×')}`, met: rps.median >= RPS_RATIO_TARGET },
        { name: `p99 latency vs baseline @${connections}`, target: `≤ ${P99_RATIO_TARGET}×`, measured: `${formatRange(p99, 2, '×')}`, met: p99.median <= P99_RATIO_TARGET },
        { name: `non-3xx answers @${connections}`, target: '0', measured: String(wrong), met: wrong === 0 },
      );
      for (const [name, results] of [['product', p], ['baseline', b]] as const) {
        rows.push([
          `${connections}`,
          name,
          formatRange(summarize(results.map((r) => r.requestsPerSecond)), 0),
          formatRange(summarize(results.map((r) => r.latencyP50)), 1),
          formatRange(summarize(results.map((r) => r.latencyP99)), 1),
          String(results.reduce((sum, r) => sum + r.responses, 0)),
          formatRange(summarize(results.map((r) => r.serverCpuMsPerResponse ?? Number.NaN)), 2),
          formatRange(summarize(results.map((r) => r.dynamodbCpuMsPerResponse ?? Number.NaN)), 2),
        ]);
      }
    }
    // A request still in flight when a run stops may store its click without its 302 being
    // counted: at most one per connection per product run.
    const inFlightBound = productAnswers.length * Math.max(...CONNECTIONS);
    targets.push({
      name: 'clicks stored for 302s (product)',
      target: 'all',
      measured: `${stored} stored / ${answered302} answered (≤ ${inFlightBound} more may be stored by requests in flight when a run stopped)`,
      met: stored >= answered302 && stored <= answered302 + inFlightBound,
    });
    return {
      id: 'redirect',
      title: '1. Redirect throughput and latency',
      method:
        `autocannon ${options.loadSeconds} s runs at ${CONNECTIONS.join(' and ')} connections, ${options.repeats} product/baseline pairs each (alternating order), ` +
        `after a ${options.warmupSeconds} s warm-up of both. Requests: GET /{slug} over ${world.links.length} links by Zipf popularity, 8 browser user agents, ` +
        `visitors with 1–5 clicks (the 2nd–5th carry their \`eav\` cookie). The runtime's stream consumer is idle here (on AWS it is another Lambda; scenario 3 measures it).`,
      targets,
      tables: [
        {
          caption: 'Requests/s and latency in ms (median, min–max over the runs)',
          headers: ['connections', 'server', 'requests/s', 'p50 ms', 'p99 ms', 'responses', 'CPU ms/request: server', 'CPU ms/request: DynamoDB Local'],
          rows,
        },
      ],
      notes: [
        `DynamoDB calls per redirect (product, measured runs, counted by a meter on its client): ${callsPerRedirect(productAnswers.slice(1))}; the baseline makes exactly 1 PutItem.`,
        `Capacity per redirect (measured runs, ReturnConsumedCapacity on the product's client): ${perUnit(capacitySummaryOfRuns, measuredRedirects)}; ` +
          `${formatNumber(capacitySummaryOfRuns.lambdaInvocations / Math.max(1, measuredRedirects), 3)} Lambda invocations per redirect, median handler duration ${formatNumber(capacitySummaryOfRuns.medianDurationMs, 2)} ms.`,
        `Peak RSS of the local runtime process during this scenario: ${formatNumber(peakRss / 1024 ** 2, 0)} MB (scenario 6).`,
      ],
      data,
    };
  } finally {
    memory.stop();
    await Promise.all([product.stop(), baseline.stop()]);
  }
};
