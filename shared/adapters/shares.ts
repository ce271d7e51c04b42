/**
 * Shares (spec section 15): the flood cap's per-minute counter in the entities table, and the
 * share itself as a raw event in the events table (its stream record feeds the roll-ups and the
 * archive, as a click's does).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hotClickRetentionDays, shareFloodCapPerMinute } from '../settings.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { entityKeys, shareItemKeys } from './keys.js';
import type { ShareEventRecord } from '../domain/events.js';

const RETENTION_SECONDS = hotClickRetentionDays * 24 * 60 * 60;
/** A minute's counter outlives its minute a little (TTL deletes within days anyway; readers never look back). */
const MINUTE_COUNTER_SECONDS = 2 * 60;

/** A share as stored: its facts, where its keys say, kept hot as long as a click (then only in the archive). */
export const shareItem = (share: ShareEventRecord) => ({
  ...shareItemKeys(share),
  ...share,
  expiresAt: Math.floor(Date.parse(share.at) / 1000) + RETENTION_SECONDS,
});

export const putShare = async (share: ShareEventRecord): Promise<void> => {
  await documentClient().send(
    new PutCommand({ TableName: tableName('events'), Item: shareItem(share), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
};

/**
 * Takes one of the advocate's shares of `minute` (`YYYY-MM-DDTHH:MM`): one conditional ADD on
 * the minute's counter item, so concurrent requests can never take more than the cap between
 * them. False when the cap is reached (the counter is not moved).
 */
export const takeShareSlot = async (orgId: string, advocateId: string, minute: string, minuteEndMs: number): Promise<boolean> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('entities'),
        Key: entityKeys.shareMinute(orgId, advocateId, minute),
        UpdateExpression: 'ADD #n :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :cap',
        ExpressionAttributeNames: { '#n': 'shares' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':cap': shareFloodCapPerMinute,
          ':expiresAt': Math.floor(minuteEndMs / 1000) + MINUTE_COUNTER_SECONDS,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
