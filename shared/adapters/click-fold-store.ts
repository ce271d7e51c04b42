/**
 * Where the click fold (shared/domain/click-fold.ts) keeps its state in the roll-ups table, and how
 * it reads a range of clicks: the campaign's watermark (`FOLD#<org>#<campaign>` / `WATERMARK`), its
 * receipts (`R#<after>`, gzipped JSON, kept as long as the ledger), and fenced row updates.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { campaignIndexName, campaignIndexShards } from '../settings.js';
import { rangeBound, type FoldReceipt, type FoldWatermark, type IndexedClick } from '../domain/click-fold.js';
import { ERASED_BY_ATTRIBUTE } from '../domain/erasure.js';
import { clickEventSchema } from '../domain/events.js';
import type { Contribution, RollupDimension } from '../domain/rollup.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { eventItemsOf, itemsOf } from './event-items.js';
import { eventKeys, rollupKeys } from './keys.js';
import { LEDGER_TTL_SECONDS, rowUpdateInput } from './rollup-writer.js';

/** What the fold use case reads and writes; tests wrap it to crash between steps. */
export interface ClickFoldStore {
  watermark(orgId: string, campaignId: string): Promise<FoldWatermark | undefined>;
  /** Sets a campaign's first watermark (sequence 0) unless one exists; answers the one that holds. */
  startWatermark(orgId: string, campaignId: string, through: string): Promise<FoldWatermark>;
  /** Moves the watermark from `from` past `receipt`; false when it was not at `from` (another consumer moved it). */
  advanceWatermark(orgId: string, campaignId: string, from: FoldWatermark, receipt: FoldReceipt): Promise<boolean>;
  receipt(orgId: string, campaignId: string, after: string): Promise<FoldReceipt | undefined>;
  /** The receipt whose range starts highest below `sortKey` (the one covering it, if any covers it). */
  receiptBelow(orgId: string, campaignId: string, sortKey: string): Promise<FoldReceipt | undefined>;
  /**
   * Stores a receipt unless its range was fixed already; false then. A receipt too large for one
   * item throws `FoldReceiptTooLargeError` (the use case cuts the range shorter).
   */
  createReceipt(receipt: FoldReceipt): Promise<boolean>;
  /**
   * The first `limit` clicks of the campaign index after `after` up to `through` (erased re-keys
   * left out), and where the range read ends: `through`, or the last key read when there were more.
   */
  clicksInRange(orgId: string, campaignId: string, after: string, through: string, limit: number): Promise<{ clicks: IndexedClick[]; end: string }>;
  /** Which of these event ids the ledger holds (applied one by one). */
  inLedger(eventIds: readonly string[]): Promise<Set<string>>;
  /** Adds a row's deltas unless it holds the receipt sequence `fence` (or a later one) already; false then. */
  applyRow(contribution: Contribution, fence: number): Promise<boolean>;
}

type Compact = { d: string[]; a: string[]; r: Array<[RollupDimension, string, string, Record<string, number>]> };

const encodeBody = (receipt: FoldReceipt): Uint8Array =>
  gzipSync(
    JSON.stringify({
      d: receipt.clickDigests,
      a: receipt.advocateIds,
      r: receipt.rows.map(({ row, counters }) => [row.dimension, row.period, row.key, counters]),
    } satisfies Compact),
  );

const receiptOf = (item: Record<string, unknown>): FoldReceipt => {
  const body = JSON.parse(gunzipSync(item.body as Uint8Array).toString('utf8')) as Compact;
  const orgId = String(item.orgId);
  const campaignId = String(item.campaignId);
  return {
    orgId,
    campaignId,
    after: String(item.after),
    through: String(item.through),
    sequence: Number(item.sequence),
    clickDigests: body.d,
    advocateIds: body.a,
    rows: body.r.map(([dimension, period, key, counters]) => ({ row: { orgId, campaignId, dimension, period, key }, counters })),
  };
};

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Room for a receipt's gzipped body in one item (400 KB), its other attributes and a margin. */
const MAX_RECEIPT_BODY_BYTES = 300_000;

export class FoldReceiptTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`A click fold receipt of ${bytes} bytes does not fit one item`);
    this.name = 'FoldReceiptTooLargeError';
  }
}

/** Keys of one index shard in the range, ascending, at most `limit`. */
const shardKeys = async (orgId: string, campaignId: string, shard: number, after: string, through: string, limit: number) => {
  const keys: Array<{ pk: string; sk: string; sortKey: string }> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('events'),
        IndexName: campaignIndexName,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :after AND :through',
        ExpressionAttributeValues: { ':pk': eventKeys.campaignIndexShard(orgId, campaignId, shard), ':after': after, ':through': through },
        Limit: limit - keys.length + 1,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const sortKey = String(item.gsi1sk);
      if (sortKey > after) keys.push({ pk: String(item.pk), sk: String(item.sk), sortKey });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && keys.length < limit);
  return keys.slice(0, limit);
};


export const dynamoClickFoldStore: ClickFoldStore = {
  async watermark(orgId, campaignId) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName('rollups'), Key: rollupKeys.foldWatermark(orgId, campaignId), ConsistentRead: true }),
    );
    return Item ? { through: String(Item.through), sequence: Number(Item.sequence) } : undefined;
  },

  async startWatermark(orgId, campaignId, through) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName('rollups'),
          Item: { ...rollupKeys.foldWatermark(orgId, campaignId), orgId, campaignId, through, sequence: 0, updatedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { through, sequence: 0 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.watermark(orgId, campaignId))!;
    }
  },

  async advanceWatermark(orgId, campaignId, from, receipt) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName('rollups'),
          Key: rollupKeys.foldWatermark(orgId, campaignId),
          UpdateExpression: 'SET through = :to, #sequence = :sequence, updatedAt = :now',
          ConditionExpression: 'through = :from',
          ExpressionAttributeNames: { '#sequence': 'sequence' },
          ExpressionAttributeValues: { ':from': from.through, ':to': receipt.through, ':sequence': receipt.sequence, ':now': new Date().toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async receipt(orgId, campaignId, after) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName('rollups'), Key: rollupKeys.foldReceipt(orgId, campaignId, after), ConsistentRead: true }),
    );
    return Item ? receiptOf(Item) : undefined;
  },

  async receiptBelow(orgId, campaignId, sortKey) {
    const { Items } = await documentClient().send(
      new QueryCommand({
        TableName: tableName('rollups'),
        // The partition holds receipts (`R#…`) and the watermark (`WATERMARK`, above them all).
        KeyConditionExpression: 'pk = :pk AND sk < :below',
        ExpressionAttributeValues: { ':pk': rollupKeys.foldPartition(orgId, campaignId), ':below': rollupKeys.foldReceiptSort(sortKey) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = Items?.[0];
    return item ? receiptOf(item) : undefined;
  },

  async createReceipt(receipt) {
    const body = encodeBody(receipt);
    if (body.byteLength > MAX_RECEIPT_BODY_BYTES) throw new FoldReceiptTooLargeError(body.byteLength);
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName('rollups'),
          Item: {
            ...rollupKeys.foldReceipt(receipt.orgId, receipt.campaignId, receipt.after),
            orgId: receipt.orgId,
            campaignId: receipt.campaignId,
            after: receipt.after,
            through: receipt.through,
            sequence: receipt.sequence,
            clicks: receipt.clickDigests.length,
            body,
            // Kept as long as a ledger entry: a redelivered click is checked against its receipt.
            expiresAt: Math.floor(Date.now() / 1000) + LEDGER_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async clicksInRange(orgId, campaignId, after, through, limit) {
    const perShard = await Promise.all(
      Array.from({ length: campaignIndexShards }, (_, shard) => shardKeys(orgId, campaignId, shard, after, through, limit + 1)),
    );
    const keys = perShard.flat().sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    const kept = keys.slice(0, limit);
    // A range cut short ends at the last click kept (a click of that bound not read here, if any,
    // is in no receipt: the ledger applies it when it arrives).
    const end = keys.length > limit ? rangeBound(kept[kept.length - 1]!.sortKey) : through;
    const sortKeys = new Map(kept.map((key) => [`${key.pk}\u0000${key.sk}`, key.sortKey]));
    const items = await eventItemsOf(kept.map(({ pk, sk }) => ({ pk, sk })));
    const clicks: IndexedClick[] = [];
    for (const item of items) {
      if (item[ERASED_BY_ATTRIBUTE] !== undefined) continue;
      const parsed = clickEventSchema.safeParse(item);
      const sortKey = sortKeys.get(`${String(item.pk)}\u0000${String(item.sk)}`);
      if (parsed.success && sortKey) clicks.push({ sortKey, event: parsed.data });
    }
    return { clicks, end };
  },

  async inLedger(eventIds) {
    const held = await itemsOf('rollups', eventIds.map((id) => rollupKeys.applied(id)), { consistent: true });
    return new Set(held.map((item) => String(item.pk).slice('APPLIED#'.length)));
  },

  async applyRow(contribution, fence) {
    try {
      await documentClient().send(new UpdateCommand(rowUpdateInput(tableName('rollups'), contribution, new Date().toISOString(), fence)));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
};
