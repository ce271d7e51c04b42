/**
 * Fresh tables per test, on the DynamoDB Local the global setup started: a unique prefix per
 * test, and the env vars the handlers and adapters read pointing at them.
 */
import { randomBytes } from 'node:crypto';
import { beforeEach, inject } from 'vitest';
import { ensureTables } from '../../infra/local/tables.js';

export const testDynamoEndpoint = (): string => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? (inject as (key: string) => string | undefined)('dynamodbEndpoint');
  if (!endpoint) throw new Error('No DynamoDB Local endpoint: is tests/support/global-setup.ts configured?');
  return endpoint;
};

export const createIsolatedTables = async () => {
  const endpoint = testDynamoEndpoint();
  const prefix = `t${randomBytes(5).toString('hex')}-`;
  const tables = await ensureTables(endpoint, { prefix });
  Object.assign(process.env, tables.env, {
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'eu-central-1',
  });
  return tables;
};

/** Registers a beforeEach that gives every test of the suite its own empty tables. */
export const useIsolatedTables = (): void => {
  beforeEach(async () => {
    await createIsolatedTables();
  });
};
