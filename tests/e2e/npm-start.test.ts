/**
 * The README's path, as a person runs it: `npm start` in its own process prints `ready` with the
 * URL, the admin CLI creates an organization and signs a token against it, a link is issued and
 * clicked, the click is counted, data survives a restart, and Ctrl-C leaves no process behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../infra/local/dynamodb-local.js';
import { streamConsumer } from '../../infra/definitions.js';
import { browserUserAgents } from '../support/client.js';

const repositoryRoot = join(import.meta.dirname, '../..');
let dataDir: string;

interface Started {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/** Process groups still running: a failed assertion must not leave a runtime and its Java behind. */
const running = new Set<number>();

const startSystem = async (): Promise<Started> => {
  // What `npm start` runs, without npm in between: npm's own SIGINT handling would hide the
  // runtime's exit code.
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, PUBLIC_BASE_URL: '', DYNAMODB_ENDPOINT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child.pid!);
  child.once('exit', () => running.delete(child.pid!));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no ready line within 90 s:\n${output}`)), 90_000);
    child.stdout!.on('data', () => {
      const match = /ready\S*\s+(http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, baseUrl, output: () => output };
};

/** Ctrl-C to the whole process group, as a terminal sends it; resolves with the exit code. */
const interrupt = (started: Started) =>
  new Promise<number | null>((resolve) => {
    started.child.once('exit', (code) => resolve(code));
    process.kill(-started.child.pid!, 'SIGINT');
  });

const admin = (...args: string[]) => {
  const result = spawnSync('npm', ['run', '-s', 'admin', '--', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, DATA_DIR: dataDir, DYNAMODB_ENDPOINT: '', TABLE_ENTITIES: '' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
};

const javaPidOf = async (): Promise<number> => {
  const info = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as { dynamodbEndpoint: string };
  const port = new URL(info.dynamodbEndpoint).port;
  const found = spawnSync('pgrep', ['-f', `DynamoDBLocal.*-port ${port}`], { encoding: 'utf8' }).stdout.trim();
  return Number(found.split('\n')[0]);
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'advocacy-start-'));
});

afterAll(async () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start and the admin CLI', () => {
  it('serves the walkthrough, keeps data across a restart and stops everything on Ctrl-C', async () => {
    let started = await startSystem();
    expect((await fetch(`${started.baseUrl}/healthz`)).status).toBe(200);

    const { orgId, apiKey } = JSON.parse(admin('org', 'create', '--name', 'Acme')) as { orgId: string; apiKey: string };
    expect(orgId).toMatch(/^org_/);
    expect(apiKey).toMatch(/^ak_/);
    const token = admin('token', '--org', orgId, '--advocate', 'alice');
    expect(token.split('.')).toHaveLength(3);

    const call = (method: string, path: string, bearer: string, body?: unknown) =>
      fetch(`${started.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

    const campaign = await call('POST', '/v1/campaigns', apiKey, { name: 'Spring', destinationUrl: 'https://careers.acme.example/' });
    expect(campaign.status).toBe(201);
    const link = await call('POST', '/v1/links', token, { campaignId: campaign.body.campaignId, channel: 'linkedin' });
    expect(link.status).toBe(201);
    expect(link.body.shortUrl).toBe(`${started.baseUrl}/${link.body.slug}`);
    const click = await fetch(link.body.shortUrl, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
    expect(click.status).toBe(302);

    // The consumer rolls the click up within its batching window (infra/definitions.ts): poll, with a deadline.
    const deadline = Date.now() + streamConsumer.maxBatchingWindowSeconds * 1000 + 30_000;
    let stats: unknown;
    while (Date.now() < deadline) {
      stats = (await call('GET', `/v1/links/${link.body.slug}`, apiKey)).body.stats;
      if ((stats as { clicks: number }).clicks === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(stats).toEqual({ clicks: 1, uniqueClicks: 1, botClicks: 0 });
    expect(JSON.parse(admin('reconcile', '--campaign', campaign.body.campaignId)).differences).toEqual([]);

    const java = await javaPidOf();
    expect(isProcessAlive(java)).toBe(true);
    expect(await interrupt(started)).toBe(0);
    expect(isProcessAlive(java)).toBe(false);

    // Persistent by default: the same data after a restart.
    started = await startSystem();
    const again = await call('GET', `/v1/links/${link.body.slug}`, apiKey);
    expect(again.body.stats).toEqual({ clicks: 1, uniqueClicks: 1, botClicks: 0 });
    expect(await interrupt(started)).toBe(0);
    expect(started.output()).not.toContain(apiKey);
  }, 240_000);
});
