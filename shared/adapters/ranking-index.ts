/**
 * The ranking index in the roll-up table (shared/domain/ranking.ts says what it holds; keys in
 * ./keys.ts `rankingKeys`). The stream consumer brings it up to date after its counter
 * transactions: `syncRankings` reads advocates' all-time rows (strongly consistent) and moves each
 * ranked counter from the value the index holds — kept on the row itself (`ranked`, a map, so no
 * reader takes it for a counter) — to the row's, in transactions conditioned on that held value.
 * It is a function of the row's current state, not of deltas: running it again, late, twice or
 * concurrently changes nothing once the index matches, and a transaction built on a stale read
 * fails its condition and is built again. The counters themselves stay exact under the ledger
 * (./rollup-writer.ts); the index follows them.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { rankingKeys, rollupKeys } from './keys.js';
import { countersOf, type RowCounters } from './rollup-reads.js';
import {
  advocateOfEntry,
  bucketDeltas,
  bucketOf,
  descendingValueKey,
  entrySortKey,
  lowestOfBucket,
  rankMoves,
  rankOf,
  valueOfEntry,
  type RankMove,
} from '../domain/ranking.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const MAX_ACTIONS = 100;
/** Moves of one advocate per transaction: its row, two entry writes and up to two buckets each. */
const MOVES_PER_CHUNK = 24;
const MAX_ATTEMPTS = 8;

const advocateRowKey = (orgId: string, campaignId: string, advocateId: string) =>
  rollupKeys.row({ orgId, campaignId, dimension: 'advocate', period: '*', key: advocateId });

/** An advocate's all-time rows, read strongly consistent (100 keys a call, unprocessed keys again). */
export const readAdvocateRows = async (
  orgId: string,
  campaignId: string,
  advocateIds: readonly string[],
  consistent = false,
): Promise<Map<string, Record<string, unknown>>> => {
  const table = tableName('rollups');
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < advocateIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = advocateIds.slice(i, i + 100).map((id) => advocateRowKey(orgId, campaignId, id));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: consistent } } }));
      for (const item of result.Responses?.[table] ?? []) found.set(String(item.key ?? String(item.sk).slice(2)), item);
      keys = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
      if (keys?.length) await delay(Math.min(1000, 20 * 2 ** attempt));
    }
  }
  return found;
};

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Chunk {
  advocateId: string;
  joins: boolean;
  moves: RankMove[];
}

const rowAction = (table: string, orgId: string, campaignId: string, chunk: Chunk): TransactItem => {
  const key = advocateRowKey(orgId, campaignId, chunk.advocateId);
  if (chunk.joins) {
    const held = Object.fromEntries(chunk.moves.filter((m) => m.to !== 0).map((m) => [m.counter, m.to]));
    return {
      Update: { TableName: table, Key: key, UpdateExpression: 'SET ranked = :held', ConditionExpression: 'attribute_not_exists(ranked)', ExpressionAttributeValues: { ':held': held } },
    };
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const conditions: string[] = ['attribute_exists(ranked)'];
  chunk.moves.forEach((move, i) => {
    names[`#m${i}`] = move.counter;
    if (move.from === 0) conditions.push(`attribute_not_exists(ranked.#m${i})`);
    else {
      conditions.push(`ranked.#m${i} = :f${i}`);
      values[`:f${i}`] = move.from;
    }
    if (move.to === 0) removes.push(`ranked.#m${i}`);
    else {
      sets.push(`ranked.#m${i} = :t${i}`);
      values[`:t${i}`] = move.to;
    }
  });
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' '),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
  };
};

/** The transaction of some advocates' chunks: row updates, entry moves, bucket and population counts. */
const transactionOf = (table: string, orgId: string, campaignId: string, chunks: Chunk[]): TransactItem[] => {
  const items: TransactItem[] = [];
  const countDeltas = new Map<string, { pk: string; sk: string; delta: number }>();
  const addCount = (pk: string, sk: string, delta: number) => {
    const id = `${pk}\u0000${sk}`;
    const entry = countDeltas.get(id) ?? { pk, sk, delta: 0 };
    entry.delta += delta;
    countDeltas.set(id, entry);
  };
  for (const chunk of chunks) {
    const shard = rankingKeys.shardOf(chunk.advocateId);
    items.push(rowAction(table, orgId, campaignId, chunk));
    for (const move of chunk.moves) {
      const pk = rankingKeys.entries(orgId, campaignId, move.counter, shard);
      if (move.from !== 0) items.push({ Delete: { TableName: table, Key: { pk, sk: entrySortKey(move.from, chunk.advocateId) } } });
      if (move.to !== 0) items.push({ Put: { TableName: table, Item: { pk, sk: entrySortKey(move.to, chunk.advocateId) } } });
    }
    const counts = rankingKeys.counts(orgId, campaignId, shard);
    for (const { counter, bucket, delta } of bucketDeltas(chunk.moves).values()) addCount(counts, rankingKeys.bucket(counter, bucket), delta);
    if (chunk.joins) addCount(counts, rankingKeys.population, 1);
  }
  for (const { pk, sk, delta } of countDeltas.values()) {
    if (delta === 0) continue;
    items.push({ Update: { TableName: table, Key: { pk, sk }, UpdateExpression: 'ADD n :d', ExpressionAttributeValues: { ':d': delta } } });
  }
  return items;
};

/** Actions a chunk adds to a transaction at most (its bucket rows counted as if none were shared). */
const actionsOf = (chunk: Chunk) =>
  1 + (chunk.joins ? 1 : 0) + chunk.moves.reduce((sum, m) => sum + (m.from !== 0 ? 2 : 0) + (m.to !== 0 ? 2 : 0), 0);

/** Chunks of advocates' moves packed into transactions of at most 100 actions, an advocate at most once in each. */
const packChunks = (chunks: Chunk[]): Chunk[][] => {
  const transactions: Chunk[][] = [];
  let current: Chunk[] = [];
  let actions = 0;
  for (const chunk of chunks) {
    const size = actionsOf(chunk);
    if (current.length > 0 && (actions + size > MAX_ACTIONS || current.some((c) => c.advocateId === chunk.advocateId))) {
      transactions.push(current);
      current = [];
      actions = 0;
    }
    current.push(chunk);
    actions += size;
  }
  if (current.length > 0) transactions.push(current);
  return transactions;
};

export interface RankingSyncOutcome {
  /** Index transactions committed. */
  transactions: number;
  /** Actions in them (each a write of a small item). */
  writes: number;
}

/**
 * Brings the ranking index of a campaign up to date with these advocates' all-time rows. Safe to
 * run any number of times, concurrently too: every move is conditioned on the value the index holds.
 */
export const syncRankings = async (
  orgId: string,
  campaignId: string,
  advocateIds: readonly string[],
  outcome: RankingSyncOutcome = { transactions: 0, writes: 0 },
): Promise<RankingSyncOutcome> => {
  const table = tableName('rollups');
  let pending = [...new Set(advocateIds)];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`Ranking index of ${pending.length} advocates kept changing under its updates`);
    const rows = await readAdvocateRows(orgId, campaignId, pending, true);
    const chunks: Chunk[] = [];
    for (const [advocateId, item] of rows) {
      const { moves, joins } = rankMoves(countersOf(item), item.ranked as Record<string, number> | undefined);
      if (moves.length === 0 && !joins) continue;
      for (let i = 0; i < Math.max(1, moves.length); i += MOVES_PER_CHUNK) {
        chunks.push({ advocateId, joins: joins && i === 0, moves: moves.slice(i, i + MOVES_PER_CHUNK) });
      }
    }
    const retry = new Set<string>();
    for (const transaction of packChunks(chunks)) {
      const items = transactionOf(table, orgId, campaignId, transaction);
      try {
        await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
        outcome.transactions++;
        outcome.writes += items.length;
      } catch (error) {
        // A held value changed since the read (another consumer moved it) or a conflict: read again.
        if (!(error instanceof TransactionCanceledException)) throw error;
        for (const chunk of transaction) retry.add(chunk.advocateId);
      }
    }
    pending = [...retry];
    if (pending.length > 0) await delay(Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random()));
  }
  return outcome;
};

const queryAll = async (input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const shardList = () => Array.from({ length: rankingKeys.shards() }, (_, shard) => shard);

/**
 * The first `limit` entries of a ranked counter: value descending, then advocate id — the heads of
 * every shard (`limit` each), merged. Advocates at 0 have no entry (`zeroValuedAdvocates`).
 */
export const topEntries = async (orgId: string, campaignId: string, counter: string, limit: number): Promise<Array<{ advocateId: string; value: number }>> => {
  const heads = await Promise.all(
    shardList().map(async (shard) => {
      const { Items } = await documentClient().send(
        new QueryCommand({ TableName: tableName('rollups'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': rankingKeys.entries(orgId, campaignId, counter, shard) }, Limit: limit }),
      );
      return (Items ?? []).map((item) => String(item.sk));
    }),
  );
  return heads
    .flat()
    .sort()
    .slice(0, limit)
    .map((sk) => ({ advocateId: advocateOfEntry(sk), value: valueOfEntry(sk) }));
};

/**
 * Advocates with an all-time row whose `counter` is 0, by id: the first `limit` (the leaderboard
 * lists them after every positive entry). Reads each shard's first rows in id order; `nonZero` is
 * how many advocates of the campaign have an entry, so that many more per shard always suffice.
 */
export const zeroValuedAdvocates = async (orgId: string, campaignId: string, counter: string, limit: number, nonZero: number): Promise<string[]> => {
  const perShard = limit + nonZero;
  const shards = await Promise.all(
    rollupKeys.partitions(orgId, campaignId, 'advocate').map(async (pk) => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient().send(
          new QueryCommand({
            TableName: tableName('rollups'),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :allTime)',
            ExpressionAttributeValues: { ':pk': pk, ':allTime': '*#' },
            Limit: Math.min(1000, perShard - items.length),
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey && items.length < perShard);
      return items.filter((item) => countersOf(item)[counter] === undefined || countersOf(item)[counter] === 0).map((item) => String(item.sk).slice(2));
    }),
  );
  return shards.flat().sort().slice(0, limit);
};

export interface RankingTotals {
  /** Advocates with an all-time row (indexed). */
  population: number;
  /** Of them, those with a non-zero value of the counter. */
  entries: number;
}

/** The population and a counter's bucket counts, all shards. */
const readCounts = async (orgId: string, campaignId: string, counter: string) => {
  const shards = await Promise.all(shardList().map((shard) => queryCounts(orgId, campaignId, counter, shard)));
  const buckets = new Map<number, number>();
  let population = 0;
  for (const item of shards.flat()) {
    const n = Number(item.n ?? 0);
    const sk = String(item.sk);
    if (sk === rankingKeys.population) population += n;
    else {
      const lowest = lowestOfBucket(sk.slice(rankingKeys.bucketsOf(counter).length));
      buckets.set(lowest, (buckets.get(lowest) ?? 0) + n);
    }
  }
  return { population, buckets };
};

/** One shard's population row and a counter's bucket rows (a key condition names one range: two queries). */
const queryCounts = async (orgId: string, campaignId: string, counter: string, shard: number) => {
  const pk = rankingKeys.counts(orgId, campaignId, shard);
  const [population, buckets] = await Promise.all([
    queryAll({ TableName: tableName('rollups'), KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': pk, ':sk': rankingKeys.population } }),
    queryAll({ TableName: tableName('rollups'), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': rankingKeys.bucketsOf(counter) } }),
  ]);
  return [...population, ...buckets];
};

/** How many advocates have a counter above `value` within its bucket (entries of every shard, counted). */
const countAboveInBucket = async (orgId: string, campaignId: string, counter: string, value: number): Promise<number> => {
  if (value === 0) return 0;
  const { highest } = bucketOf(value);
  if (highest === value) return 0;
  const counts = await Promise.all(
    shardList().map(async (shard) => {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient().send(
          new QueryCommand({
            TableName: tableName('rollups'),
            // Sort keys descend by value: (value, highest] is [key(highest), key(value)) — `key(value)` alone sorts before `key(value)#id`.
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': rankingKeys.entries(orgId, campaignId, counter, shard), ':from': descendingValueKey(highest), ':to': descendingValueKey(value) },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
};

/** The exact competition rank of a value of a counter, and the population it is ranked in. */
export const rankOfValue = async (orgId: string, campaignId: string, counter: string, value: number): Promise<{ rank: number; population: number }> => {
  const [{ population, buckets }, withinBucketAbove] = await Promise.all([
    readCounts(orgId, campaignId, counter),
    countAboveInBucket(orgId, campaignId, counter, value),
  ]);
  const own = value === 0 ? 0 : bucketOf(value).lowest;
  let bucketsAbove = 0;
  let entries = 0;
  for (const [lowest, n] of buckets) {
    entries += n;
    if (value === 0 ? lowest > 0 : lowest > own) bucketsAbove += n;
  }
  return { rank: rankOf(value, { bucketsAbove, withinBucketAbove, entries, population }), population };
};

/** How many advocates have a non-zero value of the counter, and the population. */
export const rankingTotals = async (orgId: string, campaignId: string, counter: string): Promise<RankingTotals> => {
  const { population, buckets } = await readCounts(orgId, campaignId, counter);
  let entries = 0;
  for (const n of buckets.values()) entries += n;
  return { population, entries };
};

/** An advocate's all-time counters and the value the index holds for a counter (undefined: no row). */
export const advocateRanked = async (orgId: string, campaignId: string, advocateId: string): Promise<{ counters: RowCounters; ranked: Record<string, number> | undefined } | undefined> => {
  const item = (await readAdvocateRows(orgId, campaignId, [advocateId])).get(advocateId);
  if (!item) return undefined;
  return { counters: countersOf(item), ranked: item.ranked as Record<string, number> | undefined };
};

/**
 * Every item of a campaign's ranking index (reconciliation): the count rows of every shard, and the
 * entries of each (counter, shard) named or holding a bucket row — every entry is written with a
 * bucket count of its shard, so no partition that ever held an entry is left out.
 */
export const readRankingIndex = async (
  orgId: string,
  campaignId: string,
  named: Iterable<{ counter: string; shard: number }>,
): Promise<{ counts: Array<{ pk: string; sk: string; n: number }>; entries: Array<{ pk: string; sk: string }> }> => {
  const table = tableName('rollups');
  const partitions = new Set<string>();
  for (const { counter, shard } of named) partitions.add(rankingKeys.entries(orgId, campaignId, counter, shard));
  const counts = (
    await Promise.all(
      shardList().map(async (shard) => {
        const items = await queryAll({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': rankingKeys.counts(orgId, campaignId, shard) } });
        for (const item of items) {
          const sk = String(item.sk);
          if (sk.startsWith('B#')) partitions.add(rankingKeys.entries(orgId, campaignId, sk.slice(2, sk.lastIndexOf('#')), shard));
        }
        return items.map((item) => ({ pk: String(item.pk), sk: String(item.sk), n: Number(item.n ?? 0) }));
      }),
    )
  ).flat();
  const entries = (
    await Promise.all([...partitions].map((pk) => queryAll({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })))
  ).flat();
  return { counts, entries: entries.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })) };
};

/**
 * The index items of advocates' all-time rows written at once, as syncs from nothing would leave
 * them: each row with the values it holds (`ranked`), its entries, and the bucket and population
 * counts of every shard. For seeding a campaign in bulk (the query benchmark writes them with
 * BatchWriteItem) — not for live data, whose index the consumer keeps.
 */
export const indexItemsOf = (orgId: string, campaignId: string, rows: ReadonlyMap<string, Record<string, number>>): Record<string, unknown>[] => {
  const items: Record<string, unknown>[] = [];
  const counts = new Map<string, { pk: string; sk: string; n: number }>();
  const count = (pk: string, sk: string, delta: number) => {
    const id = `${pk}\u0000${sk}`;
    const entry = counts.get(id) ?? { pk, sk, n: 0 };
    entry.n += delta;
    counts.set(id, entry);
  };
  for (const [advocateId, counters] of rows) {
    const shard = rankingKeys.shardOf(advocateId);
    const { moves } = rankMoves(counters, {});
    items.push({
      ...advocateRowKey(orgId, campaignId, advocateId),
      orgId,
      campaignId,
      dimension: 'advocate',
      period: '*',
      key: advocateId,
      ...counters,
      ranked: Object.fromEntries(moves.map((move) => [move.counter, move.to])),
    });
    for (const move of moves) items.push({ pk: rankingKeys.entries(orgId, campaignId, move.counter, shard), sk: entrySortKey(move.to, advocateId) });
    const countsPk = rankingKeys.counts(orgId, campaignId, shard);
    for (const { counter, bucket, delta } of bucketDeltas(moves).values()) count(countsPk, rankingKeys.bucket(counter, bucket), delta);
    count(countsPk, rankingKeys.population, 1);
  }
  return [...items, ...counts.values()];
};
