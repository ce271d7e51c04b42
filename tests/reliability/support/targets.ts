/**
 * One concrete request per route, aimed at chosen resource ids: the isolation matrix sends the
 * same request with another tenant's ids, with ids that do not exist, and with the owner's ids.
 */
import { createHash } from 'node:crypto';
import { routeKey, type RouteDefinition } from '../../../shared/contract/routes.js';
import { newId, newSlug, newVisitorId } from '../../../shared/domain/ids.js';
import { scanAll, stable } from './table-watch.js';

/** The kinds of resource a path parameter can name. */
export interface Targets {
  campaignId: string;
  advocateId: string;
  slug: string;
  keyId: string;
  sourceId: string;
  file: string;
  hostname: string;
  exportId: string;
  erasureId: string;
  /** Not a path parameter: the browser an erasure request names in its body. */
  visitorId: string;
}

export const knownParameters = ['campaignId', 'advocateId', 'slug', 'keyId', 'sourceId', 'file', 'hostname', 'exportId', 'erasureId'] as const;

export const parametersOf = (route: RouteDefinition): string[] =>
  [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);

/** Ids of the same shapes that name nothing. */
export const nonexistentTargets = (): Targets => ({
  campaignId: newId('cmp'),
  advocateId: `nobody-${newSlug(8)}`,
  slug: newSlug(8),
  keyId: newSlug(12),
  sourceId: newId('src'),
  file: 'style.css',
  hostname: `nobody-${newSlug(8).toLowerCase()}.example`,
  exportId: newId('exp'),
  erasureId: newId('era'),
  visitorId: newVisitorId(),
});

/** Query and body that make each route act on the targets. */
const queryFor: Record<string, (t: Targets) => string> = {
  'GET /v1/links': (t) => `?campaignId=${t.campaignId}&advocateId=${encodeURIComponent(t.advocateId)}`,
};

const bodyFor: Record<string, (t: Targets) => unknown> = {
  'POST /v1/campaigns': () => ({ name: 'Isolation probe', destinationUrl: 'https://probe.example/' }),
  'PATCH /v1/campaigns/{campaignId}': () => ({ name: 'Hijacked' }),
  'PUT /v1/advocates/{advocateId}': () => ({ displayName: 'Hijacked' }),
  'PATCH /v1/advocates/{advocateId}': () => ({ rankingVisibility: 'hidden' }),
  'POST /v1/links': (t) => ({ campaignId: t.campaignId, advocateId: t.advocateId, channel: 'x' }),
  'POST /v1/shares': (t) => ({ campaignId: t.campaignId, advocateId: t.advocateId, channel: 'x' }),
  'POST /v1/api-keys': () => ({ name: 'escalation', scopes: ['admin'] }),
  'POST /v1/webhook-sources': () => ({ name: 'Isolation probe' }),
  // A hostname nobody holds yet, per request.
  'POST /v1/domains': () => ({ hostname: `probe-${newSlug(10).toLowerCase()}.isolation.example` }),
  // Not `true`: a primary domain cannot be deleted, and the matrix deletes the same domain too.
  'PATCH /v1/domains/{hostname}': () => ({ primary: false }),
  // The same setting it has: the control succeeds, and no later row sees another setting.
  'PATCH /v1/organization': () => ({ visitorCookies: 'respect-gpc' }),
  // Another organization's erasure of the victim's browser is its own (202) and must leave the victim's click be.
  'POST /v1/privacy/erasures': (t) => ({ visitorId: t.visitorId }),
  'POST /v1/exports': (t) => {
    const today = new Date().toISOString().slice(0, 10);
    return { campaignId: t.campaignId, from: today, to: today, type: 'click', format: 'csv' };
  },
};

export interface TargetedRequest {
  method: string;
  target: string;
  body?: unknown;
}

export const requestFor = (route: RouteDefinition, targets: Targets): TargetedRequest => {
  const key = routeKey(route);
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent((targets as unknown as Record<string, string>)[name] ?? 'unknown-parameter'),
  );
  return { method: route.method, target: `${path}${queryFor[key]?.(targets) ?? ''}`, body: bodyFor[key]?.(targets) };
};

// ---------------------------------------------------------------------------------------------
// Ownership

const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'];

/** An item of the organization: it names it, or one of its keys contains its id. */
export const ownedBy = (item: Record<string, unknown>, orgId: string): boolean =>
  item.orgId === orgId || keyAttributes.some((name) => typeof item[name] === 'string' && (item[name] as string).includes(orgId));

/**
 * Items a handler must read to learn whose they are: links, webhook sources, API keys and short
 * domains live under their own id (the redirect, the webhook and the authorizer know nothing
 * else; a hostname belongs to one organization), so a request naming one reads it, compares its
 * organization and answers "not found".
 */
export const isOwnershipProbe = (item: Record<string, unknown>): boolean =>
  typeof item.pk === 'string' && /^(LINK|SOURCE|APIKEY|DOMAIN)#/.test(item.pk);

/** Hash of every item the organization owns, in every table. */
export const tenantFingerprint = async (orgId: string): Promise<{ items: number; sha256: string }> => {
  const owned: string[] = [];
  for (const table of ['entities', 'events', 'rollups'] as const) {
    for (const item of await scanAll(table)) if (ownedBy(item, orgId)) owned.push(stable(item));
  }
  owned.sort();
  return { items: owned.length, sha256: createHash('sha256').update(owned.join('\n')).digest('hex') };
};
