/**
 * What every vendor receiver shares (spec 13): a verified delivery becomes conversions and
 * refunds in the Standard Webhooks route's own shapes, each validated by the same schemas, so a
 * vendor can never store what our own route would refuse. Pure: no AWS, no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FieldError } from '../field-errors.js';
import { fieldErrorsFromZod } from '../field-errors.js';
import { formatAmount, isCurrencyCode } from '../money.js';
import { conversionDataSchema, refundDataSchema, type ConversionData, type RefundData } from '../webhook-signature.js';

export type VendorRefusalReason = 'missing_headers' | 'stale_timestamp' | 'invalid_signature';

export type VendorVerification = { ok: true } | { ok: false; reason: VendorRefusalReason };

export interface VendorDelivery {
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  method: string;
  /** The URL as the vendor called it (scheme, public host, path and query). */
  url: string;
}

/** One thing a delivery asks us to store; `deliveryId` is its dedupe id (the webhook-id's role). */
export type VendorIntent =
  | { type: 'conversion'; deliveryId: string; data: ConversionData }
  | { type: 'refund'; deliveryId: string; data: RefundData };

export type VendorMapping =
  | { kind: 'intents'; eventType: string; intents: VendorIntent[] }
  /** A type we do not use: answered 200 so the vendor does not retry it. */
  | { kind: 'ignored'; eventType: string }
  | { kind: 'invalid'; status: 400 | 422; errors: FieldError[] };

export interface VendorScheme {
  verify(delivery: VendorDelivery, secrets: readonly string[], now: Date): VendorVerification;
  map(delivery: VendorDelivery): VendorMapping;
}

/** HMAC-SHA256 of `message` under a vendor's secret (used as the UTF-8 bytes the vendor shows). */
export const hmacSha256 = (secret: string, ...message: Array<string | Buffer>): Buffer => {
  const hmac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  for (const part of message) hmac.update(part);
  return hmac.digest();
};

/** Whether `given` (already decoded) equals `expected`, in constant time for equal lengths. */
export const sameDigest = (given: Buffer, expected: Buffer): boolean =>
  given.length === expected.length && timingSafeEqual(given, expected);

/**
 * Vendors' numeric ids may pass 2^53 (Shopify's order ids do): an id-named field of 16 digits or
 * more is read as the digits sent, a string, not as a rounded number.
 */
const LONG_NUMERIC_ID = /((?<!\\)"[A-Za-z_]*(?:id|Id|ID)"\s*:\s*)(\d{16,})(?=\s*[,}\]])/g;

export const parseJson = (rawBody: Buffer): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(rawBody.toString('utf8').replace(LONG_NUMERIC_ID, '$1"$2"')) };
  } catch {
    return { ok: false };
  }
};

export const notJson: VendorMapping = { kind: 'invalid', status: 400, errors: [{ field: '', message: 'Body must be valid JSON' }] };

/** Plain-object access without trusting the payload's shape. */
export const objectAt = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

export const stringAt = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** Ids vendors send as numbers (Shopify, HubSpot) or strings, as the string we key on. */
export const idAt = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : stringAt(value);

/** A vendor's minor-unit integer as our decimal string (the currency's ISO exponent). */
export const amountFromMinor = (minor: unknown, currency: string): string | undefined =>
  typeof minor === 'number' && Number.isSafeInteger(minor) && minor >= 0 && isCurrencyCode(currency) ? formatAmount(BigInt(minor), currency) : undefined;

/** Any ISO 8601 time with an offset, as UTC; undefined when it is not one. */
export const utcInstant = (value: unknown): string | undefined => {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) ms = Date.parse(value);
  else return undefined;
  // Beyond ±8.64e15 ms a Date is invalid and toISOString throws (the fuzzing sent 1e20: a 500).
  const instant = new Date(ms);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
};

/** The fields a known event type lacks: 422 with each of them. */
export const missingFields = (fields: Record<string, unknown>): FieldError[] =>
  Object.entries(fields)
    .filter(([, value]) => value === undefined)
    .map(([field]) => ({ field, message: 'is required for this event type' }));

/** Longest dedupe id a vendor delivery may carry (Stripe, Shopify and HubSpot ids are under 100). */
const MAX_DELIVERY_ID_LENGTH = 256;

/**
 * The intent, validated by the Standard Webhooks route's own schema; `prefix` names the vendor
 * field the data came from in errors.
 */
export const validatedIntent = (
  type: VendorIntent['type'],
  deliveryId: string,
  data: Record<string, unknown>,
): { ok: true; intent: VendorIntent } | { ok: false; errors: FieldError[] } => {
  // The dedupe id becomes part of a key (`WHID#<source>#<id>`, at most 2,048 bytes): a vendor id is far shorter.
  if (deliveryId.length > MAX_DELIVERY_ID_LENGTH) return { ok: false, errors: [{ field: 'mapped.deliveryId', message: `must be at most ${MAX_DELIVERY_ID_LENGTH} characters` }] };
  const clean = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  const result = type === 'conversion' ? conversionDataSchema.safeParse(clean) : refundDataSchema.safeParse(clean);
  if (!result.success) return { ok: false, errors: fieldErrorsFromZod(result.error).map((error) => ({ ...error, field: `mapped.${error.field}` })) };
  return { ok: true, intent: { type, deliveryId, data: result.data } as VendorIntent };
};

/** Intents of a delivery, or the errors of the first that fails validation. */
export const intentsOf = (eventType: string, candidates: Array<{ type: VendorIntent['type']; deliveryId: string; data: Record<string, unknown> }>): VendorMapping => {
  const intents: VendorIntent[] = [];
  for (const candidate of candidates) {
    const checked = validatedIntent(candidate.type, candidate.deliveryId, candidate.data);
    if (!checked.ok) return { kind: 'invalid', status: 422, errors: checked.errors };
    intents.push(checked.intent);
  }
  return intents.length > 0 ? { kind: 'intents', eventType, intents } : { kind: 'ignored', eventType };
};
