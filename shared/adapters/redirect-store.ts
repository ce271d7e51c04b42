/**
 * What the redirect needs from DynamoDB: the link with its campaign's tracking settings and the
 * holder of a short domain (both cached per container), the visitor's recent clicks (for the
 * unique rule) and the click write.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config, tableName } from './config.js';
import { isHostAllowed, parseDestination } from '../domain/destination.js';
import { createTtlCache, type TtlCache } from './ttl-cache.js';
import { documentClient } from './dynamo.js';
import { clickItemKeys, entityKeys, eventKeys } from './keys.js';
import type { ClickEventRecord } from '../domain/events.js';
import { hotClickRetentionDays } from '../settings.js';
import { VISITOR_COOKIES_ATTRIBUTE, visitorCookiePolicyOf, type VisitorCookiePolicy } from '../domain/visitor-cookies.js';

export interface RedirectTarget {
  slug: string;
  orgId: string;
  campaignId: string;
  advocateId: string;
  channel: string;
  department?: string;
  destinationUrl: string;
  /** Disabled link or archived campaign: redirect, record nothing. */
  tracking: boolean;
  utmMedium: string;
  utmCampaign: string;
  /** The short domain the link was issued on; absent: the default domain. */
  hostname?: string;
  /** The organization's `visitorCookies` setting (spec section 16). */
  visitorCookies: VisitorCookiePolicy;
}

/**
 * Time budgets of the redirect's database calls. Whatever the database does — down, throttled,
 * hung — the redirect answers well inside its 5 s Lambda timeout: a lookup that takes too long
 * falls back to the cached link, a click write that takes too long is counted as lost.
 */
const LOOKUP_BUDGET_MS = 1000;
const WRITE_BUDGET_MS = 1500;
const within = (ms: number) => ({ abortSignal: AbortSignal.timeout(ms) });

/** Links by slug; `null` remembers an unknown slug. */
const cache = createTtlCache<RedirectTarget | null>(10_000);

/**
 * A link keeps the destination it was issued with while its host stays allowed; if the campaign
 * later drops that host, the link falls back to the campaign's destination — never an open
 * redirect. Decided when the cache is filled, not per click.
 */
const allowedDestination = (linkDestination: string, campaign: Record<string, unknown>): string => {
  const parsed = parseDestination(linkDestination);
  const allowedHosts = (campaign.allowedHosts as string[] | undefined) ?? [];
  return parsed.ok && isHostAllowed(parsed.host, allowedHosts) ? parsed.url : String(campaign.destinationUrl);
};

type CampaignSettings = Record<string, unknown> & { status: string; utm: { medium: string; campaign: string } };

/**
 * Campaigns are cached apart from links (same TTL): a campaign has many links, so a link seen
 * for the first time costs one read, not two.
 */
const campaignCache = createTtlCache<Promise<CampaignSettings | undefined>>(2_000);

const loadCampaign = async (orgId: string, campaignId: string): Promise<CampaignSettings | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName('entities'),
      Key: entityKeys.campaign(orgId, campaignId),
      ProjectionExpression: '#status, utm, allowedHosts, destinationUrl',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
    within(LOOKUP_BUDGET_MS),
  );
  return Item as CampaignSettings | undefined;
};

const campaignSettings = (orgId: string, campaignId: string, ttlMs: number): Promise<CampaignSettings | undefined> => {
  const key = `${orgId}\u0000${campaignId}`;
  const cached = campaignCache.get(key);
  if (cached) return cached.value;
  const value = loadCampaign(orgId, campaignId);
  campaignCache.set(key, value, ttlMs);
  // A failed read is not remembered.
  value.catch(() => campaignCache.stale(key)?.value === value && campaignCache.delete(key));
  return value;
};

/**
 * Organizations' cookie settings, cached like campaigns and read together with a link's campaign
 * (in parallel): one more small read per organization and container, none per click.
 */
const organizationCache = createTtlCache<Promise<VisitorCookiePolicy>>(10_000);
const loadVisitorCookiePolicy = async (orgId: string): Promise<VisitorCookiePolicy> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('entities'), Key: entityKeys.org(orgId), ProjectionExpression: VISITOR_COOKIES_ATTRIBUTE }),
    within(LOOKUP_BUDGET_MS),
  );
  return visitorCookiePolicyOf(Item?.[VISITOR_COOKIES_ATTRIBUTE]);
};

const cachedVisitorCookiePolicy = (orgId: string, ttlMs: number): Promise<VisitorCookiePolicy> => {
  const cached = organizationCache.get(orgId);
  if (cached) return cached.value;
  const value = loadVisitorCookiePolicy(orgId);
  organizationCache.set(orgId, value, ttlMs);
  value.catch(() => organizationCache.stale(orgId)?.value === value && organizationCache.delete(orgId));
  return value;
};

const loadTarget = async (slug: string): Promise<RedirectTarget | null> => {
  const { Item: link } = await documentClient().send(
    new GetCommand({ TableName: tableName('entities'), Key: entityKeys.link(slug) }),
    within(LOOKUP_BUDGET_MS),
  );
  if (!link) return null;
  const [campaign, visitorCookies] = await Promise.all([
    campaignSettings(link.orgId, link.campaignId, config.linkCacheTtlMs),
    cachedVisitorCookiePolicy(link.orgId, config.linkCacheTtlMs),
  ]);
  if (!campaign) return null;
  return {
    slug,
    orgId: link.orgId,
    campaignId: link.campaignId,
    advocateId: link.advocateId,
    channel: link.channel,
    department: link.department,
    destinationUrl: allowedDestination(link.destinationUrl, campaign),
    tracking: !link.disabled && campaign.status === 'active',
    utmMedium: campaign.utm.medium,
    utmCampaign: campaign.utm.campaign,
    ...(link.hostname ? { hostname: link.hostname } : {}),
    visitorCookies,
  };
};

/**
 * A cached lookup: a hit answers at once; concurrent misses for one key share a single read;
 * when the database is unreachable a value read before keeps answering, however stale (a link
 * never breaks because the database is down; spec section 11). An unknown key cannot.
 */
const cachedLookup = <V>(cache: TtlCache<V>, load: (key: string) => Promise<V>) => {
  const loading = new Map<string, Promise<V>>();
  const loadOnce = (key: string): Promise<V> => {
    let pending = loading.get(key);
    if (!pending) {
      pending = load(key).finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    return pending;
  };
  return async (key: string): Promise<V> => {
    const hit = cache.get(key);
    if (hit) return hit.value;
    let value: V;
    try {
      value = await loadOnce(key);
    } catch (error) {
      const stale = cache.stale(key);
      if (stale) return stale.value;
      throw error;
    }
    cache.set(key, value, config.linkCacheTtlMs);
    return value;
  };
};

/**
 * The link and its campaign, from a bounded per-container cache. A disabled link or archived
 * campaign may keep being tracked for at most LINK_CACHE_TTL_MS after the change (documented),
 * or for as long as the database is unreachable.
 */
export const resolveRedirectTarget: (slug: string) => Promise<RedirectTarget | null> = cachedLookup(cache, loadTarget);

/** Short domains' holders by hostname; `null`: no organization's verified domain. */
const domainCache = createTtlCache<string | null>(10_000);

const loadDomainHolder = async (hostname: string): Promise<string | null> => {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName('entities'),
      Key: entityKeys.domain(hostname),
      ProjectionExpression: 'orgId, #status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
    within(LOOKUP_BUDGET_MS),
  );
  return Item?.status === 'verified' ? String(Item.orgId) : null;
};

/**
 * The organization whose verified domain a hostname is, cached like links: a domain removed or
 * handed over stops serving its links within LINK_CACHE_TTL_MS.
 */
export const resolveDomainHolder: (hostname: string) => Promise<string | null> = cachedLookup(domainCache, loadDomainHolder);

/** The visitor's clicks since `sinceIso` (their own partition: a few items at most). */
export const recentClicksOfVisitor = async (
  visitorId: string,
  sinceIso: string,
): Promise<Array<{ slug: string; at: string }>> => {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: tableName('events'),
      KeyConditionExpression: 'pk = :pk AND sk > :since',
      ExpressionAttributeValues: { ':pk': eventKeys.visitorPartition(visitorId), ':since': eventKeys.clickSortKey(sinceIso) },
      ProjectionExpression: 'slug, #at',
      ExpressionAttributeNames: { '#at': 'at' },
      Limit: 200,
    }),
    within(LOOKUP_BUDGET_MS),
  );
  return Items as Array<{ slug: string; at: string }>;
};

const RETENTION_SECONDS = hotClickRetentionDays * 24 * 60 * 60;

/**
 * A click as stored: its facts, where its keys say, kept hot for `hotClickRetentionDays` (then
 * only in the archive). Whatever an organization's raw-event retention, a click keeps exactly
 * this: it is the floor of that setting (attribution reads clicks this far back), and longer would
 * only duplicate the archive — so the redirect needs no retention lookup.
 */
export const clickItem = (click: ClickEventRecord, atMs = Date.parse(click.at)) => ({
  ...clickItemKeys(click),
  ...click,
  expiresAt: Math.floor(atMs / 1000) + RETENTION_SECONDS,
});

/** `atMs` is the click's `at` as epoch ms: the redirect has it, so the hot path parses nothing back. */
export const putClick = async (click: ClickEventRecord, atMs: number): Promise<void> => {
  await documentClient().send(new PutCommand({ TableName: tableName('events'), Item: clickItem(click, atMs) }), within(WRITE_BUDGET_MS));
};
