/**
 * Raw events of a campaign, page by page: clicks from the events table's byCampaign index,
 * conversions from the credit records the consumer wrote for the campaign.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../config.js';
import { attributionModels } from '../domain/attribution.js';
import type { ConversionCampaignRecord } from '../domain/conversion-credit.js';
import { InvalidCursorError } from '../domain/errors.js';
import { formatAmount, formatMicro } from '../domain/money.js';
import { documentClient } from './dynamo.js';
import { eventKeys, isStartKeyOf, rollupKeys } from './keys.js';
import type { DayRange } from './rollup-reads.js';

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

export const eventPages = (
  orgId: string,
  campaignId: string,
  type: EventType,
  range: DayRange | undefined,
  startKey: Record<string, unknown> | undefined,
) => {
  const partition = type === 'click' ? eventKeys.campaignIndex(orgId, campaignId) : rollupKeys.conversionRecords(orgId, campaignId);
  const partitionAttribute = type === 'click' ? 'gsi1pk' : 'pk';
  // Clicks page through the byCampaign index (table key + index key), credit records the table.
  const keyAttributes = type === 'click' ? ['pk', 'sk', 'gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
  if (startKey && !isStartKeyOf(startKey, keyAttributes, { attribute: partitionAttribute, value: partition })) {
    throw new InvalidCursorError();
  }
  let next = startKey;
  let done = false;
  return {
    async next(limit: number): Promise<{ items: Record<string, unknown>[]; nextKey?: Record<string, unknown> }> {
      if (done) return { items: [] };
      const sortAttribute = type === 'click' ? 'gsi1sk' : 'sk';
      const page = await documentClient().send(
        new QueryCommand({
          TableName: type === 'click' ? tableName('events') : tableName('rollups'),
          ...(type === 'click' ? { IndexName: 'byCampaign' } : {}),
          KeyConditionExpression: range
            ? `${partitionAttribute} = :pk AND ${sortAttribute} BETWEEN :from AND :to`
            : `${partitionAttribute} = :pk`,
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
      const items = (page.Items ?? []).map(type === 'click' ? presentClick : presentConversion);
      return { items, nextKey: next };
    },
  };
};
