/**
 * Conversion webhooks (spec section 5): Standard Webhooks signatures, written by hand on
 * node:crypto, and the zod schema of the body. Pure apart from the clock (injectable) and the
 * random source of `generateWebhookSecret`. No AWS.
 *
 * Standard Webhooks, as implemented here:
 * - headers `webhook-id`, `webhook-timestamp` (integer Unix seconds), `webhook-signature`
 *   (space-separated `v<version>,<base64>` entries; only `v1` is checked, others are ignored);
 * - v1 = base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), key = base64-decoded part of
 *   the `whsec_…` secret; the body is signed as the exact bytes received;
 * - a timestamp more than `toleranceSeconds` (300) before or after now is stale;
 * - every configured secret (the current one and a rotated one still in its grace period) is
 *   tried; signatures are compared in constant time (`timingSafeEqual` on equal-length digests).
 *
 * Refusal reasons, checked in this order: missing_headers → invalid_timestamp →
 * stale_timestamp → (no v1 entry matched any usable secret) malformed_secret if some
 * configured secret could not be decoded, else invalid_signature. An empty secret list gives
 * invalid_signature: nothing can vouch for the message. All of them mean HTTP 401; the reason
 * is for logs and metrics, not for the caller.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { fieldErrorsFromZod, type FieldError } from './field-errors.js';
import { tryParseAmount } from './money.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Decoded key length bounds: Standard Webhooks recommends 24–64 bytes; 16 is our floor. */
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 64;
const HMAC_SHA256_BYTES = 32;

export type WebhookHeaders = Partial<
  Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string | undefined>
>;

export interface VerifyWebhookInput {
  /** Header values by LOWER-CASE name (HTTP API v2 events already lower-case them). */
  headers: WebhookHeaders | Record<string, string | undefined>;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string | Buffer;
  /** `whsec_…` secrets that are currently valid for the source. */
  secrets: readonly string[];
  now?: Date;
  toleranceSeconds?: number;
}

export type WebhookRefusalReason =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'invalid_signature'
  | 'malformed_secret';

export type VerifyWebhookResult =
  | {
      ok: true;
      webhookId: string;
      /** The signed `webhook-timestamp`, Unix seconds. */
      timestamp: number;
      /** Which entry of `secrets` matched (0 = the first); tells when a rotated secret is still in use. */
      secretIndex: number;
    }
  | { ok: false; reason: WebhookRefusalReason };

/** Strict base64 (standard alphabet, padded), as `whsec_` secrets and v1 signatures use. */
const isStrictBase64 = (text: string): boolean =>
  text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);

/** The HMAC key of a `whsec_…` secret, or undefined when the secret is malformed. */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!isStrictBase64(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? key : undefined;
}

const toBytes = (body: string | Buffer): Buffer =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : body;

function hmacDigest(key: Buffer, id: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/** The v1 signatures listed in a `webhook-signature` header, decoded; other versions ignored. */
function v1Signatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.trim().split(/\s+/)) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const encoded = entry.slice(comma + 1);
    if (!isStrictBase64(encoded)) continue;
    const signature = Buffer.from(encoded, 'base64');
    if (signature.length === HMAC_SHA256_BYTES) signatures.push(signature);
  }
  return signatures;
}

export function verifyWebhook(input: VerifyWebhookInput): VerifyWebhookResult {
  const headers = input.headers as Record<string, string | undefined>;
  const webhookId = headers['webhook-id'];
  const timestampHeader = headers['webhook-timestamp'];
  const signatureHeader = headers['webhook-signature'];
  if (!webhookId || !timestampHeader || !signatureHeader) {
    return { ok: false, reason: 'missing_headers' };
  }

  // Integer seconds only: no sign, fraction, exponent or spaces (the signed text must be the
  // header exactly, and "1e9" or "+17…" would make it ambiguous).
  if (!/^\d{1,15}$/.test(timestampHeader)) return { ok: false, reason: 'invalid_timestamp' };
  const timestamp = Number(timestampHeader);
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - timestamp) > tolerance) return { ok: false, reason: 'stale_timestamp' };

  const signatures = v1Signatures(signatureHeader);
  const body = toBytes(input.rawBody);
  let someSecretMalformed = false;
  for (const [secretIndex, secret] of input.secrets.entries()) {
    const key = decodeWebhookSecret(secret);
    if (!key) {
      someSecretMalformed = true;
      continue;
    }
    const expected = hmacDigest(key, webhookId, timestampHeader, body);
    for (const signature of signatures) {
      // Both are 32 bytes (checked in v1Signatures), as timingSafeEqual requires.
      if (timingSafeEqual(signature, expected)) {
        return { ok: true, webhookId, timestamp, secretIndex };
      }
    }
  }
  return { ok: false, reason: someSecretMalformed ? 'malformed_secret' : 'invalid_signature' };
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

export interface SignWebhookInput {
  id: string;
  /** Unix seconds, or a Date (floored to seconds). */
  timestamp: number | Date;
  body: string | Buffer;
  secret: string;
}

/** The `v1,<base64>` signature a sender puts in `webhook-signature` (for docs, tests, CLI). */
export function signWebhook({ id, timestamp, body, secret }: SignWebhookInput): string {
  const key = decodeWebhookSecret(secret);
  if (!key) throw new RangeError('signWebhook: secret must be whsec_ followed by base64 of 16–64 bytes');
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError('signWebhook: timestamp must be whole non-negative Unix seconds');
  }
  return `v1,${hmacDigest(key, id, String(seconds), toBytes(body)).toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// Body schema

/** 1–200 characters, no control or invisible format characters, no surrounding whitespace. */
const externalId = (what: string) =>
  z
    .string()
    // abort: an empty id reports "too short" only, not also "not printable".
    .min(1, { error: `${what} must not be empty`, abort: true })
    .max(200, { error: `${what} must be at most 200 characters`, abort: true })
    .regex(/^(?!\s)\P{C}+(?<!\s)$/u, {
      error: `${what} must be printable text without leading or trailing spaces`,
    });

export const conversionValueSchema = z
  .strictObject({
    amount: z
      .string()
      .regex(/^\d{1,15}(\.\d{1,3})?$/, { error: 'amount must be a decimal string such as "129.90"' })
      .meta({ description: 'Decimal amount, e.g. "129.90". No sign, exponent or separators.', examples: ['129.90'] }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'currency must be an ISO 4217 code such as "EUR"' })
      .meta({ description: 'ISO 4217 currency code', examples: ['EUR'] }),
  })
  .superRefine((value, context) => {
    // The amount must be exact in the currency's minor unit (e.g. no "1.234" EUR, no "1.5" JPY).
    const parsed = tryParseAmount(value.amount, value.currency);
    if (!parsed.ok && parsed.reason === 'too_many_decimals') {
      context.addIssue({ code: 'custom', path: ['amount'], message: parsed.message });
    }
  });

export const conversionDataSchema = z.strictObject({
  conversionId: externalId('conversionId').meta({
    description: "The sender's own id of the conversion (order id, lead id); the dedupe key",
    examples: ['order-1042'],
  }),
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, {
      error: 'kind must be lead, signup, purchase or a lower-case word (a-z, 0-9, _ and -, at most 40)',
    })
    .meta({ description: '`lead`, `signup`, `purchase` or a custom lower-case word', examples: ['purchase'] }),
  occurredAt: z.iso.datetime({ error: 'occurredAt must be an ISO 8601 UTC time such as 2026-11-27T10:00:00Z' }),
  value: conversionValueSchema.optional(),
  clickId: externalId('clickId').optional().meta({ description: 'The `eaclid` the landing page received' }),
  visitorId: externalId('visitorId').optional(),
  customerId: externalId('customerId').optional(),
});

export const conversionWebhookSchema = z.strictObject({
  type: z.literal('conversion.created'),
  data: conversionDataSchema,
});

export const refundDataSchema = z.strictObject({
  conversionId: externalId('conversionId').meta({ description: 'The refunded conversion', examples: ['order-1042'] }),
  refundId: externalId('refundId').meta({
    description: "The sender's own id of the refund; each refund counts once, several partial refunds add up",
    examples: ['refund-1'],
  }),
  occurredAt: z.iso.datetime({ error: 'occurredAt must be an ISO 8601 UTC time such as 2026-11-27T10:00:00Z' }),
  value: conversionValueSchema
    .refine((value) => /[1-9]/.test(value.amount), { error: 'amount must be more than 0', path: ['amount'] })
    .meta({ description: "The amount refunded, in the conversion's currency" }),
});

export const refundWebhookSchema = z.strictObject({
  type: z.literal('conversion.refunded'),
  data: refundDataSchema,
});

/** What the Standard Webhooks route accepts: a conversion or a refund of one. */
export const conversionWebhookBodySchema = z.discriminatedUnion('type', [conversionWebhookSchema, refundWebhookSchema]);

export type ConversionData = z.infer<typeof conversionDataSchema>;
export type RefundData = z.infer<typeof refundDataSchema>;

export type ParsedConversionWebhook =
  | { ok: true; webhook: z.infer<typeof conversionWebhookBodySchema> }
  /** 400: not JSON at all; 422: JSON that fails the schema. */
  | { ok: false; status: 400 | 422; errors: FieldError[] };

/** Parses and validates a raw (already signature-checked) webhook body. */
export function parseConversionWebhook(rawBody: string | Buffer): ParsedConversionWebhook {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { ok: false, status: 400, errors: [{ field: '', message: 'Body must be valid JSON' }] };
  }
  const result = conversionWebhookBodySchema.safeParse(json);
  return result.success
    ? { ok: true, webhook: result.data }
    : { ok: false, status: 422, errors: fieldErrorsFromZod(result.error) };
}
