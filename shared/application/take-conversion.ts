/**
 * Take a conversion: find the webhook source, verify the signature over the exact raw bytes
 * (./verified-source.ts), parse those same bytes, and store the conversion once. The handler
 * (functions/conversions.ts) turns the answer into HTTP.
 */
import type { FieldError } from '../domain/field-errors.js';
import { isValidId } from '../domain/ids.js';
import {
  parseConversionWebhook,
  verifyWebhook,
  type ConversionData,
  type RefundData,
  type WebhookRefusalReason,
} from '../domain/webhook-signature.js';
import { verifySource } from './verified-source.js';

/** Conversions may not claim to have happened in the future (beyond clock skew). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface ConversionDelivery {
  sourceId: string;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

export type ConversionAnswer =
  | { kind: 'refused'; reason: WebhookRefusalReason | 'unknown_source' }
  | { kind: 'invalid'; status: 400 | 422; errors: FieldError[] }
  | { kind: 'accepted' | 'duplicate'; conversionId: string; refundId?: string };

export interface ConversionIntakeStore {
  /** The secrets a signature may use now; `cached` says they may predate a rotation. */
  /** `kind`: who signs the source's messages (absent: `standard`). */
  verificationSecrets(sourceId: string, options?: { fresh?: boolean }): Promise<{ orgId: string; kind?: string; secrets: string[]; cached: boolean } | undefined>;
  storeConversion(input: { orgId: string; sourceId: string; webhookId: string; data: ConversionData }): Promise<'accepted' | 'duplicate'>;
  /** A refund, once per (organization, conversionId, refundId); `refused` when it cannot apply to the known conversion. */
  storeRefund(input: { orgId: string; sourceId: string; webhookId: string; data: RefundData }): Promise<'accepted' | 'duplicate' | { refused: FieldError[] }>;
}

export const takeConversion = async (delivery: ConversionDelivery, store: ConversionIntakeStore): Promise<ConversionAnswer> => {
  const { sourceId, rawBody } = delivery;
  if (!isValidId(sourceId, 'src')) return { kind: 'refused', reason: 'unknown_source' };
  const headers = {
    'webhook-id': delivery.headers['webhook-id'],
    'webhook-timestamp': delivery.headers['webhook-timestamp'],
    'webhook-signature': delivery.headers['webhook-signature'],
  };
  const checked = await verifySource(store, sourceId, 'standard', (secrets) => verifyWebhook({ headers, rawBody, secrets }));
  if (!checked.ok) return { kind: 'refused', reason: checked.reason };
  const { orgId, verified } = checked;

  const parsed = parseConversionWebhook(rawBody);
  if (!parsed.ok) return { kind: 'invalid', status: parsed.status, errors: parsed.errors };
  const { webhook } = parsed;
  if (Date.parse(webhook.data.occurredAt) > Date.now() + MAX_FUTURE_SKEW_MS) {
    return { kind: 'invalid', status: 422, errors: [{ field: 'data.occurredAt', message: 'must not be in the future' }] };
  }
  const message = { orgId, sourceId, webhookId: verified.webhookId };
  if (webhook.type === 'conversion.refunded') {
    const outcome = await store.storeRefund({ ...message, data: webhook.data });
    if (typeof outcome === 'object') return { kind: 'invalid', status: 422, errors: outcome.refused };
    return { kind: outcome, conversionId: webhook.data.conversionId, refundId: webhook.data.refundId };
  }
  const outcome = await store.storeConversion({ ...message, data: webhook.data });
  return { kind: outcome, conversionId: webhook.data.conversionId };
};
