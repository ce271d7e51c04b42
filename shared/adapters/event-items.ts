/**
 * Items by key, BatchGetItem, 100 keys a call, a few calls at a time; keys DynamoDB leaves
 * unprocessed (throttling, the 16 MB answer limit) are asked again after a growing pause. Above
 * all the events table's items for keys found in its keys-only campaign index (infra/definitions.ts:
 * the index holds the keys, the table the click); the click fold reads its ledger lookups the same way.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableId } from '../settings.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';

export type EventItemKey = { pk: string; sk: string };

const KEYS_PER_CALL = 100;
const CALLS_AT_ONCE = 4;
/** Rounds of unprocessed keys before giving up (an answer is better late than silently short). */
const MAX_ROUNDS = 8;
const FIRST_PAUSE_MS = 25;

export class UnprocessedKeysError extends Error {
  constructor(readonly remaining: number) {
    super(`BatchGetItem left ${remaining} keys unprocessed after ${MAX_ROUNDS} rounds`);
    this.name = 'UnprocessedKeysError';
  }
}

const keyOf = (item: Record<string, unknown>) => `${String(item.pk)}\u0000${String(item.sk)}`;

const getChunk = async (tableId: TableId, keys: EventItemKey[], consistent: boolean, found: Map<string, Record<string, unknown>>) => {
  const table = tableName(tableId);
  let pending: EventItemKey[] = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new UnprocessedKeysError(pending.length);
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, FIRST_PAUSE_MS * 2 ** (round - 1)));
    const result = await documentClient().send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }),
    );
    for (const item of result.Responses?.[table] ?? []) found.set(keyOf(item), item);
    pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as EventItemKey[];
  }
};

/**
 * The items of `keys`, in the order of `keys`. A key without an item (expired by TTL after the
 * index listed it) is left out. `consistent`: strongly consistent reads (twice the read units).
 */
export const eventItemsOf = (keys: readonly EventItemKey[], options: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> =>
  itemsOf('events', keys, options);

/** `eventItemsOf` for any of the product's tables. */
export const itemsOf = async (tableId: TableId, keys: readonly EventItemKey[], options: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> => {
  const unique = [...new Map(keys.map((key) => [keyOf(key), { pk: key.pk, sk: key.sk }])).values()];
  const chunks: EventItemKey[][] = [];
  for (let i = 0; i < unique.length; i += KEYS_PER_CALL) chunks.push(unique.slice(i, i + KEYS_PER_CALL));
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < chunks.length; i += CALLS_AT_ONCE) {
    await Promise.all(chunks.slice(i, i + CALLS_AT_ONCE).map((chunk) => getChunk(tableId, chunk, options.consistent ?? false, found)));
  }
  return keys.flatMap((key): Record<string, unknown>[] => {
    const item = found.get(keyOf(key));
    return item ? [item] : [];
  });
};
