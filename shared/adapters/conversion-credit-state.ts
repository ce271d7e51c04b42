/**
 * What the consumer reads and writes to apply refunds: a conversion's credit state (written with
 * its counters by the roll-up writer: `conversionCredited`), the refunds parked on it before it
 * was applied, its campaign credit records, and stored refund events.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversionCampaignRecord } from '../domain/conversion-credit.js';
import { refundEventSchema, type RefundEventRecord } from '../domain/events.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { eventKeys, rollupKeys } from './keys.js';

export interface ConversionCreditState {
  /** Set when the conversion's counters were applied; until then refunds park here. */
  appliedAt?: string;
  occurredAt?: string;
  campaignIds: string[];
  /** refundIds (the sender's) of refunds parked before the conversion was applied. */
  parkedRefunds: string[];
}

export const readConversionCredit = async (conversionEventId: string): Promise<ConversionCreditState | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('rollups'), Key: rollupKeys.conversionCredit(conversionEventId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    ...(Item.appliedAt ? { appliedAt: String(Item.appliedAt), occurredAt: String(Item.occurredAt) } : {}),
    campaignIds: (Item.campaignIds as string[] | undefined) ?? [],
    parkedRefunds: Item.parkedRefunds ? [...(Item.parkedRefunds as Set<string>)].sort() : [],
  };
};

/**
 * Parks a refund on a conversion not applied yet (a string set: parking twice is parking once).
 * False when the conversion was applied meanwhile: the refund must be applied now instead.
 */
export const parkRefund = async (orgId: string, conversionEventId: string, refundId: string): Promise<boolean> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('rollups'),
        Key: rollupKeys.conversionCredit(conversionEventId),
        UpdateExpression: 'ADD parkedRefunds :refund SET orgId = :orgId',
        ConditionExpression: 'attribute_not_exists(appliedAt)',
        ExpressionAttributeValues: { ':refund': new Set([refundId]), ':orgId': orgId },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** The credit records of an applied conversion, one per campaign it credited. */
export const readConversionRecords = async (
  orgId: string,
  conversionEventId: string,
  state: ConversionCreditState,
): Promise<ConversionCampaignRecord[]> => {
  if (state.campaignIds.length === 0 || !state.occurredAt) return [];
  const keys = state.campaignIds.map((campaignId) => rollupKeys.conversionRecord(orgId, campaignId, state.occurredAt!, conversionEventId));
  const { Responses, UnprocessedKeys } = await documentClient().send(
    new BatchGetCommand({ RequestItems: { [tableName('rollups')]: { Keys: keys, ConsistentRead: true } } }),
  );
  // Without the item's own key attributes: the records are facts, copied into refund records.
  const found = (Responses?.[tableName('rollups')] ?? []).map(({ pk: _pk, sk: _sk, type: _type, ...record }) => record as ConversionCampaignRecord);
  // At most 8 small items: an unprocessed key is a throttle, for the caller to retry.
  if (found.length !== keys.length || Object.keys(UnprocessedKeys ?? {}).length > 0) {
    throw Object.assign(new Error('Conversion records not all read'), { $retryable: true });
  }
  return state.campaignIds.map((campaignId) => found.find((record) => record.campaignId === campaignId)!);
};

export const readRefundEvent = async (orgId: string, conversionId: string, refundId: string): Promise<RefundEventRecord | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('events'), Key: eventKeys.refund(orgId, conversionId, refundId), ConsistentRead: true }),
  );
  const parsed = refundEventSchema.safeParse(Item);
  return parsed.success ? parsed.data : undefined;
};
