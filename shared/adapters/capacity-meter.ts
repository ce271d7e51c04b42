/**
 * Counts the capacity DynamoDB reports as consumed (ReturnConsumedCapacity: TOTAL) per table and
 * operation, so benchmarks and the cost model work from counted request units, not estimates.
 * Off unless DYNAMODB_CAPACITY_METER=1: it adds a field to every request and bookkeeping per call.
 * Counts are as reported, except for transactions. DynamoDB Local (checked with 2026-01-16)
 * reports what AWS bills for single-item calls — 1 unit per KB written, the GSI's writes in the
 * total — but for a TransactWriteItems call it reports 2 × the largest item's KB per table
 * (10 small items: 2 units), where AWS bills 2 units per KB of every item. Transactional writes
 * are therefore computed from the request: 2 × ceil(KB) per action, sized conservatively from
 * its item (Put) or key and values (Update; DynamoDB bills the larger of the item before and
 * after, which for our small counter rows stays under 1 KB). GSI writes caused by a
 * transactional Put are not added (they bill as standard writes; noted in docs/scaling.md).
 */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CapacityCount {
  calls: number;
  readUnits: number;
  writeUnits: number;
}

const counts = new Map<string, CapacityCount>();
/**
 * The same counts per scope (the function whose invocation made the call), when a scope is set:
 * one process serves every function locally, and the cost model prices each path apart.
 */
const countsByScope = new Map<string, Map<string, CapacityCount>>();
let currentScope: () => string | undefined = () => undefined;

/** Names the scope of each call (e.g. an AsyncLocalStorage holding the function id). */
export const setCapacityScope = (scope: () => string | undefined): void => {
  currentScope = scope;
};

const countIn = (map: Map<string, CapacityCount>, key: string): CapacityCount => {
  let count = map.get(key);
  if (!count) {
    count = { calls: 0, readUnits: 0, writeUnits: 0 };
    map.set(key, count);
  }
  return count;
};

/** `call`: false for the second and later tables of one multi-table call (counted once). */
const add = (key: string, capacity: ConsumedCapacity | undefined, call = true) => {
  const scope = currentScope();
  if (scope !== undefined) {
    let scoped = countsByScope.get(scope);
    if (!scoped) countsByScope.set(scope, (scoped = new Map()));
    addTo(countIn(scoped, key), key, capacity, call);
  }
  addTo(countIn(counts, key), key, capacity, call);
};

const addTo = (count: CapacityCount, key: string, capacity: ConsumedCapacity | undefined, call: boolean) => {
  if (call) count.calls++;
  if (!capacity) return;
  // DynamoDB Local reports CapacityUnits only; on AWS on-demand tables report Read/Write too.
  const read = capacity.ReadCapacityUnits;
  const write = capacity.WriteCapacityUnits;
  if (read !== undefined || write !== undefined) {
    count.readUnits += read ?? 0;
    count.writeUnits += write ?? 0;
  } else if (capacity.CapacityUnits !== undefined) {
    if (/^(Get|Query|Scan|BatchGet|TransactGet)/.test(key.split(' ')[0])) count.readUnits += capacity.CapacityUnits;
    else count.writeUnits += capacity.CapacityUnits;
  }
};

export const capacityMeterEnabled = (): boolean => process.env.DYNAMODB_CAPACITY_METER === '1';

type TransactAction = { TableName?: string; Item?: unknown; Key?: unknown; ExpressionAttributeValues?: unknown };
type TransactInput = { TransactItems?: Array<Record<string, TransactAction | undefined>> };

/** Bytes of an item as JSON: above DynamoDB's own size rule (names + values), so conservative. */
const approximateBytes = (...parts: unknown[]): number => parts.reduce<number>((sum, part) => sum + (part ? JSON.stringify(part).length : 0), 0);

/** Units AWS bills for a TransactWriteItems call, per table: 2 per KB of each action. */
const transactionalUnits = (input: TransactInput): Map<string, number> => {
  const perTable = new Map<string, number>();
  for (const wrapper of input.TransactItems ?? []) {
    for (const [kind, action] of Object.entries(wrapper)) {
      if (!action?.TableName) continue;
      // A ConditionCheck is billed as a write too.
      const bytes = kind === 'Put' ? approximateBytes(action.Item) : approximateBytes(action.Key, action.ExpressionAttributeValues);
      perTable.set(action.TableName, (perTable.get(action.TableName) ?? 0) + 2 * Math.max(1, Math.ceil(bytes / 1024)));
    }
  }
  return perTable;
};

/** Installs the meter on a client (a no-op unless enabled). */
export const installCapacityMeter = (client: DynamoDBClient): void => {
  if (!capacityMeterEnabled()) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      if (operation === 'TransactWriteItems') {
        const perTable = transactionalUnits(args.input as TransactInput);
        [...perTable].forEach(([table, units], index) => add(`${operation} ${table}`, { TableName: table, WriteCapacityUnits: units }, index === 0));
        return result;
      }
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [undefined];
      list.forEach((capacity, index) => add(`${operation} ${capacity?.TableName ?? '?'}`, capacity, index === 0));
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
};

/** Counts per "<Operation> <table>" since the last reset. */
export const capacitySnapshot = (): Record<string, CapacityCount> =>
  Object.fromEntries([...counts].map(([key, count]) => [key, { ...count }]));

/** Counts per scope, then per "<Operation> <table>", since the last reset. */
export const capacitySnapshotByScope = (): Record<string, Record<string, CapacityCount>> =>
  Object.fromEntries([...countsByScope].map(([scope, map]) => [scope, Object.fromEntries([...map].map(([key, count]) => [key, { ...count }]))]));

export const resetCapacityMeter = (): void => {
  counts.clear();
  countsByScope.clear();
};
