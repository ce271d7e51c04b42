/**
 * Take a vendor's webhook (spec 13): find the source, check it is this vendor's, verify the
 * vendor's own signature over the exact raw bytes (./verified-source.ts), map the event to conversions and refunds (shared/domain/
 * integrations/), and store each once through the same stores as the Standard Webhooks route.
 * The handler (functions/conversions.ts) turns the answer into HTTP.
 */
import type { FieldError } from '../domain/field-errors.js';
import { isValidId } from '../domain/ids.js';
import { hubspotScheme } from '../domain/integrations/hubspot.js';
import { shopifyScheme } from '../domain/integrations/shopify.js';
import { stripeScheme } from '../domain/integrations/stripe.js';
import type { VendorDelivery, VendorRefusalReason, VendorScheme } from '../domain/integrations/vendor-event.js';
import type { ConversionIntakeStore } from './take-conversion.js';
import { verifySource } from './verified-source.js';

export const vendors = ['stripe', 'shopify', 'hubspot'] as const;
export type Vendor = (typeof vendors)[number];

const schemes: Record<Vendor, VendorScheme> = { stripe: stripeScheme, shopify: shopifyScheme, hubspot: hubspotScheme };

/** Conversions may not claim to have happened in the future (beyond clock skew), as on our own route. */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export type VendorAnswer =
  | { kind: 'refused'; reason: VendorRefusalReason | 'unknown_source' }
  | { kind: 'invalid'; status: 400 | 422; errors: FieldError[] }
  | { kind: 'ignored'; eventType: string }
  | { kind: 'accepted' | 'duplicate'; conversionId: string; refundId?: string };

export const takeVendorEvent = async (
  vendor: Vendor,
  delivery: VendorDelivery & { sourceId: string },
  store: ConversionIntakeStore,
  now: Date = new Date(),
): Promise<VendorAnswer> => {
  const { sourceId } = delivery;
  const scheme = schemes[vendor];
  if (!isValidId(sourceId, 'src')) return { kind: 'refused', reason: 'unknown_source' };
  const checked = await verifySource(store, sourceId, vendor, (secrets) => scheme.verify(delivery, secrets, now));
  if (!checked.ok) return { kind: 'refused', reason: checked.reason };
  const { orgId } = checked;

  const mapping = scheme.map(delivery);
  if (mapping.kind !== 'intents') return mapping;
  const late = mapping.intents.find((intent) => Date.parse(intent.data.occurredAt) > now.getTime() + MAX_FUTURE_SKEW_MS);
  if (late) return { kind: 'invalid', status: 422, errors: [{ field: 'mapped.occurredAt', message: 'must not be in the future' }] };

  // In order; the answer is the first accepted one's, else the first's (all duplicates).
  let answer: VendorAnswer | undefined;
  for (const intent of mapping.intents) {
    const message = { orgId, sourceId, webhookId: `${vendor}:${intent.deliveryId}` };
    let outcome: 'accepted' | 'duplicate';
    if (intent.type === 'refund') {
      const stored = await store.storeRefund({ ...message, data: intent.data });
      if (typeof stored === 'object') return { kind: 'invalid', status: 422, errors: stored.refused };
      outcome = stored;
    } else {
      outcome = await store.storeConversion({ ...message, data: intent.data });
    }
    const refundId = intent.type === 'refund' ? { refundId: intent.data.refundId } : {};
    if (!answer || (answer.kind === 'duplicate' && outcome === 'accepted')) answer = { kind: outcome, conversionId: intent.data.conversionId, ...refundId };
  }
  return answer!;
};
