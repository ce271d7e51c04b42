/**
 * Counts what a process asks of DynamoDB, from the inside: a middleware on the product's own
 * document client (shared/adapters/dynamo.ts) sees every command, so the figures are counts,
 * not estimates. Items are attributed to their table and to the kind of item (the first segment
 * of the partition key: `R` counter rows, `APPLIED` ledger, `CONV` credit records…).
 *
 * Extension point for capacity counting (issue 7): set `ReturnConsumedCapacity` on the input in
 * the same middleware and add the response's `ConsumedCapacity` to the snapshot per table.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface TableCounts {
  itemsWritten: number;
  itemsRead: number;
  /** Items written, by the first `#` segment of their partition key. */
  writtenByKind: Record<string, number>;
}

export interface MeterSnapshot {
  /** Successful calls per operation (`Put`, `TransactWrite`, `Query`…). */
  commands: Record<string, number>;
  /** Per physical table name. */
  tables: Record<string, TableCounts>;
}

export interface DynamoMeter {
  snapshot(): MeterSnapshot;
  reset(): void;
}

type Key = Record<string, unknown> | undefined;
type WriteRequest = { PutRequest?: { Item?: Key }; DeleteRequest?: { Key?: Key } };
type TransactAction = Record<string, { TableName?: string; Item?: Key; Key?: Key } | undefined>;

/** `pk` plain, or marshalled (`{ S: … }`) when the middleware runs below the document layer. */
const kindOf = (key: Key): string => {
  const pk = key?.pk as unknown;
  const text = typeof pk === 'string' ? pk : typeof (pk as { S?: unknown })?.S === 'string' ? (pk as { S: string }).S : undefined;
  return text ? text.split('#')[0] : '?';
};

/** `PutItemCommand` and `PutCommand` alike → `Put`. */
const operationOf = (commandName: string): string => commandName.replace(/Command$/, '').replace(/Items?$/, '');

export const createDynamoMeter = (): DynamoMeter & { count(command: string, input: any, output: any): void } => {
  let snapshot: MeterSnapshot = { commands: {}, tables: {} };
  const table = (name: string | undefined): TableCounts =>
    (snapshot.tables[name ?? '?'] ??= { itemsWritten: 0, itemsRead: 0, writtenByKind: {} });
  const wrote = (tableName: string | undefined, key: Key) => {
    const counts = table(tableName);
    counts.itemsWritten++;
    const kind = kindOf(key);
    counts.writtenByKind[kind] = (counts.writtenByKind[kind] ?? 0) + 1;
  };

  const count = (commandName: string, input: any, output: any) => {
    const operation = operationOf(commandName);
    snapshot.commands[operation] = (snapshot.commands[operation] ?? 0) + 1;
    switch (operation) {
      case 'Put':
        wrote(input.TableName, input.Item);
        break;
      case 'Update':
      case 'Delete':
        wrote(input.TableName, input.Key);
        break;
      case 'BatchWrite':
        for (const [name, requests] of Object.entries(input.RequestItems ?? {}) as Array<[string, WriteRequest[]]>) {
          for (const request of requests) wrote(name, request.PutRequest?.Item ?? request.DeleteRequest?.Key);
          // Unprocessed items were not written: take them back.
          for (const request of ((output?.UnprocessedItems ?? {})[name] ?? []) as WriteRequest[]) {
            const counts = table(name);
            const kind = kindOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key);
            counts.itemsWritten--;
            counts.writtenByKind[kind]--;
          }
        }
        break;
      case 'TransactWrite':
        for (const action of (input.TransactItems ?? []) as TransactAction[]) {
          const [kind, body] = Object.entries(action)[0] ?? [];
          if (kind !== 'ConditionCheck' && body) wrote(body.TableName, body.Item ?? body.Key);
        }
        break;
      case 'Get':
        table(input.TableName).itemsRead += output?.Item ? 1 : 0;
        break;
      case 'Query':
      case 'Scan':
        table(input.TableName).itemsRead += output?.Count ?? 0;
        break;
      case 'BatchGet':
        for (const [name, items] of Object.entries(output?.Responses ?? {}) as Array<[string, unknown[]]>) {
          table(name).itemsRead += items.length;
        }
        break;
      default:
        break;
    }
  };

  return {
    count,
    snapshot: () => structuredClone(snapshot),
    reset: () => {
      snapshot = { commands: {}, tables: {} };
    },
  };
};

/**
 * Installs the meter on a document client. Only successful calls are counted: a cancelled
 * transaction wrote nothing.
 */
export const meterDocumentClient = (client: DynamoDBDocumentClient): DynamoMeter => {
  const meter = createDynamoMeter();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      meter.count(String(context.commandName), args.input, result.output);
      return result;
    },
    { step: 'initialize', name: 'benchDynamoMeter' },
  );
  return meter;
};
