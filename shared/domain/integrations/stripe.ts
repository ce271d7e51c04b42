/**
 * Stripe (spec 13): `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`
 * under the endpoint's signing secret (`whsec_…`, used as is), 5 minutes' tolerance.
 *
 * Mapping:
 * - `checkout.session.completed` → purchase. conversionId: the session's PaymentIntent (`pi_…`),
 *   the object its charge's refunds name too (the session id when it made no payment); click id:
 *   `client_reference_id`, else `metadata.eaclid`; customer: `customer`; value: `amount_total`
 *   in `currency` (minor units, ISO exponent); occurredAt: the event's `created`.
 * - `charge.refunded` → one refund per refund in `data.object.refunds.data` (refundId: the
 *   refund's `re_…` id) of the charge's PaymentIntent; `refund.created` → the refund object.
 * Everything else is ignored. The dedupe id is the event id (per refund: event id + refund id).
 */
import {
  amountFromMinor,
  hmacSha256,
  idAt,
  intentsOf,
  missingFields,
  notJson,
  objectAt,
  parseJson,
  sameDigest,
  stringAt,
  utcInstant,
  type VendorDelivery,
  type VendorMapping,
  type VendorScheme,
  type VendorVerification,
} from './vendor-event.js';

const TOLERANCE_SECONDS = 300;

const parseHeader = (header: string): { timestamp?: string; signatures: Buffer[] } => {
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't') timestamp = value;
    if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  return { timestamp, signatures };
};

export const verifyStripe = (delivery: VendorDelivery, secrets: readonly string[], now: Date): VendorVerification => {
  const header = delivery.headers['stripe-signature'];
  if (!header) return { ok: false, reason: 'missing_headers' };
  const { timestamp, signatures } = parseHeader(header);
  if (!timestamp || !/^\d{1,15}$/.test(timestamp) || signatures.length === 0) return { ok: false, reason: 'missing_headers' };
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > TOLERANCE_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  for (const secret of secrets) {
    const expected = hmacSha256(secret, `${timestamp}.`, delivery.rawBody);
    if (signatures.some((signature) => sameDigest(signature, expected))) return { ok: true };
  }
  return { ok: false, reason: 'invalid_signature' };
};

/** Stripe's `created` (Unix seconds) as an instant; out of a date's range it is missing, never a throw. */
export const secondsToIso = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? utcInstant(value * 1000) : undefined;

const checkoutCompleted = (eventId: string, created: unknown, session: Record<string, unknown>): VendorMapping => {
  const currency = stringAt(session.currency)?.toUpperCase();
  const sessionId = stringAt(session.id);
  const occurredAt = secondsToIso(created);
  const missing = missingFields({ 'data.object.id': sessionId, created: occurredAt });
  if (missing.length > 0) return { kind: 'invalid', status: 422, errors: missing };
  const amount = currency && session.amount_total !== null ? amountFromMinor(session.amount_total, currency) : undefined;
  return intentsOf('checkout.session.completed', [
    {
      type: 'conversion',
      deliveryId: eventId,
      data: {
        conversionId: stringAt(session.payment_intent) ?? sessionId,
        kind: 'purchase',
        occurredAt,
        value: amount && currency ? { amount, currency } : undefined,
        clickId: stringAt(session.client_reference_id) ?? stringAt(objectAt(session.metadata)?.eaclid),
        customerId: stringAt(session.customer),
      },
    },
  ]);
};

const refundIntent = (eventId: string, conversionId: string, refund: Record<string, unknown>, fallbackCurrency?: string) => {
  const currency = (stringAt(refund.currency) ?? fallbackCurrency)?.toUpperCase();
  const refundId = stringAt(refund.id);
  return {
    type: 'refund' as const,
    deliveryId: `${eventId}:${refundId ?? ''}`,
    data: {
      conversionId,
      refundId,
      occurredAt: secondsToIso(refund.created),
      value: currency ? { amount: amountFromMinor(refund.amount, currency), currency } : undefined,
    },
  };
};

/** Refunds that moved money back (a failed or canceled refund did not). */
const counts = (refund: Record<string, unknown>) => refund.status !== 'failed' && refund.status !== 'canceled';

const chargeRefunded = (eventId: string, charge: Record<string, unknown>): VendorMapping => {
  const conversionId = stringAt(charge.payment_intent) ?? stringAt(charge.id);
  const refunds = objectAt(charge.refunds)?.data;
  const missing = missingFields({
    'data.object.payment_intent': conversionId,
    // API versions from 2022-11-15 leave the list out of the event: subscribe to refund.created.
    'data.object.refunds.data': Array.isArray(refunds) ? refunds : undefined,
  });
  if (missing.length > 0) return { kind: 'invalid', status: 422, errors: missing };
  const listed = (refunds as unknown[]).map(objectAt).filter((refund): refund is Record<string, unknown> => refund !== undefined && counts(refund));
  return intentsOf('charge.refunded', listed.map((refund) => refundIntent(eventId, conversionId!, refund, stringAt(charge.currency))));
};

const refundCreated = (eventId: string, refund: Record<string, unknown>): VendorMapping => {
  const conversionId = stringAt(refund.payment_intent) ?? stringAt(refund.charge);
  const missing = missingFields({ 'data.object.payment_intent': conversionId, 'data.object.id': stringAt(refund.id) });
  if (missing.length > 0) return { kind: 'invalid', status: 422, errors: missing };
  if (!counts(refund)) return { kind: 'ignored', eventType: 'refund.created' };
  return intentsOf('refund.created', [refundIntent(eventId, conversionId!, refund)]);
};

export const mapStripe = (delivery: VendorDelivery): VendorMapping => {
  const parsed = parseJson(delivery.rawBody);
  if (!parsed.ok) return notJson;
  const event = objectAt(parsed.value);
  const eventType = stringAt(event?.type);
  const eventId = idAt(event?.id);
  const object = objectAt(objectAt(event?.data)?.object);
  if (!eventType || !eventId || !object) {
    return { kind: 'invalid', status: 422, errors: missingFields({ id: eventId, type: eventType, 'data.object': object }) };
  }
  switch (eventType) {
    case 'checkout.session.completed':
      return checkoutCompleted(eventId, event!.created, object);
    case 'charge.refunded':
      return chargeRefunded(eventId, object);
    case 'refund.created':
      return refundCreated(eventId, object);
    default:
      return { kind: 'ignored', eventType };
  }
};

export const stripeScheme: VendorScheme = { verify: verifyStripe, map: mapStripe };
