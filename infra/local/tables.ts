/**
 * Creates the tables of infra/definitions.ts in DynamoDB Local, the way the CDK stack creates
 * them on AWS: on-demand billing, the same keys and GSIs, streams and TTL where defined.
 * A name prefix lets several runtimes (parallel tests) share one DynamoDB Local.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { tables, type KeyDefinition, type TableDefinition } from '../definitions.js';
import { tableEnvVar, type TableId } from '../../shared/settings.js';

export type TableNames = Record<TableId, string>;

export interface LocalTables {
  /** Logical id → physical table name. */
  tableNames: TableNames;
  /** `TABLE_ENTITIES` etc., as the CDK stack sets them on the functions. */
  env: Record<string, string>;
  /** Stream ARN per table that has a stream. */
  streamArns: Partial<Record<TableId, string>>;
}

export const localClient = (endpoint: string, region = 'eu-central-1'): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const allTables = (): TableDefinition[] => Object.values(tables);

/** Physical names and env vars for a prefix, without touching DynamoDB. */
export const tableNamesFor = (prefix = ''): Pick<LocalTables, 'tableNames' | 'env'> => {
  const tableNames = {} as TableNames;
  const env: Record<string, string> = {};
  for (const table of allTables()) {
    tableNames[table.id] = `${prefix}${table.localName}`;
    env[tableEnvVar(table.id)] = tableNames[table.id];
  }
  return { tableNames, env };
};

const keySchema = (key: KeyDefinition): KeySchemaElement[] => [
  { AttributeName: key.partitionKey.name, KeyType: 'HASH' },
  ...(key.sortKey ? [{ AttributeName: key.sortKey.name, KeyType: 'RANGE' as const }] : []),
];

const attributeDefinitions = (table: TableDefinition): AttributeDefinition[] => {
  const byName = new Map<string, AttributeDefinition>();
  for (const key of [table, ...table.globalSecondaryIndexes]) {
    for (const attribute of [key.partitionKey, key.sortKey]) {
      if (!attribute) continue;
      byName.set(attribute.name, { AttributeName: attribute.name, AttributeType: attribute.type });
    }
  }
  return [...byName.values()];
};

export const createTableInput = (table: TableDefinition, name: string): CreateTableCommandInput => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: keySchema(table),
  AttributeDefinitions: attributeDefinitions(table),
  ...(table.globalSecondaryIndexes.length > 0 && {
    GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index),
      Projection: { ProjectionType: index.projection },
    })),
  }),
  ...(table.stream && {
    StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
  }),
});

/**
 * A table kept from an earlier version (`npm start` with a database directory) gets the indexes
 * defined since, one at a time as DynamoDB allows (e.g. the keys-only campaign index). Indexes no
 * longer defined are left alone: nothing reads them.
 */
const addMissingIndexes = async (client: DynamoDBClient, table: TableDefinition, name: string) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const input = createTableInput(table, name);
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
  }
};

const ensureTable = async (client: DynamoDBClient, table: TableDefinition, name: string) => {
  try {
    await client.send(new CreateTableCommand(createTableInput(table, name)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await addMissingIndexes(client, table, name);
  }
  if (table.timeToLiveAttribute) {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    if (current.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }
  // DynamoDB Local creates tables ACTIVE at once; wait anyway rather than rely on it.
  for (let attempt = 0; ; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE' || attempt >= 100) return Table?.LatestStreamArn;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Creates every table that does not exist yet (idempotent) and returns names, env and streams. */
export const ensureTables = async (
  endpoint: string,
  options: { prefix?: string; region?: string } = {},
): Promise<LocalTables> => {
  const { tableNames, env } = tableNamesFor(options.prefix);
  const client = localClient(endpoint, options.region);
  try {
    const streamArns: LocalTables['streamArns'] = {};
    await Promise.all(
      allTables().map(async (table) => {
        const arn = await ensureTable(client, table, tableNames[table.id]);
        if (table.stream && arn) streamArns[table.id] = arn;
      }),
    );
    return { tableNames, env, streamArns };
  } finally {
    client.destroy();
  }
};
