import { describe, expect, it } from 'vitest';
import { unattributedContributions } from '../../shared/domain/conversion-credit.js';
import type { ClickEventRecord as RawEvent } from '../../shared/domain/events.js';
import {
  BREAKDOWN_PART_SUFFIX,
  MAX_TRANSACTION_ACTIONS,
  breakdownDimensions,
  coalesce,
  inLedgerParts,
  clickContributions,
  planTransactions,
  rowId,
  type Contribution,
  type PlannedEvent,
  type RollupDimension,
  type SideWrite,
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

/**
 * Rows a click adds to, by spec section 7's groupings: a daily row for each of the ten dimensions,
 * and an all-time row for the five that are not breakdowns (breakdowns sum their daily rows).
 */
const ROWS_PER_CLICK = 10 + 5;

const planned = (event: RawEvent): PlannedEvent<RawEvent> => ({ event, eventId: event.eventId, contributions: clickContributions(event) });

describe('clickContributions', () => {
  it('adds a human click to a daily row of every dimension, and an all-time row of each but the breakdowns', () => {
    const rows = clickContributions(click({ department: 'sales' }));
    expect(rows).toHaveLength(ROWS_PER_CLICK);
    expect(new Set(rows.map((r) => r.row.dimension))).toEqual(
      new Set(['campaign', 'link', 'advocate', 'channel', 'department', 'country', 'device', 'browser', 'os', 'referrer']),
    );
    expect(rows.filter((r) => r.row.period === '2026-11-27')).toHaveLength(10);
    expect(new Set(rows.filter((r) => r.row.period === '*').map((r) => r.row.dimension))).toEqual(new Set(['campaign', 'link', 'advocate', 'channel', 'department']));
    expect(rows.find((r) => r.row.dimension === 'department')!.row.key).toBe('sales');
    for (const r of rows) expect(r.counters).toEqual({ clicks: 1, uniqueClicks: 1 });
  });

  it('counts a repeated human click without a unique click, and bots apart', () => {
    expect(clickContributions(click({ unique: false }))[0].counters).toEqual({ clicks: 1, uniqueClicks: 0 });
    expect(clickContributions(click({ botClass: 'preview', unique: false }))[0].counters).toEqual({ botClicks: 1 });
    expect(clickContributions(click({ botClass: 'head', unique: false }))[0].counters).toEqual({ botClicks: 1 });
  });

  it('keys the breakdown rows by what the click recorded, and `unknown` where it recorded nothing', () => {
    const keysOf = (event: RawEvent) =>
      Object.fromEntries(clickContributions(event).filter((r) => r.row.period !== '*').map((r) => [r.row.dimension, r.row.key]));
    expect(keysOf(click({ country: 'FR', referrerHost: 'www.linkedin.com', device: 'mobile', browser: 'Mobile Safari', os: 'iOS' }))).toMatchObject({
      country: 'FR',
      device: 'mobile',
      browser: 'Mobile Safari',
      os: 'iOS',
      referrer: 'www.linkedin.com',
    });
    // Empty names (a click stored before the field existed reads as empty too) are unknown.
    expect(keysOf(click({ browser: '', os: '' }))).toMatchObject({ country: 'unknown', browser: 'unknown', os: 'unknown', referrer: 'unknown' });
  });

  it('files advocates without a department under "unassigned"', () => {
    const dept = clickContributions(click()).find((r) => r.row.dimension === 'department')!;
    expect(dept.row.key).toBe('unassigned');
  });
});

describe('coalesce', () => {
  it('sums deltas per row and drops rows whose deltas are all zero', () => {
    const rows = coalesce([...clickContributions(click()), ...clickContributions(click({ unique: false })), ...clickContributions(click({ botClass: 'crawler', unique: false }))]);
    expect(rows.size).toBe(ROWS_PER_CLICK);
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
    expect(plans[0].rows).toHaveLength(ROWS_PER_CLICK);
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

describe('rows and coalescing, exactly', () => {
  it("files the all-time rows under period '*'", () => {
    const periods = clickContributions(click()).map((r) => r.row.period);
    expect(periods.filter((period) => period === '*')).toHaveLength(5);
    expect(new Set(periods)).toEqual(new Set(['2026-11-27', '*']));
  });

  it('writes no zero counter and drops a row whose deltas are all zero', () => {
    const [first] = clickContributions(click({ unique: false }));
    expect(coalesce([first]).get(rowId(first.row))!.counters).toStrictEqual({ clicks: 1 });
    const nothing: Contribution = { row: first.row, counters: { clicks: 0, botClicks: 0 } };
    expect(coalesce([nothing]).size).toBe(0);
  });
});

describe('planTransactions at the limit', () => {
  /** Event ids per plan, e.g. [['e0', 'e1'], ['e2']]. */
  const shape = (plans: ReturnType<typeof planTransactions<RawEvent>>) => plans.map((plan) => plan.events.map((e) => e.eventId));
  const linkClick = (eventId: string, slug: string, advocateId = 'alice', campaignId = 'cmp_1') =>
    planned(click({ eventId, slug, advocateId, campaignId }));

  it('plans nothing for no events', () => {
    expect(planTransactions([])).toEqual([]);
  });

  it('fills a transaction up to exactly its limit', () => {
    // Two clicks of one link: 2 ledger actions + 15 shared rows = 17.
    const events = [linkClick('e0', 'slugAAAA'), linkClick('e1', 'slugAAAA')];
    expect(shape(planTransactions(events, 17))).toEqual([['e0', 'e1']]);
    expect(shape(planTransactions(events, 16))).toEqual([['e0'], ['e1']]);
  });

  it('puts two links of one campaign in one transaction when they fit, and campaigns apart', () => {
    // Two links of one advocate: 2 events + 13 shared rows + 2 × 2 link rows = 19.
    const sameCampaign = [linkClick('e0', 'slugAAAA'), linkClick('e1', 'slugBBBB')];
    expect(shape(planTransactions(sameCampaign, 19))).toEqual([['e0', 'e1']]);
    const twoCampaigns = [linkClick('e0', 'slugAAAA', 'alice', 'cmp_1'), linkClick('e1', 'slugAAAA', 'alice', 'cmp_2')];
    expect(shape(planTransactions(twoCampaigns))).toEqual([['e0'], ['e1']]);
  });

  it('orders events by advocate before link, so an advocate shares rows within a transaction', () => {
    // Two links of one advocate fit in 19 actions; links of two advocates need 21.
    const events = [
      linkClick('b-s1', 'slug0001', 'bob'),
      linkClick('a-s2', 'slug0002', 'alice'),
      linkClick('b-s3', 'slug0003', 'bob'),
      linkClick('a-s4', 'slug0004', 'alice'),
    ];
    expect(shape(planTransactions(events, 19))).toEqual([
      ['a-s2', 'a-s4'],
      ['b-s1', 'b-s3'],
    ]);
  });

  it('keeps the clicks of one link together rather than filling up with another link', () => {
    // Three clicks per link: 3 + 15 = 18 actions each; both links: 6 + 17 = 23.
    const events = ['slugAAAA', 'slugBBBB', 'slugAAAA', 'slugBBBB', 'slugAAAA', 'slugBBBB'].map((slug, i) => linkClick(`e${i}`, slug));
    expect(shape(planTransactions(events, 20))).toEqual([
      ['e0', 'e2', 'e4'],
      ['e1', 'e3', 'e5'],
    ]);
  });

  it('cuts a link larger than a transaction event by event', () => {
    // Ten clicks of one link: 25 actions. 5 clicks + 15 rows = 20 per transaction.
    const events = Array.from({ length: 10 }, (_, i) => linkClick(`e${i}`, 'slugAAAA'));
    const plans = planTransactions(events, 20);
    expect(shape(plans)).toEqual([
      ['e0', 'e1', 'e2', 'e3', 'e4'],
      ['e5', 'e6', 'e7', 'e8', 'e9'],
    ]);
    for (const plan of plans) expect(plan.rows.map((r) => r.counters)).toEqual(Array(ROWS_PER_CLICK).fill({ clicks: 5, uniqueClicks: 5 }));
    // At 16 actions (one click and its fifteen rows) every click is its own transaction.
    expect(planTransactions(events.slice(0, 3), 16)).toHaveLength(3);
  });

  it('counts side writes as actions', () => {
    const withSideWrites = (eventId: string): PlannedEvent<RawEvent> => ({
      ...linkClick(eventId, 'slugAAAA'),
      sideWrites: ['a', 'b'].map((customer) => ({ kind: 'customerPath' as const, orgId: 'org_1', customerId: `${eventId}-${customer}`, touchpoints: [], fixedBy: eventId })),
    });
    // Three clicks of one link with two side writes each: 3 + 6 + 15 = 24 actions.
    const events = ['e0', 'e1', 'e2'].map(withSideWrites);
    expect(shape(planTransactions(events, 24))).toEqual([['e0', 'e1', 'e2']]);
    // At 23: 18 for the first event, 21 with the second, 24 with the third.
    expect(shape(planTransactions(events, 23))).toEqual([['e0', 'e1'], ['e2']]);
    // One event alone needs 18.
    expect(() => planTransactions([withSideWrites('big')], 17)).toThrow('Event big needs more actions than one transaction holds');
    expect(planTransactions([withSideWrites('fits')], 18)).toHaveLength(1);
  });

  it('refuses an event that cannot fit in any transaction', () => {
    expect(() => planTransactions([linkClick('e0', 'slugAAAA')], ROWS_PER_CLICK)).toThrow('Event e0 needs more actions than one transaction holds');
  });

  it('plans events without link or advocate rows, and events with no rows at all', () => {
    const unattributed = (eventId: string): PlannedEvent<string> => ({
      event: eventId,
      eventId,
      contributions: unattributedContributions({
        orgId: 'org_1', eventId, conversionId: eventId, kind: 'lead', occurredAt: '2026-11-27T10:00:00Z',
      }),
    });
    const ledgerOnly: PlannedEvent<string> = { event: 'dup', eventId: 'dup', contributions: [] };
    const plans = planTransactions([unattributed('u0'), ledgerOnly, unattributed('u1')]);
    expect(plans.map((plan) => plan.events.map((e) => e.eventId))).toEqual([['dup'], ['u0', 'u1']]);
    expect(plans[0].rows).toEqual([]);
    expect(plans[1].rows.map((r) => [r.row.period, r.counters])).toEqual([
      ['2026-11-27', { conversions: 2 }],
      ['*', { conversions: 2 }],
    ]);
  });
});

describe('inLedgerParts', () => {
  /** A conversion credited to `touches` clicks that differ in every dimension, all in one campaign. */
  const wideConversion = (touches: number): PlannedEvent<string> => ({
    event: 'conversion',
    eventId: 'conv-1',
    sideWrites: [],
    contributions: Array.from({ length: touches }, (_, i) =>
      clickContributions(
        click({ slug: `slug${i}xxx`, advocateId: `adv${i}`, channel: `ch${i}`, department: `d${i}`, country: `C${i}`, device: 'mobile', browser: `b${i}`, os: `o${i}`, referrerHost: `r${i}.example` }),
      ),
    ).flat(),
  });

  it('leaves an event that fits in one transaction whole', () => {
    const event = wideConversion(4);
    expect(inLedgerParts(event)).toEqual([event]);
  });

  it("splits a conversion the same way whether or not this delivery fixes its customer's path", () => {
    // 1 ledger + 99 rows: 101 actions with the path, 100 without — a redelivery (the path now
    // stored) must not apply whole what the first delivery split, or the breakdown rows would be lost.
    const rows = (dimension: RollupDimension, count: number): Contribution[] =>
      Array.from({ length: count }, (_, i) => ({ row: { orgId: 'o', campaignId: 'c', dimension, period: '*', key: `k${i}` }, counters: { conv_linear: 1 } }));
    const event: PlannedEvent<string> = { event: 'conversion', eventId: 'conv-2', contributions: [...rows('link', 50), ...rows('country', 49)] };
    const path: SideWrite = { kind: 'customerPath', orgId: 'o', customerId: 'crm-1', touchpoints: [], fixedBy: 'conv-2' };
    expect(inLedgerParts({ ...event, sideWrites: [path] })).toHaveLength(2);
    expect(inLedgerParts({ ...event, sideWrites: [] })).toHaveLength(2);
    expect(inLedgerParts({ ...event, contributions: event.contributions.slice(1) })).toHaveLength(1);
    // A conversion's credit state joins its first part after the split: one more action kept for it.
    expect(inLedgerParts({ ...event, kind: 'conversion', contributions: event.contributions.slice(1) })).toHaveLength(2);
    expect(inLedgerParts({ ...event, kind: 'conversion', contributions: event.contributions.slice(2) })).toHaveLength(1);
  });

  it('splits the breakdown rows of an event too large for one transaction off under their own ledger id', () => {
    const event = wideConversion(8);
    const parts = inLedgerParts(event);
    expect(parts.map((part) => part.eventId)).toEqual(['conv-1', `conv-1${BREAKDOWN_PART_SUFFIX}`]);
    expect(parts[0].contributions.every((c) => !(breakdownDimensions as readonly string[]).includes(c.row.dimension))).toBe(true);
    expect(parts[1].contributions.every((c) => (breakdownDimensions as readonly string[]).includes(c.row.dimension))).toBe(true);
    expect(parts[0].contributions.length + parts[1].contributions.length).toBe(event.contributions.length);
    // Each part fits in a transaction, and together they add what the event adds.
    const plans = planTransactions(parts);
    for (const plan of plans) expect(plan.events.length + plan.rows.length).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
    const direct = coalesce(event.contributions);
    const viaParts = coalesce(plans.flatMap((plan) => plan.rows));
    expect(viaParts).toEqual(direct);
  });
});
