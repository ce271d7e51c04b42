/** The ranking index's pure parts: value keys sort as values do, buckets cover every value once, ranks count what is above. */
import { describe, expect, it } from 'vitest';
import { advocateOfEntry, bucketDeltas, bucketOf, descendingValueKey, entrySortKey, isRankedCounter, rankMoves, rankOf, valueOfEntry } from '../../shared/domain/ranking.js';
import { effectiveVisibility, shownToOthers } from '../../shared/domain/advocate-presentation.js';

describe('ranking index keys', () => {
  it('orders entries by value descending, then advocate id ascending, through negatives and large values', () => {
    const values = [-5, -1, 0, 1, 2, 31, 32, 33, 1_000_000, 999_999_999_999, 2 ** 52];
    const keys = values.map((value) => entrySortKey(value, 'b'));
    expect([...keys].sort()).toEqual([...keys].reverse());
    expect(entrySortKey(7, 'a') < entrySortKey(7, 'b')).toBe(true);
    for (const value of values) expect(valueOfEntry(entrySortKey(value, 'x@y'))).toBe(value);
    expect(advocateOfEntry(entrySortKey(42, 'alice.m'))).toBe('alice.m');
    expect(descendingValueKey(0)).toHaveLength(17);
  });

  it('puts every value in one bucket that spans at most a 16th of its values, exact below 32', () => {
    for (const value of [0, 1, 31]) expect(bucketOf(value)).toEqual({ lowest: value, highest: value });
    for (let value = 32; value < 5000; value += 7) {
      const { lowest, highest } = bucketOf(value);
      expect(lowest).toBeLessThanOrEqual(value);
      expect(highest).toBeGreaterThanOrEqual(value);
      expect(highest - lowest + 1).toBeLessThanOrEqual(Math.ceil(lowest / 16));
      expect(bucketOf(highest + 1).lowest).toBe(highest + 1);
    }
    expect(bucketOf(-3)).toEqual(bucketOf(-1_000_000));
  });

  it('moves only the ranked counters that changed, and bucket counts net of moves within a bucket', () => {
    expect(isRankedCounter('clicks') && isRankedCounter('conv_linear') && isRankedCounter('rev_time_decay_EUR')).toBe(true);
    expect(isRankedCounter('uniqueClicks') || isRankedCounter('botClicks')).toBe(false);
    const { moves, joins } = rankMoves({ clicks: 3, uniqueClicks: 2, conv_linear: 0 }, { clicks: 2, conv_linear: 5 });
    expect(joins).toBe(false);
    expect(moves).toEqual([
      { counter: 'clicks', from: 2, to: 3 },
      { counter: 'conv_linear', from: 5, to: 0 },
    ]);
    expect(rankMoves({ botClicks: 1 }, undefined)).toEqual({ moves: [], joins: true });
    // 1000 → 1001 stays in its bucket: no count moves.
    expect([...bucketDeltas([{ counter: 'clicks', from: 1000, to: 1001 }]).values()]).toEqual([]);
    expect([...bucketDeltas([{ counter: 'clicks', from: 1, to: 2 }]).values()].map((d) => d.delta).sort()).toEqual([-1, 1]);
  });

  it('ranks by how many are above: zeros count above negatives', () => {
    expect(rankOf(10, { bucketsAbove: 3, withinBucketAbove: 2, entries: 9, population: 20 })).toBe(6);
    expect(rankOf(0, { bucketsAbove: 9, withinBucketAbove: 0, entries: 10, population: 20 })).toBe(10);
    expect(rankOf(-1, { bucketsAbove: 9, withinBucketAbove: 0, entries: 10, population: 20 })).toBe(20);
  });
});

describe('ranking visibility', () => {
  it("takes the advocate's choice over the organization's default; an offboarded advocate is never named", () => {
    expect(effectiveVisibility(undefined, undefined)).toBe('named');
    expect(effectiveVisibility({ advocateId: 'a' }, 'hidden')).toBe('hidden');
    expect(effectiveVisibility({ advocateId: 'a', rankingVisibility: 'named' }, 'hidden')).toBe('named');
    expect(effectiveVisibility({ advocateId: 'a', rankingVisibility: 'named', offboardedAt: '2026-12-05T00:00:00.000Z' }, 'named')).toBe('pseudonymous');
    expect(effectiveVisibility({ advocateId: 'a', rankingVisibility: 'hidden', offboardedAt: '2026-12-05T00:00:00.000Z' }, 'named')).toBe('hidden');
  });

  it('shows a pseudonymous advocate by its pseudonym only, and a pseudonymous one without a pseudonym not at all', () => {
    const ana = { advocateId: 'ana', displayName: 'Ana', department: 'sales', pseudonym: '7f3a9c0d1e2f' };
    expect(shownToOthers('ana', ana, 'named')).toEqual({ advocateId: 'ana', label: 'Ana', department: 'sales' });
    expect(shownToOthers('ana', ana, 'pseudonymous')).toEqual({ advocateId: 'anon-7f3a9c0d1e2f', label: 'Advocate 7f3a9c' });
    expect(shownToOthers('ana', { ...ana, pseudonym: undefined }, 'pseudonymous')).toBeUndefined();
    expect(shownToOthers('ana', ana, 'hidden')).toBeUndefined();
    expect(shownToOthers('zed', undefined, 'named')).toEqual({ advocateId: 'zed', label: 'zed' });
  });
});
