/**
 * The k-way merge behind raw-event pages of a write-sharded index: pages in sort-key order,
 * every item exactly once across pages (cursor positions only), few reads per page.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { campaignIndexSortPattern, eventKeys, shardOf } from '../../shared/adapters/keys.js';
import { createShardMerger, type ShardFetch } from '../../shared/domain/shard-merge.js';

/** In-memory shards answering like a Query with `gsi1sk > :after` and `Limit`. */
const fakeShards = (shards: string[][]) => {
  const sorted = shards.map((keys) => [...keys].sort());
  const calls: number[] = [];
  const fetch: ShardFetch<string> = async (shard, after, count) => {
    calls.push(shard);
    const rest = sorted[shard].filter((key) => after === null || key > after);
    return { items: rest.slice(0, count), more: rest.length > count };
  };
  return { fetch, calls };
};

/** Reads every page, a fresh merger per page (as the API does: the cursor carries only positions). */
const readAllPages = async (shards: string[][], limit: number) => {
  const { fetch, calls } = fakeShards(shards);
  const pages: string[][] = [];
  let positions: Array<string | null> = shards.map(() => null);
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await createShardMerger({ positions, sortKeyOf: (key: string) => key, fetch }).next(limit);
    pages.push(page.items);
    if (page.done) break;
    positions = page.positions;
  }
  return { pages, calls };
};

describe('shard merge', () => {
  it('returns every item once, in order, across pages of any size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }), { minLength: 1, maxLength: 17 }),
        fc.integer({ min: 1, max: 100 }),
        async (numbers, limit) => {
          // Unique across shards, as sort keys ending in an event id are.
          const seen = new Set<number>();
          const shards = numbers.map((list) => list.filter((n) => !seen.has(n) && seen.add(n)).map((n) => `k${String(n).padStart(5, '0')}`));
          const { pages } = await readAllPages(shards, limit);
          const all = pages.flat();
          expect(all).toEqual(shards.flat().sort());
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('asks each shard for about its share of a page, not for a whole page each', async () => {
    const shards = Array.from({ length: 16 }, (_, shard) => Array.from({ length: 100 }, (_, i) => `k${String(i * 16 + shard).padStart(5, '0')}`));
    const { fetch, calls } = fakeShards(shards);
    const page = await createShardMerger({ positions: shards.map(() => null), sortKeyOf: (key: string) => key, fetch }).next(100);
    expect(page.items).toHaveLength(100);
    expect(page.done).toBe(false);
    // One query per shard, and a few more for shards that ran dry before the page was full.
    expect(calls.length).toBeLessThanOrEqual(24);
  });

  it('keeps what it fetched beyond a page for the next page of the same merger (CSV export)', async () => {
    const shards = [['a1', 'a3', 'a5'], ['a2', 'a4', 'a6']];
    const { fetch } = fakeShards(shards);
    let fetched = 0;
    const counting: ShardFetch<string> = async (shard, after, count) => {
      const page = await fetch(shard, after, count);
      fetched += page.items.length;
      return page;
    };
    const merger = createShardMerger({ positions: [null, null], sortKeyOf: (key: string) => key, fetch: counting });
    expect((await merger.next(2)).items).toEqual(['a1', 'a2']);
    const second = await merger.next(4);
    expect(second.items).toEqual(['a3', 'a4', 'a5', 'a6']);
    expect(second.done).toBe(true);
    // a3 and a4 came with the first page's reads and were not read again.
    expect(fetched).toBe(6);
  });

  it('an empty collection is one done page', async () => {
    const { pages } = await readAllPages([[], [], []], 10);
    expect(pages).toEqual([[]]);
  });
});

describe('byCampaign write shards', () => {
  it('spread click ids evenly and deterministically', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`01M8EQF6PMDZRCCC${String(i).padStart(10, '0')}visitor${i % 97}`, 16)]++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    for (const count of counts) expect(count).toBeLessThan(1200);
    expect(shardOf('abc', 16)).toBe(shardOf('abc', 16));
  });

  it('shard 0 is the unsharded key, so clicks written before sharding stay readable', () => {
    expect(eventKeys.campaignIndexShard('org_1', 'cmp_1', 0)).toBe('org_1#cmp_1');
    expect(eventKeys.campaignIndexShard('org_1', 'cmp_1', 7)).toBe('org_1#cmp_1#7');
  });

  it('cursor positions must look like byCampaign sort keys', () => {
    expect(campaignIndexSortPattern.test(eventKeys.campaignIndexSort('2026-11-27T14:45:06.716Z', '01M8EQF6PMDZRCCCHCKP2GY0ZZ9PYdT2tR-t1M6P2nDFtvzA'))).toBe(true);
    for (const forged of ['x', '2026-11-27', '2026-11-27T14:45:06.716Z#', `2026-11-27T14:45:06.716Z#${'a'.repeat(500)}`, '2026-11-27T14:45:06.716Z#a b']) {
      expect(campaignIndexSortPattern.test(forged), forged).toBe(false);
    }
  });
});

describe('shard merge read sizes', () => {
  it('asks each shard for its fair share first, then twice as much, never more than the page still needs', async () => {
    // Ten shards, all items in shard 0; the others are empty.
    const items = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const requests: Array<[number, string | null, number]> = [];
    const fetch: ShardFetch<{ key: string }> = async (shard, after, count) => {
      requests.push([shard, after, count]);
      if (shard !== 0) return { items: [], more: false };
      const rest = items.filter((key) => after === null || key > after);
      return { items: rest.slice(0, count).map((key) => ({ key })), more: rest.length > count };
    };
    const merger = createShardMerger({ positions: Array(10).fill(null), sortKeyOf: (item: { key: string }) => item.key, fetch });
    const page = await merger.next(20);
    expect(page.items.map((item) => item.key)).toEqual(items.slice(0, 20));
    expect(page.done).toBe(false);
    // 20 items over 10 shards: ceil(1.5 × 20 / 10) + 2 = 5 each. Shard 0 then runs dry with 15
    // still wanted: max(ceil(22.5 / 10) + 2, 2 × 5) = 10. Then 5 wanted: min(5, 2 × 10) = 5.
    expect(requests.filter(([shard]) => shard === 0)).toEqual([
      [0, null, 5],
      [0, 'k004', 10],
      [0, 'k014', 5],
    ]);
    expect(requests.filter(([shard]) => shard !== 0).map(([, , count]) => count)).toEqual(Array(9).fill(5));
  });

  it('ends a shard that answers empty even when it claims more, without asking it again', async () => {
    const asked: string[] = [];
    const fetch: ShardFetch<string> = async (shard, after, count) => {
      asked.push(`${shard}:${after}:${count}`);
      return shard === 0 ? { items: [], more: true } : { items: after === null ? ['a', 'b'] : [], more: false };
    };
    const page = await createShardMerger({ positions: [null, null], sortKeyOf: (key: string) => key, fetch }).next(5);
    expect(page).toEqual({ items: ['a', 'b'], positions: [null, 'b'], done: true });
    // ceil(1.5 × 5 / 2) + 2 = 6, capped at the 5 the page needs.
    expect(asked).toEqual(['0:null:5', '1:null:5']);
  });
});
