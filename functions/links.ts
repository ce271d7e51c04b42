/**
 * Tracked links: POST/GET /v1/links, GET/DELETE /v1/links/{slug}, GET /v1/links/{slug}/qr.
 * Advocates act for themselves; API keys with links:write act for any advocate.
 */
import middy from '@middy/core';
import {
  disableLink,
  ensureAdvocate,
  getAdvocate,
  getCampaign,
  getLink,
  issueLink,
  listLinks,
  type LinkRecord,
} from '../shared/adapters/entities.js';
import { getLinkStats } from '../shared/adapters/rollup-reads.js';
import { primaryDomainOf } from '../shared/adapters/domains.js';
import { isHostAllowed, parseDestination } from '../shared/domain/destination.js';
import { isValidSlug } from '../shared/domain/ids.js';
import { linkCreateSchema, type Link } from '../shared/domain/resources.js';
import { linkListQuerySchema, qrQuerySchema } from '../shared/contract/queries.js';
import { qrCodeResponse } from '../shared/contract/qr-code.js';
import { HttpError, decodeCursor, encodeCursor, json, pageLimit, parseJsonBody, parseQuery, pathParam, publicBaseUrlFor } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import type { Principal } from '../shared/domain/principal.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

/** A link's short URL: on the domain it was issued on, or the default domain. */
const shortUrlOf = (record: LinkRecord, baseUrl: string): string =>
  record.hostname ? `https://${record.hostname}/${record.slug}` : `${baseUrl}/${record.slug}`;

const present = (record: LinkRecord, baseUrl: string): Link => ({
  slug: record.slug,
  shortUrl: shortUrlOf(record, baseUrl),
  campaignId: record.campaignId,
  advocateId: record.advocateId,
  channel: record.channel,
  destinationUrl: record.destinationUrl,
  createdAt: record.createdAt,
  disabled: record.disabled,
});

/** The link if the principal may see it: its organization's keys, or the advocate who owns it. */
const visibleLink = async (principal: Principal, slug: string): Promise<LinkRecord> => {
  const link = isValidSlug(slug) ? await getLink(principal.orgId, slug) : undefined;
  if (!link || (principal.kind === 'advocate' && link.advocateId !== principal.advocateId)) {
    throw new HttpError(404, 'Link not found');
  }
  return link;
};

const router = createRouter('links', {
  'POST /v1/links': async (event, principal) => {
    const input = parseJsonBody(event, linkCreateSchema);
    let advocateId: string;
    if (principal.kind === 'advocate') {
      if (input.advocateId !== undefined && input.advocateId !== principal.advocateId) {
        throw new HttpError(403, 'Advocates issue links only for themselves');
      }
      advocateId = principal.advocateId;
    } else {
      if (!input.advocateId) {
        throw new HttpError(422, 'advocateId is required with an API key', [{ field: 'advocateId', message: 'is required' }]);
      }
      advocateId = input.advocateId;
    }
    // The organization's primary domain now is the link's for good (spec section 12).
    const [campaign, hostname] = await Promise.all([getCampaign(principal.orgId, input.campaignId), primaryDomainOf(principal.orgId)]);
    if (!campaign) throw new HttpError(404, 'Campaign not found');
    if (campaign.status !== 'active') throw new HttpError(409, 'The campaign is archived; it issues no new links');

    const advocate =
      principal.kind === 'advocate'
        ? await ensureAdvocate(principal.orgId, advocateId)
        : await getAdvocate(principal.orgId, advocateId);
    if (!advocate) throw new HttpError(404, 'Advocate not found; create it with PUT /v1/advocates/{advocateId}');
    if (advocate.offboardedAt) throw new HttpError(409, 'The advocate was offboarded; it issues no new links');

    let destinationUrl = campaign.destinationUrl;
    if (input.destinationUrl !== undefined) {
      const destination = parseDestination(input.destinationUrl);
      if (!destination.ok) {
        throw new HttpError(422, 'Invalid destination', [{ field: 'destinationUrl', message: destination.reason }]);
      }
      if (!isHostAllowed(destination.host, campaign.allowedHosts)) {
        throw new HttpError(422, "The destination is not on one of the campaign's allowed hosts", [
          { field: 'destinationUrl', message: `host ${destination.host} is not allowed` },
        ]);
      }
      destinationUrl = destination.url;
    }

    const { link, created } = await issueLink({
      orgId: principal.orgId,
      campaignId: campaign.campaignId,
      advocateId,
      channel: input.channel,
      destinationUrl,
      ...(advocate.department ? { department: advocate.department } : {}),
      ...(hostname ? { hostname } : {}),
    });
    return json(created ? 201 : 200, present(link, publicBaseUrlFor(event)));
  },

  'GET /v1/links': async (event, principal) => {
    const query = parseQuery(event, linkListQuerySchema);
    const limit = pageLimit(query.limit);
    let advocateId = query.advocateId;
    if (principal.kind === 'advocate') {
      if (advocateId !== undefined && advocateId !== principal.advocateId) return json(200, { items: [], nextCursor: null });
      advocateId = principal.advocateId;
    } else if (!query.campaignId && !advocateId) {
      throw new HttpError(400, 'campaignId or advocateId is required', [
        { field: 'campaignId', message: 'campaignId or advocateId is required' },
      ]);
    }
    const page = await listLinks(
      principal.orgId,
      { campaignId: query.campaignId, advocateId },
      limit,
      decodeCursor(query.cursor, principal.orgId),
    );
    return json(200, { items: page.items.map((l) => present(l, publicBaseUrlFor(event))), nextCursor: encodeCursor(page.nextKey, principal.orgId) });
  },

  'GET /v1/links/{slug}': async (event, principal) => {
    const link = await visibleLink(principal, pathParam(event, 'slug'));
    const stats = await getLinkStats(principal.orgId, link.campaignId, link.slug);
    return json(200, { ...present(link, publicBaseUrlFor(event)), stats });
  },

  'GET /v1/links/{slug}/qr': async (event, principal) => {
    const { format = 'svg' } = parseQuery(event, qrQuerySchema);
    const link = await visibleLink(principal, pathParam(event, 'slug'));
    return qrCodeResponse(shortUrlOf(link, publicBaseUrlFor(event)), format, link.slug);
  },

  'DELETE /v1/links/{slug}': async (event, principal) => {
    const link = await visibleLink(principal, pathParam(event, 'slug'));
    const disabled = await disableLink(principal.orgId, link.slug);
    if (!disabled) throw new HttpError(404, 'Link not found');
    return json(200, present(disabled, publicBaseUrlFor(event)));
  },
});

export const handler = middy(router).use(requestLogging());
