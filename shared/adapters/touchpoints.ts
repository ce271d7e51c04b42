/**
 * Reads attribution needs: the click behind a click id, a visitor's human clicks (with what each
 * recorded of its viewer, for the breakdowns), a customer's remembered path, and each campaign's
 * lookback. Every read is bounded by the organization, so a click id or visitor id of another
 * organization never becomes a touchpoint.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from './config.js';
import { defaultLookbackDays, type Touchpoint } from '../domain/attribution.js';
import { locateClick, type ClickLocator } from '../domain/click-id.js';
import type { ViewerFacts } from '../domain/events.js';
import { isValidVisitorId } from '../domain/ids.js';
import { documentClient } from './dynamo.js';
import { getCampaign } from './entities.js';
import { eventKeys, rollupKeys } from './keys.js';

const MAX_LOOKBACK_MS = 90 * 24 * 60 * 60 * 1000;

/** Per-batch memo of campaign lookbacks. */
export type LookbackCache = Map<string, Promise<number>>;

const lookbackOf = (orgId: string, campaignId: string, cache: LookbackCache): Promise<number> => {
  const key = `${orgId}\u0000${campaignId}`;
  let days = cache.get(key);
  if (!days) {
    days = getCampaign(orgId, campaignId).then((c) => c?.attribution.lookbackDays ?? defaultLookbackDays);
    cache.set(key, days);
  }
  return days;
};

/** The visitor and time of a human click this organization recorded, or undefined. */
export const locateHumanClick = async (orgId: string, clickId: string): Promise<ClickLocator | undefined> => {
  const location = locateClick(clickId);
  if (!location) return undefined;
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName('events'),
      Key: eventKeys.visitorClick(location.visitorId, location.at, clickId),
      ProjectionExpression: 'orgId, botClass',
    }),
  );
  return Item && Item.orgId === orgId && Item.botClass === 'human' ? location : undefined;
};

/**
 * What the stored click recorded of its viewer, for its breakdown rows. A click stored before a
 * field existed lacks it; its credit then goes to that breakdown's `unknown` row.
 */
const viewerFactsOf = (item: Record<string, unknown>): ViewerFacts => {
  const facts: ViewerFacts = {};
  for (const field of ['country', 'device', 'browser', 'os', 'referrerHost'] as const) {
    if (typeof item[field] === 'string' && item[field]) facts[field] = item[field];
  }
  return facts;
};

/** The visitor's human clicks in this organization in the 90 days up to `until`. */
export const visitorTouchpoints = async (
  orgId: string,
  visitorId: string,
  until: string,
  lookbacks: LookbackCache,
): Promise<Touchpoint[]> => {
  if (!isValidVisitorId(visitorId)) return [];
  const end = Date.parse(until);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('events'),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'orgId = :orgId AND botClass = :human',
        ExpressionAttributeValues: {
          ':pk': eventKeys.visitorPartition(visitorId),
          ':from': eventKeys.clickSortKey(new Date(end - MAX_LOOKBACK_MS).toISOString()),
          ':to': `${eventKeys.clickSortKey(new Date(end).toISOString())}\uffff`,
          ':orgId': orgId,
          ':human': 'human',
        },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return Promise.all(
    items.map(async (item) => ({
      clickId: String(item.clickId),
      at: String(item.at),
      campaignId: String(item.campaignId),
      advocateId: String(item.advocateId),
      slug: String(item.slug),
      channel: String(item.channel),
      ...(item.department ? { department: String(item.department) } : {}),
      ...viewerFactsOf(item),
      lookbackDays: await lookbackOf(orgId, String(item.campaignId), lookbacks),
    })),
  );
};

export const customerPathKey = (orgId: string, customerId: string) => rollupKeys.customerPath(orgId, customerId);

export const customerPath = async (orgId: string, customerId: string): Promise<Touchpoint[] | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('rollups'), Key: customerPathKey(orgId, customerId), ConsistentRead: true }),
  );
  return Item ? (Item.touchpoints as Touchpoint[]) : undefined;
};
