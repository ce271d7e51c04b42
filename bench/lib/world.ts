/**
 * The organization every scenario works on, seeded once per run through the product's own
 * adapters (so items have exactly the product's shape): campaigns, advocates, links issued the
 * way POST /v1/links issues them, an admin API key and a webhook source.
 */
import { randomBytes } from 'node:crypto';
import { apiScopes } from '../../shared/domain/scopes.js';
import { ensureTables } from '../../infra/local/tables.js';
import { createApiKey, createOrganization, issueLink, putAdvocate, putNewCampaign } from '../../shared/adapters/entities.js';
import { createWebhookSource } from '../../shared/adapters/webhook-sources.js';
import { newId } from '../../shared/domain/ids.js';
import type { Campaign } from '../../shared/domain/resources.js';
import { generateStructure, type SeededLink, type Structure } from './dataset.js';
import { forEachConcurrently } from './pool.js';

export interface WorldOptions {
  seed: number;
  campaigns: number;
  advocates: number;
}

export interface World {
  orgId: string;
  apiKey: string;
  sourceId: string;
  webhookSecret: string;
  /** A Stripe source (scenario 5's vendor route) and the signing secret it was created with. */
  stripeSourceId: string;
  stripeSecret: string;
  /** Env of the world's entities table (`TABLE_ENTITIES`), which every scenario shares. */
  entitiesEnv: Record<string, string>;
  campaignIds: string[];
  links: SeededLink[];
  structure: Structure;
}

/** Points the product's adapters in this process at the given tables. */
export const useTables = (env: Record<string, string>): void => {
  Object.assign(process.env, env);
};

export const newCampaign = (name: string, now = new Date().toISOString()): Campaign => ({
  campaignId: newId('cmp'),
  name,
  destinationUrl: `https://careers.example.com/jobs/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}?ref=advocacy`,
  allowedHosts: ['careers.example.com'],
  utm: { medium: 'employee_advocacy', campaign: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') },
  attribution: { model: 'last_click', lookbackDays: 30 },
  status: 'active',
  createdAt: now,
  updatedAt: now,
});

export const seedWorld = async (endpoint: string, prefix: string, options: WorldOptions): Promise<World> => {
  const tables = await ensureTables(endpoint, { prefix });
  useTables(tables.env);
  process.env.LOCAL_SECRETS_KEY ||= randomBytes(32).toString('base64');

  const structure = generateStructure({ ...options, linkPopularityExponent: 1.1 });
  const { orgId } = await createOrganization('Benchmark Inc.');
  const { apiKey } = await createApiKey(orgId, [...apiScopes], 'benchmark');
  const { source, secret } = await createWebhookSource(orgId, 'Benchmark shop');
  const stripeSecret = `whsec_bench${randomBytes(12).toString('hex')}`;
  const { source: stripeSource } = await createWebhookSource(orgId, 'Benchmark Stripe', 'stripe', stripeSecret);

  const campaigns = structure.campaigns.map((spec) => newCampaign(spec.name));
  await forEachConcurrently(campaigns, 4, (campaign) => putNewCampaign(orgId, campaign));
  campaigns.forEach((campaign, index) => (structure.campaigns[index].campaignId = campaign.campaignId));
  await forEachConcurrently(structure.advocates, 8, (advocate) =>
    putAdvocate(orgId, advocate.advocateId, { displayName: advocate.displayName, department: advocate.department }),
  );
  const links: SeededLink[] = new Array(structure.links.length);
  await forEachConcurrently(structure.links, 8, async (spec, index) => {
    const campaign = campaigns[spec.campaign];
    const { link } = await issueLink({
      orgId,
      campaignId: campaign.campaignId,
      advocateId: spec.advocateId,
      channel: spec.channel,
      destinationUrl: campaign.destinationUrl,
      ...(spec.department ? { department: spec.department } : {}),
    });
    spec.slug = link.slug;
    links[index] = {
      slug: link.slug,
      orgId,
      campaignId: campaign.campaignId,
      advocateId: spec.advocateId,
      channel: spec.channel,
      department: spec.department,
      weight: spec.weight,
    };
  });
  return {
    orgId,
    apiKey,
    sourceId: source.sourceId,
    webhookSecret: secret,
    stripeSourceId: stripeSource.sourceId,
    stripeSecret,
    entitiesEnv: { TABLE_ENTITIES: tables.tableNames.entities },
    campaignIds: campaigns.map((campaign) => campaign.campaignId),
    links,
    structure,
  };
};
