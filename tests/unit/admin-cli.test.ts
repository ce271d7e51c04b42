/**
 * The admin CLI's contract without a running system: help on --help / -h / help (exit 0), the
 * usage on stderr with exit 2 for every usage error, and a clear message instead of a connection
 * error when runtime.json was left behind by a runtime that no longer runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = join(import.meta.dirname, '../..');
let dataDir: string;

const admin = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/admin.ts', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, DATA_DIR: dataDir, DYNAMODB_ENDPOINT: '', TABLE_ENTITIES: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });

/** A pid that existed and has exited (reaped), so nothing answers to it. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

/** A local port nothing listens on: bound, then closed. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const writeRuntimeJson = (pid: number, port: number) =>
  writeFile(
    join(dataDir, 'runtime.json'),
    JSON.stringify({ baseUrl: 'http://127.0.0.1:1', dynamodbEndpoint: `http://127.0.0.1:${port}`, tableEnv: {}, pid }),
  );

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'advocacy-admin-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('admin CLI usage', () => {
  it.each([['--help'], ['-h'], ['help'], ['reconcile', '--help']])('%s prints the usage and exits 0', (...args) => {
    const result = admin(...args);
    expect(result.status).toBe(0);
    for (const command of ['org create --name', 'token --org', 'reconcile --campaign']) expect(result.stdout).toContain(command);
    expect(result.stderr).toBe('');
  }, 60_000);

  it.each([
    [[], 'no command given'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['frobnicate'], 'unknown command: frobnicate'],
    [['org', 'delete'], 'unknown command: org delete'],
    [['org', 'create'], '--name is required'],
    [['org', 'create', '--name'], "Option '--name <value>' argument missing"],
    [['token', '--org', 'org_1'], '--org and --advocate are required'],
    [['token', '--org', 'org_1', '--advocate', 'a', '--ttl', 'soon'], '--ttl must be a positive number of seconds'],
    [['token', '--org', 'org_1', '--advocate', 'a', '--ttl', '-5'], "Option '--ttl' argument is ambiguous"],
    [['reconcile'], '--campaign is required'],
  ])('%j is a usage error: %s, the usage on stderr, exit 2', (args, message) => {
    const result = admin(...(args as string[]));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: npm run admin --');
    expect(result.stdout).toBe('');
  }, 60_000);
});

describe('admin CLI without a running system', () => {
  it('says so when there is no runtime.json', async () => {
    await rm(join(dataDir, 'runtime.json'), { force: true });
    const result = admin('org', 'create', '--name', 'Acme');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no local system is running');
    expect(result.stderr).toContain('npm start');
  }, 60_000);

  it('names the gone pid of a runtime.json left by a killed runtime', async () => {
    const pid = deadPid();
    await writeRuntimeJson(pid, await closedPort());
    const result = admin('reconcile', '--campaign', 'cmp_1');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`no local system is running (pid ${pid} is gone); start it with npm start`);
    expect(result.stderr).not.toContain('ECONNREFUSED');
  }, 60_000);

  it('checks the endpoint when the recorded pid belongs to another live process', async () => {
    const port = await closedPort();
    await writeRuntimeJson(process.pid, port);
    const result = admin('org', 'create', '--name', 'Acme');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`pid ${process.pid} is alive but nothing answers at http://127.0.0.1:${port}`);
    expect(result.stderr).not.toContain('ECONNREFUSED');
  }, 60_000);
});
