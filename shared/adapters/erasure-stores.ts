/**
 * What an erasure reads and writes (shared/application/run-erasure.ts decides the order): the
 * visitor's clicks of one organization, the organization's conversions (its conversion index),
 * its campaigns' credit and refund records, customer paths, the consumer's ledger, and the
 * archive's files. Every read is bounded by the organization: the visitor partition `V#<visitor>`
 * is shared by every organization whose links the browser clicked, so clicks are filtered on
 * `orgId` and only this organization's are touched.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { archivedEventTypes, ARCHIVE_PREFIX, type ArchivedEventType, type ArchiveRow } from '../domain/archive.js';
import { ERASED_BY_ATTRIBUTE } from '../domain/erasure.js';
import { clickEventSchema, type ClickEventRecord } from '../domain/events.js';
import type { Touchpoint } from '../domain/attribution.js';
import { campaignIndexName } from '../settings.js';
import { decodeArchiveFile, encodeArchiveFile, PARQUET_CONTENT_TYPE } from './archive-file.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { listCampaigns } from './entities.js';
import { eventItemsOf } from './event-items.js';
import { clickItemKeys, eventKeys, rollupKeys } from './keys.js';
import type { ObjectStore } from './object-store.js';

type Item = Record<string, unknown>;
type StartKey = Record<string, unknown> | undefined;
export interface ItemPage {
  items: Item[];
  next: StartKey;
}

const PAGE = 100;
const db = () => documentClient();

/** A page of the organization's clicks in the visitor's partition. */
export const visitorClicksPage = async (orgId: string, visitorId: string, startKey: StartKey): Promise<ItemPage> => {
  const { Items = [], LastEvaluatedKey } = await db().send(
    new QueryCommand({
      TableName: tableName('events'),
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'orgId = :orgId',
      ExpressionAttributeValues: { ':pk': eventKeys.visitorPartition(visitorId), ':orgId': orgId },
      ConsistentRead: true,
      Limit: PAGE,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: Items, next: LastEvaluatedKey };
};

/** The click as its record (the item without keys and TTL), or undefined if it is not a valid click. */
export const clickRecordOf = (item: Item): ClickEventRecord | undefined => {
  const parsed = clickEventSchema.safeParse(item);
  return parsed.success ? parsed.data : undefined;
};

/**
 * Replaces a click by its erased form in one transaction: the new item (keyed by its time id,
 * marked `erasedBy`, same expiry) and the deletion of the old one. False when the old one was
 * gone already (a retried step).
 */
export const rekeyClick = async (oldItem: Item, erased: ClickEventRecord, erasureId: string): Promise<boolean> => {
  const table = tableName('events');
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: { ...clickItemKeys(erased), ...erased, expiresAt: oldItem.expiresAt, [ERASED_BY_ATTRIBUTE]: erasureId },
            },
          },
          { Delete: { TableName: table, Key: { pk: oldItem.pk, sk: oldItem.sk }, ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
};

/** A page of the organization's hot conversions (and refunds), items read from their index keys. */
export const conversionsPage = async (orgId: string, startKey: StartKey): Promise<ItemPage> => {
  const { Items = [], LastEvaluatedKey } = await db().send(
    new QueryCommand({
      TableName: tableName('events'),
      IndexName: campaignIndexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': eventKeys.conversionIndex(orgId) },
      Limit: PAGE,
      ExclusiveStartKey: startKey,
    }),
  );
  const items = await eventItemsOf(Items.map((key) => ({ pk: String(key.pk), sk: String(key.sk) })), { consistent: true });
  return { items, next: LastEvaluatedKey };
};

/** Removes attributes of a hot conversion in place (a MODIFY: the stream consumers take INSERTs only). */
export const removeConversionFields = async (item: Item, fields: readonly string[]): Promise<void> => {
  await db().send(
    new UpdateCommand({
      TableName: tableName('events'),
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: `REMOVE ${fields.map((_, index) => `#f${index}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(fields.map((field, index) => [`#f${index}`, field])),
    }),
  ).catch((error: unknown) => {
    // Expired by TTL meanwhile: nothing left to erase.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
};

/** Whether the roll-up consumer applied an event (its ledger entry, kept 8 days). */
export const isApplied = async (eventId: string): Promise<boolean> => {
  const { Item } = await db().send(new GetCommand({ TableName: tableName('rollups'), Key: rollupKeys.applied(eventId), ConsistentRead: true }));
  return Item !== undefined;
};

/** A page of the organization's campaign ids (the credits step walks them one by one). */
export const campaignIdsPage = async (orgId: string, startKey: StartKey): Promise<{ ids: string[]; next: StartKey }> => {
  const page = await listCampaigns(orgId, PAGE, startKey);
  return { ids: page.items.map((campaign) => campaign.campaignId), next: page.nextKey };
};

/** The partitions holding a campaign's credit and refund records. */
export const creditPartitions = (orgId: string, campaignId: string): string[] => [rollupKeys.conversionRecords(orgId, campaignId), rollupKeys.refundRecords(orgId, campaignId)];

export const rollupPartitionPage = async (pk: string, startKey: StartKey): Promise<ItemPage> => {
  const { Items = [], LastEvaluatedKey } = await db().send(
    new QueryCommand({
      TableName: tableName('rollups'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
      Limit: PAGE,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: Items, next: LastEvaluatedKey };
};

/** Replaces a roll-ups item (a credit record or a customer path) by its erased form, if it still exists. */
export const replaceRollupItem = async (item: Item): Promise<void> => {
  await db().send(new PutCommand({ TableName: tableName('rollups'), Item: item, ConditionExpression: 'attribute_exists(pk)' })).catch((error: unknown) => {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
};

export const getCustomerPathItem = async (orgId: string, customerId: string): Promise<(Item & { touchpoints: Touchpoint[] }) | undefined> => {
  const { Item } = await db().send(new GetCommand({ TableName: tableName('rollups'), Key: rollupKeys.customerPath(orgId, customerId), ConsistentRead: true }));
  return Item as (Item & { touchpoints: Touchpoint[] }) | undefined;
};

/** Deletes a customer's path; whether there was one. */
export const deleteCustomerPath = async (orgId: string, customerId: string): Promise<boolean> => {
  const { Attributes } = await db().send(new DeleteCommand({ TableName: tableName('rollups'), Key: rollupKeys.customerPath(orgId, customerId), ReturnValues: 'ALL_OLD' }));
  return Attributes !== undefined;
};

/** The archive files of an organization's clicks and conversions, in key order (refunds name no one). */
export const archiveFilesOf = async (store: ObjectStore, orgId: string): Promise<Array<{ key: string; type: ArchivedEventType }>> => {
  const types = archivedEventTypes.filter((type) => type !== 'refund');
  const found = await Promise.all(types.map(async (type) => (await store.list(`${ARCHIVE_PREFIX}/org=${orgId}/type=${type}/`)).filter((key) => key.endsWith('.parquet')).map((key) => ({ key, type }))));
  return found.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

export const readArchiveFile = async (store: ObjectStore, key: string): Promise<ArchiveRow[] | undefined> => {
  const bytes = await store.get(key);
  return bytes ? decodeArchiveFile(bytes) : undefined;
};

/** Replaces an archive file by a whole new one (S3 PutObject, or a renamed temporary file): a reader sees the old file or the new. */
export const rewriteArchiveFile = (store: ObjectStore, key: string, type: ArchivedEventType, rows: readonly ArchiveRow[]): Promise<void> =>
  store.put(key, encodeArchiveFile(type, rows), PARQUET_CONTENT_TYPE);
