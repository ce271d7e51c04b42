/**
 * Counts, from inside the product's own DynamoDB client, the capacity every partition key takes
 * per second: base tables and the global secondary indexes a write lands in. A middleware sees
 * each command's input (keys, items, update values) and its output (items read), so the counts
 * are of what the product really sent; units come from the item sizes (bench/hotkeys/item-size.ts)
 * with AWS's rules — 1 WCU per started KB, 2 for a transactional write, ½ RCU per started 4 KB
 * for an eventually consistent read.
 *
 * DynamoDB Local is asked for its own ConsumedCapacity (INDEXES) as well, per table and index:
 * a cross-check of the totals (DynamoDB Local 10.3 reports 2 units per TransactWriteItems call,
 * however many items it writes; AWS bills 2 per item, so only non-transactional totals match).
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/definitions.js';
import type { TableId } from '../../shared/settings.js';
import { itemSize, projectedItem, readUnits, valueSize, writeUnits } from './item-size.js';

/** `events`, `events/byCampaignKeys`, `rollups`… */
export type Target = string;

export interface KeyLoad {
  /** Units per epoch second. */
  unitsBySecond: Map<number, number>;
  items: number;
  units: number;
}

export interface KeyMeterSnapshot {
  writes: Map<Target, Map<string, KeyLoad>>;
  reads: Map<Target, Map<string, KeyLoad>>;
  /** Writes per item (`pk sk`) of the base tables: what no partition split can spread. */
  itemWrites: Map<Target, Map<string, KeyLoad>>;
  /** Capacity units DynamoDB Local reported, per target (as reported: 1 per transactional item). */
  reported: Map<Target, number>;
  /** The largest item written (or, for updates, the largest value set) per target, in bytes. */
  largestItemBytes: Map<Target, number>;
  /** Successful calls per operation (`TransactWrite`, `Put`…). */
  calls: Map<string, number>;
}

type Item = Record<string, unknown>;
interface TransactAction {
  Put?: { TableName?: string; Item?: Item };
  Update?: { TableName?: string; Key?: Item; ExpressionAttributeValues?: Item; ExpressionAttributeNames?: Record<string, string> };
  Delete?: { TableName?: string; Key?: Item };
  ConditionCheck?: { TableName?: string; Key?: Item };
}

export interface KeyMeter {
  start(): void;
  stop(): void;
  reset(): void;
  snapshot(): KeyMeterSnapshot;
}

/**
 * @param physicalNames logical table id → the physical table name the product writes to.
 */
export const installKeyMeter = (client: DynamoDBDocumentClient, physicalNames: Record<TableId, string>): KeyMeter => {
  const logicalOf = new Map(Object.entries(physicalNames).map(([id, name]) => [name, id as TableId]));
  let recording = false;
  const emptyState = (): KeyMeterSnapshot => ({ writes: new Map(), reads: new Map(), itemWrites: new Map(), reported: new Map(), largestItemBytes: new Map(), calls: new Map() });
  let state = emptyState();

  const add = (kind: 'writes' | 'reads' | 'itemWrites', target: Target, partitionKey: string, units: number) => {
    let keys = state[kind].get(target);
    if (!keys) state[kind].set(target, (keys = new Map()));
    let load = keys.get(partitionKey);
    if (!load) keys.set(partitionKey, (load = { unitsBySecond: new Map(), items: 0, units: 0 }));
    const second = Math.floor(Date.now() / 1000);
    load.unitsBySecond.set(second, (load.unitsBySecond.get(second) ?? 0) + units);
    load.items++;
    load.units += units;
  };
  const noteSize = (target: Target, bytes: number) => state.largestItemBytes.set(target, Math.max(bytes, state.largestItemBytes.get(target) ?? 0));

  /** A written item lands in its table and in every index whose key attributes it carries. */
  const wroteItem = (tableName: string | undefined, item: Item, bytes: number, transactional: boolean) => {
    const tableId = logicalOf.get(tableName ?? '');
    if (!tableId) return;
    const definition = tables[tableId];
    const units = writeUnits(bytes, transactional);
    add('writes', tableId, String(item[definition.partitionKey.name]), units);
    add('itemWrites', tableId, `${String(item[definition.partitionKey.name])} ${String(item[definition.sortKey.name])}`, units);
    noteSize(tableId, bytes);
    for (const index of definition.globalSecondaryIndexes) {
      const indexKey = item[index.partitionKey.name];
      if (typeof indexKey !== 'string') continue;
      // The index item is the table item (ALL) or its keys (KEYS_ONLY). Index updates are
      // standard writes even when the table write is transactional.
      const indexBytes = index.projection === 'ALL' ? bytes : itemSize(projectedItem(item, definition, index));
      add('writes', `${tableId}/${index.indexName}`, indexKey, writeUnits(indexBytes));
      noteSize(`${tableId}/${index.indexName}`, indexBytes);
    }
  };

  /** An update's size: its key and the values it sets (a lower bound of the item it rewrites). */
  const updateSize = (key: Item, values: Item | undefined, names: Record<string, string> | undefined): number =>
    itemSize(key) +
    Object.values(values ?? {}).reduce((sum: number, value) => sum + valueSize(value), 0) +
    Object.values(names ?? {}).reduce((sum, name) => sum + Buffer.byteLength(name), 0);

  const countWrite = (operation: string, input: any) => {
    switch (operation) {
      case 'Put':
        wroteItem(input.TableName, input.Item, itemSize(input.Item), false);
        break;
      case 'Update':
        wroteItem(input.TableName, input.Key, updateSize(input.Key, input.ExpressionAttributeValues, input.ExpressionAttributeNames), false);
        break;
      case 'TransactWrite':
        for (const action of (input.TransactItems ?? []) as TransactAction[]) {
          if (action.Put?.Item) wroteItem(action.Put.TableName, action.Put.Item, itemSize(action.Put.Item), true);
          else if (action.Update?.Key) {
            const { TableName, Key, ExpressionAttributeValues, ExpressionAttributeNames } = action.Update;
            wroteItem(TableName, Key, updateSize(Key, ExpressionAttributeValues, ExpressionAttributeNames), true);
          } else if (action.Delete?.Key) wroteItem(action.Delete.TableName, action.Delete.Key, itemSize(action.Delete.Key), true);
          else if (action.ConditionCheck?.Key) wroteItem(action.ConditionCheck.TableName, action.ConditionCheck.Key, itemSize(action.ConditionCheck.Key), true);
        }
        break;
      default:
        break;
    }
  };

  /** The partition key value a Query asks for: the `<attribute> = :value` of its key condition. */
  const queriedPartition = (input: any): string => {
    const match = /^\s*#?(\w+)\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression ?? ''));
    return match ? String(input.ExpressionAttributeValues?.[match[2]]) : '?';
  };

  const countRead = (operation: string, input: any, output: any) => {
    const tableId = logicalOf.get(input.TableName ?? '');
    if (!tableId) return;
    const consistent = Boolean(input.ConsistentRead);
    if (operation === 'Get') {
      add('reads', tableId, String(input.Key?.[tables[tableId].partitionKey.name]), readUnits(output?.Item ? itemSize(output.Item) : 0, consistent));
    } else if (operation === 'Query') {
      const bytes = ((output?.Items ?? []) as Item[]).reduce((sum, item) => sum + itemSize(item), 0);
      add('reads', input.IndexName ? `${tableId}/${input.IndexName}` : tableId, queriedPartition(input), readUnits(bytes, consistent));
    }
  };

  const countReported = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined) => {
    for (const capacity of [consumed ?? []].flat()) {
      const tableId = logicalOf.get(capacity.TableName ?? '');
      if (!tableId) continue;
      const tableUnits = capacity.Table?.CapacityUnits ?? capacity.CapacityUnits ?? 0;
      state.reported.set(tableId, (state.reported.get(tableId) ?? 0) + tableUnits);
      for (const [indexName, index] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
        const target = `${tableId}/${indexName}`;
        state.reported.set(target, (state.reported.get(target) ?? 0) + (index.CapacityUnits ?? 0));
      }
    }
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!recording) return next(args);
      const input = args.input as any;
      input.ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      // `PutItemCommand` (the client command under the document client) and `PutCommand` alike → `Put`.
      const operation = String(context.commandName ?? '').replace(/Command$/, '').replace(/Items?$/, '');
      // Only what succeeded: a cancelled transaction or a failed put wrote nothing.
      state.calls.set(operation, (state.calls.get(operation) ?? 0) + 1);
      countWrite(operation, input);
      countRead(operation, input, result.output);
      countReported((result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
      return result;
    },
    { step: 'initialize', name: 'hotKeyMeter' },
  );

  return {
    start: () => {
      recording = true;
    },
    stop: () => {
      recording = false;
    },
    reset: () => {
      state = emptyState();
    },
    snapshot: () => state,
  };
};
