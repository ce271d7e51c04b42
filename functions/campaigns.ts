/** Campaign management: POST/GET /v1/campaigns, GET/PATCH /v1/campaigns/{campaignId}. */
import middy from '@middy/core';
import { getCampaign, listCampaigns, putNewCampaign, replaceCampaign } from '../shared/adapters/entities.js';
import { defaultAttributionModel, defaultLookbackDays } from '../shared/domain/attribution.js';
import { isHostAllowed, normaliseAllowedHostEntry, parseDestination } from '../shared/domain/destination.js';
import { newId } from '../shared/domain/ids.js';
import { slugifyName } from '../shared/domain/redirect-url.js';
import { shareTemplateProblems, type ShareTemplates } from '../shared/domain/share-template.js';
import {
  campaignCreateSchema,
  campaignPatchSchema,
  type Campaign,
  type CampaignPatch,
} from '../shared/domain/resources.js';
import { HttpError, decodeCursor, encodeCursor, json, pageLimit, parseJsonBody, parseQuery, pathParam } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import type { Principal } from '../shared/domain/principal.js';
import { requestLogging } from '../shared/adapters/request-logging.js';
import { pageQuerySchema } from '../shared/contract/queries.js';

/** Any key of the organization may read campaigns; advocates see active ones only. */
const canSee = (principal: Principal, campaign: Campaign) =>
  principal.kind === 'apiKey' || campaign.status === 'active';

/** Checks destination and allowed hosts together: the destination must be one of them. */
const validatedTargets = (destinationUrl: string, allowedHosts: string[] | undefined) => {
  const destination = parseDestination(destinationUrl);
  if (!destination.ok) {
    throw new HttpError(422, 'Invalid destination', [{ field: 'destinationUrl', message: destination.reason }]);
  }
  // Entries keep their `*.` wildcard; one that names no usable host is refused, not stored as "".
  const entries = (allowedHosts ?? [destination.host]).map((host) => ({ host, normalised: normaliseAllowedHostEntry(host) }));
  const unusable = entries.findIndex((entry) => entry.normalised === null);
  if (unusable !== -1) {
    throw new HttpError(422, 'Invalid allowed host', [
      { field: `allowedHosts.${unusable}`, message: 'must be a host name, optionally starting with *. (not a whole top-level domain)' },
    ]);
  }
  const hosts = [...new Set(entries.map((entry) => entry.normalised as string))];
  if (!isHostAllowed(destination.host, hosts)) {
    throw new HttpError(422, 'The destination must be on an allowed host', [
      { field: 'destinationUrl', message: `host ${destination.host} is not in allowedHosts` },
    ]);
  }
  return { destinationUrl: destination.url, allowedHosts: hosts };
};

/**
 * The suggested posts to store: checked against the campaign's name (422 naming each channel and
 * its length), and none at all rather than an empty map.
 */
const checkedShareTemplates = (templates: ShareTemplates | null | undefined, campaignName: string): { shareTemplates?: ShareTemplates } => {
  if (!templates || Object.keys(templates).length === 0) return {};
  const errors = shareTemplateProblems(templates, campaignName);
  if (errors.length > 0) throw new HttpError(422, `Suggested posts refused: ${errors.map((error) => error.message).join('; ')}`, errors);
  return { shareTemplates: templates };
};

const applyPatch = (current: Campaign, patch: CampaignPatch): Campaign => {
  // A rename is checked against the kept posts too: `{campaignName}` grows with it.
  const { shareTemplates: kept, ...campaign } = current;
  const templates =
    patch.shareTemplates !== undefined || patch.name !== undefined
      ? checkedShareTemplates(patch.shareTemplates === undefined ? kept : patch.shareTemplates, patch.name ?? campaign.name)
      : { ...(kept ? { shareTemplates: kept } : {}) };
  const targets =
    patch.destinationUrl !== undefined || patch.allowedHosts !== undefined
      ? validatedTargets(patch.destinationUrl ?? campaign.destinationUrl, patch.allowedHosts ?? campaign.allowedHosts)
      : { destinationUrl: campaign.destinationUrl, allowedHosts: campaign.allowedHosts };
  return {
    ...campaign,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...targets,
    utm: { ...campaign.utm, ...patch.utm },
    attribution: { ...campaign.attribution, ...patch.attribution },
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...templates,
    updatedAt: new Date().toISOString(),
  };
};

const router = createRouter('campaigns', {
  'POST /v1/campaigns': async (event, principal) => {
    const { orgId } = principal;
    const input = parseJsonBody(event, campaignCreateSchema);
    const timestamp = new Date().toISOString();
    const campaign: Campaign = {
      campaignId: newId('cmp'),
      name: input.name,
      ...validatedTargets(input.destinationUrl, input.allowedHosts),
      utm: {
        medium: input.utm?.medium ?? 'employee_advocacy',
        campaign: input.utm?.campaign ?? slugifyName(input.name),
      },
      attribution: {
        model: input.attribution?.model ?? defaultAttributionModel,
        lookbackDays: input.attribution?.lookbackDays ?? defaultLookbackDays,
      },
      status: 'active',
      ...checkedShareTemplates(input.shareTemplates, input.name),
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    await putNewCampaign(orgId, campaign);
    return json(201, campaign, { location: `/v1/campaigns/${campaign.campaignId}` });
  },

  'GET /v1/campaigns': async (event, principal) => {
    const query = parseQuery(event, pageQuerySchema);
    const limit = pageLimit(query.limit);
    const page = await listCampaigns(principal.orgId, limit, decodeCursor(query.cursor, principal.orgId));
    return json(200, {
      items: page.items.filter((campaign) => canSee(principal, campaign)),
      nextCursor: encodeCursor(page.nextKey, principal.orgId),
    });
  },

  'GET /v1/campaigns/{campaignId}': async (event, principal) => {
    const campaign = await getCampaign(principal.orgId, pathParam(event, 'campaignId'));
    if (!campaign || !canSee(principal, campaign)) throw new HttpError(404, 'Campaign not found');
    return json(200, campaign);
  },

  'PATCH /v1/campaigns/{campaignId}': async (event, principal) => {
    const { orgId } = principal;
    const patch = parseJsonBody(event, campaignPatchSchema);
    const campaignId = pathParam(event, 'campaignId');
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await getCampaign(orgId, campaignId, true);
      if (!current) throw new HttpError(404, 'Campaign not found');
      const next = applyPatch(current, patch);
      if (await replaceCampaign(orgId, next, current.updatedAt)) return json(200, next);
    }
    throw new HttpError(409, 'The campaign changed concurrently; retry the request');
  },
});

export const handler = middy(router).use(requestLogging());
