/**
 * The whole local system from outside (docs/benchmarks.md, "Whole local system"): redirects/s
 * at 16 connections of `npm start -- --role api --workers N` plus a `--role consumer` process,
 * for N = 1 and 2, against the one-PutItem baseline server (bench/children/baseline-server.ts),
 * all on one DynamoDB Local. Runs alternate; each configuration is started fresh per run.
 *
 *   node --import tsx bench/whole-system.ts [--rounds 3] [--seconds 10]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { tableNamesFor } from '../infra/local/tables.js';
import { browserUserAgents, type SeededLink } from './lib/dataset.js';
import { runLoad } from './lib/load.js';
import { repositoryRoot, startChild } from './lib/processes.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' } } });
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = 16;

const dynamodb = await startDynamoDbLocal({ inMemory: true });
const dataDir = await mkdtemp(join(tmpdir(), 'advocacy-whole-'));
const env = { ...process.env, PORT: '0', DATA_DIR: dataDir, DYNAMODB_ENDPOINT: dynamodb.endpoint, PUBLIC_BASE_URL: '' };

/** `npm start -- --in-memory <args>`, resolved at its ready line. */
const start = (args: string[]) =>
  new Promise<{ child: ChildProcess; baseUrl?: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--in-memory', ...args], {
      cwd: repositoryRoot,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.startsWith('ready'));
      if (line) resolve({ child, baseUrl: /^ready: (http:\/\/\S+)/.exec(line)?.[1] });
    });
    child.once('exit', (code) => reject(new Error(`npm start ${args.join(' ')} exited with ${code}`)));
  });

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGINT');
  });

/** API workers + a consumer process, for one run. */
const startSystem = async (workers: number) => {
  const api = await start(['--role', 'api', '--workers', String(workers)]);
  const consumer = await start(['--role', 'consumer']);
  return { baseUrl: api.baseUrl!, stop: () => Promise.all([stop(api.child), stop(consumer.child)]) };
};

// Seed once through the product: an organization, a campaign and 50 links.
const seeding = await startSystem(1);
const admin = spawnSync('npm', ['run', '-s', 'admin', '--', 'org', 'create', '--name', 'Bench'], { cwd: repositoryRoot, env, encoding: 'utf8' });
const { orgId, apiKey } = JSON.parse(admin.stdout) as { orgId: string; apiKey: string };
const call = async (method: string, path: string, body: unknown) =>
  (await (
    await fetch(`${seeding.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).json()) as any;
const { campaignId } = await call('POST', '/v1/campaigns', { name: 'Bench', destinationUrl: 'https://careers.example.com/jobs/x' });
const slugs: string[] = [];
for (let i = 0; i < 50; i++) {
  if (i % 5 === 0) await call('PUT', `/v1/advocates/a${i / 5}`, { displayName: `Advocate ${i / 5}` });
  const link = await call('POST', '/v1/links', { campaignId, advocateId: `a${Math.floor(i / 5)}`, channel: 'linkedin' });
  if (typeof link.slug !== 'string') throw new Error(`seeding failed: ${JSON.stringify(link)}`);
  slugs.push(link.slug);
}
await seeding.stop();

const baseline = await startChild<{ baseUrl: string }>('baseline-server', {
  dynamodbEndpoint: dynamodb.endpoint,
  eventsTable: tableNamesFor().tableNames.events,
});
await baseline.call(
  'links',
  slugs.map((slug, i): SeededLink & { destinationUrl: string } => ({
    slug,
    orgId: 'org_baselineBASELINEbase',
    campaignId,
    advocateId: `a${Math.floor(i / 5)}`,
    channel: 'linkedin',
    weight: 1,
    destinationUrl: 'https://careers.example.com/jobs/x',
  })),
);

let turn = 0;
const redirectsPerSecond = async (baseUrl: string, measure: number) => {
  const result = await runLoad({
    url: baseUrl,
    connections,
    seconds: measure,
    next: () => ({ method: 'GET', path: `/${slugs[turn++ % slugs.length]}`, headers: { 'user-agent': browserUserAgents[turn % 2] } }),
  });
  return (result.statusCounts['302'] ?? 0) / result.seconds;
};

const results: Record<string, number[]> = { baseline: [], workers1: [], workers2: [] };
for (let round = 1; round <= rounds; round++) {
  // Rotate the order so no configuration always runs first after the others.
  const order = (['baseline', 'workers1', 'workers2'] as const).map((_, i, all) => all[(i + round - 1) % all.length]);
  for (const name of order) {
    if (name === 'baseline') {
      await redirectsPerSecond(baseline.ready.baseUrl, 2);
      results.baseline.push(await redirectsPerSecond(baseline.ready.baseUrl, seconds));
    } else {
      const system = await startSystem(name === 'workers1' ? 1 : 2);
      await redirectsPerSecond(system.baseUrl, 3); // warm-up: handler modules load, JIT
      results[name].push(await redirectsPerSecond(system.baseUrl, seconds));
      await system.stop();
    }
    console.error(`round ${round} ${name}: ${results[name].at(-1)!.toFixed(0)}/s`);
  }
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const pairedRatio = (name: string) => median(results[name].map((value, i) => value / results.baseline[i]));
console.log(
  JSON.stringify(
    {
      connections,
      seconds,
      rounds,
      redirectsPerSecond: Object.fromEntries(Object.entries(results).map(([name, list]) => [name, { runs: list.map(Math.round), median: Math.round(median(list)) }])),
      ratioToBaseline: { workers1: pairedRatio('workers1'), workers2: pairedRatio('workers2') },
      orgId,
    },
    null,
    2,
  ),
);
await baseline.stop();
await dynamodb.stop();
await rm(dataDir, { recursive: true, force: true });
