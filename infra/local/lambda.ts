/**
 * Local stand-in for the Lambda service: loads handler modules once (like a warm container)
 * and builds the context object Lambda passes as the second argument.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { functions } from '../definitions.js';
import type { FunctionId } from '../../shared/contract/routes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => unknown;

export type HandlerOverrides = Partial<Record<FunctionId, LambdaHandler>>;

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface LambdaEnvironment {
  region: string;
  accountId: string;
  /** Prefix of the local function names (`advocacy-local-redirect`). */
  functionNamePrefix: string;
}

export const defaultLambdaEnvironment = (): LambdaEnvironment => ({
  region: process.env.AWS_REGION ?? 'eu-central-1',
  accountId: '000000000000',
  functionNamePrefix: 'advocacy-local-',
});

/**
 * Returns a loader that imports each function's entry module on first use and reuses it.
 * Overrides (stub handlers in tests) win over the entry modules.
 */
export const createHandlerLoader = (overrides: HandlerOverrides = {}) => {
  const loaded = new Map<FunctionId, Promise<LambdaHandler>>();
  const load = async (id: FunctionId): Promise<LambdaHandler> => {
    const definition = functions[id];
    const url = pathToFileURL(resolve(repositoryRoot, definition.entry)).href;
    const module = (await import(url)) as Record<string, unknown>;
    const handler = module[definition.handler];
    if (typeof handler !== 'function') {
      throw new Error(`${definition.entry} does not export a function named ${definition.handler}`);
    }
    return handler as LambdaHandler;
  };
  return (id: FunctionId): Promise<LambdaHandler> => {
    const override = overrides[id];
    if (override) return Promise.resolve(override);
    let handler = loaded.get(id);
    if (!handler) {
      handler = load(id);
      // A failed import is retried on the next request (e.g. after fixing a syntax error).
      handler.catch(() => loaded.delete(id));
      loaded.set(id, handler);
    }
    return handler;
  };
};

export type HandlerLoader = ReturnType<typeof createHandlerLoader>;

const logStreamDate = (now: Date): string =>
  `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;

/** One log stream per "container", as on Lambda. */
const containerId = randomBytes(16).toString('hex');

/** The Lambda context object for one invocation of function `id`. */
export const lambdaContext = (
  id: FunctionId,
  environment: LambdaEnvironment,
  startedAt = Date.now(),
): Context => {
  const definition = functions[id];
  const functionName = `${environment.functionNamePrefix}${id}`;
  const deadline = startedAt + definition.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${environment.region}:${environment.accountId}:function:${functionName}`,
    memoryLimitInMB: String(definition.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${logStreamDate(new Date(startedAt))}/[$LATEST]${containerId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
};

export class LambdaTimeoutError extends Error {
  constructor(id: FunctionId, seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds (${id})`);
    this.name = 'LambdaTimeoutError';
  }
}

/**
 * Invokes a handler the way Lambda does: awaits its promise, and fails it after the function's
 * configured timeout (the handler keeps running in the background; we cannot freeze it).
 */
export const invokeHandler = async (
  id: FunctionId,
  handler: LambdaHandler,
  event: unknown,
  context: Context,
  enforceTimeout: boolean,
): Promise<unknown> => {
  const running = Promise.resolve().then(() => handler(event, context));
  if (!enforceTimeout) return running;
  running.catch(() => {}); // a late failure after the timeout must not become unhandled
  const seconds = functions[id].timeoutSeconds;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(id, seconds)), context.getRemainingTimeInMillis());
  });
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export interface InvokerOptions {
  loadHandler: HandlerLoader;
  lambda: LambdaEnvironment;
  /** Fail invocations that run past the function's timeout, as Lambda does. */
  enforceTimeouts: boolean;
}

export type Invoke = (id: FunctionId, event: unknown) => Promise<unknown>;

/** Invokes function `id` as Lambda would: its (cached) module, a fresh context, its timeout. */
export const createInvoker =
  ({ loadHandler, lambda, enforceTimeouts }: InvokerOptions): Invoke =>
  async (id, event) => {
    const handler = await loadHandler(id);
    return invokeHandler(id, handler, event, lambdaContext(id, lambda), enforceTimeouts);
  };

/** Retries of an asynchronous invocation that failed, as Lambda makes (two by default). */
const ASYNC_RETRIES = 2;

export interface BackgroundInvoker {
  /** Queues an invocation and returns at once (Lambda's `InvocationType: 'Event'`). */
  start(id: FunctionId, event: unknown): void;
  /** Settles when every invocation started so far has finished (stop, tests). */
  idle(): Promise<void>;
}

/**
 * Asynchronous invocations, as Lambda runs them: in the background, retried twice on failure,
 * the failure logged (on AWS it would reach the function's on-failure destination).
 */
export const createBackgroundInvoker = (invoke: Invoke, onError: (id: FunctionId, error: unknown) => void): BackgroundInvoker => {
  const running = new Set<Promise<void>>();
  const attempt = async (id: FunctionId, event: unknown): Promise<void> => {
    for (let tries = 0; ; tries++) {
      try {
        await invoke(id, event);
        return;
      } catch (error) {
        if (tries >= ASYNC_RETRIES) {
          onError(id, error);
          return;
        }
      }
    }
  };
  return {
    start(id, event) {
      const run = attempt(id, event).finally(() => running.delete(run));
      running.add(run);
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
};
