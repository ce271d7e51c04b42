import { describe, expect, it } from 'vitest';
import type { ClickEventRecord as RawEvent } from '../../shared/domain/events.js';
import {
  MAX_TRANSACTION_ACTIONS,
  coalesce,
  clickContributions,
  planTransactions,
  rowId,
  type PlannedEvent,
} from '../../shared/domain/rollup.js';

const click = (overrides: Partial<RawEvent> = {}): RawEvent => ({
  type: 'click',
  eventId: `c${Math.random()}`,
  clickId: 'c1',
  orgId: 'org_1',
  campaignId: 'cmp_1',
  slug: 'abcdefg1',
  advocateId: 'alice',
  channel: 'linkedin',
  at: '2026-11-27T10:00:00.000Z',
  unique: true,
  botClass: 'human',
  device: 'desktop',
  browser: 'Chrome',
  os: 'Windows',
  ...overrides,
});

const planned = (event: RawEvent): PlannedEvent<RawEvent> => ({ event, eventId: event.eventId, contributions: clickContributions(event) });

describe('clickContributions', () => {
  it('adds a human click to a daily and an all-time row of every dimension', () => {
    const rows = clickContributions(click({ department: 'sales' }));
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.row.dimension))).toEqual(new Set(['campaign', 'link', 'advocate', 'channel', 'department']));
    expect(rows.filter((r) => r.row.period === '2026-11-27')).toHaveLength(5);
    expect(rows.find((r) => r.row.dimension === 'department')!.row.key).toBe('sales');
    for (const r of rows) expect(r.counters).toEqual({ clicks: 1, uniqueClicks: 1 });
  });

  it('counts a repeated human click without a unique click, and bots apart', () => {
    expect(clickContributions(click({ unique: false }))[0].counters).toEqual({ clicks: 1, uniqueClicks: 0 });
    expect(clickContributions(click({ botClass: 'preview', unique: false }))[0].counters).toEqual({ botClicks: 1 });
    expect(clickContributions(click({ botClass: 'head', unique: false }))[0].counters).toEqual({ botClicks: 1 });
  });

  it('files advocates without a department under "unassigned"', () => {
    const dept = clickContributions(click()).find((r) => r.row.dimension === 'department')!;
    expect(dept.row.key).toBe('unassigned');
  });
});

describe('coalesce', () => {
  it('sums deltas per row and drops rows whose deltas are all zero', () => {
    const rows = coalesce([...clickContributions(click()), ...clickContributions(click({ unique: false })), ...clickContributions(click({ botClass: 'crawler', unique: false }))]);
    expect(rows.size).toBe(10);
    for (const row of rows.values()) expect(row.counters).toEqual({ clicks: 2, uniqueClicks: 1, botClicks: 1 });
  });
});

describe('planTransactions', () => {
  it('never exceeds the transaction limit and covers every event exactly once', () => {
    const events = Array.from({ length: 500 }, (_, i) =>
      planned(click({ eventId: `e${i}`, slug: `slug${String(i % 37).padStart(4, '0')}`, advocateId: `adv${i % 13}`, campaignId: `cmp_${i % 3}` })),
    );
    const plans = planTransactions(events);
    const seen = new Set<string>();
    for (const plan of plans) {
      expect(plan.events.length + plan.rows.length).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
      for (const e of plan.events) {
        expect(seen.has(e.eventId)).toBe(false);
        seen.add(e.eventId);
      }
    }
    expect(seen.size).toBe(500);
  });

  it('coalesces events of one campaign into one update per row', () => {
    const events = Array.from({ length: 50 }, (_, i) => planned(click({ eventId: `e${i}` })));
    const plans = planTransactions(events);
    expect(plans).toHaveLength(1);
    expect(plans[0].rows).toHaveLength(10);
    expect(plans[0].rows.every((r) => r.counters.clicks === 50)).toBe(true);
  });

  it('keeps the events of one link together however the batch interleaves them', () => {
    // 20 links of 20 advocates, their clicks interleaved as a stream delivers them.
    const events = Array.from({ length: 200 }, (_, i) =>
      planned(click({ eventId: `e${i}`, slug: `link${String(i % 20).padStart(4, '0')}`, advocateId: `adv${i % 20}` })),
    );
    const plans = planTransactions(events);
    for (let link = 0; link < 20; link++) {
      const slug = `link${String(link).padStart(4, '0')}`;
      const holding = plans.filter((plan) => plan.rows.some((r) => r.row.dimension === 'link' && r.row.key === slug));
      expect(holding, slug).toHaveLength(1);
    }
  });

  it('keeps the totals of all plans equal to the sum of all events', () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      planned(click({ eventId: `e${i}`, slug: `s${i % 50}xxxxx`, unique: i % 3 === 0, botClass: i % 7 === 0 ? 'preview' : 'human' })),
    );
    const direct = coalesce(events.flatMap((e) => e.contributions));
    const viaPlans = coalesce(planTransactions(events).flatMap((p) => p.rows));
    expect(viaPlans.size).toBe(direct.size);
    for (const [id, row] of direct) expect(viaPlans.get(id)?.counters).toEqual(row.counters);
    expect(rowId(events[0].contributions[0].row)).toContain('cmp_1');
  });
});
