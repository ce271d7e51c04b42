/**
 * infra/local/tables.ts creates the tables of infra/definitions.ts in DynamoDB Local, indexes with
 * their projection; a table kept from an earlier version (`npm start` with a database directory)
 * gains the indexes defined since — here the keys-only campaign index beside the old `byCampaign`.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/definitions.js';
import { createTableInput, ensureTables, localClient } from '../../infra/local/tables.js';
import { campaignIndexName } from '../../shared/settings.js';
import { testDynamoEndpoint } from '../support/tables.js';

const client = localClient(testDynamoEndpoint());
afterAll(() => client.destroy());

const indexesOf = async (name: string) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  return Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection?.ProjectionType]));
};

describe('local tables', () => {
  it('new tables: the indexes of the definitions, each with its projection', async () => {
    const { tableNames } = await ensureTables(testDynamoEndpoint(), { prefix: `t${randomBytes(5).toString('hex')}-` });
    expect(await indexesOf(tableNames.events)).toEqual({ [campaignIndexName]: 'KEYS_ONLY' });
    expect(await indexesOf(tableNames.entities)).toEqual({ gsi1: 'ALL', gsi2: 'ALL' });
  });

  it('a table from before the keys-only index gains it, and keeps the old one (nothing reads it)', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}-`;
    const before = {
      ...tables.events,
      globalSecondaryIndexes: [{ ...tables.events.globalSecondaryIndexes[0], indexName: 'byCampaign', projection: 'ALL' as const }],
    };
    await client.send(new CreateTableCommand(createTableInput(before, `${prefix}${tables.events.localName}`)));
    expect(await indexesOf(`${prefix}${tables.events.localName}`)).toEqual({ byCampaign: 'ALL' });

    const { tableNames } = await ensureTables(testDynamoEndpoint(), { prefix });
    expect(await indexesOf(tableNames.events)).toEqual({ byCampaign: 'ALL', [campaignIndexName]: 'KEYS_ONLY' });
    // Idempotent: a second start changes nothing.
    await ensureTables(testDynamoEndpoint(), { prefix });
    expect(await indexesOf(tableNames.events)).toEqual({ byCampaign: 'ALL', [campaignIndexName]: 'KEYS_ONLY' });
  });
});
