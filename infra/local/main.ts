/**
 * `npm start`: the whole system on this machine (spec section 10; flags: `npm start -- --help`).
 *
 *   npm start                      data in DATA_DIR (default .data/), API on PORT (default 3000)
 *   npm start -- --in-memory       keep nothing
 *   npm start -- --role api        the HTTP API only;  --role consumer: the stream consumer only
 *   npm start -- --workers 2       two API processes on one port (node:cluster)
 *   DYNAMODB_ENDPOINT=http://…     use a DynamoDB Local that is already running
 *   PUBLIC_BASE_URL=https://…      host used in shortUrl
 *
 * Prints one line containing `ready` (and the base URL when it serves the API) once everything is up.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { loadOrCreateIssuer, loadOrCreateSecretsKey, type LocalIssuer } from './issuer.js';
import { parseStartOptions, usage, type StartOptions } from './options.js';
import { startLocalRuntime } from './runtime.js';
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-info.js';
import { ensureTables } from './tables.js';
import { runtimeRegion } from './environment.js';

/** What an API worker tells the primary once it listens. */
interface WorkerReady {
  kind: 'ready';
  baseUrl: string;
}

/** Stop functions, run last-registered first on shutdown. */
const stoppers: (() => Promise<void> | void)[] = [];
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) process.exit(code); // a second Ctrl-C: leave now (the exit hook still kills Java)
  stopping = true;
  try {
    for (const stop of stoppers.reverse()) {
      await Promise.resolve()
        .then(stop)
        .catch((error: unknown) => console.error('[npm start] stop failed:', error));
    }
  } finally {
    process.exit(code);
  }
};

const storageOf = (options: StartOptions) => (options.inMemory ? 'in memory' : `data in ${options.dataDir}`);

const runtimeOptions = (options: StartOptions, role: StartOptions['role'], issuer: LocalIssuer) => ({
  role,
  port: options.port,
  host: options.host,
  dataDir: options.dataDir,
  inMemory: options.inMemory,
  dynamodbEndpoint: options.dynamodbEndpoint,
  publicBaseUrl: options.publicBaseUrl,
  archiveDir: options.archiveDir,
  exportsDir: options.exportsDir,
  issuer,
});

/** One process: the parts of `options.role`. */
const runSingleProcess = async (options: StartOptions, issuer: LocalIssuer) => {
  const runtime = await startLocalRuntime(runtimeOptions(options, options.role, issuer));
  stoppers.push(runtime.stop);
  if (stopping) return; // Ctrl-C arrived while starting; shutdown() takes it from here
  const storage = storageOf(options);
  if (options.role === 'consumer') {
    process.stdout.write(`ready: stream consumer (DynamoDB Local at ${runtime.dynamodbEndpoint}, ${storage})\n`);
    return;
  }
  writeRuntimeInfo(options.dataDir, {
    baseUrl: runtime.baseUrl,
    dynamodbEndpoint: runtime.dynamodbEndpoint,
    tableEnv: runtime.tableEnv,
    pid: process.pid,
    archiveDir: runtime.archiveDir,
  });
  stoppers.push(() => removeRuntimeInfo(options.dataDir));
  const role = options.role === 'api' ? ', API only' : '';
  process.stdout.write(`ready: ${runtime.baseUrl} (DynamoDB Local at ${runtime.dynamodbEndpoint}, ${storage}${role})\n`);
};

/**
 * The cluster primary: DynamoDB Local and the tables, the consumer (role all), and
 * `options.workers` API processes sharing one port. Workers get their environment at fork.
 */
const runPrimary = async (options: StartOptions, issuer: LocalIssuer) => {
  const dataDir = options.inMemory ? undefined : options.dataDir;
  let dynamodbEndpoint = options.dynamodbEndpoint;
  if (!dynamodbEndpoint) {
    const dynamodb = await startDynamoDbLocal(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : { inMemory: true });
    stoppers.push(dynamodb.stop);
    dynamodbEndpoint = dynamodb.endpoint;
  }
  const tables = await ensureTables(dynamodbEndpoint, { region: runtimeRegion(process.env) });
  // One key for every process, or a secret sealed by one worker could not be opened by another.
  const secretsKey = process.env.LOCAL_SECRETS_KEY || loadOrCreateSecretsKey(dataDir);

  // One archive directory for the consumer and every worker (exports read what the archiver wrote).
  let archiveDir = options.archiveDir ?? (dataDir ? join(dataDir, 'archive') : undefined);
  if (!archiveDir) {
    const temporary = await mkdtemp(join(tmpdir(), 'advocacy-archive-'));
    stoppers.push(() => rm(temporary, { recursive: true, force: true }));
    archiveDir = temporary;
  }
  // One exports directory too: an export written by one worker is downloaded through any.
  let exportsDir = options.exportsDir ?? (dataDir ? join(dataDir, 'exports') : undefined);
  if (!exportsDir) {
    const temporary = await mkdtemp(join(tmpdir(), 'advocacy-exports-'));
    stoppers.push(() => rm(temporary, { recursive: true, force: true }));
    exportsDir = temporary;
  }

  if (options.role === 'all') {
    const consumer = await startLocalRuntime({
      role: 'consumer',
      archiveDir,
      dataDir: options.dataDir,
      inMemory: options.inMemory,
      dynamodbEndpoint,
      publicBaseUrl: options.publicBaseUrl,
      issuer,
      env: { LOCAL_SECRETS_KEY: secretsKey },
    });
    stoppers.push(consumer.stop);
  }

  const workers: Worker[] = [];
  stoppers.push(() => stopWorkers(workers));
  const readyUrls = await Promise.all(
    Array.from({ length: options.workers }, () => {
      const worker = cluster.fork({ DYNAMODB_ENDPOINT: dynamodbEndpoint, LOCAL_SECRETS_KEY: secretsKey, ARCHIVE_DIR: archiveDir, EXPORTS_DIR: exportsDir });
      workers.push(worker);
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        console.error(`[npm start] API worker ${worker.process.pid} exited (${signal ?? code}); stopping`);
        void shutdown(1);
      });
      return new Promise<string>((resolve) =>
        worker.on('message', (message: WorkerReady) => {
          if (message?.kind === 'ready') resolve(message.baseUrl);
        }),
      );
    }),
  );
  if (stopping) return;
  const baseUrl = readyUrls[0];
  writeRuntimeInfo(options.dataDir, { baseUrl, dynamodbEndpoint, tableEnv: tables.env, pid: process.pid, archiveDir });
  stoppers.push(() => removeRuntimeInfo(options.dataDir));
  const consumer = options.role === 'all' ? ' and the stream consumer' : '';
  process.stdout.write(
    `ready: ${baseUrl} (${options.workers} API workers${consumer}, DynamoDB Local at ${dynamodbEndpoint}, ${storageOf(options)})\n`,
  );
};

/** Asks each worker to stop (they finish in-flight requests) and waits for them to exit. */
const stopWorkers = (workers: Worker[]) =>
  Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);

/** A cluster worker: the HTTP API only, on the port the primary shares. */
const runApiWorker = async (options: StartOptions, issuer: LocalIssuer) => {
  const runtime = await startLocalRuntime(runtimeOptions(options, 'api', issuer));
  stoppers.push(runtime.stop);
  // The primary went away (killed): do not linger.
  process.on('disconnect', () => void shutdown(0));
  process.send?.({ kind: 'ready', baseUrl: runtime.baseUrl } satisfies WorkerReady);
};

const main = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options: StartOptions | 'help';
  try {
    options = parseStartOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exit(1);
  }
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  // The issuer key lives in DATA_DIR even in memory mode, so `npm run admin -- token` can sign.
  const issuer = await loadOrCreateIssuer(options.dataDir);
  if (cluster.isWorker) await runApiWorker(options, issuer);
  else if (options.workers > 1) await runPrimary(options, issuer);
  else await runSingleProcess(options, issuer);
};

main().catch((error: unknown) => {
  process.stderr.write(`start failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
