/**
 * Raw events of a campaign, page by page: clicks from the events table's campaign index (its
 * write shards merged by time; the index holds keys, the page's items come from the table),
 * conversions from the credit records the consumer wrote for the campaign.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { campaignIndexName, campaignIndexShards } from '../settings.js';
import { tableName } from './config.js';
import { attributionModels } from '../domain/attribution.js';
import type { ConversionCampaignRecord } from '../domain/conversion-credit.js';
import { InvalidCursorError } from '../domain/errors.js';
import { formatAmount, formatMicro } from '../domain/money.js';
import { createShardMerger, type ShardFetch } from '../domain/shard-merge.js';
import { documentClient } from './dynamo.js';
import { eventItemsOf } from './event-items.js';
import { campaignIndexSortPattern, eventKeys, isStartKeyOf, rollupKeys } from './keys.js';
import type { DayRange } from './rollup-reads.js';
import { archiveRowOf, type ArchiveRow } from '../domain/archive.js';
import { csvColumns } from '../domain/csv.js';
import type { ClickEventRecord } from '../domain/events.js';

export type EventType = 'click' | 'conversion';

const clickFields = ['clickId', 'at', 'slug', 'advocateId', 'channel', 'department', 'botClass', 'unique', 'visitorId', 'device', 'browser', 'os', 'country', 'referrerHost'];

const presentClick = (item: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const field of clickFields) if (item[field] !== undefined) out[field] = item[field];
  return out;
};

const presentConversion = (item: Record<string, unknown>) => {
  const record = item as unknown as ConversionCampaignRecord;
  const currency = record.value?.currency;
  const credits: Record<string, Array<{ clickId: string; advocateId: string; credit: string; revenue?: string }>> = {};
  for (const model of attributionModels) {
    credits[model] = (record.credits[model] ?? []).map((entry) => ({
      clickId: record.touches[entry.touch].clickId,
      advocateId: record.touches[entry.touch].advocateId,
      credit: formatMicro(entry.credit),
      ...(entry.revenueMinor !== undefined && currency ? { revenue: formatAmount(BigInt(entry.revenueMinor), currency) } : {}),
    }));
  }
  const lastClick = credits.last_click[0];
  const sum = (model: string) => formatMicro(record.credits[model as keyof typeof record.credits].reduce((s, e) => s + e.credit, 0));
  return {
    conversionId: record.conversionId,
    kind: record.kind,
    occurredAt: record.occurredAt,
    ...(record.value ? { value: record.value, amount: record.value.amount, currency: record.value.currency } : {}),
    ...(record.customerId ? { customerId: record.customerId } : {}),
    touches: record.touches.length,
    touchpoints: record.touches,
    credits,
    lastClickAdvocateId: lastClick?.advocateId,
    ...Object.fromEntries(attributionModels.map((model) => [`credit_${model}`, sum(model)])),
  };
};

/**
 * Clicks of a campaign from the campaign index: every write shard is read and the shards are
 * merged by time (the index's keys are enough to merge and to place the cursor), then the page's
 * clicks are read from the table. The page position (the cursor's key) is the sort key reached in each shard:
 * `{ after: [<sort key> | null, …] }`, one entry per shard.
 */
const clickPages = (
  orgId: string,
  campaignId: string,
  range: DayRange | undefined,
  startKey: Record<string, unknown> | undefined,
  present: (item: Record<string, unknown>) => Record<string, unknown> = presentClick,
) => {
  const positions = startKey ? clickPositionsOf(startKey) : new Array<string | null>(campaignIndexShards).fill(null);
  const lower = range?.from;
  // Sort keys start with the click's ISO time: a day's last key sorts below `<day>T\uffff`.
  const upper = range ? `${range.to}T\uffff` : undefined;

  const fetch: ShardFetch<Record<string, unknown>> = async (shard, after, count) => {
    const values: Record<string, unknown> = { ':pk': eventKeys.campaignIndexShard(orgId, campaignId, shard) };
    let condition = 'gsi1pk = :pk';
    if (after !== null && (lower === undefined || after >= lower)) {
      // Strictly after the position; the upper bound is applied below (one range condition only).
      condition += ' AND gsi1sk > :after';
      values[':after'] = after;
    } else if (lower !== undefined && upper !== undefined) {
      condition += ' AND gsi1sk BETWEEN :from AND :to';
      values[':from'] = lower;
      values[':to'] = upper;
    }
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('events'),
        IndexName: campaignIndexName,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        Limit: count,
      }),
    );
    const items = page.Items ?? [];
    const inRange = upper === undefined ? items : items.filter((item) => String(item.gsi1sk) <= upper);
    return { items: inRange, more: Boolean(page.LastEvaluatedKey) && inRange.length === items.length };
  };

  const merger = createShardMerger({ positions, sortKeyOf: (item) => String(item.gsi1sk), fetch });
  let done = false;
  return {
    async next(limit: number): Promise<{ items: Record<string, unknown>[]; nextKey?: Record<string, unknown> }> {
      if (done) return { items: [] };
      const page = await merger.next(limit);
      done = page.done;
      const items = await eventItemsOf(page.items.map((key) => ({ pk: String(key.pk), sk: String(key.sk) })));
      return { items: items.map(present), nextKey: done ? undefined : { after: page.positions } };
    },
  };
};

/**
 * The shard positions of a click cursor, or InvalidCursorError: exactly `{ after: [...] }` with
 * one entry per shard, each null or a byCampaign sort key. A cursor from before a change of the
 * shard count does not fit and is refused (the client starts again).
 */
const clickPositionsOf = (startKey: Record<string, unknown>): Array<string | null> => {
  const after = startKey.after;
  const valid =
    Object.keys(startKey).length === 1 &&
    Array.isArray(after) &&
    after.length === campaignIndexShards &&
    after.every((position) => position === null || (typeof position === 'string' && campaignIndexSortPattern.test(position)));
  if (!valid) throw new InvalidCursorError();
  return after as Array<string | null>;
};

/** Conversions of a campaign: the credit records the consumer wrote for it, one partition. */
const conversionPages = (
  orgId: string,
  campaignId: string,
  range: DayRange | undefined,
  startKey: Record<string, unknown> | undefined,
  present: (item: Record<string, unknown>) => Record<string, unknown> = presentConversion,
) => {
  const partition = rollupKeys.conversionRecords(orgId, campaignId);
  if (startKey && !isStartKeyOf(startKey, ['pk', 'sk'], { attribute: 'pk', value: partition })) throw new InvalidCursorError();
  let next = startKey;
  let done = false;
  return {
    async next(limit: number): Promise<{ items: Record<string, unknown>[]; nextKey?: Record<string, unknown> }> {
      if (done) return { items: [] };
      const page = await documentClient().send(
        new QueryCommand({
          TableName: tableName('rollups'),
          KeyConditionExpression: range ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': partition,
            ...(range ? { ':from': range.from, ':to': `${range.to}T\uffff` } : {}),
          },
          Limit: limit,
          ExclusiveStartKey: next,
        }),
      );
      next = page.LastEvaluatedKey;
      done = !next;
      return { items: (page.Items ?? []).map(present), nextKey: next };
    },
  };
};

export const eventPages = (
  orgId: string,
  campaignId: string,
  type: EventType,
  range: DayRange | undefined,
  startKey: Record<string, unknown> | undefined,
) => (type === 'click' ? clickPages(orgId, campaignId, range, startKey) : conversionPages(orgId, campaignId, range, startKey));

/** A click item of the byCampaign index as its archive row (the index projects every attribute). */
const clickArchiveRow = (item: Record<string, unknown>): ArchiveRow => archiveRowOf(item as unknown as ClickEventRecord);

/** A conversion credit record as its export row: the events API's CSV fields and the event id. */
const conversionExportRow = (item: Record<string, unknown>): Record<string, unknown> => {
  const presented = presentConversion(item) as Record<string, unknown>;
  const row: Record<string, unknown> = { event_id: (item as unknown as ConversionCampaignRecord).eventId };
  for (const column of csvColumns.conversion) row[column] = presented[column] ?? null;
  return row;
};

/**
 * Every hot event of a campaign in a range, page after page, as an export stages it: clicks as
 * archive rows (shared/domain/archive.ts), conversions as export rows (the events API's CSV fields
 * and `event_id`).
 */
export async function* hotExportRows(orgId: string, campaignId: string, type: EventType, range: DayRange): AsyncGenerator<Record<string, unknown>[]> {
  const pages =
    type === 'click' ? clickPages(orgId, campaignId, range, undefined, clickArchiveRow) : conversionPages(orgId, campaignId, range, undefined, conversionExportRow);
  for (;;) {
    const page = await pages.next(1000);
    if (page.items.length > 0) yield page.items;
    if (!page.nextKey) return;
  }
}
