/** The click fold's pure rules (shared/domain/click-fold.ts): ranges, bounds, receipts. */
import { describe, expect, it } from 'vitest';
import { clickDigest, clickSortKey, firstWatermark, planReceipt, rangeBound, receiptCovers } from '../../shared/domain/click-fold.js';
import { newClickId, newVisitorId } from '../../shared/domain/ids.js';
import { sampleClick } from '../support/archive-events.js';

const humanClick = (n: number, at: string) => {
  const visitorId = newVisitorId();
  const clickId = `${newClickId()}${visitorId}`;
  return sampleClick(n, { clickId, eventId: clickId, visitorId, at });
};

describe('click fold ranges', () => {
  it("bounds a range at a click's time id: above its key, below the next click's, without the visitor id", () => {
    const a = humanClick(0, '2026-12-01T08:00:00.000Z');
    const b = humanClick(2, '2026-12-01T08:00:00.000Z');
    const [low, high] = [clickSortKey(a), clickSortKey(b)].sort();
    const bound = rangeBound(low!);
    expect(low! < bound && bound < high!).toBe(true);
    expect(bound).not.toContain((low === clickSortKey(a) ? a : b).visitorId);
    expect(rangeBound(high!) > high!).toBe(true);
  });

  it('starts a campaign just below the lowest key of its first batch', () => {
    const click = humanClick(0, '2026-12-01T08:00:00.000Z');
    const sameMillisecond = humanClick(2, '2026-12-01T08:00:00.000Z');
    const earlier = humanClick(4, '2026-12-01T07:59:59.999Z');
    const mark = firstWatermark(clickSortKey(click));
    expect(clickSortKey(click) > mark && clickSortKey(sameMillisecond) > mark).toBe(true);
    expect(clickSortKey(earlier) < mark).toBe(true);
  });

  it('a receipt covers the keys of its range only: its lower bound out, its upper bound in', () => {
    const receipt = { after: 'b', through: 'd' };
    expect(['a', 'b', 'c', 'd', 'e'].map((key) => receiptCovers(receipt, key))).toEqual([false, false, true, true, false]);
  });
});

describe('click fold receipts', () => {
  const clicks = Array.from({ length: 12 }, (_, n) => humanClick(n, `2026-12-01T08:00:${String(n).padStart(2, '0')}.000Z`));
  const indexed = clicks.map((event) => ({ sortKey: clickSortKey(event), event }));
  const scope = { orgId: 'org_archive', campaignId: 'cmp_archive', after: indexed[1]!.sortKey, through: rangeBound(indexed[9]!.sortKey), sequence: 3 };

  it('counts the clicks of its range that the ledger has not applied, once, with their rows summed', () => {
    const ledger = new Set([clicks[4]!.eventId]);
    const receipt = planReceipt(scope, [...indexed].reverse(), ledger);
    const counted = clicks.slice(2, 10).filter((click) => !ledger.has(click.eventId));
    expect(receipt.clickDigests.sort()).toEqual(counted.map((click) => clickDigest(click.eventId)).sort());
    const campaignAllTime = receipt.rows.find((row) => row.row.dimension === 'campaign' && row.row.period === '*');
    const humans = counted.filter((click) => click.botClass === 'human');
    expect(campaignAllTime?.counters.clicks ?? 0).toBe(humans.length);
    expect(campaignAllTime?.counters.botClicks ?? 0).toBe(counted.length - humans.length);
    expect(new Set(receipt.rows.map((row) => JSON.stringify(row.row))).size).toBe(receipt.rows.length);
    expect(receipt.advocateIds.sort()).toEqual([...new Set(counted.map((click) => click.advocateId))].sort());
  });

  it('names no click id: digests are 16 characters and differ per click', () => {
    const receipt = planReceipt(scope, indexed, new Set());
    expect(receipt.clickDigests.every((digest) => digest.length === 16)).toBe(true);
    expect(new Set(receipt.clickDigests).size).toBe(receipt.clickDigests.length);
    expect(JSON.stringify(receipt)).not.toContain(clicks[3]!.visitorId!);
  });
});
