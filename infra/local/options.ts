/** `npm start` command line and environment → the options of infra/local/main.ts. */
import { parseArgs } from 'node:util';
import type { RuntimeRole } from './runtime.js';

export const usage = `usage: npm start -- [--role api|consumer|all] [--workers <n>] [--in-memory] [--port <port>] [--host <host>]

  --role all        the HTTP API and the stream consumer in this process (default)
  --role api        the HTTP API only
  --role consumer   the stream consumer only (run it next to a --role api against one
                    DynamoDB Local: set DYNAMODB_ENDPOINT for both)
  --workers <n>     n API processes sharing the port (default 1); with --role all the
                    consumer runs in the first process, beside DynamoDB Local
  --in-memory       keep nothing on disk

  PORT, HOST, DATA_DIR (default .data/), DYNAMODB_ENDPOINT, PUBLIC_BASE_URL,
  ARCHIVE_DIR (the history archive; default <DATA_DIR>/archive, a temporary directory with --in-memory),
  EXPORTS_DIR (export files; default <DATA_DIR>/exports, a temporary directory with --in-memory)`;

export interface StartOptions {
  role: RuntimeRole;
  workers: number;
  inMemory: boolean;
  port: number;
  host: string;
  dataDir: string;
  dynamodbEndpoint?: string;
  publicBaseUrl?: string;
  /** Where the archiver writes the Parquet history (ARCHIVE_DIR); default: see the runtime. */
  archiveDir?: string;
  /** EXPORTS_DIR: where export files go (default <DATA_DIR>/exports). */
  exportsDir?: string;
}

const roles: readonly RuntimeRole[] = ['api', 'consumer', 'all'];

/** Throws with a message naming the bad value; `help` when usage was asked for. */
export const parseStartOptions = (args: string[], env: NodeJS.ProcessEnv): StartOptions | 'help' => {
  const { values } = parseArgs({
    args,
    options: {
      'in-memory': { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      role: { type: 'string', default: 'all' },
      workers: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const port = Number(values.port ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port ?? env.PORT}`);
  const role = values.role as RuntimeRole;
  if (!roles.includes(role)) throw new Error(`Invalid role: ${values.role} (api, consumer or all)`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`Invalid number of workers: ${values.workers}`);
  if (workers > 1 && role === 'consumer') throw new Error('--workers applies to the API; the consumer runs once');
  return {
    role,
    workers,
    inMemory: values['in-memory'],
    port,
    host: values.host ?? env.HOST ?? '127.0.0.1',
    dataDir: env.DATA_DIR || '.data/',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    publicBaseUrl: env.PUBLIC_BASE_URL || undefined,
    archiveDir: env.ARCHIVE_DIR || undefined,
    exportsDir: env.EXPORTS_DIR || undefined,
  };
};
