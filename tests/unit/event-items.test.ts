/**
 * shared/adapters/event-items.ts: the items behind the keys-only campaign index. DynamoDB Local
 * never leaves keys unprocessed, so the client is replaced by one that does: the reader must ask
 * again for exactly those keys, keep the order of the index, leave out keys without an item, and
 * give up loudly rather than answer short.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Key = { pk: string; sk: string };
const client = vi.hoisted(() => ({ send: vi.fn() }));
vi.mock('../../shared/adapters/dynamo.js', () => ({ documentClient: () => client }));

const { eventItemsOf, UnprocessedKeysError } = await import('../../shared/adapters/event-items.js');

const TABLE = 'events-under-test';
const keyOf = (i: number): Key => ({ pk: `V#visitor${i}`, sk: `C#2026-12-05T05:00:00.000Z#click${i}` });
const itemOf = (key: Key) => ({ ...key, type: 'click', clickId: key.sk.split('#').pop() });

/** A table that holds `stored` and, on each call, answers at most `served` of the asked keys. */
const table = (stored: Key[], served: number) => {
  const byKey = new Map(stored.map((key) => [`${key.pk} ${key.sk}`, itemOf(key)]));
  client.send.mockImplementation(async (command: BatchGetCommand) => {
    expect(command).toBeInstanceOf(BatchGetCommand);
    const request = command.input.RequestItems![TABLE];
    const keys = request.Keys as Key[];
    expect(keys.length).toBeLessThanOrEqual(100);
    const answered = keys.slice(0, served);
    const left = keys.slice(served);
    return {
      Responses: { [TABLE]: answered.flatMap((key) => byKey.get(`${key.pk} ${key.sk}`) ?? []).reverse() },
      UnprocessedKeys: left.length > 0 ? { [TABLE]: { ...request, Keys: left } } : {},
    };
  });
};

beforeEach(() => {
  client.send.mockReset();
  process.env.TABLE_EVENTS = TABLE;
});

describe('eventItemsOf', () => {
  it('asks again for the unprocessed keys until every item is read, and answers in the order of the keys', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => keyOf(i));
    table(keys, 30);
    const items = await eventItemsOf(keys);
    expect(items.map((item) => item.sk)).toEqual(keys.map((key) => key.sk));
    // 3 calls of at most 100 keys, each answered 30 at a time: every key asked for until read, never twice once read.
    const asked = client.send.mock.calls.flatMap(([command]) => (command as BatchGetCommand).input.RequestItems![TABLE].Keys as Key[]);
    const firstAsks = new Map<string, number>();
    for (const [index, key] of asked.entries()) if (!firstAsks.has(key.sk)) firstAsks.set(key.sk, index);
    expect(firstAsks.size).toBe(250);
    expect(client.send.mock.calls.length).toBeGreaterThanOrEqual(Math.ceil(250 / 30));
  });

  it('leaves out keys whose item is gone (expired after the index listed it) and reads a key listed twice once', async () => {
    const keys = [keyOf(1), keyOf(2), keyOf(3)];
    table([keys[0], keys[2]], 100);
    const items = await eventItemsOf([keys[0], keys[1], keys[2], keys[0]]);
    expect(items.map((item) => item.sk)).toEqual([keys[0].sk, keys[2].sk, keys[0].sk]);
    expect((client.send.mock.calls[0][0] as BatchGetCommand).input.RequestItems![TABLE].Keys).toHaveLength(3);
  });

  it('strongly consistent when asked (the reconciliation), eventually consistent otherwise', async () => {
    table([keyOf(1)], 100);
    await eventItemsOf([keyOf(1)], { consistent: true });
    await eventItemsOf([keyOf(1)]);
    const consistency = client.send.mock.calls.map(([command]) => (command as BatchGetCommand).input.RequestItems![TABLE].ConsistentRead);
    expect(consistency).toEqual([true, false]);
  });

  it('gives up with an error, not a short answer, when keys stay unprocessed', async () => {
    table([keyOf(1)], 0);
    await expect(eventItemsOf([keyOf(1)])).rejects.toBeInstanceOf(UnprocessedKeysError);
  });

  it('no keys, no call', async () => {
    expect(await eventItemsOf([])).toEqual([]);
    expect(client.send).not.toHaveBeenCalled();
  });
});
