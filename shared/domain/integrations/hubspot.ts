/**
 * HubSpot (spec 13), signature v3: `X-HubSpot-Signature-v3` = base64 HMAC-SHA256, under the
 * app's client secret, of method + URI + body + `X-HubSpot-Request-Timestamp` (epoch ms); a
 * timestamp more than 5 minutes away is refused. The URI is the one HubSpot called, with the
 * few characters HubSpot's docs list URL-decoded.
 *
 * A delivery is an array of events (`eventId`, `subscriptionType`, `objectId`, `occurredAt`,
 * and for property changes `propertyName`/`propertyValue`). They carry ids, not records: no
 * amount, no associations. So:
 * - `contact.propertyChange` of the contact property `eaclid` (set by a form's hidden `eaclid`
 *   field) → lead `hubspot-contact-<id>`, the property value as click id, the contact as
 *   customer (a later purchase naming it is attributed to the same touches);
 * - `deal.propertyChange` of `dealstage` to `closedwon` → purchase `hubspot-deal-<id>`, with
 *   no value and no click (the event names neither): counted as unattributed;
 * - everything else is ignored. The dedupe id is the `eventId`.
 */
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
  type VendorIntent,
  type VendorMapping,
  type VendorScheme,
  type VendorVerification,
} from './vendor-event.js';

const TOLERANCE_MS = 5 * 60 * 1000;

/** The encoded characters HubSpot decodes before signing the URI (its v3 documentation). */
const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export const hubspotSignedUri = (url: string): string => url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (code) => DECODED[code.toUpperCase()]!);

export const verifyHubspot = (delivery: VendorDelivery, secrets: readonly string[], now: Date): VendorVerification => {
  const signature = delivery.headers['x-hubspot-signature-v3'];
  const timestamp = delivery.headers['x-hubspot-request-timestamp'];
  if (!signature || !timestamp || !/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'missing_headers' };
  if (Math.abs(now.getTime() - Number(timestamp)) > TOLERANCE_MS) return { ok: false, reason: 'stale_timestamp' };
  if (!/^[A-Za-z0-9+/]{43}=$/.test(signature)) return { ok: false, reason: 'invalid_signature' };
  const given = Buffer.from(signature, 'base64');
  const prefix = `${delivery.method.toUpperCase()}${hubspotSignedUri(delivery.url)}`;
  return secrets.some((secret) => sameDigest(given, hmacSha256(secret, prefix, delivery.rawBody, timestamp)))
    ? { ok: true }
    : { ok: false, reason: 'invalid_signature' };
};

type Candidate = { type: VendorIntent['type']; deliveryId: string; data: Record<string, unknown> };

/** One event's intent; undefined when we do not use it; field errors when it lacks what it needs. */
const candidateOf = (event: Record<string, unknown>, index: number): Candidate | undefined | { errors: ReturnType<typeof missingFields> } => {
  const type = stringAt(event.subscriptionType);
  const contactEaclid = type === 'contact.propertyChange' && event.propertyName === 'eaclid';
  const dealWon = type === 'deal.propertyChange' && event.propertyName === 'dealstage' && event.propertyValue === 'closedwon';
  if (!contactEaclid && !dealWon) return undefined;
  const eventId = idAt(event.eventId);
  const objectId = idAt(event.objectId);
  const occurredAt = utcInstant(event.occurredAt);
  const clickId = contactEaclid ? stringAt(event.propertyValue) : 'none';
  const missing = missingFields({ [`${index}.eventId`]: eventId, [`${index}.objectId`]: objectId, [`${index}.occurredAt`]: occurredAt, [`${index}.propertyValue`]: clickId });
  if (missing.length > 0) return { errors: missing };
  return contactEaclid
    ? {
        type: 'conversion',
        deliveryId: eventId!,
        data: { conversionId: `hubspot-contact-${objectId}`, kind: 'lead', occurredAt, clickId, customerId: `hubspot-contact-${objectId}` },
      }
    : { type: 'conversion', deliveryId: eventId!, data: { conversionId: `hubspot-deal-${objectId}`, kind: 'purchase', occurredAt } };
};

export const mapHubspot = (delivery: VendorDelivery): VendorMapping => {
  const parsed = parseJson(delivery.rawBody);
  if (!parsed.ok) return notJson;
  if (!Array.isArray(parsed.value)) return { kind: 'invalid', status: 422, errors: [{ field: '', message: 'must be an array of events' }] };
  // HubSpot never sends an empty batch; `[]` is not a delivery (found by the fuzzing, FUZZ_SEED=895876264).
  if (parsed.value.length === 0) return { kind: 'invalid', status: 422, errors: [{ field: '', message: 'must hold at least one event' }] };
  const candidates: Candidate[] = [];
  const types = new Set<string>();
  for (const [index, item] of parsed.value.entries()) {
    // HubSpot sends objects only: anything else is not a HubSpot delivery (found by the fuzzing:
    // deeply nested arrays were answered `ignored`).
    const event = objectAt(item);
    if (!event) return { kind: 'invalid', status: 422, errors: [{ field: `[${index}]`, message: 'each event must be an object' }] };
    types.add(stringAt(event.subscriptionType) ?? 'unknown');
    const candidate = candidateOf(event, index);
    if (candidate && 'errors' in candidate) return { kind: 'invalid', status: 422, errors: candidate.errors };
    if (candidate) candidates.push(candidate);
  }
  return intentsOf([...types].sort().join(','), candidates);
};

export const hubspotScheme: VendorScheme = { verify: verifyHubspot, map: mapHubspot };
