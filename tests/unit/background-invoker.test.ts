/** The local runtime's asynchronous invocations (infra/local/lambda.ts), as Lambda runs `Event` invocations. */
import { describe, expect, it } from 'vitest';
import { createBackgroundInvoker } from '../../infra/local/lambda.js';

describe('background invoker', () => {
  it('returns at once, runs the invocation in the background, and idle() waits for it', async () => {
    let finish: () => void = () => undefined;
    const calls: unknown[] = [];
    const invoker = createBackgroundInvoker(
      (_id, event) => {
        calls.push(event);
        return new Promise((resolve) => (finish = () => resolve(undefined)));
      },
      () => undefined,
    );
    invoker.start('exportWorker', { exportId: 'exp_1' });
    await Promise.resolve();
    expect(calls).toEqual([{ exportId: 'exp_1' }]);
    let idle = false;
    const waiting = invoker.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    finish();
    await waiting;
    expect(idle).toBe(true);
  });

  it('retries a failed invocation twice, as Lambda does, then reports it once', async () => {
    let attempts = 0;
    const failures: unknown[] = [];
    const invoker = createBackgroundInvoker(
      () => {
        attempts++;
        return Promise.reject(new Error(`attempt ${attempts}`));
      },
      (id, error) => failures.push([id, (error as Error).message]),
    );
    invoker.start('exportWorker', {});
    await invoker.idle();
    expect(attempts).toBe(3);
    expect(failures).toEqual([['exportWorker', 'attempt 3']]);
  });

  it('stops retrying once an attempt succeeds', async () => {
    let attempts = 0;
    const invoker = createBackgroundInvoker(
      () => (++attempts < 2 ? Promise.reject(new Error('once')) : Promise.resolve('ok')),
      () => {
        throw new Error('not expected');
      },
    );
    invoker.start('exportWorker', {});
    await invoker.idle();
    expect(attempts).toBe(2);
  });
});
