/**
 * Child processes of the benchmark: the local runtime and the baseline servers each run in their
 * own Node process, so the load generator (this process) never shares their event loop, and their
 * memory is theirs alone. A tiny request/answer protocol runs over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repositoryRoot = join(benchDirectory, '..');

export interface Child<Ready = unknown> {
  pid: number;
  ready: Ready;
  call<T = unknown>(name: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop cleanly; kills it (by pid) if it does not within the grace time. */
  stop(): Promise<void>;
}

interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

/**
 * Starts `bench/children/<name>.ts` under tsx's loader in a plain `node` process (one process: the
 * pid measured is the one serving) and resolves once it reports ready.
 */
export const startChild = async <Ready = unknown>(name: string, config: unknown, startTimeoutMs = 120_000): Promise<Child<Ready>> => {
  const script = join(benchDirectory, 'children', `${name}.ts`);
  // BENCH_PROFILE=<child name>: that child writes a V8 CPU profile (diagnostics, not results).
  const profileDirectory = join(repositoryRoot, 'node_modules', '.cache', 'advocacy-bench', 'profiles');
  const profile = process.env.BENCH_PROFILE === name ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(config) },
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const { reject } of pending.values()) reject(new Error(`${name} exited`));
    pending.clear();
  });

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start-up (code ${code})`));
    });
    child.on('message', (message: { type?: string; ready?: Ready } & Answer) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.ready as Ready);
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result);
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });

  const call = <T>(callName: string, args?: unknown, timeoutMs = 600_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}.${callName} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, name: callName, args });
    });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const grace = setTimeout(() => child.kill('SIGKILL'), 30_000);
      call('stop', undefined, 30_000).catch(() => child.kill('SIGKILL'));
      await exited;
      clearTimeout(grace);
    })());

  return { pid: child.pid!, ready, call, stop };
};

/** The child side: reports ready, answers calls by name, exits after `stop`. */
export const serveParent = (
  ready: unknown,
  handlers: Record<string, (args: unknown) => unknown>,
  stop: () => Promise<void>,
): void => {
  process.on('message', (message: { id: number; name: string; args?: unknown }) => {
    const reply = (answer: Omit<Answer, 'id'>) => process.send?.({ id: message.id, ...answer });
    if (message.name === 'stop') {
      stop()
        .catch(() => undefined)
        .finally(() => {
          reply({ result: true });
          setTimeout(() => process.exit(0), 50);
        });
      return;
    }
    const handler = handlers[message.name];
    if (!handler) {
      reply({ error: `no such call: ${message.name}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ result }),
        (error: unknown) => reply({ error: error instanceof Error ? error.stack ?? error.message : String(error) }),
      );
  });
  // The parent going away ends the child (no orphans holding ports).
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', ready });
};

export const childConfig = <T>(): T => JSON.parse(process.env.BENCH_CHILD_CONFIG ?? '{}') as T;

// ---------------------------------------------------------------------------------------------
// Memory.

const statusField = (pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

export interface RssWatch {
  /** Peak resident set size in bytes: the largest sample, or the kernel's high-water mark. */
  stop(): { peakBytes: number; samples: number };
}

/** Samples a process's RSS from /proc (Linux); also reads the kernel's own peak (VmHWM) at the end. */
export const watchRss = (pid: number, intervalMs = 100): RssWatch => {
  let peak = 0;
  let samples = 0;
  const sample = () => {
    const rss = statusField(pid, 'VmRSS');
    if (rss !== undefined) {
      peak = Math.max(peak, rss);
      samples++;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakBytes: Math.max(peak, statusField(pid, 'VmHWM') ?? 0), samples };
    },
  };
};

// ---------------------------------------------------------------------------------------------
// CPU.

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export const cpuSeconds = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name; ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
