/**
 * The entities table: organizations, API keys, campaigns, advocates and links.
 * Every read takes the caller's orgId and answers "not found" for another organization's item,
 * so tenant isolation does not depend on each handler remembering to compare ids.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { ApiScope } from '../domain/scopes.js';
import { tableName } from './config.js';
import type { Advocate, AdvocatePut, Campaign, Link } from '../domain/resources.js';
import { InvalidCursorError } from '../domain/errors.js';
import { isValidId, isValidSlug, newId, newSlug } from '../domain/ids.js';
import { documentClient } from './dynamo.js';
import { entityKeys, isStartKeyOf } from './keys.js';
import { pseudonymLabel } from '../domain/advocate-presentation.js';
import type { RankingVisibility } from '../domain/ranking-visibility.js';

const table = () => tableName('entities');
const db = () => documentClient();
const now = () => new Date().toISOString();

export interface Page<T> {
  items: T[];
  nextKey?: Record<string, unknown>;
}

const strip = <T extends Record<string, unknown>>(item: Record<string, unknown>, fields: readonly string[]): T => {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) out[field] = item[field];
  return out as T;
};

/**
 * Refuses a cursor whose key is not one this query could have returned: another partition
 * (cursor forgery), or another shape (which DynamoDB would refuse with an error).
 */
const checkedStartKey = (
  startKey: Record<string, unknown> | undefined,
  keyAttributes: readonly string[],
  partitionAttribute: string,
  expected: string,
): Record<string, unknown> | undefined => {
  if (startKey && !isStartKeyOf(startKey, keyAttributes, { attribute: partitionAttribute, value: expected })) {
    throw new InvalidCursorError();
  }
  return startKey;
};

// ---------------------------------------------------------------------------------------------
// Organizations and API keys

export interface ApiKeyRecord {
  keyId: string;
  orgId: string;
  name?: string;
  scopes: ApiScope[];
  createdAt: string;
  revokedAt?: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

const keyIdPattern = /^[A-Za-z0-9]{12}$/;

/** `ak_<keyId>_<secret>`: the key id finds the record, the secret is only ever stored hashed. */
export const parseApiKey = (token: string): { keyId: string; secret: string } | undefined => {
  const match = /^ak_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,64})$/.exec(token);
  return match ? { keyId: match[1], secret: match[2] } : undefined;
};

export const createOrganization = async (name: string): Promise<{ orgId: string; createdAt: string }> => {
  const orgId = newId('org');
  const createdAt = now();
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: { ...entityKeys.org(orgId), type: 'org', orgId, name, createdAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { orgId, createdAt };
};

export const createApiKey = async (
  orgId: string,
  scopes: ApiScope[],
  name?: string,
): Promise<{ record: ApiKeyRecord; apiKey: string }> => {
  const keyId = newSlug(12);
  const secret = randomBytes(32).toString('base64url');
  const apiKey = `ak_${keyId}_${secret}`;
  const record: ApiKeyRecord = { keyId, orgId, scopes: [...new Set(scopes)], createdAt: now(), ...(name ? { name } : {}) };
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...entityKeys.apiKey(keyId),
        type: 'apiKey',
        ...record,
        secretHash: sha256(apiKey).toString('base64'),
        gsi1pk: entityKeys.apiKeysOfOrg(orgId),
        gsi1sk: `${record.createdAt}#${keyId}`,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { record, apiKey };
};

/** Looks the key up by id and compares the hash in constant time. Revoked keys do not verify. */
export const verifyApiKey = async (token: string): Promise<ApiKeyRecord | undefined> => {
  const parsed = parseApiKey(token);
  if (!parsed) return undefined;
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: entityKeys.apiKey(parsed.keyId) }));
  if (!Item || Item.revokedAt) return undefined;
  const stored = Buffer.from(String(Item.secretHash), 'base64');
  const presented = sha256(token);
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return undefined;
  return strip<ApiKeyRecord & Record<string, unknown>>(Item, ['keyId', 'orgId', 'name', 'scopes', 'createdAt']);
};

/** Revokes a key of the organization; a foreign or unknown key id is "not found". */
export const revokeApiKey = async (orgId: string, keyId: string): Promise<ApiKeyRecord | undefined> => {
  // A key id we never issue is not found (and an oversized one would fail DynamoDB's key limits).
  if (!keyIdPattern.test(keyId)) return undefined;
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.apiKey(keyId),
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'attribute_exists(pk) AND orgId = :orgId',
        ExpressionAttributeValues: { ':now': now(), ':orgId': orgId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes
      ? strip<ApiKeyRecord & Record<string, unknown>>(Attributes, ['keyId', 'orgId', 'name', 'scopes', 'createdAt', 'revokedAt'])
      : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------
// Campaigns

const campaignFields = [
  'campaignId',
  'name',
  'destinationUrl',
  'allowedHosts',
  'utm',
  'attribution',
  'status',
  'shareTemplates',
  'createdAt',
  'updatedAt',
] as const;

export const putNewCampaign = async (orgId: string, campaign: Campaign): Promise<void> => {
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: { ...entityKeys.campaign(orgId, campaign.campaignId), type: 'campaign', orgId, ...campaign },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

export const getCampaign = async (orgId: string, campaignId: string, consistent = false): Promise<Campaign | undefined> => {
  // An id of another shape cannot exist (and an oversized one would fail DynamoDB's key limits).
  if (!isValidId(campaignId, 'cmp')) return undefined;
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: entityKeys.campaign(orgId, campaignId), ConsistentRead: consistent }),
  );
  return Item ? strip<Campaign & Record<string, unknown>>(Item, campaignFields) : undefined;
};

export const listCampaigns = async (
  orgId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<Page<Campaign>> => {
  const pk = entityKeys.org(orgId).pk;
  const { Items = [], LastEvaluatedKey } = await db().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': 'CAMPAIGN#' },
      Limit: limit,
      ExclusiveStartKey: checkedStartKey(startKey, ['pk', 'sk'], 'pk', pk),
    }),
  );
  return { items: Items.map((item) => strip<Campaign & Record<string, unknown>>(item, campaignFields)), nextKey: LastEvaluatedKey };
};

/** Replaces the campaign if it still has the version the caller read (optimistic locking). */
export const replaceCampaign = async (orgId: string, campaign: Campaign, expectedUpdatedAt: string): Promise<boolean> => {
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...entityKeys.campaign(orgId, campaign.campaignId), type: 'campaign', orgId, ...campaign },
        ConditionExpression: 'updatedAt = :expected',
        ExpressionAttributeValues: { ':expected': expectedUpdatedAt },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------
// Advocates

const advocateFields = ['advocateId', 'displayName', 'department', 'rankingVisibility', 'offboardedAt', 'createdAt', 'updatedAt'] as const;
/** What rankings read of an advocate: its fields and its pseudonym (never answered as such). */
const advocateStandingFields = [...advocateFields, 'pseudonym'] as const;

/** An advocate as rankings see it (shared/domain/advocate-presentation.ts). */
export type AdvocateRecord = Advocate & { pseudonym?: string };

/** A random pseudonym, given once (`if_not_exists`): 12 hex characters, unrelated to the advocate's id. */
const newPseudonym = () => randomBytes(6).toString('hex');

/** The advocate as the API answers it: an offboarded one is named by its pseudonym only. */
const publicAdvocate = (item: Record<string, unknown>): Advocate => {
  const advocate = strip<Advocate & Record<string, unknown>>(item, advocateFields);
  if (advocate.offboardedAt && typeof item.pseudonym === 'string') advocate.displayName = pseudonymLabel(item.pseudonym);
  return advocate;
};

/** The advocate id was offboarded: it is not given a name or links again. */
export class AdvocateOffboardedError extends Error {
  constructor() {
    super('Advocate offboarded');
  }
}

export const getAdvocate = async (orgId: string, advocateId: string): Promise<Advocate | undefined> => {
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: entityKeys.advocate(orgId, advocateId) }));
  return Item ? publicAdvocate(Item) : undefined;
};

/** Creates or replaces an advocate, keeping its original createdAt (an offboarded id: `AdvocateOffboardedError`). */
export const putAdvocate = async (
  orgId: string,
  advocateId: string,
  input: AdvocatePut,
): Promise<{ advocate: Advocate; created: boolean }> => {
  const timestamp = now();
  const set =
    'SET #type = :type, orgId = :orgId, advocateId = :advocateId, displayName = :displayName, createdAt = if_not_exists(createdAt, :now), updatedAt = :now, pseudonym = if_not_exists(pseudonym, :pseudonym)';
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.advocate(orgId, advocateId),
        UpdateExpression: input.department === undefined ? `${set} REMOVE department` : `${set}, department = :department`,
        ConditionExpression: 'attribute_not_exists(offboardedAt)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'advocate',
          ':orgId': orgId,
          ':advocateId': advocateId,
          ':displayName': input.displayName,
          ':now': timestamp,
          ':pseudonym': newPseudonym(),
          ...(input.department === undefined ? {} : { ':department': input.department }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const advocate = publicAdvocate(Attributes ?? {});
    return { advocate, created: advocate.createdAt === timestamp };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new AdvocateOffboardedError();
    throw error;
  }
};

/** An advocate who arrives with a valid JWT is created on first use (spec section 3). */
export const ensureAdvocate = async (orgId: string, advocateId: string): Promise<Advocate> => {
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: entityKeys.advocate(orgId, advocateId) }));
  if (Item) {
    // Advocates from before pseudonyms get theirs on their next visit.
    if (typeof Item.pseudonym !== 'string') await givePseudonym(orgId, advocateId);
    return publicAdvocate(Item);
  }
  const timestamp = now();
  const advocate: Advocate = { advocateId, displayName: advocateId, createdAt: timestamp, updatedAt: timestamp };
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...entityKeys.advocate(orgId, advocateId), type: 'advocate', orgId, ...advocate, pseudonym: newPseudonym() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return advocate;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return (await getAdvocate(orgId, advocateId))!;
    throw error;
  }
};

const givePseudonym = (orgId: string, advocateId: string) =>
  db().send(
    new UpdateCommand({
      TableName: table(),
      Key: entityKeys.advocate(orgId, advocateId),
      UpdateExpression: 'SET pseudonym = if_not_exists(pseudonym, :pseudonym)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':pseudonym': newPseudonym() },
    }),
  );

/**
 * Sets (or, with null, clears) an advocate's own ranking visibility. Undefined: no such advocate;
 * `AdvocateOffboardedError`: offboarded (nothing to choose any more).
 */
export const setRankingVisibility = async (orgId: string, advocateId: string, visibility: RankingVisibility | null): Promise<Advocate | undefined> => {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.advocate(orgId, advocateId),
        UpdateExpression:
          visibility === null
            ? 'SET updatedAt = :now, pseudonym = if_not_exists(pseudonym, :pseudonym) REMOVE rankingVisibility'
            : 'SET updatedAt = :now, pseudonym = if_not_exists(pseudonym, :pseudonym), rankingVisibility = :visibility',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(offboardedAt)',
        ExpressionAttributeValues: { ':now': now(), ':pseudonym': newPseudonym(), ...(visibility === null ? {} : { ':visibility': visibility }) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return publicAdvocate(Attributes ?? {});
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await getAdvocate(orgId, advocateId);
    if (existing?.offboardedAt) throw new AdvocateOffboardedError();
    return undefined;
  }
};

/**
 * Offboarding (spec section 16): the advocate's name and department are erased from its item, it
 * keeps a pseudonym for good, and every one of its links is disabled — they redirect and record
 * nothing, like a disabled link. Idempotent. False: no such advocate.
 */
export const offboardAdvocate = async (orgId: string, advocateId: string): Promise<boolean> => {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.advocate(orgId, advocateId),
        // updatedAt from the first offboarding: the same answer however often it is repeated.
        UpdateExpression: 'SET offboardedAt = if_not_exists(offboardedAt, :now), updatedAt = if_not_exists(offboardedAt, :now), pseudonym = if_not_exists(pseudonym, :pseudonym) REMOVE displayName, department',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now(), ':pseudonym': newPseudonym() },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await listLinks(orgId, { advocateId }, 100, startKey);
    for (const link of page.items) if (!link.disabled) await disableLink(orgId, link.slug);
    startKey = page.nextKey;
  } while (startKey);
  return true;
};


// ---------------------------------------------------------------------------------------------
// Links

export interface LinkRecord extends Omit<Link, 'shortUrl'> {
  orgId: string;
  /** The advocate's department when the link was issued: the department roll-up's key. */
  department?: string;
  /**
   * The organization's primary verified domain when the link was issued: the only host it
   * resolves on. Absent: issued on the deployment's default domain (every link issued before
   * organizations had domains too).
   */
  hostname?: string;
}

const linkFields = [
  'slug',
  'orgId',
  'campaignId',
  'advocateId',
  'channel',
  'destinationUrl',
  'createdAt',
  'disabled',
  'department',
  'hostname',
] as const;

const destinationHash = (destinationUrl: string) =>
  createHash('sha256').update(destinationUrl).digest('base64url').slice(0, 22);

/**
 * Issues the link for (campaign, advocate, channel, destination), or returns the existing one.
 * The identity item and the link are written in one transaction, so concurrent requests for
 * the same link agree on one slug.
 */
export const issueLink = async (
  input: Omit<LinkRecord, 'slug' | 'createdAt' | 'disabled'>,
): Promise<{ link: LinkRecord; created: boolean }> => {
  const identity = entityKeys.linkIdentity(
    input.orgId,
    input.campaignId,
    input.advocateId,
    input.channel,
    destinationHash(input.destinationUrl),
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await db().send(new GetCommand({ TableName: table(), Key: identity, ConsistentRead: true }));
    if (existing.Item) {
      const link = await getLinkRecord(String(existing.Item.slug), true);
      if (link) return { link, created: false };
    }
    const link: LinkRecord = { ...input, slug: newSlug(8), createdAt: now(), disabled: false };
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table(),
                Item: { ...identity, type: 'linkIdentity', orgId: input.orgId, slug: link.slug },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table(),
                Item: {
                  ...entityKeys.link(link.slug),
                  type: 'link',
                  ...link,
                  gsi1pk: entityKeys.linksOfCampaign(input.orgId, input.campaignId),
                  gsi1sk: `${input.advocateId}#${link.createdAt}#${link.slug}`,
                  gsi2pk: entityKeys.linksOfAdvocate(input.orgId, input.advocateId),
                  gsi2sk: `${link.createdAt}#${link.slug}`,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { link, created: true };
    } catch (error) {
      // Lost a race for the identity (or, astronomically rarely, the slug): read and retry.
      if (error instanceof TransactionCanceledException) continue;
      throw error;
    }
  }
  throw new Error('Could not issue link after repeated conflicts');
};

export const getLinkRecord = async (slug: string, consistent = false): Promise<LinkRecord | undefined> => {
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: entityKeys.link(slug), ConsistentRead: consistent }),
  );
  return Item ? strip<LinkRecord & Record<string, unknown>>(Item, linkFields) : undefined;
};

/** A link of the organization, or undefined (also for another organization's slug). */
export const getLink = async (orgId: string, slug: string): Promise<LinkRecord | undefined> => {
  const link = await getLinkRecord(slug);
  return link && link.orgId === orgId ? link : undefined;
};

export const listLinks = async (
  orgId: string,
  filter: { campaignId?: string; advocateId?: string },
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<Page<LinkRecord>> => {
  let input: QueryCommandInput;
  if (filter.campaignId) {
    const pk = entityKeys.linksOfCampaign(orgId, filter.campaignId);
    input = {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: filter.advocateId ? 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)' : 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(filter.advocateId ? { ':prefix': `${filter.advocateId}#` } : {}) },
      ExclusiveStartKey: checkedStartKey(startKey, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], 'gsi1pk', pk),
    };
  } else if (filter.advocateId) {
    const pk = entityKeys.linksOfAdvocate(orgId, filter.advocateId);
    input = {
      TableName: table(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ExclusiveStartKey: checkedStartKey(startKey, ['pk', 'sk', 'gsi2pk', 'gsi2sk'], 'gsi2pk', pk),
    };
  } else {
    throw new Error('listLinks needs campaignId or advocateId');
  }
  const { Items = [], LastEvaluatedKey } = await db().send(new QueryCommand({ ...input, Limit: limit }));
  return { items: Items.map((item) => strip<LinkRecord & Record<string, unknown>>(item, linkFields)), nextKey: LastEvaluatedKey };
};

export const disableLink = async (orgId: string, slug: string): Promise<LinkRecord | undefined> => {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.link(slug),
        UpdateExpression: 'SET disabled = :true, disabledAt = if_not_exists(disabledAt, :now)',
        ConditionExpression: 'attribute_exists(pk) AND orgId = :orgId',
        ExpressionAttributeValues: { ':true': true, ':now': now(), ':orgId': orgId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? strip<LinkRecord & Record<string, unknown>>(Attributes, linkFields) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

/** Advocates by id (BatchGet, 100 at a time); unknown ids are simply absent. */
export const getAdvocatesByIds = async (orgId: string, advocateIds: string[]): Promise<Map<string, AdvocateRecord>> => {
  const found = new Map<string, AdvocateRecord>();
  const ids = [...new Set(advocateIds)];
  for (let i = 0; i < ids.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [table()]: { Keys: ids.slice(i, i + 100).map((id) => entityKeys.advocate(orgId, id)) },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await db().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[table()] ?? []) {
        const advocate = strip<AdvocateRecord & Record<string, unknown>>(item, advocateStandingFields);
        found.set(advocate.advocateId, advocate);
      }
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
};

/**
 * The short domains the organization's links were issued on, by slug (BatchGet, 100 at a time);
 * links issued on the default domain, and unknown or foreign slugs, are absent.
 */
export const getLinkHostnames = async (orgId: string, slugs: string[]): Promise<Map<string, string>> => {
  const found = new Map<string, string>();
  const unique = [...new Set(slugs)].filter(isValidSlug);
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression: string }> | undefined = {
      [table()]: { Keys: unique.slice(i, i + 100).map((slug) => entityKeys.link(slug)), ProjectionExpression: 'slug, orgId, hostname' },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await db().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[table()] ?? []) {
        if (item.orgId === orgId && typeof item.hostname === 'string') found.set(String(item.slug), item.hostname);
      }
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
};

/** The campaigns an advocate has links in (an advocate has a handful of links). */
export const listAllCampaignIdsOfAdvocate = async (orgId: string, advocateId: string): Promise<string[]> => {
  const campaignIds = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await listLinks(orgId, { advocateId }, 100, startKey);
    for (const link of page.items) campaignIds.add(link.campaignId);
    startKey = page.nextKey;
  } while (startKey);
  return [...campaignIds];
};

/**
 * The organization owning a campaign id, by a table scan: only for the admin CLI, where the
 * operator knows the campaign but not the organization. No request path calls it.
 */
export const findCampaignOrganization = async (campaignId: string): Promise<string | undefined> => {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new ScanCommand({
        TableName: table(),
        FilterExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': `CAMPAIGN#${campaignId}` },
        ProjectionExpression: 'orgId',
        ExclusiveStartKey: startKey,
      }),
    );
    if (page.Items?.[0]) return String(page.Items[0].orgId);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
};
