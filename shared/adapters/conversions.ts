/**
 * Conversion intake: one transaction stores the conversion as a raw event (its stream record
 * feeds attribution) and remembers the webhook id. Both puts are conditional, so the first
 * delivery wins and every later or concurrent one — same conversionId or same webhook-id —
 * is a duplicate, whatever the interleaving.
 */
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { rawEventRetentionDays } from '../../infra/definitions.js';
import { tableName } from '../config.js';
import type { ConversionData } from '../domain/webhook-signature.js';
import { documentClient } from './dynamo.js';
import { entityKeys, eventKeys } from './keys.js';

const WEBHOOK_ID_MEMORY_SECONDS = 7 * 24 * 60 * 60;

/** Event ids of conversions derive from (organization, conversionId): the dedupe key. */
export const conversionEventId = (orgId: string, conversionId: string): string =>
  `cv${createHash('sha256').update(`${orgId}\u0000${conversionId}`).digest('base64url').slice(0, 24)}`;

export type IntakeResult = 'accepted' | 'duplicate';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const storeConversion = async (input: {
  orgId: string;
  sourceId: string;
  webhookId: string;
  data: ConversionData;
}): Promise<IntakeResult> => {
  const { orgId, sourceId, webhookId, data } = input;
  const receivedAt = new Date();
  const eventId = conversionEventId(orgId, data.conversionId);
  const nowSeconds = Math.floor(receivedAt.getTime() / 1000);
  const occurredAt = new Date(data.occurredAt).toISOString();
  const event = {
    ...eventKeys.conversion(orgId, data.conversionId),
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
    gsi1pk: eventKeys.conversionIndex(orgId),
    gsi1sk: eventKeys.campaignIndexSort(occurredAt, eventId),
    expiresAt: nowSeconds + rawEventRetentionDays * 24 * 60 * 60,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName('events'), Item: event, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: tableName('entities'),
                Item: {
                  ...entityKeys.webhookDelivery(sourceId, webhookId),
                  orgId,
                  conversionId: data.conversionId,
                  expiresAt: nowSeconds + WEBHOOK_ID_MEMORY_SECONDS,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'accepted';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (error.CancellationReasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) return 'duplicate';
      // A concurrent delivery of the same conversion holds the items: retry, then one of the
      // conditions decides.
      if (attempt >= 8) throw error;
      await delay(Math.min(500, 20 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
};
