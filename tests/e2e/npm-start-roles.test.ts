/**
 * `npm start -- --role api` and `npm start -- --role consumer`, two processes against one
 * DynamoDB Local, give the same answers as `--role all` in one process: a click is counted, a
 * signed conversion is taken and attributed to the advocate whose link was clicked. The
 * consumer process starts only after the click and the conversion went through the API
 * process, so the roll-ups can only come from it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { browserUserAgents } from '../support/client.js';

const repositoryRoot = join(import.meta.dirname, '../..');
const scratchDirs: string[] = [];
const running = new Set<ChildProcess>();
let sharedDynamoDb: DynamoDbLocal;

interface Started {
  child: ChildProcess;
  /** The API's base URL (undefined for the consumer). */
  baseUrl?: string;
}

/** What `npm start -- <args>` runs, in its own process group; resolves at its `ready` line. */
const start = (args: string[], env: Record<string, string>): Promise<Started> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--in-memory', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, PORT: '0', PUBLIC_BASE_URL: '', DYNAMODB_ENDPOINT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise<Started>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no ready line within 90 s:\n${output}`)), 90_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.startsWith('ready'));
      if (line) {
        clearTimeout(deadline);
        resolve({ child, baseUrl: /^ready: (http:\/\/\S+)/.exec(line)?.[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
};

/** Ctrl-C to the process group; resolves with the exit code. */
const interrupt = ({ child }: Started) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    process.kill(-child.pid!, 'SIGINT');
  });

const createOrganization = (dataDir: string) => {
  const result = spawnSync('npm', ['run', '-s', 'admin', '--', 'org', 'create', '--name', 'Acme'], {
    cwd: repositoryRoot,
    env: { ...process.env, DATA_DIR: dataDir, DYNAMODB_ENDPOINT: '', TABLE_ENTITIES: '' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { orgId: string; apiKey: string };
};

const scratchDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'advocacy-roles-'));
  scratchDirs.push(dir);
  return dir;
};

interface Walkthrough {
  baseUrl: string;
  apiKey: string;
  campaignId: string;
  slug: string;
}

/** Through the API: a campaign, Alice's link, a click on it and a signed €20 purchase for that click. */
const clickAndConvert = async (baseUrl: string, apiKey: string): Promise<Walkthrough> => {
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, `${method} ${path}`).toBeLessThan(300);
    return (await response.json()) as any;
  };
  const { campaignId } = await call('POST', '/v1/campaigns', {
    name: 'Spring',
    destinationUrl: 'https://careers.acme.example/',
    attribution: { lookbackDays: 30 },
  });
  await call('PUT', '/v1/advocates/alice', { displayName: 'Alice Martin', department: 'sales' });
  const { slug } = await call('POST', '/v1/links', { campaignId, advocateId: 'alice', channel: 'linkedin' });
  const { sourceId, secret } = await call('POST', '/v1/webhook-sources', { name: 'Shop' });

  const click = await fetch(`${baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
  expect(click.status).toBe(302);
  const clickId = new URL(click.headers.get('location')!).searchParams.get('eaclid')!;

  const body = JSON.stringify({
    type: 'conversion.created',
    data: { conversionId: 'order-1', kind: 'purchase', occurredAt: new Date().toISOString(), value: { amount: '20.00', currency: 'EUR' }, clickId },
  });
  const webhookId = `msg_${randomUUID()}`;
  const now = new Date();
  const conversion = await fetch(`${baseUrl}/v1/webhooks/conversions/${sourceId}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(webhookId, now, body),
    },
  });
  expect(conversion.status).toBeLessThan(300);
  return { baseUrl, apiKey, campaignId, slug };
};

/** What the roll-ups answer once the consumer has handled the click and the conversion. */
const rolledUpAnswers = async ({ baseUrl, apiKey, campaignId, slug }: Walkthrough) => {
  const get = async (path: string) =>
    (await (await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as any;
  let answers: { linkStats: unknown; totals: any; rows: unknown[] } | undefined;
  await vi.waitFor(
    async () => {
      const link = await get(`/v1/links/${slug}`);
      const report = await get(`/v1/campaigns/${campaignId}/attribution?model=last_click&groupBy=advocate`);
      answers = {
        linkStats: link.stats,
        totals: report.totals,
        rows: report.rows.map(({ key, clicks, uniqueClicks, conversions, revenue }: any) => ({ key, clicks, uniqueClicks, conversions, revenue })),
      };
      expect((answers.linkStats as { clicks: number }).clicks).toBe(1);
      expect(answers.totals.clicks).toBe(1);
      expect(answers.totals.conversions).toBe(1);
    },
    { timeout: 60_000, interval: 250 },
  );
  return answers!;
};

const expected = {
  linkStats: { clicks: 1, uniqueClicks: 1, botClicks: 0 },
  totals: { shares: 0, clicks: 1, uniqueClicks: 1, botClicks: 0, conversions: 1, revenue: { EUR: '20.00' } },
  rows: [{ key: 'alice', clicks: 1, uniqueClicks: 1, conversions: 1, revenue: { EUR: '20.00' } }],
};

beforeAll(async () => {
  sharedDynamoDb = await startDynamoDbLocal({ inMemory: true });
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  await sharedDynamoDb?.stop();
  for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true });
});

describe('npm start --role api | consumer | all', () => {
  it('an API process and a consumer process on one DynamoDB Local answer as one --role all process does', async () => {
    const allDir = await scratchDir();
    const all = await start(['--role', 'all'], { DATA_DIR: allDir });
    const inOne = await rolledUpAnswers(await clickAndConvert(all.baseUrl!, createOrganization(allDir).apiKey));
    expect(await interrupt(all)).toBe(0);

    const splitDir = await scratchDir();
    const shared = { DATA_DIR: splitDir, DYNAMODB_ENDPOINT: sharedDynamoDb.endpoint };
    const api = await start(['--role', 'api'], shared);
    const walkthrough = await clickAndConvert(api.baseUrl!, createOrganization(splitDir).apiKey);
    const consumer = await start(['--role', 'consumer'], shared);
    expect(consumer.baseUrl).toBeUndefined();
    const split = await rolledUpAnswers(walkthrough);

    expect(split).toEqual(inOne);
    expect(split).toMatchObject(expected);
    expect(await interrupt(consumer)).toBe(0);
    expect(await interrupt(api)).toBe(0);
  }, 300_000);

  it('--workers 2 serves the API from two processes on one port', async () => {
    const dir = await scratchDir();
    const started = await start(['--workers', '2'], { DATA_DIR: dir });
    const answers = await rolledUpAnswers(await clickAndConvert(started.baseUrl!, createOrganization(dir).apiKey));
    expect(answers).toMatchObject(expected);
    const workers = spawnSync('pgrep', ['-P', String(started.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n');
    const nodeWorkers = workers.filter((pid) => /main\.ts/.test(spawnSync('ps', ['-o', 'args=', '-p', pid], { encoding: 'utf8' }).stdout));
    expect(nodeWorkers).toHaveLength(2);
    expect(await interrupt(started)).toBe(0);
  }, 300_000);
});
