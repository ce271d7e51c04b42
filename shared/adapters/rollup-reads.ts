/**
 * Reads of the roll-up table. Counts always come from here, never from raw events: a query
 * reads the rows of the keys it reports (all-time rows, or daily rows in the asked range), so
 * its cost follows the rows it returns and the days it spans, not the traffic behind them.
 */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../config.js';
import type { RollupDimension } from '../domain/rollup.js';
import { documentClient } from './dynamo.js';
import { rollupKeys } from './keys.js';

export interface ClickStats {
  clicks: number;
  uniqueClicks: number;
  botClicks: number;
}

export type RowCounters = Record<string, number>;

const bookkeeping = new Set(['pk', 'sk', 'updatedAt', 'orgId', 'campaignId', 'dimension', 'period', 'key']);

const countersOf = (item: Record<string, unknown> | undefined): RowCounters => {
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
      Key: { pk: rollupKeys.partition(orgId, campaignId, 'link'), sk: rollupKeys.allTimeRow(slug) },
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
 * Counters per key of one dimension: the all-time rows, or the sum of the daily rows in the
 * range (inclusive). For the `day` view use dimension `campaign` with `perDay`.
 */
export const readDimension = async (
  orgId: string,
  campaignId: string,
  dimension: RollupDimension | 'unattributed',
  range?: DayRange,
  perDay = false,
): Promise<Map<string, RowCounters>> => {
  const byKey = new Map<string, RowCounters>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('rollups'),
        KeyConditionExpression: range
          ? 'pk = :pk AND sk BETWEEN :from AND :to'
          : perDay
            ? 'pk = :pk AND sk >= :firstDay'
            : 'pk = :pk AND begins_with(sk, :allTime)',
        ExpressionAttributeValues: {
          ':pk': rollupKeys.partition(orgId, campaignId, dimension),
          ...(range
            ? { ':from': `${range.from}#`, ':to': `${range.to}#\uffff` }
            : perDay
              ? { ':firstDay': '0' }
              : { ':allTime': '*#' }),
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
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
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return byKey;
};

/** Counters of one key of a dimension: one item all-time, or its daily items in the range. */
export const readKey = async (
  orgId: string,
  campaignId: string,
  dimension: RollupDimension,
  key: string,
  range?: DayRange,
): Promise<RowCounters> => {
  const pk = rollupKeys.partition(orgId, campaignId, dimension);
  if (!range) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName('rollups'), Key: { pk, sk: rollupKeys.allTimeRow(key) } }),
    );
    return countersOf(Item);
  }
  const keys = daysBetween(range).map((day) => ({ pk, sk: rollupKeys.dailyRow(day, key) }));
  const total: RowCounters = {};
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [tableName('rollups')]: { Keys: keys.slice(i, i + 100) },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[tableName('rollups')] ?? []) addInto(total, countersOf(item));
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return total;
};

export const daysBetween = ({ from, to }: DayRange): string[] => {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
};
