/**
 * Reads of the roll-up table. Counts always come from here, never from raw events: a query
 * reads the rows of the keys it reports (all-time rows, or daily rows in the asked range), so
 * its cost follows the rows it returns and the days it spans, not the traffic behind them.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from './config.js';
import { isBreakdownDimension, type RollupDimension } from '../domain/rollup.js';
import { documentClient } from './dynamo.js';
import { rollupKeys } from './keys.js';
import { FOLD_FENCE_ATTRIBUTE } from './rollup-writer.js';

export interface ClickStats {
  clicks: number;
  uniqueClicks: number;
  botClicks: number;
}

export type RowCounters = Record<string, number>;

const bookkeeping = new Set(['pk', 'sk', 'updatedAt', 'orgId', 'campaignId', 'dimension', 'period', 'key', FOLD_FENCE_ATTRIBUTE]);

export const countersOf = (item: Record<string, unknown> | undefined): RowCounters => {
  const counters: RowCounters = {};
  if (!item) return counters;
  for (const [name, value] of Object.entries(item)) {
    if (!bookkeeping.has(name) && typeof value === 'number') counters[name] = value;
  }
  return counters;
};

const addInto = (target: RowCounters, source: RowCounters) => {
  for (const [name, value] of Object.entries(source)) target[name] = (target[name] ?? 0) + value;
};

/** All-time click counters of one link (a single item read). */
export const getLinkStats = async (orgId: string, campaignId: string, slug: string): Promise<ClickStats> => {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName('rollups'),
      Key: rollupKeys.row({ orgId, campaignId, dimension: 'link', period: '*', key: slug }),
    }),
  );
  return {
    clicks: Number(Item?.clicks ?? 0),
    uniqueClicks: Number(Item?.uniqueClicks ?? 0),
    botClicks: Number(Item?.botClicks ?? 0),
  };
};

export interface DayRange {
  from: string;
  to: string;
}

/**
 * Counters per key of one dimension: the all-time rows (a breakdown's: the sum of all its daily
 * rows), or the sum of the daily rows in the range (inclusive). For the `day` view use dimension `campaign` with `perDay`. A dimension's rows
 * are spread over its partitions by key (`rollupPartitionShards`): every partition is read in
 * full, side by side, each following its own `LastEvaluatedKey`. A key's rows live in one
 * partition only, so merging is per key; counters are summed per key all the same (daily rows of a
 * range, days of `perDay`), so the result does not depend on which partition a row sits in. Keys
 * come out in ascending order of their first row's sort key, as from the one unsharded partition.
 */
export const readDimension = async (
  orgId: string,
  campaignId: string,
  dimension: RollupDimension | 'unattributed',
  range?: DayRange,
  perDay = false,
): Promise<Map<string, RowCounters>> => {
  // A breakdown has no all-time rows (`periodsOf`): all time is the sum of its daily rows.
  const dailyForAllTime = !range && !perDay && isBreakdownDimension(dimension);
  const readPartition = async (pk: string): Promise<Record<string, unknown>[]> => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new QueryCommand({
          TableName: tableName('rollups'),
          KeyConditionExpression: range
            ? 'pk = :pk AND sk BETWEEN :from AND :to'
            : perDay || dailyForAllTime
              ? 'pk = :pk AND sk >= :firstDay'
              : 'pk = :pk AND begins_with(sk, :allTime)',
          ExpressionAttributeValues: {
            ':pk': pk,
            ...(range
              ? { ':from': `${range.from}#`, ':to': `${range.to}#\uffff` }
              : perDay || dailyForAllTime
                ? { ':firstDay': '0' }
                : { ':allTime': '*#' }),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };
  const partitions = await Promise.all(rollupKeys.partitions(orgId, campaignId, dimension).map(readPartition));
  // One partition comes back in sort-key order; several are put in that order again (DynamoDB
  // compares sort keys as UTF-8 bytes), so keys are met in the order the unsharded layout had.
  const items = partitions.length === 1 ? partitions[0] : inSortKeyOrder(partitions.flat());
  const byKey = new Map<string, RowCounters>();
  for (const item of items) {
    const sk = String(item.sk);
    const separator = sk.indexOf('#');
    const key = perDay ? sk.slice(0, separator) : sk.slice(separator + 1);
    let counters = byKey.get(key);
    if (!counters) {
      counters = {};
      byKey.set(key, counters);
    }
    addInto(counters, countersOf(item));
  }
  return byKey;
};

const inSortKeyOrder = (items: Record<string, unknown>[]): Record<string, unknown>[] =>
  items
    .map((item) => ({ item, sk: Buffer.from(String(item.sk)) }))
    .sort((a, b) => Buffer.compare(a.sk, b.sk))
    .map(({ item }) => item);

