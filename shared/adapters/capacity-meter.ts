/**
 * Counts the capacity DynamoDB reports as consumed (ReturnConsumedCapacity: TOTAL) per table and
 * operation, so benchmarks and the cost model work from counted request units, not estimates.
 * Off unless DYNAMODB_CAPACITY_METER=1: it adds a field to every request and bookkeeping per call.
 * Counts are as reported: DynamoDB Local reports one unit per transactional item where AWS bills
 * two, so a cost model must double Transact* units itself.
 */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CapacityCount {
  calls: number;
  readUnits: number;
  writeUnits: number;
}

const counts = new Map<string, CapacityCount>();

const add = (key: string, capacity: ConsumedCapacity | undefined) => {
  let count = counts.get(key);
  if (!count) {
    count = { calls: 0, readUnits: 0, writeUnits: 0 };
    counts.set(key, count);
  }
  count.calls++;
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

/** Installs the meter on a client (a no-op unless enabled). */
export const installCapacityMeter = (client: DynamoDBClient): void => {
  if (!capacityMeterEnabled()) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [undefined];
      for (const capacity of list) add(`${operation} ${capacity?.TableName ?? '?'}`, capacity);
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
};

/** Counts per "<Operation> <table>" since the last reset. */
export const capacitySnapshot = (): Record<string, CapacityCount> =>
  Object.fromEntries([...counts].map(([key, count]) => [key, { ...count }]));

export const resetCapacityMeter = (): void => counts.clear();
