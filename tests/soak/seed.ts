/**
 * The soak's organization: campaigns, advocates, a link per advocate and channel in every
 * campaign, a webhook source, and the credentials the traffic uses (all of which the log and
 * table scans then look for).
 */
import { apiScopes } from '../../shared/domain/scopes.js';
import type { LocalIssuer } from '../../infra/local/issuer.js';

export interface SoakSeed {
  orgId: string;
  adminKey: string;
  analyticsKey: string;
  campaignIds: string[];
  advocateIds: string[];
  slugs: string[];
  advocateTokens: Record<string, string>;
  source: { sourceId: string; secret: string };
}

const call = async (baseUrl: string, method: string, path: string, token: string, body?: unknown) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await response.json()) as any;
  if (response.status >= 300) throw new Error(`seeding ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

export const seedOrganization = async (baseUrl: string, issuer: LocalIssuer): Promise<SoakSeed> => {
  const { createOrganization, createApiKey } = await import('../../shared/adapters/entities.js');
  const { orgId } = await createOrganization('Soak Industries');
  const { apiKey: adminKey } = await createApiKey(orgId, [...apiScopes], 'soak admin');
  const analyticsKey = (await call(baseUrl, 'POST', '/v1/api-keys', adminKey, { name: 'dashboards', scopes: ['analytics:read'] })).apiKey;

  const campaignIds: string[] = [];
  for (const [name, lookbackDays] of [['Hiring 2027', 30], ['Product launch', 7], ['Webinar', 14]] as const) {
    const slugName = name.toLowerCase().replace(/\s+/g, '-');
    const campaign = await call(baseUrl, 'POST', '/v1/campaigns', adminKey, {
      name,
      destinationUrl: `https://www.soak.example/${slugName}?ref=advocacy`,
      attribution: { lookbackDays },
    });
    campaignIds.push(campaign.campaignId);
  }
  const advocateIds = ['ana', 'ben', 'chloe', 'dev', 'emma', 'farid'];
  const departments = ['sales', 'engineering', 'marketing'];
  for (const [index, advocateId] of advocateIds.entries()) {
    await call(baseUrl, 'PUT', `/v1/advocates/${advocateId}`, adminKey, { displayName: `Advocate ${advocateId}`, department: departments[index % 3] });
  }
  const slugs: string[] = [];
  for (const campaignId of campaignIds) {
    for (const advocateId of advocateIds) {
      for (const channel of ['linkedin', 'email']) {
        slugs.push((await call(baseUrl, 'POST', '/v1/links', adminKey, { campaignId, advocateId, channel })).slug);
      }
    }
  }
  const source = await call(baseUrl, 'POST', '/v1/webhook-sources', adminKey, { name: 'Shop' });
  const advocateTokens: Record<string, string> = {};
  for (const advocateId of advocateIds) advocateTokens[advocateId] = await issuer.sign({ orgId, advocateId });
  return {
    orgId,
    adminKey,
    analyticsKey,
    campaignIds,
    advocateIds,
    slugs,
    advocateTokens,
    source: { sourceId: source.sourceId, secret: source.secret },
  };
};
