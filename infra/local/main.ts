/**
 * `npm start`: the whole system on this machine (spec section 10).
 *
 *   npm start                      data in DATA_DIR (default .data/), API on PORT (default 3000)
 *   npm start -- --in-memory       keep nothing
 *   npm start -- --port 4000
 *   DYNAMODB_ENDPOINT=http://…     use a DynamoDB Local that is already running
 *   PUBLIC_BASE_URL=https://…      host used in shortUrl
 *
 * Prints one line containing `ready` and the base URL once everything is up.
 */
import { parseArgs } from 'node:util';
import { loadOrCreateIssuer } from './issuer.js';
import { startLocalRuntime, type LocalRuntime } from './runtime.js';
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-info.js';

const usage = 'usage: npm start -- [--in-memory] [--port <port>] [--host <host>]';

const parseOptions = () => {
  const { values } = parseArgs({
    options: {
      'in-memory': { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port ?? process.env.PORT}`);
  return {
    inMemory: values['in-memory'],
    port,
    host: values.host ?? process.env.HOST ?? '127.0.0.1',
    dataDir: process.env.DATA_DIR || '.data/',
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    publicBaseUrl: process.env.PUBLIC_BASE_URL || undefined,
  };
};

const main = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions();
  // The issuer key lives in DATA_DIR even in memory mode, so `npm run admin -- token` can sign.
  const issuer = await loadOrCreateIssuer(options.dataDir);

  let runtime: LocalRuntime | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) {
      process.exit(code); // a second Ctrl-C: leave now (the exit hook still kills Java)
    }
    stopping = true;
    try {
      removeRuntimeInfo(options.dataDir);
      await runtime?.stop();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  runtime = await startLocalRuntime({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    inMemory: options.inMemory,
    dynamodbEndpoint: options.dynamodbEndpoint,
    publicBaseUrl: options.publicBaseUrl,
    issuer,
  });
  if (stopping) return; // Ctrl-C arrived while starting; shutdown() takes it from here

  writeRuntimeInfo(options.dataDir, {
    baseUrl: runtime.baseUrl,
    dynamodbEndpoint: runtime.dynamodbEndpoint,
    tableEnv: runtime.tableEnv,
    pid: process.pid,
  });
  const storage = options.inMemory ? 'in memory' : `data in ${options.dataDir}`;
  process.stdout.write(`ready: ${runtime.baseUrl} (DynamoDB Local at ${runtime.dynamodbEndpoint}, ${storage})\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`start failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
