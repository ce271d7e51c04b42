/**
 * What the attack suites know about routes beyond infra/definitions.ts: which real ids a path
 * or query parameter can name, and valid bodies to start mutating from. A route that is not
 * described here is still fuzzed and still in the isolation matrix, with generic inputs.
 */
import { routeKey, type RouteDefinition } from '../../../shared/contract/routes.js';
import { signWebhook } from '../../../shared/domain/webhook-signature.js';
import type { RouteFuzzContext } from './arbitraries.js';
import type { World } from './world.js';

/** Real ids of the victim tenant (and a few of the attacker's) per parameter name. */
export const idsByParameter = (world: World, route: RouteDefinition): Record<string, string[]> => ({
  campaignId: [world.victim.campaignId, world.victim.archivedCampaignId, world.attacker.campaignId],
  advocateId: ['alice', 'bob'],
  slug: [world.victim.aliceSlug, world.victim.bobSlug, world.attacker.aliceSlug],
  keyId: [world.victim.spareKeyId],
  // Rotation is fuzzed on a spare source, so the webhook route's signing secret stays valid.
  sourceId: route.function === 'webhookSources' ? [world.victim.spareSourceId, world.attacker.sourceId] : [world.victim.sourceId, world.attacker.sourceId],
  file: ['style.css', 'common.js', 'icon.svg'],
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
  ],
  'PATCH /v1/campaigns/{campaignId}': [
    { name: 'Renamed', utm: { medium: 'social' }, attribution: { lookbackDays: 7 } },
    { destinationUrl: 'https://www.acme.example/jobs/2', allowedHosts: ['www.acme.example'] },
  ],
  'PUT /v1/advocates/{advocateId}': [{ displayName: 'Carol Jones', department: 'marketing' }],
  'POST /v1/links': [
    { campaignId: world.victim.campaignId, advocateId: 'alice', channel: 'x', destinationUrl: 'https://www.acme.example/jobs/7' },
  ],
  'POST /v1/api-keys': [{ name: 'ci', scopes: ['analytics:read', 'links:write'] }],
  'POST /v1/webhook-sources': [{ name: 'CRM' }],
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

export const fuzzContextFor = (world: World, route: RouteDefinition): RouteFuzzContext => ({
  route,
  ids: idsByParameter(world, route),
  credentials: validCredentials(world),
  bodies: validBodies(world)[routeKey(route)] ?? [],
  orgId: world.victim.orgId,
  ...(route.function === 'conversions' ? { sign: (body: Buffer) => signedHeaders(world, body) } : {}),
});

/** Hosts a redirect may send visitors to: the seeded campaigns' and the fuzzed ones'. */
export const allowedRedirectHosts = new Set(['www.acme.example', 'www.globex.example']);
