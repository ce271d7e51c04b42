/**
 * Shopify (spec 13): `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256 of the raw body under the
 * app's client secret; `X-Shopify-Topic` names the event, `X-Shopify-Webhook-Id` is the dedupe
 * id (Shopify resends a delivery with the same id). Shopify signs no timestamp, so there is no
 * freshness window: a replay is caught by the webhook id and by the order or refund id.
 *
 * Mapping:
 * - `orders/create` → purchase: conversionId the order `id`; value `total_price` in `currency`;
 *   occurredAt `created_at`; click id: `eaclid` in the query of `landing_site` (the first page of
 *   the visit), else the `eaclid` note attribute (the cart attribute the snippet's hidden field
 *   fills); customer: `customer.id`.
 * - `refunds/create` → refund of `order_id`: refundId the refund `id`, amount the sum of its
 *   successful `refund` transactions (a refund that only restocks moves no money: ignored).
 * Every other topic is ignored.
 */
import { formatAmount, parseAmount, tryParseAmount } from '../money.js';
import {
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

export const verifyShopify = (delivery: VendorDelivery, secrets: readonly string[]): VendorVerification => {
  const header = delivery.headers['x-shopify-hmac-sha256'];
  if (!header || !delivery.headers['x-shopify-topic'] || !delivery.headers['x-shopify-webhook-id']) return { ok: false, reason: 'missing_headers' };
  if (!/^[A-Za-z0-9+/]{43}=$/.test(header)) return { ok: false, reason: 'invalid_signature' };
  const given = Buffer.from(header, 'base64');
  return secrets.some((secret) => sameDigest(given, hmacSha256(secret, delivery.rawBody))) ? { ok: true } : { ok: false, reason: 'invalid_signature' };
};

/** The `eaclid` of the landing page (a path with a query, or a whole URL). */
const eaclidOfLandingSite = (landingSite: unknown): string | undefined => {
  const text = stringAt(landingSite);
  if (!text) return undefined;
  try {
    return new URL(text, 'https://landing.invalid').searchParams.get('eaclid') ?? undefined;
  } catch {
    return undefined;
  }
};

const eaclidOfNoteAttributes = (attributes: unknown): string | undefined =>
  Array.isArray(attributes) ? stringAt(attributes.map(objectAt).find((attribute) => attribute?.name === 'eaclid')?.value) : undefined;

const orderCreated = (webhookId: string, order: Record<string, unknown>): VendorMapping => {
  const conversionId = idAt(order.id);
  const occurredAt = utcInstant(order.created_at);
  const missing = missingFields({ id: conversionId, created_at: occurredAt });
  if (missing.length > 0) return { kind: 'invalid', status: 422, errors: missing };
  const amount = stringAt(order.total_price);
  const currency = stringAt(order.currency);
  return intentsOf('orders/create', [
    {
      type: 'conversion',
      deliveryId: webhookId,
      data: {
        conversionId,
        kind: 'purchase',
        occurredAt,
        value: amount && currency ? { amount, currency } : undefined,
        clickId: eaclidOfLandingSite(order.landing_site) ?? eaclidOfNoteAttributes(order.note_attributes),
        customerId: idAt(objectAt(order.customer)?.id),
      },
    },
  ]);
};

const refundCreated = (webhookId: string, refund: Record<string, unknown>): VendorMapping => {
  const conversionId = idAt(refund.order_id);
  const refundId = idAt(refund.id);
  const occurredAt = utcInstant(refund.created_at);
  const transactions = Array.isArray(refund.transactions) ? refund.transactions.map(objectAt) : undefined;
  const missing = missingFields({ id: refundId, order_id: conversionId, created_at: occurredAt, transactions });
  if (missing.length > 0) return { kind: 'invalid', status: 422, errors: missing };
  const moved = transactions!.filter((t): t is Record<string, unknown> => t?.kind === 'refund' && t.status === 'success');
  if (moved.length === 0) return { kind: 'ignored', eventType: 'refunds/create' };
  const currency = stringAt(moved[0].currency);
  const amounts = moved.map((t) => stringAt(t.amount));
  if (!currency || amounts.some((amount) => !amount || !tryParseAmount(amount, currency).ok) || moved.some((t) => t.currency !== currency)) {
    return { kind: 'invalid', status: 422, errors: [{ field: 'transactions', message: 'refund transactions need an amount and one currency' }] };
  }
  const total = amounts.reduce((sum, amount) => sum + parseAmount(amount!, currency), 0n);
  return intentsOf('refunds/create', [
    { type: 'refund', deliveryId: webhookId, data: { conversionId, refundId, occurredAt, value: { amount: formatAmount(total, currency), currency } } },
  ]);
};

export const mapShopify = (delivery: VendorDelivery): VendorMapping => {
  const topic = delivery.headers['x-shopify-topic'] ?? '';
  const webhookId = delivery.headers['x-shopify-webhook-id'] ?? '';
  if (topic !== 'orders/create' && topic !== 'refunds/create') return { kind: 'ignored', eventType: topic };
  const parsed = parseJson(delivery.rawBody);
  if (!parsed.ok) return notJson;
  const object = objectAt(parsed.value);
  if (!object) return { kind: 'invalid', status: 422, errors: [{ field: '', message: 'must be a JSON object' }] };
  return topic === 'orders/create' ? orderCreated(webhookId, object) : refundCreated(webhookId, object);
};

export const shopifyScheme: VendorScheme = { verify: (delivery, secrets) => verifyShopify(delivery, secrets), map: mapShopify };
