/**
 * Reading a write-sharded, sorted collection as one: a lazy k-way merge of the shards by sort key,
 * page by page. A page's position is, per shard, the sort key of the last item it took from that
 * shard (null: none yet), so the next page starts right after it in every shard — whatever the
 * other shards hold — and no item is returned twice or skipped. Sort keys must be unique across
 * shards (byCampaign sort keys end with the event id). No AWS imports: the adapter supplies
 * `fetch` (shared/adapters/event-reads.ts).
 */

export interface ShardPage<T> {
  /** Items after `after`, ascending by sort key. */
  items: T[];
  /** Whether the shard may hold items after the last one returned. */
  more: boolean;
}

/** Up to `count` items of one shard strictly after the sort key `after` (from its start when null). */
export type ShardFetch<T> = (shard: number, after: string | null, count: number) => Promise<ShardPage<T>>;

export interface MergedPage<T> {
  items: T[];
  /** Per shard, the sort key of the last item returned from it so far (or the position it started from). */
  positions: Array<string | null>;
  /** Every shard is read to its end: there is no next page. */
  done: boolean;
}

export interface ShardMerger<T> {
  next(limit: number): Promise<MergedPage<T>>;
}

/**
 * A merger over `positions.length` shards starting at `positions`. Items fetched beyond a page
 * are kept for the next call (CSV export reads many pages in one invocation); each shard is asked
 * for a little more than its fair share of a page first, and for twice as much each time it runs dry.
 */
export const createShardMerger = <T>(input: {
  positions: ReadonlyArray<string | null>;
  sortKeyOf: (item: T) => string;
  fetch: ShardFetch<T>;
}): ShardMerger<T> => {
  const shards = input.positions.length;
  const positions = [...input.positions];
  /** Where the next fetch of a shard starts: after the last item fetched (not only returned). */
  const fetchedTo = [...input.positions];
  const buffers: T[][] = Array.from({ length: shards }, () => []);
  const exhausted: boolean[] = new Array(shards).fill(false);
  const chunks: number[] = new Array(shards).fill(0);

  const refill = async (shard: number, limit: number) => {
    const fairShare = Math.ceil((1.5 * limit) / shards) + 2;
    chunks[shard] = Math.min(limit, Math.max(fairShare, chunks[shard] * 2));
    const page = await input.fetch(shard, fetchedTo[shard], chunks[shard]);
    buffers[shard].push(...page.items);
    if (page.items.length > 0) fetchedTo[shard] = input.sortKeyOf(page.items[page.items.length - 1]);
    // An empty answer ends the shard even if it claims more: asking again would ask the same.
    if (!page.more || page.items.length === 0) exhausted[shard] = true;
  };

  return {
    async next(limit: number): Promise<MergedPage<T>> {
      const items: T[] = [];
      while (items.length < limit) {
        // Every shard that may still hold items must show its next one before the smallest is known.
        const dry = [];
        for (let shard = 0; shard < shards; shard++) if (buffers[shard].length === 0 && !exhausted[shard]) dry.push(shard);
        await Promise.all(dry.map((shard) => refill(shard, limit - items.length)));
        let smallest = -1;
        for (let shard = 0; shard < shards; shard++) {
          if (buffers[shard].length === 0) continue;
          if (smallest < 0 || input.sortKeyOf(buffers[shard][0]) < input.sortKeyOf(buffers[smallest][0])) smallest = shard;
        }
        if (smallest < 0) break;
        const item = buffers[smallest].shift()!;
        positions[smallest] = input.sortKeyOf(item);
        items.push(item);
      }
      const done = buffers.every((buffer) => buffer.length === 0) && exhausted.every(Boolean);
      return { items, positions: [...positions], done };
    },
  };
};
