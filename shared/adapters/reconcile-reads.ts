/**
 * The bulk reads of a reconciliation, one DynamoDB page at a time (async iterators), so the
 * recount holds one page of raw events in memory, never a whole campaign.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { campaignIndexName, campaignIndexShards } from '../settings.js';
import { tableName } from './config.js';
import type { ConversionCampaignRecord } from '../domain/conversion-credit.js';
import type { RefundCampaignRecord } from '../domain/refund-credit.js';
import { rollupDimensions } from '../domain/rollup.js';
import { documentClient } from './dynamo.js';
import { eventItemsOf } from './event-items.js';
import { eventKeys, rollupKeys } from './keys.js';
import { countersOf, type RowCounters } from './rollup-reads.js';

export interface StoredRow {
  pk: string;
  sk: string;
  counters: RowCounters;
}

async function* queryPages(input: QueryCommandInput): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Index keys a page of the campaign index holds: ~1,000 keys, ten BatchGetItem calls of items. */
const CLICK_KEYS_PER_PAGE = 1000;

/** The items a partition of the campaign index lists: keys a page at a time, each page's items read from the table (strongly consistent: a recount must not miss an event the index already lists). */
async function* indexPartitionItemPages(gsi1pk: string): AsyncGenerator<Record<string, unknown>[]> {
  for await (const keys of queryPages({
    TableName: tableName('events'),
    IndexName: campaignIndexName,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': gsi1pk },
    Limit: CLICK_KEYS_PER_PAGE,
  })) {
    yield await eventItemsOf(keys.map((key) => ({ pk: String(key.pk), sk: String(key.sk) })), { consistent: true });
  }
}

/** Raw click items of a campaign: every write shard of its campaign index partition, shard after shard. */
export async function* campaignClickItemPages(orgId: string, campaignId: string): AsyncGenerator<Record<string, unknown>[]> {
  for (let shard = 0; shard < campaignIndexShards; shard++) yield* indexPartitionItemPages(eventKeys.campaignIndexShard(orgId, campaignId, shard));
}

/** Raw share items of a campaign: its one share partition of the campaign index. */
export async function* campaignShareItemPages(orgId: string, campaignId: string): AsyncGenerator<Record<string, unknown>[]> {
  yield* indexPartitionItemPages(eventKeys.shareIndex(orgId, campaignId));
}

/** The conversion credit records of a campaign (written atomically with their counters). */
export async function* conversionRecordPages(orgId: string, campaignId: string): AsyncGenerator<ConversionCampaignRecord[]> {
  for await (const items of queryPages({
    TableName: tableName('rollups'),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': rollupKeys.conversionRecords(orgId, campaignId) },
    ConsistentRead: true,
  })) {
    yield items as unknown as ConversionCampaignRecord[];
  }
}

/** A campaign's refund records (each refund's share, written atomically with its counters). */
export async function* refundRecordPages(orgId: string, campaignId: string): AsyncGenerator<RefundCampaignRecord[]> {
  for await (const items of queryPages({
    TableName: tableName('rollups'),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': rollupKeys.refundRecords(orgId, campaignId) },
    ConsistentRead: true,
  })) {
    yield items as unknown as RefundCampaignRecord[];
  }
}

/** Every stored roll-up row of a campaign: each partition (shard) of each dimension. */
export async function* campaignRollupRowPages(orgId: string, campaignId: string): AsyncGenerator<StoredRow[]> {
  const partitions = rollupDimensions.flatMap((dimension) => rollupKeys.partitions(orgId, campaignId, dimension));
  for (const pk of partitions) {
    for await (const items of queryPages({
      TableName: tableName('rollups'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    })) {
      yield items.map((item) => ({ pk: String(item.pk), sk: String(item.sk), counters: countersOf(item) }));
    }
  }
}
