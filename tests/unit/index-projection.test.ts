/**
 * The campaign index's projection (bench/hotkeys/index-projection.ts; docs/scaling.md quotes the
 * figures): what a keys-only index holds, that it stores less per click than INCLUDE or ALL at the
 * same write units, and what it costs its readers — the trade infra/definitions.ts made.
 */
import { describe, expect, it } from 'vitest';
import { tables } from '../../infra/definitions.js';
import { campaignIndexProjectionFigures } from '../../bench/hotkeys/index-projection.js';
import { projectedItem } from '../../bench/hotkeys/item-size.js';
import { campaignIndexName, campaignIndexShards } from '../../shared/settings.js';

const figures = campaignIndexProjectionFigures();

describe('the campaign index projection', () => {
  it('keys only: the index item holds the table key and the index key, nothing else', () => {
    const item = { pk: 'V#v', sk: 'C#t#c', gsi1pk: 'o#c', gsi1sk: 't#c', slug: 'abcdefg', country: 'DE' };
    expect(Object.keys(projectedItem(item, tables.events, { ...tables.events.globalSecondaryIndexes[0], projection: 'KEYS_ONLY' })).sort()).toEqual([
      'gsi1pk',
      'gsi1sk',
      'pk',
      'sk',
    ]);
    expect(projectedItem(item, tables.events, { ...tables.events.globalSecondaryIndexes[0], projection: 'ALL' })).toBe(item);
  });

  it('stores least per click with keys only, at the same index write units as ALL (a click is under 1 KB either way)', () => {
    expect(figures.all.indexItemBytes).toBe(figures.tableItemBytes);
    expect(figures.include.indexItemBytes).toBeLessThan(figures.all.indexItemBytes);
    expect(figures.keysOnly.indexItemBytes).toBeLessThan(figures.include.indexItemBytes);
    expect(figures.keysOnly.indexItemBytes).toBeLessThan(figures.all.indexItemBytes / 2);
    expect(new Set([figures.all.indexWriteUnits, figures.include.indexWriteUnits, figures.keysOnly.indexWriteUnits])).toEqual(new Set([1]));
  });

  it('costs the readers an item read per click: half a unit per page click, one per recounted click', () => {
    // The index part: each shard's small query rounds up to half a unit.
    expect(figures.keysOnly.eventsPageReadUnits).toBe(campaignIndexShards * 0.5 + figures.pageClicks * 0.5);
    expect(figures.keysOnly.eventsPageReadUnits).toBeGreaterThan(figures.all.eventsPageReadUnits);
    expect(figures.keysOnly.reconcileReadUnitsPerClick).toBeGreaterThan(1);
    expect(figures.all.reconcileReadUnitsPerClick).toBeLessThan(0.1);
  });

  it('the deployed index is the keys-only one', () => {
    expect(tables.events.globalSecondaryIndexes).toEqual([expect.objectContaining({ indexName: campaignIndexName, projection: 'KEYS_ONLY' })]);
  });
});
