/**
 * Conversion intake: two conditional single-item writes, in this order.
 *   1. The webhook-id marker (`attribute_not_exists`). If the id is known for ANOTHER
 *      conversionId, the message is a replay with a new body: duplicate, nothing stored.
 *   2. The conversion as a raw event (its stream record feeds attribution), keyed by
 *      (organization, conversionId), `attribute_not_exists`: the first write wins, every later or
 *      concurrent one is a duplicate, whatever the webhook-id.
 * A crash between the two leaves a marker naming this very conversion; the sender's retry (same
 * webhook-id, same body) passes step 1 and stores it in step 2, so nothing is lost. This costs two
 * standard writes where a two-item transaction costs four units and, on DynamoDB Local, 2.3× the
 * time of a PutItem (docs/benchmarks.md, scenario 5).
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { rawEventRetentionDays } from '../settings.js';
import { expiresAfterDays } from '../domain/retention.js';
import { cachedOrganizationSettings } from './organization-settings.js';
import { tableName } from './config.js';
import type { ConversionData } from '../domain/webhook-signature.js';
import { documentClient } from './dynamo.js';
import { conversionItemKeys, entityKeys } from './keys.js';
import type { ConversionEventRecord } from '../domain/events.js';

const WEBHOOK_ID_MEMORY_SECONDS = 7 * 24 * 60 * 60;

/** Event ids of conversions derive from (organization, conversionId): the dedupe key. */
export const conversionEventId = (orgId: string, conversionId: string): string =>
  `cv${createHash('sha256').update(`${orgId}\u0000${conversionId}`).digest('base64url').slice(0, 24)}`;

export type IntakeResult = 'accepted' | 'duplicate';

/**
 * A conversion as stored: its facts, under its dedupe key, kept for its organization's raw-event
 * retention (`retentionDays`, within the deployment's bounds; the bound's maximum by default).
 */
export const conversionItem = (conversion: ConversionEventRecord, retentionDays: number = rawEventRetentionDays) => ({
  ...conversionItemKeys(conversion),
  ...conversion,
  expiresAt: expiresAfterDays(conversion.receivedAt, retentionDays),
});

/**
 * Writes the webhook-id marker (`attribute_not_exists`), remembering which message it carried.
 * False when the id is known for ANOTHER message (a replay with a new body: a duplicate, nothing
 * stored). True for a new id, and for the same message again — already stored, being stored
 * concurrently, or cut short by a crash after the marker: the caller's own condition decides.
 */
export const claimWebhookDelivery = async (input: {
  orgId: string;
  sourceId: string;
  webhookId: string;
  conversionId: string;
  refundId?: string;
}): Promise<boolean> => {
  const { orgId, sourceId, webhookId, conversionId, refundId } = input;
  const marker = {
    ...entityKeys.webhookDelivery(sourceId, webhookId),
    orgId,
    conversionId,
    ...(refundId ? { refundId } : {}),
    expiresAt: Math.floor(Date.now() / 1000) + WEBHOOK_ID_MEMORY_SECONDS,
  };
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName('entities'),
        Item: marker,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const known = error.Item
      ? unmarshall(error.Item)
      : (await documentClient().send(new GetCommand({ TableName: tableName('entities'), Key: entityKeys.webhookDelivery(sourceId, webhookId), ConsistentRead: true }))).Item;
    return known?.conversionId === conversionId && known?.refundId === refundId;
  }
};

export const storeConversion = async (input: {
  orgId: string;
  sourceId: string;
  webhookId: string;
  data: ConversionData;
}): Promise<IntakeResult> => {
  const { orgId, sourceId, webhookId, data } = input;
  const receivedAt = new Date();
  const eventId = conversionEventId(orgId, data.conversionId);
  const occurredAt = new Date(data.occurredAt).toISOString();
  const event: ConversionEventRecord = {
    type: 'conversion',
    eventId,
    orgId,
    sourceId,
    webhookId,
    conversionId: data.conversionId,
    kind: data.kind,
    occurredAt,
    receivedAt: receivedAt.toISOString(),
    ...(data.value ? { value: data.value } : {}),
    ...(data.clickId ? { clickId: data.clickId } : {}),
    ...(data.visitorId ? { visitorId: data.visitorId } : {}),
    ...(data.customerId ? { customerId: data.customerId } : {}),
  };
  // Side by side; a failed settings read fails the intake (500: the sender retries, the marker names this conversion).
  const [claimed, { retention }] = await Promise.all([
    claimWebhookDelivery({ orgId, sourceId, webhookId, conversionId: data.conversionId }),
    cachedOrganizationSettings(orgId),
  ]);
  if (!claimed) return 'duplicate';
  try {
    await documentClient().send(
      new PutCommand({ TableName: tableName('events'), Item: conversionItem(event, retention.rawEventDays), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return 'accepted';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'duplicate';
    throw error;
  }
};
