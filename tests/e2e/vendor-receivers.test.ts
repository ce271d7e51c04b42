/**
 * End to end: Stripe, Shopify and HubSpot webhooks into attribution (spec 13), against the local
 * runtime. Every delivery is signed by the vendor's own code where the vendor ships it — Stripe's
 * `generateTestHeaderString`, HubSpot's `Signature.getSignature` (@hubspot/api-client) — and
 * Shopify's, which ships a verifier but no signer, by its documented algorithm (base64
 * HMAC-SHA256 of the body under the app secret), each signature confirmed by Shopify's own
 * `webhooks.validate` (@shopify/shopify-api) before it is sent. Payloads follow the shapes of the
 * vendors' documented examples (docs/integrations.md).
 */
import '@shopify/shopify-api/adapters/node';
import { createHmac } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Signature } from '@hubspot/api-client';
import { ApiVersion, shopifyApi } from '@shopify/shopify-api';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let campaignId: string;
const sources = { stripe: '', shopify: '', hubspot: '' };
const STRIPE_SECRET = 'whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH';
const SHOPIFY_SECRET = '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';
const HUBSPOT_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const PUBLIC_HOST = 'track.acme.example';
const stripe = new Stripe('sk_test_unused');
const shopify = shopifyApi({ apiKey: 'unused', apiSecretKey: SHOPIFY_SECRET, hostName: 'shop.acme.example', apiVersion: ApiVersion.October25, isEmbeddedApp: false });

const visit = async (slug: string) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!).searchParams.get('eaclid')!;
};

const sendStripe = (event: unknown, options: { secret?: string; timestamp?: number; sourceId?: string; path?: string } = {}) => {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? STRIPE_SECRET, timestamp: options.timestamp });
  return api('POST', options.path ?? `/v1/integrations/stripe/${options.sourceId ?? sources.stripe}`, {
    rawBody: payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
};

/** Shopify's documented algorithm, confirmed by Shopify's own validator before sending. */
const sendShopify = async (topic: string, webhookId: string, body: unknown, options: { secret?: string } = {}) => {
  const rawBody = JSON.stringify(body);
  const hmac = createHmac('sha256', options.secret ?? SHOPIFY_SECRET).update(rawBody, 'utf8').digest('base64');
  const headers = {
    'x-shopify-hmac-sha256': hmac,
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': webhookId,
    'x-shopify-shop-domain': 'acme.myshopify.com',
    'x-shopify-api-version': '2025-10',
    'x-shopify-event-id': `evt-${webhookId}`,
    'x-shopify-triggered-at': new Date().toISOString(),
  };
  const request = new IncomingMessage(new Socket());
  request.headers = headers;
  const check = await shopify.webhooks.validate({ rawBody, rawRequest: request, rawResponse: new ServerResponse(request) });
  expect(check.valid).toBe((options.secret ?? SHOPIFY_SECRET) === SHOPIFY_SECRET);
  return api('POST', `/v1/integrations/shopify/${sources.shopify}`, { rawBody, headers: { 'content-type': 'application/json', ...headers } });
};

const sendHubspot = (events: unknown[], options: { timestamp?: number; host?: string } = {}) => {
  const requestBody = JSON.stringify(events);
  const timestamp = options.timestamp ?? Date.now();
  const path = `/v1/integrations/hubspot/${sources.hubspot}`;
  // The URI as HubSpot called it: the public host (a CDN forwards it), https.
  const url = `https://${options.host ?? PUBLIC_HOST}${path}`;
  const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: HUBSPOT_SECRET, requestBody, url, timestamp });
  return api('POST', path, {
    rawBody: requestBody,
    headers: {
      'content-type': 'application/json',
      // What the CDN in front adds: the public host and scheme HubSpot called.
      'x-forwarded-host': PUBLIC_HOST,
      'x-forwarded-proto': 'https',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': String(timestamp),
    },
  });
};

const checkoutCompleted = (clickId: string, overrides: Record<string, unknown> = {}, eventId = 'evt_1QcheckoutA') => ({
  id: eventId,
  object: 'event',
  api_version: '2025-10-29.clover',
  created: Math.floor(Date.now() / 1000) - 5,
  type: 'checkout.session.completed',
  data: {
    object: {
      id: 'cs_test_a1B2c3',
      object: 'checkout.session',
      amount_total: 12990,
      currency: 'eur',
      client_reference_id: clickId,
      customer: 'cus_R2d2C3po',
      metadata: {},
      mode: 'payment',
      payment_intent: 'pi_3QcheckoutA',
      payment_status: 'paid',
      status: 'complete',
      ...overrides,
    },
  },
});

const chargeRefunded = (refunds: Array<{ id: string; amount: number }>) => ({
  id: `evt_refund_${refunds.map((r) => r.id).join('_')}`,
  object: 'event',
  created: Math.floor(Date.now() / 1000),
  type: 'charge.refunded',
  data: {
    object: {
      id: 'ch_3QcheckoutA',
      object: 'charge',
      amount: 12990,
      amount_refunded: refunds.reduce((sum, r) => sum + r.amount, 0),
      currency: 'eur',
      payment_intent: 'pi_3QcheckoutA',
      refunded: false,
      refunds: {
        object: 'list',
        data: refunds.map((r) => ({ id: r.id, object: 'refund', amount: r.amount, currency: 'eur', created: Math.floor(Date.now() / 1000), status: 'succeeded', payment_intent: 'pi_3QcheckoutA' })),
      },
    },
  },
});

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  campaignId = (await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Shop launch', destinationUrl: 'https://shop.acme.example/' } })).body.campaignId;
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice Martin' } });
  for (const [vendor, signingSecret] of [['stripe', STRIPE_SECRET], ['shopify', SHOPIFY_SECRET], ['hubspot', HUBSPOT_SECRET]] as const) {
    const created = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: vendor, kind: vendor, signingSecret } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: vendor, webhookUrl: `/v1/integrations/${vendor}/${created.body.sourceId}` });
    // The vendor's secret is never shown back.
    expect(created.body.secret).toBeUndefined();
    expect(created.text).not.toContain(signingSecret);
    sources[vendor] = created.body.sourceId;
  }
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('webhook source kinds', () => {
  it('a standard source refuses a signingSecret; a vendor source requires one', async () => {
    const standard = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'x', signingSecret: 'whsec_abcdefghijkl' } });
    expect(standard.status).toBe(422);
    expect(standard.body.errors).toEqual([expect.objectContaining({ field: 'signingSecret' })]);
    const vendor = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'x', kind: 'stripe' } });
    expect(vendor.status).toBe(422);
    expect(vendor.body.errors).toEqual([expect.objectContaining({ field: 'signingSecret' })]);
    const plain = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'x' } });
    expect(plain.body).toMatchObject({ kind: 'standard', secret: expect.stringMatching(/^whsec_/) });
  });
});

describe('Stripe', () => {
  it('checkout.session.completed → purchase by click id; a retry is a duplicate; charge.refunded takes revenue back', async () => {
    const slug = (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'alice', channel: 'linkedin' } })).body.slug;
    const clickId = await visit(slug);
    const event = checkoutCompleted(clickId);
    const accepted = await sendStripe(event);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ conversionId: 'pi_3QcheckoutA', status: 'accepted' });
    // Stripe retries with a fresh signature: the same event, a duplicate.
    expect((await sendStripe(event)).body).toEqual({ conversionId: 'pi_3QcheckoutA', status: 'duplicate' });

    const refund = await sendStripe(chargeRefunded([{ id: 're_1', amount: 2990 }]));
    expect(refund.status).toBe(202);
    expect(refund.body).toEqual({ conversionId: 'pi_3QcheckoutA', refundId: 're_1', status: 'accepted' });
    // A second partial refund: the charge lists both; only the new one counts.
    const second = await sendStripe(chargeRefunded([{ id: 're_2', amount: 1000 }, { id: 're_1', amount: 2990 }]));
    expect(second.body).toEqual({ conversionId: 'pi_3QcheckoutA', refundId: 're_2', status: 'accepted' });
    // More than what is left: 422 with the field.
    const tooMuch = await sendStripe(chargeRefunded([{ id: 're_3', amount: 9001 }]));
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errors).toEqual([expect.objectContaining({ field: 'data.value.amount' })]);

    await system.streamsIdle();
    const report = await api('GET', `/v1/campaigns/${campaignId}/attribution`, { token: org.apiKey });
    expect(report.body.totals).toMatchObject({ conversions: 1, revenue: { EUR: '90.00' } });
    expect((await reconcileCampaign(org.orgId, campaignId)).differences).toEqual([]);
  });

  it('answers 200 ignored to event types it does not use', async () => {
    const answer = await sendStripe({ id: 'evt_cust', object: 'event', created: 1764237600, type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ignored', eventType: 'customer.created' });
  });

  it('refuses bad signatures, stale timestamps, other kinds of source and large bodies; 422 names missing fields; nothing stored', async () => {
    const event = checkoutCompleted('01JD8Y3N5QK2W7X9ZB4C6D8F0H', { id: 'cs_bad', payment_intent: 'pi_bad' }, 'evt_bad');
    expect((await sendStripe(event, { secret: 'whsec_someone_else_entirely' })).status).toBe(401);
    expect((await sendStripe(event, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    const unsigned = await api('POST', `/v1/integrations/stripe/${sources.stripe}`, { rawBody: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toMatch(/application\/problem\+json/);
    // The Stripe secret on the Shopify route, or the Stripe source on our Standard Webhooks route: unknown there.
    expect((await sendStripe(event, { path: `/v1/integrations/shopify/${sources.stripe}` })).status).toBe(401);
    expect((await sendStripe(event, { path: `/v1/webhooks/conversions/${sources.stripe}` })).status).toBe(401);
    const big = await sendStripe({ ...event, padding: 'x'.repeat(65 * 1024) });
    expect(big.status).toBe(413);
    const missing = await sendStripe({ id: 'evt_missing', object: 'event', type: 'checkout.session.completed', data: { object: { object: 'checkout.session' } } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['created', 'data.object.id']);
    // None of them stored anything: a proper delivery of that event is new.
    expect((await sendStripe(event)).status).toBe(202);
  });

  it('rotation takes the vendor\'s new secret; the old one verifies for the grace period', async () => {
    const without = await api('POST', `/v1/webhook-sources/${sources.stripe}/rotate`, { token: org.apiKey });
    expect(without.status).toBe(422);
    const rotated = await api('POST', `/v1/webhook-sources/${sources.stripe}/rotate`, { token: org.apiKey, body: { signingSecret: 'whsec_rolled_9f8e7d6c5b4a' } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toBeUndefined();
    const ignored = { id: 'evt_rot', object: 'event', created: 1764237600, type: 'invoice.paid', data: { object: { id: 'in_1' } } };
    expect((await sendStripe(ignored, { secret: 'whsec_rolled_9f8e7d6c5b4a' })).status).toBe(200);
    expect((await sendStripe(ignored)).status).toBe(200);
  });
});

describe('Shopify', () => {
  it('orders/create → purchase by the landing site\'s eaclid; a redelivery is a duplicate; refunds/create → refund', async () => {
    const slug = (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'alice', channel: 'x' } })).body.slug;
    const clickId = await visit(slug);
    const order = {
      id: 820982911946154500,
      admin_graphql_api_id: 'gid://shopify/Order/820982911946154500',
      created_at: new Date(Date.now() - 10_000).toISOString().replace('Z', '+00:00'),
      currency: 'EUR',
      total_price: '50.00',
      landing_site: `/products/mug?utm_source=linkedin&eaclid=${clickId}`,
      note_attributes: [],
      customer: { id: 115310627314723950, admin_graphql_api_id: 'gid://shopify/Customer/115310627314723950' },
    };
    const accepted = await sendShopify('orders/create', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', order);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ conversionId: '820982911946154500', status: 'accepted' });
    expect((await sendShopify('orders/create', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', order)).body.status).toBe('duplicate');

    const refund = {
      id: 929361464,
      order_id: 820982911946154500,
      created_at: new Date().toISOString(),
      note: 'wrong size',
      refund_line_items: [],
      transactions: [{ id: 179259969, order_id: 820982911946154500, kind: 'refund', gateway: 'bogus', status: 'success', amount: '20.00', currency: 'EUR' }],
    };
    const refunded = await sendShopify('refunds/create', 'c0ffee00-bdd9-4b37-8a5f-bf7d70bcd043', refund);
    expect(refunded.body).toEqual({ conversionId: '820982911946154500', refundId: '929361464', status: 'accepted' });
    expect((await sendShopify('customers/create', 'd00d0000-0000-0000-0000-000000000000', { id: 1 })).body).toEqual({ status: 'ignored', eventType: 'customers/create' });
    expect((await sendShopify('orders/create', 'e00e0000-0000-0000-0000-000000000000', order, { secret: 'shpss_not_the_secret_0000' })).status).toBe(401);
    const missing = await sendShopify('orders/create', 'f00f0000-0000-0000-0000-000000000000', { total_price: '1.00' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['created_at', 'id']);

    await system.streamsIdle();
    const report = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=channel`, { token: org.apiKey });
    const x = report.body.rows.find((row: { key: string }) => row.key === 'x');
    expect(x).toMatchObject({ conversions: 1, revenue: { EUR: '30.00' } });
  });
});

describe('HubSpot', () => {
  it('the contact property eaclid → a lead credited to its click; a closed-won deal → an unattributed purchase', async () => {
    const slug = (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'alice', channel: 'email' } })).body.slug;
    const clickId = await visit(slug);
    const occurredAt = Date.now() - 5_000;
    const contactChange = { eventId: 1001, subscriptionId: 2001, portalId: 62515, appId: 3001, occurredAt, subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 123, propertyName: 'eaclid', propertyValue: clickId, changeSource: 'FORM' };
    const lead = await sendHubspot([contactChange]);
    expect(lead.status).toBe(202);
    expect(lead.body).toEqual({ conversionId: 'hubspot-contact-123', status: 'accepted' });
    // HubSpot's retry (attemptNumber 1) is the same event: a duplicate.
    expect((await sendHubspot([{ ...contactChange, attemptNumber: 1 }])).body.status).toBe('duplicate');
    const deal = await sendHubspot([{ eventId: 1002, subscriptionId: 2002, portalId: 62515, appId: 3001, occurredAt, subscriptionType: 'deal.propertyChange', attemptNumber: 0, objectId: 456, propertyName: 'dealstage', propertyValue: 'closedwon', changeSource: 'CRM_UI' }]);
    expect(deal.body).toEqual({ conversionId: 'hubspot-deal-456', status: 'accepted' });
    expect((await sendHubspot([{ eventId: 1003, subscriptionType: 'contact.creation', objectId: 1, occurredAt }])).body.status).toBe('ignored');

    // Signed for another host, or five minutes and more ago: refused.
    expect((await sendHubspot([{ ...contactChange, eventId: 1004 }], { host: 'evil.example' })).status).toBe(401);
    expect((await sendHubspot([{ ...contactChange, eventId: 1005 }], { timestamp: Date.now() - 6 * 60_000 })).status).toBe(401);
    const missing = await sendHubspot([{ eventId: 1006, subscriptionType: 'contact.propertyChange', propertyName: 'eaclid', occurredAt }]);
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['0.objectId', '0.propertyValue']);

    await system.streamsIdle();
    const report = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=channel`, { token: org.apiKey });
    expect(report.body.rows.find((row: { key: string }) => row.key === 'email')).toMatchObject({ conversions: 1 });
    expect((await reconcileCampaign(org.orgId, campaignId)).differences).toEqual([]);
  });
});
