/**
 * Dashboard read APIs (spec section 7): attribution tables, leaderboard, advocate stats and raw
 * events. Counts come from the roll-up tables only; raw events are read only by the events route.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getAdvocatesByIds, getCampaign, getLinkHostnames, listAllCampaignIdsOfAdvocate } from '../shared/adapters/entities.js';
import { getOrganizationSettings } from '../shared/adapters/organization-settings.js';
import { defaultRankingVisibility } from '../shared/domain/ranking-visibility.js';
import { effectiveVisibility, pseudonymLabel, shownToOthers, type ShownAdvocate } from '../shared/domain/advocate-presentation.js';
import { eventPages, type EventType } from '../shared/adapters/event-reads.js';
import { readDimension, type DayRange } from '../shared/adapters/rollup-reads.js';
import { campaignStanding, leaderboardRows } from '../shared/application/rankings.js';
import type { AttributionModel } from '../shared/domain/attribution.js';
import {
  advocateStatsQuerySchema,
  attributionQuerySchema,
  eventsQuerySchema,
  groupBys,
  leaderboardQuerySchema,
  unattributedQuerySchema,
} from '../shared/contract/queries.js';
import { ORG_LEVEL_CAMPAIGN } from '../shared/domain/conversion-credit.js';
import { toCsvHeader, toCsvRow, csvColumns } from '../shared/domain/csv.js';
import { externalIdSchema, type Campaign } from '../shared/domain/resources.js';
import {
  compareByConversionsThenClicks,
  currenciesOf,
  reportNumbers,
} from '../shared/domain/report.js';
import { HttpError, decodeCursor, encodeCursor, json, pageLimit, parseQuery, pathParam, publicBaseUrlFor, type HttpResult } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import type { Principal } from '../shared/domain/principal.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

/** The organization's ranking default, read with its other privacy settings (one place parses them). */
const rankingDefaultOf = async (orgId: string) => (await getOrganizationSettings(orgId))?.rankingDefault ?? defaultRankingVisibility;

const MAX_RANGE_DAYS = 366;
const CSV_MAX_ROWS = 10_000;
/** How far down a ranking the leaderboard reads to fill its rows past hidden advocates. */
const MAX_LEADERBOARD_SCAN = 2_000;

/** from/to are inclusive UTC dates; either alone extends to the other end of the data. */
const rangeOf = (query: { from?: string; to?: string }): DayRange | undefined => {
  if (!query.from && !query.to) return undefined;
  const from = query.from ?? '2000-01-01';
  const to = query.to ?? new Date().toISOString().slice(0, 10);
  if (from > to) throw new HttpError(400, 'from must not be after to', [{ field: 'from', message: 'is after to' }]);
  if (query.from && (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 > MAX_RANGE_DAYS) {
    throw new HttpError(400, `A range spans at most ${MAX_RANGE_DAYS} days`, [{ field: 'to', message: 'range too long' }]);
  }
  return { from, to };
};

const campaignOf = async (principal: Principal, event: APIGatewayProxyEventV2): Promise<Campaign> => {
  const campaign = await getCampaign(principal.orgId, pathParam(event, 'campaignId'));
  if (!campaign) throw new HttpError(404, 'Campaign not found');
  return campaign;
};

const labelsFor = async (orgId: string, groupBy: (typeof groupBys)[number], keys: string[], baseUrl: string) => {
  if (groupBy === 'advocate') {
    const shown = await shownAdvocates(orgId, keys);
    return (key: string) => shown.get(key)?.label ?? key;
  }
  if (groupBy === 'link') {
    // A link's label is its short URL, on the domain it was issued on.
    const hostnames = await getLinkHostnames(orgId, keys);
    return (key: string) => {
      const hostname = hostnames.get(key);
      return hostname ? `https://${hostname}/${key}` : `${baseUrl}/${key}`;
    };
  }
  if (groupBy === 'country') return countryName;
  return (key: string) => key;
};

/**
 * How advocates appear to the caller of a ranking — API keys included: the dashboard is seen by
 * managers and colleagues, so it follows each advocate's choice (docs/privacy.md). Absent: not listed.
 */
const shownAdvocates = async (orgId: string, advocateIds: string[]): Promise<Map<string, ShownAdvocate>> => {
  const [advocates, organizationDefault] = await Promise.all([getAdvocatesByIds(orgId, advocateIds), rankingDefaultOf(orgId)]);
  const shown = new Map<string, ShownAdvocate>();
  for (const advocateId of advocateIds) {
    const view = shownToOthers(advocateId, advocates.get(advocateId), organizationDefault);
    if (view) shown.set(advocateId, view);
  }
  return shown;
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** A country row's label: the English name of its code ("FR" → "France"); `unknown` stays. */
const countryName = (key: string): string => {
  if (!/^[A-Z]{2}$/.test(key)) return key;
  try {
    return regionNames.of(key) ?? key;
  } catch {
    return key;
  }
};

const offsetCursor = (orgId: string, offset: number, total: number) =>
  offset < total ? encodeCursor({ offset }, orgId) : null;

const offsetOf = (cursor: string | undefined, orgId: string): number => {
  const decoded = decodeCursor(cursor, orgId);
  const offset = decoded?.offset;
  if (decoded && (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)) {
    throw new HttpError(400, 'Invalid cursor', [{ field: 'cursor', message: 'is not a cursor this API issued' }]);
  }
  return (offset as number | undefined) ?? 0;
};

const attribution = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const query = parseQuery(event, attributionQuerySchema);
  const campaign = await campaignOf(principal, event);
  const model: AttributionModel = query.model ?? campaign.attribution.model;
  const groupBy = query.groupBy ?? 'advocate';
  const range = rangeOf(query);
  const limit = pageLimit(query.limit);
  const offset = offsetOf(query.cursor, principal.orgId);
  const { orgId } = principal;

  const [totalsRows, grouped] = await Promise.all([
    readDimension(orgId, campaign.campaignId, 'campaign', range),
    groupBy === 'day'
      ? readDimension(orgId, campaign.campaignId, 'campaign', range, true)
      : readDimension(orgId, campaign.campaignId, groupBy, range),
  ]);
  const entries = [...grouped].map(([key, counters]) => ({ key, counters }));
  if (groupBy === 'day') entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else entries.sort(compareByConversionsThenClicks(model));
  const page = entries.slice(offset, offset + limit);
  const label = await labelsFor(orgId, groupBy, page.map((row) => row.key), publicBaseUrlFor(event));
  // Advocates hidden from rankings are left out of the page (it may hold fewer rows than `limit`;
  // the totals still count them); pseudonymous ones carry their pseudonym's key, not their id.
  const shown = groupBy === 'advocate' ? await shownAdvocates(orgId, page.map((row) => row.key)) : undefined;
  const visible = shown ? page.filter((row) => shown.has(row.key)).map((row) => ({ ...row, key: shown.get(row.key)!.advocateId, id: row.key })) : page.map((row) => ({ ...row, id: row.key }));

  return json(200, {
    campaignId: campaign.campaignId,
    model,
    groupBy,
    from: range?.from ?? null,
    to: range?.to ?? null,
    totals: reportNumbers(totalsRows.get('all'), model),
    rows: visible.map(({ key, id, counters }) => {
      const { botClicks: _bots, ...numbers } = reportNumbers(counters, model);
      return { key, label: label(id), ...numbers };
    }),
    nextCursor: offsetCursor(orgId, offset + limit, entries.length),
  });
};

const leaderboard = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const query = parseQuery(event, leaderboardQuerySchema);
  const campaign = await campaignOf(principal, event);
  const model = query.model ?? campaign.attribution.model;
  const metric = query.metric ?? 'conversions';
  const limit = pageLimit(query.limit, 10);
  const range = rangeOf(query);
  const { orgId } = principal;
  const currency =
    metric === 'revenue' ? (query.currency ?? currenciesOf((await readDimension(orgId, campaign.campaignId, 'campaign', range)).get('all'), model)[0]) : undefined;
  // Hidden advocates are left out and their places not given to others (ranks are over everyone):
  // read further down the ranking until `limit` advocates can be shown or none are left.
  let wanted = limit;
  let ranked: Awaited<ReturnType<typeof leaderboardRows>>;
  let shown: Map<string, ShownAdvocate>;
  for (;;) {
    ranked = await leaderboardRows(orgId, campaign.campaignId, metric, model, currency, range, wanted);
    shown = await shownAdvocates(orgId, ranked.map((row) => row.advocateId));
    if (shown.size >= limit || ranked.length < wanted || wanted >= MAX_LEADERBOARD_SCAN) break;
    wanted = Math.min(MAX_LEADERBOARD_SCAN, wanted * 2 + (limit - shown.size));
  }
  return json(200, {
    campaignId: campaign.campaignId,
    metric,
    model,
    ...(metric === 'revenue' ? { currency: currency ?? null } : {}),
    from: range?.from ?? null,
    to: range?.to ?? null,
    rows: ranked
      .filter((row) => shown.has(row.advocateId))
      .slice(0, limit)
      .map(({ advocateId, counters, rank }) => {
        const { botClicks: _bots, ...numbers } = reportNumbers(counters, model);
        const view = shown.get(advocateId)!;
        return { rank, advocateId: view.advocateId, displayName: view.label, ...(view.department ? { department: view.department } : {}), ...numbers };
      }),
  });
};

const advocateStats = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const advocateId = pathParam(event, 'advocateId');
  // The router admits keys with analytics:read and advocates; an advocate sees only itself.
  if (principal.kind === 'advocate' && principal.advocateId !== advocateId) throw new HttpError(404, 'Advocate not found');
  if (!externalIdSchema.safeParse(advocateId).success) throw new HttpError(404, 'Advocate not found');
  const query = parseQuery(event, advocateStatsQuerySchema);
  const range = rangeOf(query);
  const { orgId } = principal;
  const [advocate, organizationDefault] = await Promise.all([getAdvocatesByIds(orgId, [advocateId]).then((found) => found.get(advocateId)), rankingDefaultOf(orgId)]);
  if (!advocate) throw new HttpError(404, 'Advocate not found');

  const campaignIds = await listAllCampaignIdsOfAdvocate(orgId, advocateId);
  const campaigns = (await Promise.all(campaignIds.map((id) => getCampaign(orgId, id)))).filter(
    (campaign): campaign is Campaign => campaign !== undefined,
  );
  const perCampaign = await Promise.all(
    campaigns.map(async (campaign) => {
      const model = query.model ?? campaign.attribution.model;
      const { counters, rank, advocates } = await campaignStanding(orgId, campaign.campaignId, advocateId, model, range);
      const { botClicks: _bots, ...numbers } = reportNumbers(counters, model);
      return {
        campaignId: campaign.campaignId,
        campaignName: campaign.name,
        status: campaign.status,
        model,
        ...numbers,
        rank,
        advocates,
      };
    }),
  );
  return json(200, {
    advocateId,
    // The advocate sees its own name (an offboarded one has none left: its pseudonym).
    displayName: advocate.displayName ?? (advocate.pseudonym ? pseudonymLabel(advocate.pseudonym) : advocateId),
    rankingVisibility: effectiveVisibility(advocate, organizationDefault),
    from: range?.from ?? null,
    to: range?.to ?? null,
    campaigns: perCampaign,
  });
};

const wantsCsv = (event: APIGatewayProxyEventV2) => /\btext\/csv\b/i.test(event.headers?.accept ?? '');

const events = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const query = parseQuery(event, eventsQuerySchema);
  const campaign = await campaignOf(principal, event);
  const type: EventType = query.type ?? 'click';
  const range = rangeOf(query);
  const startKey = decodeCursor(query.cursor, principal.orgId);
  const pages = eventPages(principal.orgId, campaign.campaignId, type, range, startKey);

  if (!wantsCsv(event)) {
    const limit = pageLimit(query.limit);
    const first = await pages.next(limit);
    return json(200, {
      campaignId: campaign.campaignId,
      type,
      items: first.items,
      nextCursor: encodeCursor(first.nextKey, principal.orgId),
    });
  }

  // CSV: written page by page into the response; API Gateway buffers a Lambda response (6 MB),
  // so one response carries at most CSV_MAX_ROWS rows and names the next cursor in a header.
  const columns = csvColumns[type];
  const chunks: string[] = [toCsvHeader(columns)];
  let rows = 0;
  let nextKey: Record<string, unknown> | undefined;
  do {
    const page = await pages.next(Math.min(1000, CSV_MAX_ROWS - rows));
    for (const item of page.items) chunks.push(toCsvRow(columns, item));
    rows += page.items.length;
    nextKey = page.nextKey;
  } while (nextKey && rows < CSV_MAX_ROWS);
  const nextCursor = encodeCursor(nextKey, principal.orgId);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${campaign.campaignId}-${type}s.csv"`,
      'cache-control': 'no-store',
      ...(nextCursor ? { 'x-next-cursor': nextCursor } : {}),
    },
    body: chunks.join(''),
  };
};

/** Conversions no click could be found for, per organization (spec section 5). */
const unattributed = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const range = rangeOf(parseQuery(event, unattributedQuerySchema));
  const rows = await readDimension(principal.orgId, ORG_LEVEL_CAMPAIGN, 'unattributed', range);
  return json(200, { from: range?.from ?? null, to: range?.to ?? null, conversions: rows.get('all')?.conversions ?? 0 });
};

const router = createRouter('analytics', {
  'GET /v1/conversions/unattributed': unattributed,
  'GET /v1/campaigns/{campaignId}/attribution': attribution,
  'GET /v1/campaigns/{campaignId}/leaderboard': leaderboard,
  'GET /v1/advocates/{advocateId}/stats': advocateStats,
  'GET /v1/campaigns/{campaignId}/events': events,
});

export const handler = middy(router).use(requestLogging());
