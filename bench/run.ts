/**
 * `npm run bench`: starts DynamoDB Local, seeds one organization through the product's adapters,
 * runs every scenario side by side with its baseline (each pair at least three times), and writes
 * bench/results/<date>.json and the generated section of docs/benchmarks.md.
 *
 * Benchmarks are not tests: nothing here is asserted in `npm test`.
 */
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { documentClient } from '../shared/adapters/dynamo.js';
import type { BenchContext, Scenario, ScenarioResult } from './lib/context.js';
import { parseOptions, type ScenarioId } from './lib/options.js';
import { repositoryRoot } from './lib/processes.js';
import { describeMachine, renderMarkdown, writeJson, writeMarkdown, type BenchReport } from './lib/report.js';
import { seedWorld } from './lib/world.js';
import { coldStart } from './scenarios/cold-start.js';

const scenarios: Record<ScenarioId, () => Promise<Scenario>> = {
  'cold-start': async () => coldStart,
  redirect: async () => (await import('./scenarios/redirect.js')).redirect,
  webhooks: async () => (await import('./scenarios/webhooks.js')).webhooks,
  queries: async () => (await import('./scenarios/queries.js')).queries,
  rollup: async () => (await import('./scenarios/rollup.js')).rollup,
  program: async () => (await import('./scenarios/program.js')).program,
  export: async () => (await import('./scenarios/export.js')).exportScenario,
  rankings: async () => (await import('./scenarios/rankings.js')).rankings,
};

/** The organization each scenario works on: the program's is small (2 campaigns, ~200 links). */
const worldSize = (id: ScenarioId) => (id === 'program' ? { campaigns: 2, advocates: 100 } : { campaigns: 20, advocates: 500 });

const RSS_LIMIT_BYTES = 300 * 1024 * 1024;


/** Scenario 6 gathers what scenarios 1 and 3 measured of the local runtime's memory. */
const memoryResult = (results: ScenarioResult[]): ScenarioResult | undefined => {
  const measured = results.filter((result) => typeof result.data.peakRssBytes === 'number');
  if (measured.length === 0) return undefined;
  const megabytes = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;
  return {
    id: 'memory',
    title: '6. Memory of the local runtime',
    method:
      'Peak resident set size of the local runtime\'s Node process (the child serving HTTP and polling the stream), sampled every 100 ms from /proc and ' +
      'checked against the kernel\'s high-water mark (VmHWM), while scenario 1 and scenario 3 ran.',
    targets: measured.map((result) => ({
      name: `peak RSS during ${result.title.replace(/^\d+\. /, '')}`,
      target: '≤ 300 MB',
      measured: megabytes(result.data.peakRssBytes as number),
      met: (result.data.peakRssBytes as number) <= RSS_LIMIT_BYTES,
    })),
    tables: [],
    notes: [],
    data: Object.fromEntries(measured.map((result) => [result.id, result.data.peakRssBytes])),
  };
};

/** Counted capacity per kind of work, for `npm run cost` (issue 7). */
const capacityOf = (results: ScenarioResult[]): Record<string, unknown> => {
  const names: Record<string, string> = { redirect: 'redirect', webhooks: 'webhook', rollup: 'rollup', queries: 'queries', program: 'program' };
  return Object.fromEntries(
    results.filter((result) => names[result.id] && result.data.capacity).map((result) => [names[result.id], result.data.capacity]),
  );
};

const main = async () => {
  const options = parseOptions();
  const startedAt = new Date();
  const began = performance.now();
  const log = (message: string) => process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_DEV: 'true',
  });
  const machine = describeMachine();

  const results: ScenarioResult[] = [];
  // One fresh DynamoDB Local per scenario (same port, so this process's clients keep working):
  // it slows down as it accumulates data — measured: 100 000 writes took 40 s on a fresh instance
  // and ran at ~30 items/s after scenario 1 had run on it, even with that scenario's tables dropped.
  let port: number | undefined;
  for (const id of options.only) {
    log(`${id}: starting DynamoDB Local (in memory)`);
    const dynamodb = await startDynamoDbLocal({ inMemory: true, port });
    port = dynamodb.port;
    process.env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
    try {
      log(`${id}: seeding the organization (campaigns, advocates, links, key, webhook source)`);
      const world = await seedWorld(dynamodb.endpoint, 'w-', { seed: options.seed, ...worldSize(id) });
      log(`${id}: seeded ${world.campaignIds.length} campaigns, ${world.structure.advocates.length} advocates, ${world.links.length} links`);
      const context: BenchContext = { dynamodbEndpoint: dynamodb.endpoint, dynamodbPid: dynamodb.pid, world, options, client: documentClient(), log };
      const scenario = await scenarios[id]();
      const started = performance.now();
      const result = await scenario(context);
      result.seconds = Math.round((performance.now() - started) / 1000);
      results.push(result);
      log(`${id}: done in ${result.seconds} s: ${result.targets.map((t) => `${t.name} ${t.measured}`).join('; ')}`);
    } catch (error) {
      log(`${id} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      process.exitCode = 1;
    } finally {
      // Java runs detached and unreferenced: hold the event loop open until it has stopped.
      const keepAlive = setInterval(() => undefined, 1000);
      await dynamodb.stop();
      clearInterval(keepAlive);
    }
    if (process.exitCode) return;
  }

  const memory = memoryResult(results);
  if (memory) results.push(memory);
  machine.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  const args = process.argv.slice(2);
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    machine,
    options,
    scenarios: results,
    capacity: capacityOf(results),
  };
  const jsonFile = writeJson(report, options.label);
  log(`results: ${relative(repositoryRoot, jsonFile)}`);
  if (!options.noDocs) log(`report: ${relative(repositoryRoot, writeMarkdown(renderMarkdown(report, relative(repositoryRoot, jsonFile))))}`);
};

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
