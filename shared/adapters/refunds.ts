/**
 * Refund intake (spec section 13). A refund is stored once per (organization, conversionId,
 * refundId), in its conversion's partition of the events table (its stream record feeds the
 * consumer), together with the conversion's running refund total in the entities table — one
 * transaction, so the total counts every stored refund exactly once.
 *
 * When the conversion is known, the total may not pass its amount and the currency must be its
 * currency: checked before anything is written (a clear 422), and again by the transaction's
 * condition, so two concurrent partial refunds cannot together pass the amount. A refund of a
 * conversion not received yet is stored unchecked (there is nothing to check it against); the
 * consumer applies it when the conversion is applied (shared/application/apply-refunds.ts).
 */
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { rawEventRetentionDays } from '../settings.js';
import { expiresAfterDays } from '../domain/retention.js';
import { cachedOrganizationSettings } from './organization-settings.js';
import type { RefundEventRecord } from '../domain/events.js';
import type { FieldError } from '../domain/field-errors.js';
import { formatAmount, parseAmount } from '../domain/money.js';
import type { RefundData } from '../domain/webhook-signature.js';
import { tableName } from './config.js';
import { claimWebhookDelivery, conversionEventId } from './conversions.js';
import { documentClient } from './dynamo.js';
import { entityKeys, eventKeys } from './keys.js';

export const refundEventId = (orgId: string, conversionId: string, refundId: string): string =>
  `rf${createHash('sha256').update(`${orgId}\u0000${conversionId}\u0000${refundId}`).digest('base64url').slice(0, 24)}`;

export type RefundIntakeResult = 'accepted' | 'duplicate' | { refused: FieldError[] };

/** A refund as stored: its facts under its dedupe key, kept for its organization's raw-event retention. */
export const refundItem = (refund: RefundEventRecord, retentionDays: number = rawEventRetentionDays) => ({
  ...eventKeys.refund(refund.orgId, refund.conversionId, refund.refundId),
  ...refund,
  expiresAt: expiresAfterDays(refund.receivedAt, retentionDays),
});

interface KnownConversion {
  amountMinor: bigint;
  currency: string;
}

/** Why a refund cannot apply to the conversion as it stands (undefined: it can). */
const refusal = (conversion: KnownConversion | 'no_value', refundedMinor: bigint, data: RefundData): FieldError[] | undefined => {
  if (conversion === 'no_value') return [{ field: 'data.conversionId', message: 'the conversion has no value to refund' }];
  if (conversion.currency !== data.value.currency) {
    return [{ field: 'data.value.currency', message: `must be the conversion's currency (${conversion.currency})` }];
  }
  const left = conversion.amountMinor - refundedMinor;
  if (parseAmount(data.value.amount, data.value.currency) > left) {
    return [{ field: 'data.value.amount', message: `refunds may not exceed the conversion's amount: ${formatAmount(left < 0n ? 0n : left, conversion.currency)} ${conversion.currency} left to refund` }];
  }
  return undefined;
};

const readConversion = async (orgId: string, conversionId: string): Promise<KnownConversion | 'no_value' | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('events'), Key: eventKeys.conversion(orgId, conversionId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const value = Item.value as { amount: string; currency: string } | undefined;
  return value ? { amountMinor: parseAmount(value.amount, value.currency), currency: value.currency } : 'no_value';
};

const readRefundedMinor = async (orgId: string, conversionId: string): Promise<bigint> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('entities'), Key: entityKeys.refundTally(orgId, conversionId), ConsistentRead: true }),
  );
  return BigInt(Item?.refundedMinor ?? 0);
};

export const storeRefund = async (input: { orgId: string; sourceId: string; webhookId: string; data: RefundData }): Promise<RefundIntakeResult> => {
  const { orgId, sourceId, webhookId, data } = input;
  const { conversionId, refundId } = data;
  const key = eventKeys.refund(orgId, conversionId, refundId);
  // Side by side: the intake's time is the sender's (a Lambda timeout is a 500 it retries).
  const [existing, conversion, refundedMinor, settings] = await Promise.all([
    documentClient().send(new GetCommand({ TableName: tableName('events'), Key: key, ConsistentRead: true })),
    readConversion(orgId, conversionId),
    readRefundedMinor(orgId, conversionId),
    cachedOrganizationSettings(orgId),
  ]);
  // Before the amount check: a retry of an accepted refund is a duplicate, not "too much".
  if (existing.Item) return 'duplicate';
  if (conversion) {
    const refused = refusal(conversion, refundedMinor, data);
    if (refused) return { refused };
  }
  if (!(await claimWebhookDelivery({ orgId, sourceId, webhookId, conversionId, refundId }))) return 'duplicate';

  const amountMinor = parseAmount(data.value.amount, data.value.currency);
  const receivedAt = new Date().toISOString();
  const event: RefundEventRecord = {
    type: 'refund',
    eventId: refundEventId(orgId, conversionId, refundId),
    orgId,
    sourceId,
    webhookId,
    conversionId,
    conversionEventId: conversionEventId(orgId, conversionId),
    refundId,
    occurredAt: new Date(data.occurredAt).toISOString(),
    receivedAt,
    value: data.value,
  };
  // The total stays within the amount: refundedMinor + this ≤ amount ⇔ refundedMinor ≤ amount − this.
  const limit = conversion && conversion !== 'no_value' ? conversion.amountMinor - amountMinor : undefined;
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName('events'), Item: refundItem(event, settings.retention.rawEventDays), ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Update: {
              TableName: tableName('entities'),
              Key: entityKeys.refundTally(orgId, conversionId),
              UpdateExpression: 'ADD refundedMinor :amount SET currency = if_not_exists(currency, :currency), orgId = :orgId',
              ConditionExpression:
                limit === undefined
                  ? 'attribute_not_exists(pk) OR currency = :currency'
                  : 'attribute_not_exists(pk) OR (currency = :currency AND refundedMinor <= :limit)',
              ExpressionAttributeValues: {
                ':amount': Number(amountMinor),
                ':currency': data.value.currency,
                ':orgId': orgId,
                ...(limit === undefined ? {} : { ':limit': Number(limit) }),
              },
            },
          },
        ],
      }),
    );
    return 'accepted';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [refundReason, tallyReason] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
    if (refundReason === 'ConditionalCheckFailed') return 'duplicate';
    if (tallyReason !== 'ConditionalCheckFailed') throw error;
    // Another refund of the same conversion got in first, or (conversion unknown) an earlier
    // refund had another currency. Nothing stored: forget the marker so a corrected retry is new.
    await documentClient().send(new DeleteCommand({ TableName: tableName('entities'), Key: entityKeys.webhookDelivery(sourceId, webhookId) }));
    if (!conversion) return { refused: [{ field: 'data.value.currency', message: 'must be the currency of the earlier refunds of this conversion' }] };
    const refused = refusal(conversion, await readRefundedMinor(orgId, conversionId), data);
    return { refused: refused ?? [{ field: 'data.value', message: 'conflicts with a concurrent refund of the same conversion; retry' }] };
  }
};
