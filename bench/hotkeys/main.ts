/**
 * `npm run simulate:hotkeys`: hot keys under a viral link and a viral campaign, measured through
 * the real local runtime (infra/local/runtime.ts: the redirect behind the local HTTP API, the
 * stream poller and the real roll-up consumer, DynamoDB Local underneath), then extrapolated to
 * `--project-to` clicks/s (default 10,000) on the viral link or campaign and held against
 * DynamoDB's per-partition limits (1,000 WCU/s, 3,000 RCU/s).
 *
 *   npm run simulate:hotkeys -- [--seconds 30] [--rate 200] [--only viral-link,viral-campaign]
 *                               [--project-to 10000] [--batch-window <s>] [--label name] [--write]
 *
 * `--batch-window` overrides the stream mapping's batching window: at a few hundred clicks/s a
 * 2 s window holds far fewer events than a stream shard's batch at 10,000 clicks/s, and the
 * roll-up writes per click depend on how full batches are (a longer window shows the fuller ones).
 *
 * Writes bench/hotkeys/results/<date>[-label].json; `--write` also replaces the generated section
 * of docs/scaling.md. One process: the load is light (a few hundred clicks/s), so the load
 * generator, the runtime and the meter share it; DynamoDB Local is its own Java process.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { campaignIndexShards, rollupPartitionShards } from '../../shared/settings.js';
import { streamConsumer } from '../../infra/definitions.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { startLocalRuntime } from '../../infra/local/runtime.js';
import { tableNamesFor } from '../../infra/local/tables.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { rollupShardsOf } from '../../shared/adapters/keys.js';
import { rollupDimensions } from '../../shared/domain/rollup.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { repositoryRoot } from '../lib/processes.js';
import { seededRandom, weightedSampler } from '../lib/random.js';
import { seedWorld, type World } from '../lib/world.js';
import { analyze, PARTITION_LIMITS, type KeyFigure, type Scaling, type ScenarioFigures } from './analysis.js';
import { installKeyMeter, type KeyLoad } from './key-meter.js';
import { runTraffic, type TrafficResult } from './traffic.js';

const scenarioIds = ['viral-link', 'viral-campaign'] as const;
type ScenarioId = (typeof scenarioIds)[number];

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '200' },
    only: { type: 'string' },
    'project-to': { type: 'string', default: '10000' },
    'batch-window': { type: 'string' },
    label: { type: 'string' },
    seed: { type: 'string', default: '20261127' },
    write: { type: 'boolean', default: false },
  },
});
const options = {
  seconds: Number(flags.seconds),
  rate: Number(flags.rate),
  only: (flags.only ? flags.only.split(',') : [...scenarioIds]) as ScenarioId[],
  projectTo: Number(flags['project-to']),
  batchWindowSeconds: flags['batch-window'] === undefined ? streamConsumer.maxBatchingWindowSeconds : Number(flags['batch-window']),
  label: flags.label,
  seed: Number(flags.seed),
  write: flags.write,
};
for (const id of options.only) if (!scenarioIds.includes(id)) throw new Error(`Unknown scenario ${id}; known: ${scenarioIds.join(', ')}`);

const began = performance.now();
const log = (message: string) => process.stderr.write(`[hotkeys ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

interface ScenarioRun {
  id: ScenarioId;
  title: string;
  traffic: Omit<TrafficResult, 'bySlug'>;
  figures: ScenarioFigures;
  /** Stream batches the consumer was invoked with, and roll-up transactions it committed. */
  consumer: { batches: number; records: number; transactions: number };
  reconciliation: { events: number; differences: number };
  /** The viral campaign's roll-up partitions, per dimension: all shards together and the hottest. */
  rollupPartitions: RollupPartitionFigure[];
}

interface RollupPartitionFigure {
  dimension: string;
  /** `rollupPartitionShards` of the dimension, and how many of its partitions were written. */
  shards: number;
  shardsWritten: number;
  /** Projected units/s of all the dimension's partitions together (the former single partition's load). */
  projectedTotal: number;
  hottest: string;
  projectedHottest: number;
  peakSecondHottest: number;
}

/** Writes to the viral campaign's roll-up partitions grouped by dimension (shard suffix `#<n>` dropped). */
const rollupPartitionFigures = (
  writes: Map<string, KeyLoad> | undefined,
  orgId: string,
  campaignId: string,
  viralRequests: number,
  projectTo: number,
  label: (key: string) => string,
): RollupPartitionFigure[] => {
  const project = (load: KeyLoad) => (load.units / Math.max(1, viralRequests)) * projectTo;
  return rollupDimensions.map((dimension) => {
    const base = `R#${orgId}#${campaignId}#${dimension}`;
    const loads = [...(writes ?? [])].filter(([pk]) => pk === base || (pk.startsWith(`${base}#`) && /^\d+$/.test(pk.slice(base.length + 1))));
    const hottest = loads.sort(([, a], [, b]) => b.units - a.units)[0];
    return {
      dimension,
      shards: rollupShardsOf(dimension),
      shardsWritten: loads.length,
      projectedTotal: loads.reduce((sum, [, load]) => sum + project(load), 0),
      hottest: hottest ? label(hottest[0]) : '–',
      projectedHottest: hottest ? project(hottest[1]) : 0,
      peakSecondHottest: hottest ? Math.max(0, ...hottest[1].unitsBySecond.values()) : 0,
    };
  });
};

/** The viral link: the most popular link of the organization; the viral campaign: the one with the most links. */
const pickTargets = (world: World) => {
  const viralLink = [...world.links].sort((a, b) => b.weight - a.weight)[0];
  const linksPerCampaign = new Map<string, number>();
  for (const link of world.links) linksPerCampaign.set(link.campaignId, (linksPerCampaign.get(link.campaignId) ?? 0) + 1);
  const viralCampaign = [...linksPerCampaign].sort(([, a], [, b]) => b - a)[0][0];
  return { viralLink, viralCampaign };
};

/** Keys with their ids replaced by what they are, so tables read the same in every run. */
const labeller = (world: World, viral: { slug?: string; campaignId: string }) => {
  const replacements: Array<[string, string]> = [[world.orgId, '<org>']];
  if (viral.slug) replacements.push([viral.slug, '<viral link>']);
  replacements.push([viral.campaignId, '<viral campaign>']);
  for (const campaignId of world.campaignIds) if (campaignId !== viral.campaignId) replacements.push([campaignId, '<other campaign>']);
  return (key: string): string => {
    let text = key;
    for (const [id, name] of replacements) text = text.split(id).join(name);
    return text
      .replace(/^V#[A-Za-z0-9_-]+/, 'V#<visitor>')
      .replace(/^X#[A-Za-z0-9]+/, 'X#<click>')
      .replace(/^APPLIED#[A-Za-z0-9_-]+/, 'APPLIED#<event>')
      .replace(/^LINK#[A-Za-z0-9]+$/, 'LINK#<link>')
      .replace(/\d{4}-\d{2}-\d{2}#/, '<day>#')
      .replace(/ C#[^ ]+$/, ' C#<time>#<click>')
      .replace(/ APPLIED$/, '');
  };
};

/** Per-visitor and per-event keys do not grow with a link's popularity; cached entity reads grow with containers. */
const scalingOf = (target: string, _kind: string, label: string): Scaling =>
  target === 'entities' ? 'container' : /<visitor>|<click>|<event>/.test(label) ? 'visitor' : 'viral';

const main = async () => {
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  log('starting DynamoDB Local (in memory)');
  const dynamodb = await startDynamoDbLocal({ inMemory: true });
  process.env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
  const prefix = 'hk-';
  // Installed before anything runs, on the very client the handlers use (one module instance).
  const meter = installKeyMeter(documentClient(), tableNamesFor(prefix).tableNames);
  const runs: ScenarioRun[] = [];
  try {
    log('seeding an organization (campaigns, advocates, links) through the product adapters');
    const world = await seedWorld(dynamodb.endpoint, prefix, { seed: options.seed, campaigns: 3, advocates: 150 });
    const runtime = await startLocalRuntime({
      port: 0,
      inMemory: true,
      dynamodbEndpoint: dynamodb.endpoint,
      tablePrefix: prefix,
      quiet: true,
      streamConsumer: { maxBatchingWindowSeconds: options.batchWindowSeconds },
    });
    try {
      const { viralLink, viralCampaign } = pickTargets(world);
      const random = seededRandom(options.seed);
      for (const id of options.only) {
        // Viral link: 90% on one link, the rest over every other link by popularity.
        // Viral campaign: every click on one campaign, its links by popularity.
        const others = id === 'viral-link' ? world.links.filter((link) => link !== viralLink) : world.links.filter((link) => link.campaignId === viralCampaign);
        const sampleOther = weightedSampler(random, others.map((link) => link.weight));
        const nextSlug = id === 'viral-link' ? () => (random() < 0.9 ? viralLink.slug : others[sampleOther()].slug) : () => others[sampleOther()].slug;
        const viral = id === 'viral-link' ? { slug: viralLink.slug, campaignId: viralLink.campaignId } : { campaignId: viralCampaign };
        const title =
          id === 'viral-link'
            ? `Viral link: one link takes 90% of ${options.rate} clicks/s for ${options.seconds} s`
            : `Viral campaign: ${options.rate} clicks/s for ${options.seconds} s on one campaign (${others.length} links, by popularity)`;

        log(`${id}: ${options.rate} clicks/s for ${options.seconds} s`);
        meter.reset();
        const pollerBefore = runtime.poller.counters();
        meter.start();
        const { bySlug, ...traffic } = await runTraffic({
          baseUrl: runtime.baseUrl,
          clicksPerSecond: options.rate,
          seconds: options.seconds,
          nextSlug,
          random,
          botShare: 0.1,
          returningShare: 0.4,
        });
        log(`${id}: ${traffic.sent} sent (${JSON.stringify(traffic.statuses)}), waiting for the roll-ups`);
        await runtime.poller.drain({ timeoutMs: 300_000 });
        meter.stop();
        const pollerAfter = runtime.poller.counters();
        const consumer = {
          batches: pollerAfter.batchesDelivered - pollerBefore.batchesDelivered,
          records: pollerAfter.recordsDelivered - pollerBefore.recordsDelivered,
          transactions: meter.snapshot().calls.get('TransactWrite') ?? 0,
        };

        const viralRequests =
          id === 'viral-link' ? (bySlug.get(viralLink.slug) ?? 0) : others.reduce((sum, link) => sum + (bySlug.get(link.slug) ?? 0), 0);
        const figures = analyze({
          snapshot: meter.snapshot(),
          seconds: (traffic.finishedAtMs - traffic.startedAtMs) / 1000,
          requests: traffic.sent,
          viralRequests,
          projectTo: options.projectTo,
          label: labeller(world, viral),
          scalingOf,
        });
        // The raw events of the viral campaign, read back through the byCampaign index, recount
        // to exactly its roll-ups.
        const report = await reconcileCampaign(world.orgId, id === 'viral-link' ? viralLink.campaignId : viralCampaign);
        const rollupPartitions = rollupPartitionFigures(
          meter.snapshot().writes.get('rollups'),
          world.orgId,
          viral.campaignId,
          viralRequests,
          options.projectTo,
          labeller(world, viral),
        );
        runs.push({ id, title, traffic, figures, consumer, reconciliation: { events: report.events, differences: report.differences.length }, rollupPartitions });
        log(`${id}: done (${report.events} raw events of the viral campaign reconcile with ${report.differences.length} differences)`);
      }
    } finally {
      log('stopping the runtime');
      await runtime.stop();
    }
  } finally {
    log('stopping DynamoDB Local');
    await dynamodb.stop();
    log('stopped');
  }

  const result = {
    startedAt: new Date(Date.now() - (performance.now() - began)).toISOString(),
    command: `npm run simulate:hotkeys -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: {
      ...options,
      campaignIndexShards,
      rollupPartitionShards,
      streamConsumer: { batchSize: streamConsumer.batchSize, maxBatchingWindowSeconds: options.batchWindowSeconds },
      limits: PARTITION_LIMITS,
    },
    scenarios: runs,
  };
  const markdown = renderMarkdown(result);
  process.stdout.write(`${markdown}\n`);

  const directory = join(repositoryRoot, 'bench', 'hotkeys', 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${result.startedAt.slice(0, 10)}${options.label ? `-${options.label}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${relative(repositoryRoot, file)}`);
  if (options.write) {
    const docs = join(repositoryRoot, 'docs', 'scaling.md');
    const start = '<!-- hotkeys:start (generated by npm run simulate:hotkeys -- --write) -->';
    const end = '<!-- hotkeys:end -->';
    const text = readFileSync(docs, 'utf8');
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/scaling.md lacks the markers ${start} … ${end}`);
    writeFileSync(docs, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
    log('updated docs/scaling.md');
  }
};

// ---------------------------------------------------------------------------------------------
// Markdown.

const number = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

const verdict = (key: KeyFigure) =>
  Number.isNaN(key.limitShare)
    ? 'n/a: one read per container per cache TTL (60 s)'
    : key.limitShare <= 1
      ? `✅ ${number(key.limitShare * 100)}%`
      : `❌ ${number(key.limitShare, 1)}× the limit`;

const scalingText: Record<Scaling, string> = {
  viral: 'viral clicks',
  visitor: 'one visitor / event (not scaled)',
  container: 'containers (cached)',
};

const renderMarkdown = (result: {
  startedAt: string;
  command: string;
  settings: {
    campaignIndexShards: number;
    rollupPartitionShards: Record<string, number>;
    projectTo: number;
    streamConsumer: { batchSize: number; maxBatchingWindowSeconds: number };
  };
  scenarios: ScenarioRun[];
}): string => {
  const lines: string[] = [
    `Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC: \`${result.command}\` — byCampaign index write shards: **${result.settings.campaignIndexShards}**; ` +
      `roll-up partitions per dimension: ${Object.entries(result.settings.rollupPartitionShards)
        .map(([dimension, shards]) => `${dimension} **${shards}**`)
        .join(', ')}; ` +
      `stream batches of up to ${result.settings.streamConsumer.batchSize} records / ${result.settings.streamConsumer.maxBatchingWindowSeconds} s window.`,
    '',
  ];
  for (const run of result.scenarios) {
    const f = run.figures;
    lines.push(
      `**${run.title}.** ${number(run.traffic.sent)} requests in ${number(f.seconds, 1)} s (${number(run.traffic.botRequests)} preview bots; answers ${Object.entries(run.traffic.statuses)
        .map(([status, count]) => `${status}: ${number(count)}`)
        .join(', ')}${run.traffic.failures ? `; ${run.traffic.failures} failed` : ''}${run.traffic.skipped ? `; ${run.traffic.skipped} not sent (in-flight cap)` : ''}); ` +
        `the viral ${run.id === 'viral-link' ? 'link' : 'campaign'} took ${number(f.viralRequests)} (${number(f.measuredViralClicksPerSecond)}/s). ` +
        `Projected: ×${number(f.projectTo / f.measuredViralClicksPerSecond, 1)} → ${number(f.projectTo)} clicks/s on it. ` +
        `Roll-up consumer: ${number(run.consumer.records)} records in ${number(run.consumer.batches)} batches (mean ${number(run.consumer.records / Math.max(1, run.consumer.batches))}), ` +
        `${number(run.consumer.transactions)} transactions (${number(run.consumer.records / Math.max(1, run.consumer.transactions), 1)} events each). ` +
        `Reconciliation of the viral campaign: ${number(run.reconciliation.events)} raw events, ${run.reconciliation.differences} differing counters.`,
      '',
      '| table / index | kind | hottest keys | grows with | items | units | units per viral click | peak units in 1 s (measured) | projected units/s | vs per-partition limit |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const key of f.keys) {
      lines.push(
        `| ${key.target} | ${key.kind} | \`${key.label}\` | ${scalingText[key.scaling]} | ${number(key.items)} | ${number(key.units, 1)} | ${number(key.unitsPerViralClick, 4)} | ${number(key.peakSecondUnits, 1)} | ${Number.isNaN(key.projectedUnitsPerSecond) ? '–' : number(key.projectedUnitsPerSecond)} | ${verdict(key)} |`,
      );
    }
    lines.push(
      '',
      `Counted units against DynamoDB Local's own ConsumedCapacity (Local reports 2 units per TransactWriteItems call whatever its items, AWS bills 2 per item: roll-ups differ): ${f.crossCheck
        .map((check) => `${check.target} ${number(check.counted, 1)} / ${number(check.reported, 1)}`)
        .join('; ')}. Largest item written: ${Object.entries(f.largestItemBytes)
        .map(([target, bytes]) => `${target} ${number(bytes)} B`)
        .join(', ')}.`,
      '',
      `Roll-up partitions of the viral campaign per dimension (every shard of a dimension together is what its one partition took before sharding):`,
      '',
      '| dimension | partitions (configured / written) | all partitions together, projected WCU/s | hottest partition | peak units in 1 s (measured) | projected WCU/s | vs per-partition limit |',
      '|---|---|---|---|---|---|---|',
      ...run.rollupPartitions.map(
        (p) =>
          `| ${p.dimension} | ${p.shards} / ${p.shardsWritten} | ${number(p.projectedTotal)} | \`${p.hottest}\` | ${number(p.peakSecondHottest, 1)} | ${number(p.projectedHottest)} | ${p.projectedHottest <= PARTITION_LIMITS.writeUnitsPerSecond ? '✅' : '❌'} ${p.projectedHottest <= PARTITION_LIMITS.writeUnitsPerSecond ? `${number((p.projectedHottest / PARTITION_LIMITS.writeUnitsPerSecond) * 100)}%` : `${number(p.projectedHottest / PARTITION_LIMITS.writeUnitsPerSecond, 1)}× the limit`} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
};

await main();
