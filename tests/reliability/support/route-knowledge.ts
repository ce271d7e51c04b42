/**
 * What the attack suites know about routes beyond shared/contract/routes.ts: which real ids a path
 * or query parameter can name, and valid bodies to start mutating from. A route that is not
 * described here is still fuzzed and still in the isolation matrix, with generic inputs.
 */
import fc from 'fast-check';
import { routeKey, type RouteDefinition } from '../../../shared/contract/routes.js';
import { apiScopes } from '../../../shared/domain/scopes.js';
import { operations } from '../../../shared/contract/operations.js';
import { signWebhook } from '../../../shared/domain/webhook-signature.js';
import type { RouteFuzzContext } from './arbitraries.js';
import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import Stripe from 'stripe';
import { VENDOR_SECRETS, type World } from './world.js';

/** The vendor whose receiver a route is, if it is one. */
const vendorOf = (route: RouteDefinition): keyof typeof VENDOR_SECRETS | undefined =>
  (Object.keys(VENDOR_SECRETS) as Array<keyof typeof VENDOR_SECRETS>).find((vendor) => route.path === `/v1/integrations/${vendor}/{sourceId}`);

/** The host the in-process gateway presents; HubSpot signs the URL it called. */
const FUZZ_PUBLIC_HOST = 'api.advocacy.test';

/** Real ids of the victim tenant (and a few of the attacker's) per parameter name. */
export const idsByParameter = (world: World, route: RouteDefinition): Record<string, string[]> => ({
  campaignId: [world.victim.campaignId, world.victim.archivedCampaignId, world.attacker.campaignId],
  // Offboarding is fuzzed on dora, so alice and bob keep their links for the other routes.
  advocateId: route.method === 'DELETE' ? ['dora', 'alice-of-nobody'] : ['alice', 'bob'],
  slug: [world.victim.aliceSlug, world.victim.bobSlug, world.attacker.aliceSlug],
  keyId: [world.victim.spareKeyId],
  // Rotation is fuzzed on a spare source, so the webhook route's signing secret stays valid.
  sourceId: vendorOf(route)
    ? [world.victim.vendorSourceIds[vendorOf(route)!], world.attacker.vendorSourceIds[vendorOf(route)!], world.victim.sourceId]
    : route.function === 'webhookSources'
      ? [world.victim.spareSourceId, world.attacker.sourceId]
      : [world.victim.sourceId, world.attacker.sourceId],
  file: ['style.css', 'common.js', 'icon.svg'],
  // Deletion is fuzzed on a spare domain, so the one made primary stays for the other routes.
  hostname: route.method === 'DELETE' ? [world.victim.spareHostname, world.attacker.hostname] : [world.victim.hostname, world.attacker.hostname],
  exportId: [world.victimExportId, world.attackerExportId],
  erasureId: [world.victimErasureId, world.attackerErasureId],
});

/** Valid request bodies per route key, for the victim tenant. */
export const validBodies = (world: World): Record<string, unknown[]> => ({
  'POST /v1/campaigns': [
    {
      name: 'Fuzzed campaign',
      destinationUrl: 'https://www.acme.example/jobs?ref=fuzz',
      allowedHosts: ['www.acme.example', '*.acme.example'],
      utm: { medium: 'social', campaign: 'fuzz' },
      attribution: { model: 'linear', lookbackDays: 14 },
    },
    // Suggested posts: the mutator aims hostile strings (HTML, control characters, braces) at them.
    {
      name: 'Fuzzed posts',
      destinationUrl: 'https://www.acme.example/jobs',
      shareTemplates: { linkedin: '<b>{campaignName}</b>: {link}\n— {advocateName}', x: 'Join us {link}', email: 'Hi,\r\n\t{link}' },
    },
  ],
  'PATCH /v1/campaigns/{campaignId}': [
    { name: 'Renamed', utm: { medium: 'social' }, attribution: { lookbackDays: 7 } },
    { destinationUrl: 'https://www.acme.example/jobs/2', allowedHosts: ['www.acme.example'] },
    { shareTemplates: { whatsapp: '{advocateName} shares {campaignName}: {link}', facebook: '{link}' } },
    { shareTemplates: null },
  ],
  'PUT /v1/advocates/{advocateId}': [{ displayName: 'Carol Jones', department: 'marketing' }],
  'PATCH /v1/advocates/{advocateId}': [{ rankingVisibility: 'pseudonymous' }, { rankingVisibility: 'hidden' }, { rankingVisibility: null }],
  'POST /v1/links': [
    { campaignId: world.victim.campaignId, advocateId: 'alice', channel: 'x', destinationUrl: 'https://www.acme.example/jobs/7' },
  ],
  // An advocate's own (tokens of alice) and on alice's behalf (keys with links:write).
  'POST /v1/shares': [
    { campaignId: world.victim.campaignId, advocateId: 'alice', channel: 'linkedin' },
    { campaignId: world.victim.campaignId, channel: 'email' },
  ],
  'POST /v1/api-keys': [{ name: 'ci', scopes: ['analytics:read', 'links:write'] }],
  'POST /v1/domains': [{ hostname: 'fuzz.acme.example' }, { hostname: 'Links.Bücher.example.' }],
  'PATCH /v1/domains/{hostname}': [{ primary: true }, { primary: false }],
  'PATCH /v1/organization': [
    { visitorCookies: 'never', rankingDefault: 'pseudonymous', retention: { rawEventDays: 200, archiveDays: 200 } },
    { visitorCookies: 'respect-gpc', retention: { archiveDays: 100 } },
  ],
  'POST /v1/webhook-sources': [{ name: 'CRM' }, { name: 'Shop', kind: 'stripe', signingSecret: 'whsec_anotherStripeSecret' }],
  'POST /v1/exports': (() => {
    const today = new Date().toISOString().slice(0, 10);
    return [
      { campaignId: world.victim.campaignId, from: today, to: today, type: 'click', format: 'csv' },
      { campaignId: world.victim.campaignId, from: new Date(Date.now() - 300 * 86_400_000).toISOString().slice(0, 10), to: today, type: 'conversion', format: 'parquet' },
    ];
  })(),
  'POST /v1/privacy/erasures': [{ visitorId: world.victimVisitorId }, { customerId: 'crm-77' }],
  'POST /v1/integrations/stripe/{sourceId}': [stripeCheckout('evt_fuzz_1', 'pi_fuzz_1')],
  'POST /v1/integrations/shopify/{sourceId}': [shopifyOrder(1001)],
  'POST /v1/integrations/hubspot/{sourceId}': [hubspotContact(1001)],
  'POST /v1/webhooks/conversions/{sourceId}': [
    {
      type: 'conversion.created',
      data: {
        conversionId: 'order-1',
        kind: 'purchase',
        occurredAt: '2026-01-02T10:00:00Z',
        value: { amount: '129.90', currency: 'EUR' },
        clickId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
        visitorId: 'AAAAAAAAAAAAAAAAAAAAAA',
        customerId: 'crm-77',
      },
    },
  ],
});

/** Authorization values that authenticate for the victim tenant. */
export const validCredentials = (world: World): string[] => [
  world.victim.adminKey,
  ...Object.values(world.victim.scopedKeys),
  world.victim.aliceToken,
  world.victim.bobToken,
].map((token) => `Bearer ${token}`);

/** The victim's ids that exist and that a request of the victim's own may act on. */
export const ownIdsByParameter = (world: World, route: RouteDefinition): Record<string, string[]> => ({
  ...idsByParameter(world, route),
  campaignId: [world.victim.campaignId],
  slug: [world.victim.aliceSlug, world.victim.bobSlug],
  sourceId: [vendorOf(route) ? world.victim.vendorSourceIds[vendorOf(route)!] : route.function === 'webhookSources' ? world.victim.spareSourceId : world.victim.sourceId],
  hostname: [route.method === 'DELETE' ? world.victim.spareHostname : world.victim.hostname],
  exportId: [world.victimExportId],
  erasureId: [world.victimErasureId],
});

/** Authorization values of the victim tenant that the route admits (shared/contract/operations.ts). */
export const admittedCredentials = (world: World, route: RouteDefinition): string[] => {
  const access = operations[routeKey(route)]?.auth;
  if (access?.kind !== 'credential') return [];
  const keys = access.apiKeyScope === 'any' ? apiScopes.map((scope) => world.victim.scopedKeys[scope]) : [world.victim.scopedKeys[access.apiKeyScope]];
  const tokens = access.advocate ? [world.victim.aliceToken, world.victim.bobToken] : [];
  return [world.victim.adminKey, ...keys, ...tokens].map((token) => `Bearer ${token}`);
};

/** Valid query strings per route key (a route not listed gets none). */
export const validQueries = (world: World): Record<string, string[]> => ({
  'GET /v1/campaigns': ['', 'limit=5'],
  // API keys must name a campaign or an advocate; advocates list their own.
  'GET /v1/links': [`campaignId=${world.victim.campaignId}`, 'advocateId=alice', `campaignId=${world.victim.campaignId}&limit=5`],
  'GET /v1/links/{slug}/qr': ['', 'format=svg', 'format=png'],
  'GET /v1/campaigns/{campaignId}/attribution': [
    '',
    'model=linear&groupBy=channel',
    'groupBy=day&from=2026-01-01&to=2026-01-31',
    'groupBy=country&from=2026-01-01&to=2026-01-31',
    'groupBy=referrer&model=time_decay&limit=5',
  ],
  'GET /v1/campaigns/{campaignId}/leaderboard': ['', 'metric=clicks&limit=5', 'metric=revenue&currency=EUR', 'metric=shares'],
  'GET /v1/campaigns/{campaignId}/events': ['', 'type=conversion', 'limit=10'],
  'GET /v1/advocates/{advocateId}/stats': ['', 'model=time_decay'],
  'GET /v1/conversions/unattributed': ['', 'from=2026-01-01&to=2026-03-01'],
  'GET /{slug}': ['', 'utm_source=newsletter'],
  'GET /v1/exports/{exportId}/download': [world.victimDownloadQuery],
});

/**
 * Standard Webhooks headers for `body`, signed with the victim source's current secret over the
 * exact bytes (also bytes that are not UTF-8, which a string-based signer could not sign).
 */
export const signedHeaders = (world: World, body: Buffer, webhookId?: string): Array<[string, string]> => {
  const id = webhookId ?? `msg_${Math.random().toString(36).slice(2)}`;
  const timestamp = Math.floor(Date.now() / 1000);
  return [
    ['webhook-id', id],
    ['webhook-timestamp', String(timestamp)],
    ['webhook-signature', signWebhook({ id, timestamp, body, secret: world.victim.sourceSecret })],
  ];
};

// Vendor events in the shapes of the vendors' documented examples (docs/integrations.md).
const stripeCheckout = (eventId: string, paymentIntent: string) => ({
  id: eventId,
  object: 'event',
  type: 'checkout.session.completed',
  created: 1767348000,
  data: { object: { id: `cs_${paymentIntent}`, object: 'checkout.session', amount_total: 12990, currency: 'eur', client_reference_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', customer: 'cus_1', payment_intent: paymentIntent } },
});
const shopifyOrder = (id: number) => ({ id, created_at: '2026-01-02T10:00:00+01:00', currency: 'EUR', total_price: '50.00', landing_site: '/?eaclid=01ARZ3NDEKTSV4RRFFQ69G5FAV', note_attributes: [] });
const hubspotContact = (eventId: number) => [
  { eventId, subscriptionId: 1, portalId: 2, appId: 3, occurredAt: 1767348000000, subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: eventId, propertyName: 'eaclid', propertyValue: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
];

const stripeSigner = new Stripe('sk_test_unused');

/**
 * The vendor's signature headers for `body` on the victim's source of that vendor: Stripe's and
 * HubSpot's own signers; Shopify's documented HMAC (it ships no signer; tests/e2e checks that
 * algorithm against Shopify's validator).
 */
const vendorSignedHeaders = (world: World, vendor: keyof typeof VENDOR_SECRETS, body: Buffer, deliveryId: string): Array<[string, string]> => {
  const secret = VENDOR_SECRETS[vendor];
  // Whole minutes (well inside the 5-minute tolerance): a replayed seed then generates the same
  // cases even when generating them takes a while.
  const minute = Math.floor(Date.now() / 60_000) * 60;
  if (vendor === 'stripe') return [['stripe-signature', stripeSigner.webhooks.generateTestHeaderString({ payload: body.toString('utf8'), secret, timestamp: minute })]];
  if (vendor === 'shopify') {
    return [
      ['x-shopify-hmac-sha256', createHmac('sha256', secret).update(body).digest('base64')],
      ['x-shopify-topic', 'orders/create'],
      ['x-shopify-webhook-id', deliveryId],
    ];
  }
  const timestamp = minute * 1000;
  const url = `https://${FUZZ_PUBLIC_HOST}/v1/integrations/hubspot/${world.victim.vendorSourceIds.hubspot}`;
  const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: secret, requestBody: body.toString('utf8'), url, timestamp });
  return [
    ['x-forwarded-host', FUZZ_PUBLIC_HOST],
    ['x-forwarded-proto', 'https'],
    ['x-hubspot-signature-v3', signature],
    ['x-hubspot-request-timestamp', String(timestamp)],
  ];
};

/** A vendor event with new ids: accepted (202), where the fixed one is a duplicate (200). */
const freshVendorEvent = (vendor: keyof typeof VENDOR_SECRETS) =>
  fc.integer({ min: 10_000, max: 2 ** 40 }).map((n) =>
    vendor === 'stripe' ? stripeCheckout(`evt_fuzz_${n}`, `pi_fuzz_${n}`) : vendor === 'shopify' ? shopifyOrder(n) : hubspotContact(n),
  );

/** The valid conversion with a new id: accepted (202), where the fixed one is a duplicate (200). */
const freshConversion = (world: World) => {
  const template = validBodies(world)['POST /v1/webhooks/conversions/{sourceId}']![0] as { data: Record<string, unknown> };
  return fc.stringMatching(/^order-[a-z0-9]{10}$/).map((conversionId) => ({ ...template, data: { ...template.data, conversionId } }));
};

/** A hostname nobody holds: added (201), where the fixed ones are already held (409). */
const freshDomain = fc.stringMatching(/^[a-z][a-z0-9-]{6,20}[a-z0-9]$/).map((label) => ({ hostname: `${label}.fuzz.example` }));

export const fuzzContextFor = (world: World, route: RouteDefinition): RouteFuzzContext => ({
  route,
  ids: idsByParameter(world, route),
  credentials: validCredentials(world),
  bodies: validBodies(world)[routeKey(route)] ?? [],
  orgId: world.victim.orgId,
  // The world's default domain (PUBLIC_BASE_URL), the in-process API's own, and both tenants' domains.
  hosts: ['go.advocacy.test', 'api.advocacy.test', world.victim.hostname, world.attacker.hostname],
  ...(vendorOf(route)
    ? { vendorBody: true, sign: (body: Buffer, deliveryId: string) => vendorSignedHeaders(world, vendorOf(route)!, body, deliveryId) }
    : route.function === 'conversions'
      ? { sign: (body: Buffer, webhookId: string) => signedHeaders(world, body, webhookId) }
      : {}),
  valid: {
    ids: ownIdsByParameter(world, route),
    credentials: admittedCredentials(world, route),
    queries: validQueries(world)[routeKey(route)] ?? [],
    ...(vendorOf(route) ? { body: freshVendorEvent(vendorOf(route)!) } : route.function === 'conversions' ? { body: freshConversion(world) } : {}),
    ...(routeKey(route) === 'POST /v1/domains' ? { body: freshDomain } : {}),
  },
});

/** Hosts a redirect may send visitors to: the seeded campaigns' and the fuzzed ones'. */
export const allowedRedirectHosts = new Set(['www.acme.example', 'www.globex.example']);
