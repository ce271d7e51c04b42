/**
 * Starting a function asynchronously, as Lambda's `Invoke` with `InvocationType: 'Event'` does:
 * the call returns once the invocation is queued; the function runs (and is retried) apart.
 * On AWS: the Lambda API, the function named by `<FUNCTION>_FUNCTION_NAME`. Locally the runtime
 * registers its own Lambda invoker (infra/local/lambda.ts), which runs the handler in the
 * background of the same process.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { invokedFunctionEnvVar } from '../settings.js';

/** The async functions a handler may start. */
export type AsyncFunction = 'exportWorker' | 'erasureWorker';

export type LocalAsyncInvoker = (target: AsyncFunction, payload: unknown) => void;

// On globalThis: the runtime and the handler modules it loads share one process, not always one module instance.
const localInvokerSlot = Symbol.for('advocacy.local-async-invoker');
type Slots = { [localInvokerSlot]?: LocalAsyncInvoker };

/** Used by the local runtime (once per process); undefined removes it. */
export const registerLocalAsyncInvoker = (invoker: LocalAsyncInvoker | undefined): void => {
  (globalThis as Slots)[localInvokerSlot] = invoker;
};


let lambda: LambdaClient | undefined;

export const invokeAsync = async (target: AsyncFunction, payload: unknown): Promise<void> => {
  const local = (globalThis as Slots)[localInvokerSlot];
  if (local) {
    local(target, payload);
    return;
  }
  const functionName = process.env[invokedFunctionEnvVar(target)];
  if (!functionName) throw new Error(`No function to invoke: ${invokedFunctionEnvVar(target)} is not set`);
  lambda ??= new LambdaClient({});
  await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }));
};
