/**
 * What a request did to the tables, seen from the one DynamoDB client every handler uses:
 * which writes succeeded, and which items the handlers read. A middleware on the shared
 * document client records both, per request, at almost no cost; `fingerprint` (a hash of every
 * item of every table) is the slower belt-and-braces check that nothing wrote around it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../../infra/definitions.js';
import type { TableId } from '../../../shared/settings.js';
import { documentClient } from '../../../shared/adapters/dynamo.js';
import { tableName } from '../../../shared/adapters/config.js';
import { invokedFunction } from './gateway.js';

export interface WriteRecord {
  command: string;
  /** The function that sent it (when run through the in-process gateway). */
  fn?: string;
  /** Table names the write touched. */
  tables: string[];
  /** Primary keys (pk/sk) written, as far as the command names them. */
  keys: Array<Record<string, unknown>>;
}

export interface ReadRecord {
  command: string;
  fn?: string;
  tables: string[];
  items: Array<Record<string, unknown>>;
}

export interface Recording {
  writes: WriteRecord[];
  reads: ReadRecord[];
}

const WRITE_COMMANDS = /^(Put|Update|Delete|TransactWrite|BatchWrite)/;
const READ_COMMANDS = /^(Get|Query|Scan|BatchGet|TransactGet)/;

type Input = Record<string, any>;

const keyOf = (item: Record<string, unknown> | undefined) =>
  item ? { pk: item.pk, sk: item.sk } : {};

/** Tables and keys named by a (document client) write command's input. */
const describeWrite = (command: string, input: Input): WriteRecord => {
  if (command.startsWith('TransactWrite')) {
    const actions = (input.TransactItems ?? []) as Input[];
    const parts = actions.flatMap((action) => {
      const [kind, body] = Object.entries(action)[0] ?? [];
      if (!body || kind === 'ConditionCheck') return [];
      return [{ table: String(body.TableName), key: keyOf(body.Item ?? body.Key) }];
    });
    return { command, tables: [...new Set(parts.map((p) => p.table))], keys: parts.map((p) => p.key) };
  }
  if (command.startsWith('BatchWrite')) {
    const entries = Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>);
    return {
      command,
      tables: entries.map(([table]) => table),
      keys: entries.flatMap(([, requests]) => requests.map((r) => keyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key))),
    };
  }
  return { command, tables: [String(input.TableName)], keys: [keyOf(input.Item ?? input.Key)] };
};

const itemsOf = (output: Input): Array<Record<string, unknown>> => {
  if (output.Item) return [output.Item];
  if (Array.isArray(output.Items)) return output.Items;
  if (output.Responses && !Array.isArray(output.Responses)) return Object.values(output.Responses).flat() as Input[];
  if (Array.isArray(output.Responses)) return output.Responses.map((r: Input) => r.Item).filter(Boolean);
  return [];
};

// Each watched action has its own recording, found through its async context, so concurrent
// requests are told apart.
const recordings = new AsyncLocalStorage<Recording>();
let installed = false;

/** Installs the recording middleware on the shared document client (once per process). */
export const installTableWatch = (): void => {
  if (installed) return;
  installed = true;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const recording = recordings.getStore();
      if (recording) {
        const command = String(context.commandName ?? '');
        const fn = invokedFunction.getStore();
        const input = args.input as Input;
        // Only successful calls reach here: a failed condition throws and changes nothing.
        if (WRITE_COMMANDS.test(command)) recording.writes.push({ ...describeWrite(command, input), ...(fn ? { fn } : {}) });
        else if (READ_COMMANDS.test(command)) {
          const tables = input.TableName ? [String(input.TableName)] : Object.keys(input.RequestItems ?? {});
          recording.reads.push({ command, ...(fn ? { fn } : {}), tables, items: itemsOf(result.output as Input) });
        }
      }
      return result;
    },
    { step: 'initialize', name: 'reliabilityTableWatch' },
  );
};

/** Runs `action` and returns what it (and only it, even among concurrent ones) did to the tables. */
export const watchTables = async <T>(action: () => Promise<T>): Promise<{ result: T; recording: Recording }> => {
  installTableWatch();
  const recording: Recording = { writes: [], reads: [] };
  const result = await recordings.run(recording, action);
  return { result, recording };
};

/** JSON with object keys sorted at every level: equal items give equal text. */
export const stable = (value: unknown): string => {
  if (value instanceof Set) return stable([...value].sort());
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
};

/** Every item of a table (the test tables are small). */
export const scanAll = async (id: TableId): Promise<Array<Record<string, unknown>>> => {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(id), ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

/** Item count and content hash per table; equal fingerprints mean no table changed. */
export const fingerprint = async (): Promise<Record<TableId, { items: number; sha256: string }>> => {
  const result = {} as Record<TableId, { items: number; sha256: string }>;
  for (const id of Object.keys(tables) as TableId[]) {
    const items = (await scanAll(id)).map(stable).sort();
    result[id] = { items: items.length, sha256: createHash('sha256').update(items.join('\n')).digest('hex') };
  }
  return result;
};
