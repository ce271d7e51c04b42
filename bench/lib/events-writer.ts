/**
 * Writes raw events into an events table as fast as DynamoDB Local takes them, or at a paced
 * rate, and remembers when each write was acknowledged (the start of an event's lag).
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RawItem } from './dataset.js';
import { sleep } from './pool.js';

const BATCH = 25;

const writeBatch = async (client: DynamoDBDocumentClient, table: string, items: RawItem[]): Promise<void> => {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    if (requests.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
  }
};

export interface WriteOptions {
  concurrency?: number;
  /** Events per second; unset: as fast as possible. */
  ratePerSecond?: number;
}

export interface WriteResult {
  /** Acknowledgement time (epoch ms) of each event, in the order given. */
  ackedAt: Float64Array;
  startedAt: number;
  finishedAt: number;
}

export const writeEvents = async (
  client: DynamoDBDocumentClient,
  table: string,
  items: RawItem[],
  options: WriteOptions = {},
): Promise<WriteResult> => {
  const ackedAt = new Float64Array(items.length);
  const startedAt = Date.now();
  const concurrency = options.concurrency ?? 8;
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (from: number, to: number) => {
    const write = writeBatch(client, table, items.slice(from, to)).then(() => {
      const now = Date.now();
      for (let i = from; i < to; i++) ackedAt[i] = now;
    });
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
  };
  while (next < items.length) {
    if (options.ratePerSecond) {
      // Release what is due by now, in ticks of 50 ms.
      const due = Math.min(items.length, Math.floor(((Date.now() - startedAt) / 1000) * options.ratePerSecond));
      while (next < due) {
        const to = Math.min(due, next + BATCH);
        send(next, to);
        next = to;
      }
      await sleep(50);
      continue;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const to = Math.min(items.length, next + BATCH);
    send(next, to);
    next = to;
  }
  await Promise.all(inFlight);
  return { ackedAt, startedAt, finishedAt: Date.now() };
};
