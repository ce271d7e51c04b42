/**
 * The vendors' verification and mapping (shared/domain/integrations/), pure. Signatures come from
 * the vendors' own code (stripe, @hubspot/api-client) or, for Shopify, which ships no signer, from
 * its documented algorithm (tests/e2e/vendor-receivers.test.ts checks it with Shopify's validator).
 */
import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { hubspotScheme } from '../../shared/domain/integrations/hubspot.js';
import { shopifyScheme } from '../../shared/domain/integrations/shopify.js';
import { secondsToIso, stripeScheme } from '../../shared/domain/integrations/stripe.js';
import { utcInstant, type VendorDelivery } from '../../shared/domain/integrations/vendor-event.js';

const stripe = new Stripe('sk_test_unused');
const NOW = new Date('2026-11-27T10:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const delivery = (body: string, headers: Record<string, string>, url = 'https://api.example/v1/integrations/x/src_1'): VendorDelivery => ({
  headers,
  rawBody: Buffer.from(body),
  method: 'POST',
  url,
});

describe('Stripe', () => {
  const session = (object: Record<string, unknown>) =>
    JSON.stringify({ id: 'evt_1', type: 'checkout.session.completed', created: nowSeconds - 60, data: { object: { id: 'cs_1', ...object } } });

  it('verifies Stripe-signed deliveries within 5 minutes, by any listed secret', () => {
    const body = session({ amount_total: 100, currency: 'eur' });
    const signed = (secret: string, timestamp = nowSeconds) => delivery(body, { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) });
    expect(stripeScheme.verify(signed('whsec_a'), ['whsec_old', 'whsec_a'], NOW)).toEqual({ ok: true });
    expect(stripeScheme.verify(signed('whsec_b'), ['whsec_a'], NOW)).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(stripeScheme.verify(signed('whsec_a', nowSeconds - 301), ['whsec_a'], NOW)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(stripeScheme.verify(signed('whsec_a', nowSeconds - 299), ['whsec_a'], NOW)).toEqual({ ok: true });
    expect(stripeScheme.verify(delivery(body, {}), ['whsec_a'], NOW)).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('maps amounts by the currency exponent, and the click id from client_reference_id or metadata.eaclid', () => {
    const map = (object: Record<string, unknown>) => stripeScheme.map(delivery(session(object), {}));
    expect(map({ amount_total: 1500, currency: 'jpy', metadata: { eaclid: 'click-1' } })).toMatchObject({
      kind: 'intents',
      intents: [{ type: 'conversion', deliveryId: 'evt_1', data: { conversionId: 'cs_1', value: { amount: '1500', currency: 'JPY' }, clickId: 'click-1' } }],
    });
    expect(map({ amount_total: 12990, currency: 'eur', client_reference_id: 'click-2', payment_intent: 'pi_1', customer: 'cus_1' })).toMatchObject({
      intents: [{ data: { conversionId: 'pi_1', value: { amount: '129.90', currency: 'EUR' }, clickId: 'click-2', customerId: 'cus_1', kind: 'purchase' } }],
    });
  });

  it('maps each refund a charge lists, skipping failed ones; refund.created too', () => {
    const refunds = [
      { id: 're_1', amount: 500, currency: 'eur', created: nowSeconds, status: 'succeeded' },
      { id: 're_2', amount: 700, currency: 'eur', created: nowSeconds, status: 'failed' },
    ];
    const charge = JSON.stringify({ id: 'evt_2', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_1', currency: 'eur', refunds: { data: refunds } } } });
    expect(stripeScheme.map(delivery(charge, {}))).toMatchObject({
      kind: 'intents',
      intents: [{ type: 'refund', deliveryId: 'evt_2:re_1', data: { conversionId: 'pi_1', refundId: 're_1', value: { amount: '5.00', currency: 'EUR' } } }],
    });
    const withoutList = JSON.stringify({ id: 'evt_3', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_1' } } });
    expect(stripeScheme.map(delivery(withoutList, {}))).toEqual({ kind: 'invalid', status: 422, errors: [{ field: 'data.object.refunds.data', message: 'is required for this event type' }] });
    const created = JSON.stringify({ id: 'evt_4', type: 'refund.created', data: { object: refunds[0] && { ...refunds[0], payment_intent: 'pi_1' } } });
    expect(stripeScheme.map(delivery(created, {}))).toMatchObject({ intents: [{ data: { refundId: 're_1', conversionId: 'pi_1' } }] });
  });
});

describe('Shopify', () => {
  const signed = (topic: string, body: unknown, secret = 'shpss_secret') => {
    const raw = JSON.stringify(body);
    return delivery(raw, { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(raw).digest('base64'), 'x-shopify-topic': topic, 'x-shopify-webhook-id': 'wh-1' });
  };

  it('verifies the documented base64 HMAC of the body; needs topic and webhook id', () => {
    expect(shopifyScheme.verify(signed('orders/create', { id: 1 }), ['shpss_secret'], NOW)).toEqual({ ok: true });
    expect(shopifyScheme.verify(signed('orders/create', { id: 1 }, 'other'), ['shpss_secret'], NOW)).toEqual({ ok: false, reason: 'invalid_signature' });
    const { 'x-shopify-webhook-id': _, ...noId } = signed('orders/create', { id: 1 }).headers as Record<string, string>;
    expect(shopifyScheme.verify(delivery('{"id":1}', noId), ['shpss_secret'], NOW)).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('reads the eaclid from a landing URL or the note attributes, and ids beyond 2^53 as sent', () => {
    const raw = '{"id":820982911946154508,"created_at":"2026-11-27T11:00:00+01:00","currency":"EUR","total_price":"10.00","landing_site":"https://shop.example/a?x=1&eaclid=click-9","customer":{"id":115310627314723954}}';
    const mapped = shopifyScheme.map(delivery(raw, { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'wh-2' }));
    expect(mapped).toMatchObject({
      intents: [{ data: { conversionId: '820982911946154508', customerId: '115310627314723954', clickId: 'click-9', occurredAt: '2026-11-27T10:00:00.000Z', value: { amount: '10.00', currency: 'EUR' } } }],
    });
    const noted = shopifyScheme.map(signed('orders/create', { id: 5, created_at: '2026-11-27T10:00:00Z', landing_site: '/', note_attributes: [{ name: 'eaclid', value: 'click-3' }] }));
    expect(noted).toMatchObject({ intents: [{ data: { clickId: 'click-3', conversionId: '5' } }] });
  });

  it('sums a refund\'s successful refund transactions; a restock-only refund is ignored', () => {
    const transactions = [
      { kind: 'refund', status: 'success', amount: '10.00', currency: 'EUR' },
      { kind: 'refund', status: 'success', amount: '0.05', currency: 'EUR' },
      { kind: 'refund', status: 'failure', amount: '99.00', currency: 'EUR' },
    ];
    expect(shopifyScheme.map(signed('refunds/create', { id: 9, order_id: 5, created_at: '2026-11-28T10:00:00Z', transactions }))).toMatchObject({
      intents: [{ type: 'refund', data: { conversionId: '5', refundId: '9', value: { amount: '10.05', currency: 'EUR' } } }],
    });
    expect(shopifyScheme.map(signed('refunds/create', { id: 9, order_id: 5, created_at: '2026-11-28T10:00:00Z', transactions: [] }))).toEqual({ kind: 'ignored', eventType: 'refunds/create' });
  });
});

describe('HubSpot', () => {
  const events = JSON.stringify([
    { eventId: 1, subscriptionType: 'contact.creation', objectId: 7, occurredAt: NOW.getTime() },
    { eventId: 2, subscriptionType: 'contact.propertyChange', objectId: 7, occurredAt: NOW.getTime(), propertyName: 'eaclid', propertyValue: 'click-7' },
  ]);
  const signedFor = (url: string, timestamp = NOW.getTime()) =>
    delivery(events, {
      'x-hubspot-signature-v3': Signature.getSignature('POST', 'v3', { signature: '', clientSecret: 'app-secret', requestBody: events, url, timestamp }),
      'x-hubspot-request-timestamp': String(timestamp),
    });

  it('verifies signature v3 over the URI as HubSpot decodes it, within 5 minutes', () => {
    const decoded = 'https://api.example/v1/integrations/hubspot/src_1?from=a:b';
    expect(hubspotScheme.verify({ ...signedFor(decoded), url: 'https://api.example/v1/integrations/hubspot/src_1?from=a%3Ab' }, ['app-secret'], NOW)).toEqual({ ok: true });
    expect(hubspotScheme.verify({ ...signedFor(decoded), url: 'https://other.example/v1/integrations/hubspot/src_1?from=a:b' }, ['app-secret'], NOW)).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(hubspotScheme.verify({ ...signedFor(decoded, NOW.getTime() - 300_001), url: decoded }, ['app-secret'], NOW)).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('maps the eaclid property change to a lead of the contact and ignores the rest of the batch', () => {
    expect(hubspotScheme.map(signedFor('https://x'))).toEqual({
      kind: 'intents',
      eventType: 'contact.creation,contact.propertyChange',
      intents: [{ type: 'conversion', deliveryId: '2', data: { conversionId: 'hubspot-contact-7', kind: 'lead', occurredAt: NOW.toISOString(), clickId: 'click-7', customerId: 'hubspot-contact-7' } }],
    });
  });

  it('refuses a delivery id too long to key its dedupe record (the fuzzing sent a long eventId: a 500)', () => {
    const long = JSON.stringify([{ eventId: 'e'.repeat(3000), subscriptionType: 'contact.propertyChange', objectId: 7, occurredAt: NOW.getTime(), propertyName: 'eaclid', propertyValue: 'click-7' }]);
    expect(hubspotScheme.map(delivery(long, {}))).toMatchObject({ kind: 'invalid', status: 422, errors: [{ field: 'mapped.deliveryId' }] });
  });

  it('refuses a delivery whose events are not objects (the fuzzing sent nested arrays)', () => {
    const nested = JSON.stringify(JSON.parse('['.repeat(50) + ']'.repeat(50)));
    expect(hubspotScheme.map(delivery(nested, {}))).toEqual({ kind: 'invalid', status: 422, errors: [{ field: '[0]', message: 'each event must be an object' }] });
    expect(hubspotScheme.map(delivery('[{"eventId":1,"subscriptionType":"contact.creation"},"x"]', {}))).toMatchObject({ kind: 'invalid', status: 422, errors: [{ field: '[1]' }] });
  });

  it('refuses an empty batch (HubSpot never sends one; the fuzzing did)', () => {
    expect(hubspotScheme.map(delivery('[]', {}))).toEqual({ kind: 'invalid', status: 422, errors: [{ field: '', message: 'must hold at least one event' }] });
  });
});

describe('long numeric ids', () => {
  it('are read as the digits sent, but never inside a string value', () => {
    const note = 'copied: {\\"id\\": 12345678901234567890}';
    const raw = `{"id":820982911946154508,"created_at":"2026-11-27T10:00:00Z","note":"${note}","landing_site":"/"}`;
    const mapped = shopifyScheme.map(delivery(raw, { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'wh-3' }));
    expect(mapped).toMatchObject({ kind: 'intents', intents: [{ data: { conversionId: '820982911946154508' } }] });
  });
});

describe('vendor instants', () => {
  it('are refused, not thrown on, when out of the range a date can hold (the fuzzing sent such a created_at: a 500)', () => {
    expect(utcInstant(1e20)).toBeUndefined();
    expect(utcInstant(-1e20)).toBeUndefined();
    expect(utcInstant(Number.NaN)).toBeUndefined();
    expect(utcInstant(Infinity)).toBeUndefined();
    expect(utcInstant('2026-11-27T11:00:00+01:00')).toBe('2026-11-27T10:00:00.000Z');
    expect(utcInstant(1_764_237_600_000)).toBe(new Date(1_764_237_600_000).toISOString());
    expect(utcInstant('2026-13-45T99:00:00Z')).toBeUndefined();
    // Stripe's seconds: the largest safe integer × 1000 is beyond a date's range.
    expect(secondsToIso(Number.MAX_SAFE_INTEGER)).toBeUndefined();
    expect(secondsToIso(1_764_237_600)).toBe('2025-11-27T10:00:00.000Z');
  });
});
