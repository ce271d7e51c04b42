/**
 * The whole system for end-to-end tests: a local runtime (real DynamoDB Local, HTTP API, stream
 * poller), an HTTP client, and the admin operations a person would run with `npm run admin`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiScopes } from '../../shared/domain/scopes.js';
import { loadOrCreateIssuer } from '../../infra/local/issuer.js';
import type { LocalRuntimeOptions } from '../../infra/local/runtime.js';
import { createClient, type Client } from './client.js';
import { startTestRuntime, stopTestRuntime, type TestRuntime } from './runtime.js';

export interface TestSystem {
  runtime: TestRuntime;
  baseUrl: string;
  publicBaseUrl: string;
  client: Client;
  createOrganization(name: string): Promise<{ orgId: string; apiKey: string }>;
  advocateToken(orgId: string, advocateId: string, options?: { ttlSeconds?: number }): Promise<string>;
  /** A well-formed token from an issuer the system does not trust. */
  foreignIssuerToken(orgId: string, advocateId: string): Promise<string>;
  /** Waits until every event written so far has reached the roll-ups (or the dead-letter store). */
  streamsIdle(): Promise<void>;
  stop(): Promise<void>;
}

export const startSystem = async (overrides: LocalRuntimeOptions = {}): Promise<TestSystem> => {
  const runtime = await startTestRuntime({
    ...overrides,
    env: {
      // Tests change links and click at once; production containers cache for a few seconds.
      LINK_CACHE_TTL_MS: '0',
      LOCAL_SECRETS_KEY: randomBytes(32).toString('base64'),
      ...overrides.env,
    },
  });
  const foreignDir = await mkdtemp(join(tmpdir(), 'advocacy-foreign-'));
  const foreign = await loadOrCreateIssuer(foreignDir);
  return {
    runtime,
    baseUrl: runtime.baseUrl,
    publicBaseUrl: process.env.PUBLIC_BASE_URL ?? runtime.baseUrl,
    client: createClient(runtime.baseUrl, { uncheckedFunctions: Object.keys(overrides.handlers ?? {}) }),
    async createOrganization(name) {
      const { createOrganization, createApiKey } = await import('../../shared/adapters/entities.js');
      const { orgId } = await createOrganization(name);
      const { apiKey } = await createApiKey(orgId, [...apiScopes], 'test admin key');
      return { orgId, apiKey };
    },
    advocateToken: (orgId, advocateId, options = {}) => runtime.issuer.sign({ orgId, advocateId, ...options }),
    foreignIssuerToken: (orgId, advocateId) => foreign.sign({ orgId, advocateId }),
    streamsIdle: () => runtime.poller.drain({ timeoutMs: 60_000 }),
    async stop() {
      await stopTestRuntime(runtime);
      await rm(foreignDir, { recursive: true, force: true });
    },
  };
};
