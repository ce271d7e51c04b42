/**
 * Reconciliation: recount a campaign from its raw events and compare with the roll-ups.
 * Used by `npm run admin -- reconcile`, and by the tests after every fault scenario.
 * This is the one place that reads raw events in bulk; dashboards never do.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { campaignIndexShards } from './settings.js';
import { tableName } from './config.js';
import { documentClient } from './adapters/dynamo.js';
import { eventKeys, rollupKeys } from './adapters/keys.js';
import { contributionsOfConversionRecord, type ConversionCampaignRecord } from './domain/conversion-credit.js';
import { clickEventSchema } from './domain/events.js';
import { coalesce, clickContributions, rollupDimensions, type Counters } from './domain/rollup.js';

export interface RowDifference {
  pk: string;
  sk: string;
  counter: string;
  expected: number;
  actual: number;
}

export interface ReconcileReport {
  orgId: string;
  campaignId: string;
  events: number;
  conversions: number;
  rowsChecked: number;
  differences: RowDifference[];
}

const rowKey = (pk: string, sk: string) => `${pk}\u0000${sk}`;
const bookkeeping = new Set(['pk', 'sk', 'updatedAt', 'orgId', 'campaignId', 'dimension', 'period', 'key']);

const queryAll = async (input: ConstructorParameters<typeof QueryCommand>[0]) => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

export const reconcileCampaign = async (orgId: string, campaignId: string): Promise<ReconcileReport> => {
  // Every write shard of the campaign's byCampaign partition (order does not matter to a recount).
  const shards = Array.from({ length: campaignIndexShards }, (_, shard) => shard);
  const rawItems = (
    await Promise.all(
      shards.map((shard) =>
        queryAll({
          TableName: tableName('events'),
          IndexName: 'byCampaign',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': eventKeys.campaignIndexShard(orgId, campaignId, shard) },
        }),
      ),
    )
  ).flat();
  const clicks = rawItems.flatMap((item) => {
    const parsed = clickEventSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  // Conversions count by the credit records written atomically with their counters.
  const conversionItems = await queryAll({
    TableName: tableName('rollups'),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': rollupKeys.conversionRecords(orgId, campaignId) },
    ConsistentRead: true,
  });
  const conversionContributions = conversionItems.flatMap((item) =>
    contributionsOfConversionRecord(item as unknown as ConversionCampaignRecord),
  );

  const expected = new Map<string, Counters>();
  for (const { row, counters } of coalesce([...clicks.flatMap(clickContributions), ...conversionContributions]).values()) {
    // Where the row must be: the partition its key is sharded to. A row found anywhere else differs.
    const { pk, sk } = rollupKeys.row(row);
    expected.set(rowKey(pk, sk), counters);
  }

  // Every partition of every dimension (rollupPartitionShards), side by side.
  const actual = new Map<string, Counters>();
  const partitions = rollupDimensions.flatMap((dimension) => rollupKeys.partitions(orgId, campaignId, dimension));
  const rowsOfPartitions = await Promise.all(
    partitions.map((pk) =>
      queryAll({
        TableName: tableName('rollups'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    ),
  );
  for (const rows of rowsOfPartitions) {
    for (const row of rows) {
      const counters: Counters = {};
      for (const [name, value] of Object.entries(row)) {
        if (!bookkeeping.has(name) && typeof value === 'number') counters[name] = value;
      }
      actual.set(rowKey(String(row.pk), String(row.sk)), counters);
    }
  }

  const differences: RowDifference[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const [pk, sk] = key.split('\u0000');
    const want = expected.get(key) ?? {};
    const have = actual.get(key) ?? {};
    for (const counter of new Set([...Object.keys(want), ...Object.keys(have)])) {
      const e = want[counter] ?? 0;
      const a = have[counter] ?? 0;
      if (e !== a) differences.push({ pk, sk, counter, expected: e, actual: a });
    }
  }
  return { orgId, campaignId, events: clicks.length, conversions: conversionItems.length, rowsChecked: expected.size, differences };
};
