/**
 * Organizations' short domains in the entities table. A domain is one item under its hostname
 * (`DOMAIN#<hostname>`), so "a hostname belongs to at most one organization" is a conditional
 * write; the organization's primary domain is an attribute of its `ORG` item, so issuing a link
 * reads it with the organization. Every read takes the caller's orgId: another organization's
 * hostname is "not found" (except when adding it, which must say it is taken).
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { challengeRecordName } from '../domain/hostname.js';
import type { Domain } from '../domain/resources.js';
import { InvalidCursorError } from '../domain/errors.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { entityKeys, isStartKeyOf } from './keys.js';

const table = () => tableName('entities');
const db = () => documentClient();

/**
 * A pending claim lapses after a week: a hostname someone added and never verified does not stay
 * blocked for its real owner (DynamoDB's TTL removes the item later; until then it counts as gone).
 */
export const PENDING_DOMAIN_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface DomainRecord {
  hostname: string;
  orgId: string;
  status: 'pending' | 'verified';
  token: string;
  createdAt: string;
  verifiedAt?: string;
  expiresAt?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const isLive = (item: Record<string, unknown> | undefined): item is Record<string, unknown> =>
  item !== undefined && !(item.status === 'pending' && typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds());

const recordOf = (item: Record<string, unknown>): DomainRecord => ({
  hostname: String(item.hostname),
  orgId: String(item.orgId),
  status: item.status === 'verified' ? 'verified' : 'pending',
  token: String(item.token),
  createdAt: String(item.createdAt),
  ...(item.verifiedAt ? { verifiedAt: String(item.verifiedAt) } : {}),
});

/** The API's view of a domain. */
export const presentDomain = (record: DomainRecord, primaryHostname: string | undefined): Domain => ({
  hostname: record.hostname,
  status: record.status,
  verification: { type: 'TXT', name: challengeRecordName(record.hostname), value: record.token },
  primary: record.hostname === primaryHostname,
  createdAt: record.createdAt,
  ...(record.verifiedAt ? { verifiedAt: record.verifiedAt } : {}),
});

export type AddDomainResult = { kind: 'added'; record: DomainRecord } | { kind: 'yours' } | { kind: 'taken' };

/** Claims a hostname for the organization, unless any organization holds it (a lapsed pending claim does not count). */
export const addDomain = async (orgId: string, hostname: string): Promise<AddDomainResult> => {
  const createdAt = new Date().toISOString();
  const record: DomainRecord = {
    hostname,
    orgId,
    status: 'pending',
    token: `advocacy-verify-${randomBytes(24).toString('base64url')}`,
    createdAt,
    expiresAt: nowSeconds() + PENDING_DOMAIN_TTL_SECONDS,
  };
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...entityKeys.domain(hostname),
          type: 'domain',
          ...record,
          gsi1pk: entityKeys.domainsOfOrg(orgId),
          gsi1sk: hostname,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#status = :pending AND expiresAt <= :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':now': nowSeconds() },
      }),
    );
    return { kind: 'added', record };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await db().send(new GetCommand({ TableName: table(), Key: entityKeys.domain(hostname), ConsistentRead: true }));
    return Item?.orgId === orgId ? { kind: 'yours' } : { kind: 'taken' };
  }
};

/** A domain of the organization (a lapsed pending claim is gone). */
export const getDomain = async (orgId: string, hostname: string): Promise<DomainRecord | undefined> => {
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: entityKeys.domain(hostname), ConsistentRead: true }));
  return isLive(Item) && Item.orgId === orgId ? recordOf(Item) : undefined;
};

/** The organization's primary domain, if it has one (read when a link is issued). */
export const primaryDomainOf = async (orgId: string): Promise<string | undefined> => {
  const { Item } = await db().send(
    new GetCommand({ TableName: table(), Key: entityKeys.org(orgId), ProjectionExpression: 'primaryDomain', ConsistentRead: true }),
  );
  return typeof Item?.primaryDomain === 'string' ? Item.primaryDomain : undefined;
};

export const listDomains = async (
  orgId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: DomainRecord[]; nextKey?: Record<string, unknown> }> => {
  const pk = entityKeys.domainsOfOrg(orgId);
  if (startKey && !isStartKeyOf(startKey, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], { attribute: 'gsi1pk', value: pk })) {
    throw new InvalidCursorError();
  }
  const { Items = [], LastEvaluatedKey } = await db().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: Items.filter((item) => isLive(item)).map(recordOf), nextKey: LastEvaluatedKey };
};

/** Marks the organization's domain verified (it stays so; the pending lapse no longer applies). */
export const markVerified = async (orgId: string, hostname: string): Promise<DomainRecord | undefined> => {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.domain(hostname),
        UpdateExpression: 'SET #status = :verified, verifiedAt = if_not_exists(verifiedAt, :now) REMOVE expiresAt',
        ConditionExpression: 'orgId = :orgId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':verified': 'verified', ':now': new Date().toISOString(), ':orgId': orgId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? recordOf(Attributes) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

export type PrimaryChange = 'changed' | 'not-found' | 'not-verified';

/**
 * Makes a verified domain the organization's primary (links are issued on it from now on), or,
 * with `primary: false`, stops it being the primary (links go back to the default domain). The
 * domain's state is checked in the same transaction, so a domain deleted meanwhile cannot become primary.
 */
export const setPrimary = async (orgId: string, hostname: string, primary: boolean): Promise<PrimaryChange> => {
  const domain = await getDomain(orgId, hostname);
  if (!domain) return 'not-found';
  if (!primary) {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: entityKeys.org(orgId),
        UpdateExpression: 'REMOVE primaryDomain',
        ConditionExpression: 'attribute_exists(pk) AND primaryDomain = :hostname',
        ExpressionAttributeValues: { ':hostname': hostname },
      }),
    ).catch((error: unknown) => {
      // Not the primary: nothing to change.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
    return 'changed';
  }
  if (domain.status !== 'verified') return 'not-verified';
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table(),
              Key: entityKeys.domain(hostname),
              ConditionExpression: 'orgId = :orgId AND #status = :verified',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':orgId': orgId, ':verified': 'verified' },
            },
          },
          {
            Update: {
              TableName: table(),
              Key: entityKeys.org(orgId),
              UpdateExpression: 'SET primaryDomain = :hostname',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':hostname': hostname },
            },
          },
        ],
      }),
    );
    return 'changed';
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'not-found';
    throw error;
  }
};

export type DomainRemoval = 'deleted' | 'not-found' | 'primary';

/** Deletes a domain of the organization; its primary must first stop being primary. */
export const deleteDomain = async (orgId: string, hostname: string): Promise<DomainRemoval> => {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table(),
              Key: entityKeys.domain(hostname),
              ConditionExpression: 'orgId = :orgId',
              ExpressionAttributeValues: { ':orgId': orgId },
            },
          },
          {
            ConditionCheck: {
              TableName: table(),
              Key: entityKeys.org(orgId),
              ConditionExpression: 'attribute_not_exists(primaryDomain) OR primaryDomain <> :hostname',
              ExpressionAttributeValues: { ':hostname': hostname },
            },
          },
        ],
      }),
    );
    return 'deleted';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [domain, organization] = error.CancellationReasons ?? [];
    if (domain?.Code === 'ConditionalCheckFailed') return 'not-found';
    if (organization?.Code === 'ConditionalCheckFailed') return 'primary';
    throw error;
  }
};
