/**
 * What the redirect needs from DynamoDB: the link with its campaign's tracking settings (cached
 * per container), the visitor's recent clicks (for the unique rule) and the click write.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config, tableName } from '../config.js';
import { isHostAllowed, parseDestination } from '../domain/destination.js';
import { documentClient } from './dynamo.js';
import { entityKeys, eventKeys } from './keys.js';

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
}

const CACHE_MAX_ENTRIES = 10_000;
const cache = new Map<string, { value: RedirectTarget | null; expiresAt: number }>();

const remember = (slug: string, value: RedirectTarget | null, ttlMs: number) => {
  if (ttlMs <= 0) return;
  if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(slug, { value, expiresAt: Date.now() + ttlMs });
};

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

const loadTarget = async (slug: string): Promise<RedirectTarget | null> => {
  const db = documentClient();
  const { Item: link } = await db.send(new GetCommand({ TableName: tableName('entities'), Key: entityKeys.link(slug) }));
  if (!link) return null;
  const { Item: campaign } = await db.send(
    new GetCommand({
      TableName: tableName('entities'),
      Key: entityKeys.campaign(link.orgId, link.campaignId),
      ProjectionExpression: '#status, utm, allowedHosts, destinationUrl',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
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
  };
};

/**
 * The link and its campaign, from a bounded per-container cache. A disabled link or archived
 * campaign may keep being tracked for at most LINK_CACHE_TTL_MS after the change (documented).
 */
export const resolveRedirectTarget = async (slug: string): Promise<RedirectTarget | null> => {
  const cached = cache.get(slug);
  if (cached && cached.expiresAt > Date.now()) return cached.value;
  const value = await loadTarget(slug);
  remember(slug, value, config.linkCacheTtlMs);
  return value;
};

export const clearRedirectCache = () => cache.clear();

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
  );
  return Items as Array<{ slug: string; at: string }>;
};

export interface ClickEvent {
  pk: string;
  sk: string;
  type: 'click';
  eventId: string;
  clickId: string;
  orgId: string;
  campaignId: string;
  slug: string;
  advocateId: string;
  channel: string;
  department?: string;
  at: string;
  visitorId?: string;
  unique: boolean;
  botClass: string;
  device: string;
  browser: string;
  os: string;
  country?: string;
  referrerHost?: string;
  gsi1pk: string;
  gsi1sk: string;
  expiresAt: number;
}

export const putClick = async (click: ClickEvent): Promise<void> => {
  await documentClient().send(new PutCommand({ TableName: tableName('events'), Item: click }));
};
