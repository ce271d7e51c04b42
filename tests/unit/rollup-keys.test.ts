/**
 * Roll-up partitions sharded by key (`rollupPartitionShards`): a row's partition is a pure
 * function of its dimension and key, shard 0 is the unsharded layout's key, every row of a key
 * (daily and all time) is in one partition, and the keys of a busy dimension spread evenly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rollupPartitionShards } from '../../shared/settings.js';
import { rollupKeys, rollupShardOf, rollupShardsOf, shardOf } from '../../shared/adapters/keys.js';
import { channels } from '../../shared/domain/channels.js';
import { deviceClasses } from '../../shared/domain/events.js';
import { rollupDimensions } from '../../shared/domain/rollup.js';

const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Deterministic pseudo-random slugs like the issuer's (8 base62 characters). */
const slugs = (count: number): string[] => {
  let state = 20261127;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  return Array.from({ length: count }, () => Array.from({ length: 8 }, () => base62[next() % 62]).join(''));
};

const spread = (keys: string[], dimension: string) => {
  const counts = new Array<number>(rollupShardsOf(dimension)).fill(0);
  for (const key of keys) counts[rollupShardOf(dimension, key)]++;
  return counts;
};

describe('roll-up partition keys', () => {
  it('covers every dimension, link and advocate sharded, the single-key campaign dimension not', () => {
    expect(Object.keys(rollupPartitionShards).sort()).toEqual([...rollupDimensions].sort());
    for (const dimension of rollupDimensions) {
      expect(Number.isInteger(rollupPartitionShards[dimension]) && rollupPartitionShards[dimension] >= 1).toBe(true);
    }
    expect(rollupPartitionShards.link).toBeGreaterThan(1);
    expect(rollupPartitionShards.advocate).toBeGreaterThan(1);
    expect(rollupPartitionShards.campaign).toBe(1);
    // Dimensions the setting does not name (the organization's unattributed row) are one partition.
    expect(rollupShardsOf('unattributed')).toBe(1);
    expect(rollupKeys.partitions('o1', '_org', 'unattributed')).toEqual(['R#o1#_org#unattributed']);
  });

  it('keeps shard 0 on the unsharded key and suffixes the others', () => {
    expect(rollupKeys.partitionShard('o1', 'c1', 'link', 0)).toBe('R#o1#c1#link');
    expect(rollupKeys.partitionShard('o1', 'c1', 'link', 7)).toBe('R#o1#c1#link#7');
    const partitions = rollupKeys.partitions('o1', 'c1', 'advocate');
    expect(partitions).toHaveLength(rollupPartitionShards.advocate);
    expect(partitions[0]).toBe('R#o1#c1#advocate');
    expect(new Set(partitions).size).toBe(partitions.length);
    partitions.slice(1).forEach((pk, index) => expect(pk).toBe(`R#o1#c1#advocate#${index + 1}`));
    // The campaign totals never move.
    expect(rollupKeys.rowPartition('o1', 'c1', 'campaign', 'all')).toBe('R#o1#c1#campaign');
  });

  it('puts a key in one partition, deterministically, among those readers query', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...rollupDimensions, 'unattributed'),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.constantFrom('*', '2026-11-27', '2025-01-01'),
        (dimension, key, period) => {
          const shard = rollupShardOf(dimension, key);
          expect(shard).toBe(rollupShardOf(dimension, key));
          expect(shard).toBeGreaterThanOrEqual(0);
          expect(shard).toBeLessThan(rollupShardsOf(dimension));
          const pk = rollupKeys.rowPartition('o1', 'c1', dimension, key);
          expect(rollupKeys.partitions('o1', 'c1', dimension)[shard]).toBe(pk);
          // Daily and all-time rows of a key share its partition.
          const row = rollupKeys.row({ orgId: 'o1', campaignId: 'c1', dimension, period, key });
          expect(row.pk).toBe(pk);
          expect(row.sk).toBe(period === '*' ? `*#${key}` : `${period}#${key}`);
        },
      ),
    );
  });

  it('is the FNV-1a shard of the key for hashed dimensions (fixed forever: rows are updated in place)', () => {
    for (const key of ['aZ3kQ9pL', 'emp-00042', 'Sales']) {
      expect(rollupShardOf('link', key)).toBe(shardOf(key, rollupPartitionShards.link));
      expect(rollupShardOf('advocate', key)).toBe(shardOf(key, rollupPartitionShards.advocate));
      expect(rollupShardOf('department', key)).toBe(shardOf(key, rollupPartitionShards.department));
    }
    // Pinned: a change here would move existing rows away from their readers.
    expect(rollupKeys.rowPartition('o1', 'c1', 'link', 'aZ3kQ9pL')).toBe('R#o1#c1#link#10');
    expect(rollupKeys.rowPartition('o1', 'c1', 'advocate', 'emp-00042')).toBe('R#o1#c1#advocate#2');
    expect(rollupKeys.rowPartition('o1', 'c1', 'department', 'Sales')).toBe('R#o1#c1#department#7');
  });

  it('gives every channel its own partition, LinkedIn the unsharded one', () => {
    const shards = channels.map((channel) => rollupShardOf('channel', channel));
    expect(new Set(shards).size).toBe(Math.min(channels.length, rollupPartitionShards.channel));
    expect(rollupKeys.rowPartition('o1', 'c1', 'channel', 'linkedin')).toBe('R#o1#c1#channel');
    // A key outside the list (rows written before a channel was dropped) still has one partition.
    expect(rollupShardOf('channel', 'myspace')).toBe(shardOf('myspace', rollupPartitionShards.channel));
  });

  it('gives every device class its own partition, and hashes a key off the list (`unknown`)', () => {
    expect(deviceClasses.map((device) => rollupShardOf('device', device))).toEqual([0, 1, 2, 3]);
    expect(rollupKeys.rowPartition('o1', 'c1', 'device', 'desktop')).toBe('R#o1#c1#device');
    expect(rollupKeys.rowPartition('o1', 'c1', 'device', 'mobile')).toBe('R#o1#c1#device#1');
    expect(rollupShardOf('device', 'unknown')).toBe(shardOf('unknown', rollupPartitionShards.device));
    expect(rollupKeys.partitions('o1', 'c1', 'referrer')).toHaveLength(16);
  });

  it('spreads link slugs and advocate ids evenly', () => {
    const linkCounts = spread(slugs(16_000), 'link');
    const linkMean = 16_000 / rollupPartitionShards.link;
    for (const count of linkCounts) expect(Math.abs(count - linkMean) / linkMean).toBeLessThan(0.1);

    const advocates = Array.from({ length: 4_800 }, (_, i) => `emp-${String(i + 1).padStart(5, '0')}`);
    const advocateCounts = spread(advocates, 'advocate');
    const advocateMean = advocates.length / rollupPartitionShards.advocate;
    for (const count of advocateCounts) expect(Math.abs(count - advocateMean) / advocateMean).toBeLessThan(0.1);
  });
});
