/**
 * A full local runtime per test file, on the DynamoDB Local of the global setup: random HTTP
 * port, unique table prefix, a throwaway token issuer. Handlers can be replaced by stubs.
 * Handler and consumer failures are printed; pass `quiet: true` when a test provokes them.
 *
 *   const runtime = await startTestRuntime({ handlers: { health: async () => 'ok' } });
 *   await fetch(`${runtime.baseUrl}/healthz`);
 *   await runtime.poller.drain();
 *   await stopTestRuntime(runtime);
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadOrCreateIssuer, type LocalIssuer } from '../../infra/local/issuer.js';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../infra/local/runtime.js';

export interface TestRuntime extends LocalRuntime {
  /** Signs advocate JWTs the runtime's authorizer accepts. */
  issuer: LocalIssuer;
  /** Throwaway directory (issuer key); removed by stopTestRuntime. */
  scratchDir: string;
}

/** The DynamoDB Local started by tests/support/global-setup.ts. */
export const testDynamoDbEndpoint = (): string => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? inject('dynamodbEndpoint');
  if (!endpoint) throw new Error('No DynamoDB Local endpoint: is tests/support/global-setup.ts configured?');
  return endpoint;
};

export const uniqueTablePrefix = (): string => `rt${randomBytes(5).toString('hex')}-`;

export const startTestRuntime = async (overrides: LocalRuntimeOptions = {}): Promise<TestRuntime> => {
  const scratchDir = await mkdtemp(join(tmpdir(), 'advocacy-test-'));
  try {
    const issuer = await loadOrCreateIssuer(scratchDir);
    const runtime = await startLocalRuntime({
      port: 0,
      inMemory: true,
      dynamodbEndpoint: testDynamoDbEndpoint(),
      tablePrefix: uniqueTablePrefix(),
      issuer,
      ...overrides,
    });
    return Object.assign(runtime, { issuer, scratchDir });
  } catch (error) {
    await rm(scratchDir, { recursive: true, force: true });
    throw error;
  }
};

export const stopTestRuntime = async (runtime: TestRuntime | undefined): Promise<void> => {
  if (!runtime) return;
  await runtime.stop();
  await rm(runtime.scratchDir, { recursive: true, force: true });
};
