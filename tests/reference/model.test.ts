/**
 * The reference model against examples worked out by hand from the spec, so that the oracle of
 * the differential tests is itself checked by something other than the product.
 */
import { describe, expect, it } from 'vitest';
import { expectedOf, linkStats, report, sharesOf, type History, type Sent } from './model.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const history = (events: Sent[], lookbackDays = 30): History => ({
  campaigns: [{ campaignId: 'c1', lookbackDays }],
  advocates: [{ advocateId: 'alice', department: 'sales' }, { advocateId: 'bob' }],
  links: [
    { slug: 'alice-li', campaignId: 'c1', advocateId: 'alice', channel: 'linkedin' },
    { slug: 'bob-x', campaignId: 'c1', advocateId: 'bob', channel: 'x' },
  ],
  events,
});

const click = (at: number, slug: string, visitor: string, clickId: string): Sent => ({ kind: 'click', at, slug, requestClass: 'human', visitor, clickId, tracked: true });
const conversion = (receivedAt: number, fields: Partial<Extract<Sent, { kind: 'conversion' }>> = {}): Sent => ({
  kind: 'conversion',
  receivedAt,
  occurredAt: receivedAt,
  conversionId: 'order-1',
  ...fields,
});

describe('reference model', () => {
  it('shares: time decay halves weekly, position-based gives 40/20/40', () => {
    const decay = sharesOf('time_decay', [T0, T0 + 7 * DAY, T0 + 14 * DAY], T0 + 14 * DAY);
    expect(decay.map((s) => s * 7)).toEqual([1, 2, 4].map((n) => expect.closeTo(n, 12)));
    expect(sharesOf('position_based', [1, 2, 3, 4], 5)).toEqual([0.4, 0.1, 0.1, 0.4].map((n) => expect.closeTo(n, 12)));
    expect(sharesOf('position_based', [1, 2], 3)).toEqual([0.5, 0.5]);
    expect(sharesOf('linear', [1, 2, 3], 4)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(sharesOf('last_click', [1, 2], 3)).toEqual([0, 1]);
    expect(sharesOf('first_click', [1, 2], 3)).toEqual([1, 0]);
  });

  it('a click is unique unless the visitor clicked the same link in the previous 24 hours', () => {
    const expected = expectedOf(
      history([
        click(T0, 'alice-li', 'v1', 'k1'),
        click(T0 + DAY - 1, 'alice-li', 'v1', 'k2'), // within 24 h: not unique
        click(T0 + 2 * DAY - 1, 'alice-li', 'v1', 'k3'), // exactly 24 h after k2: unique again
        click(T0 + 2 * DAY, 'bob-x', 'v1', 'k4'), // another link
        { kind: 'click', at: T0, slug: 'alice-li', requestClass: 'preview', tracked: true },
        { kind: 'click', at: T0, slug: 'alice-li', requestClass: 'human', visitor: 'v2', clickId: 'k5', tracked: false },
      ]),
    );
    expect(expected.humanClicks.map((c) => c.unique)).toEqual([true, false, true, true]);
    expect(linkStats(expected, 'alice-li')).toEqual({ clicks: 3, uniqueClicks: 2, uniqueClicksAtMost: 2, botClicks: 1 });
  });

  it('credits per model, with revenue in the same shares, on the rows of the credited clicks', () => {
    const expected = expectedOf(
      history([
        click(T0, 'alice-li', 'v1', 'k1'),
        click(T0 + 7 * DAY, 'bob-x', 'v1', 'k2'),
        conversion(T0 + 14 * DAY, { clickId: 'k2', value: { amount: '70.00', currency: 'EUR' } }),
      ]),
    );
    const { rows, totals } = report(expected, 'c1', 'advocate');
    expect(rows.get('alice')!.conversions.time_decay).toBeCloseTo(1 / 3, 12);
    expect(rows.get('bob')!.revenue.time_decay.EUR).toBeCloseTo(140 / 3, 9);
    expect(rows.get('alice')!.conversions.last_click).toBe(0);
    expect(totals.conversions.linear).toBeCloseTo(1, 12);
    expect(report(expected, 'c1', 'department').rows.get('unassigned')!.conversions.first_click).toBe(0);
    // A conversion counts on the day it occurred.
    expect([...report(expected, 'c1', 'day', { from: '2026-01-19', to: '2026-01-19' }).rows.keys()]).toEqual(['2026-01-19']);
  });

  it("breaks clicks and credit down by what each click told of its viewer, `unknown` where it told nothing", () => {
    const desktop = { device: 'desktop', browser: 'Chrome', os: 'Windows' };
    const expected = expectedOf(
      history([
        { ...click(T0, 'alice-li', 'v1', 'k1'), viewer: { ...desktop, country: 'FR', referer: 'https://www.linkedin.com/feed/' } } as Sent,
        { ...click(T0 + DAY, 'bob-x', 'v1', 'k2'), viewer: { device: 'mobile', browser: 'Mobile Safari', os: 'iOS', referer: 'not a url' } } as Sent,
        click(T0 + DAY, 'bob-x', 'v2', 'k3'),
        { kind: 'click', at: T0, slug: 'alice-li', requestClass: 'preview', tracked: true, viewer: { device: 'other', browser: 'Other', os: 'Other', country: 'FR' } },
        conversion(T0 + 2 * DAY, { clickId: 'k2', value: { amount: '10.00', currency: 'EUR' } }),
      ]),
    );
    const countries = report(expected, 'c1', 'country').rows;
    expect(countries.get('FR')).toMatchObject({ clicks: 1, botClicks: 1 });
    expect(countries.get('FR')!.conversions.linear).toBeCloseTo(0.5, 12);
    // k2 told no country, k3 nothing at all.
    expect(countries.get('unknown')).toMatchObject({ clicks: 2 });
    expect(countries.get('unknown')!.conversions.last_click).toBe(1);
    expect(report(expected, 'c1', 'referrer').rows.get('www.linkedin.com')!.revenue.first_click.EUR).toBe(10);
    expect(report(expected, 'c1', 'referrer').rows.get('unknown')).toMatchObject({ clicks: 2 });
    expect([...report(expected, 'c1', 'device').rows.keys()].sort()).toEqual(['desktop', 'mobile', 'other', 'unknown']);
    expect(report(expected, 'c1', 'browser').rows.get('Mobile Safari')!.conversions.position_based).toBeCloseTo(0.5, 12);
    expect(report(expected, 'c1', 'os', { from: '2026-01-06', to: '2026-01-06' }).rows.get('iOS')).toMatchObject({ clicks: 1 });
  });

  it('counts clicks up to 60 s after occurredAt, never after receipt, and the named click always', () => {
    const received = T0 + 1000_000;
    const events = [
      click(T0, 'alice-li', 'v1', 'early'),
      click(received - 30_000, 'bob-x', 'v1', 'after-occurred'), // 30 s after occurredAt, before receipt
      conversion(received, { occurredAt: received - 60_000, visitor: 'v1' }),
      click(received + 1, 'alice-li', 'v1', 'after-receipt'),
    ];
    const viaVisitor = expectedOf(history(events));
    expect(viaVisitor.conversions[0].credits.linear.map((c) => c.touch.clickId)).toEqual(['early', 'after-occurred']);
    const behind = expectedOf(history([click(T0, 'alice-li', 'v1', 'k1'), conversion(T0 + 1000, { occurredAt: T0 - 3_600_000, clickId: 'k1' })]));
    expect(behind.conversions[0].credits.last_click[0].touch.clickId).toBe('k1');
    const outside = expectedOf(history([click(T0, 'alice-li', 'v1', 'k1'), conversion(T0 + 3 * DAY, { visitor: 'v1' })], 2));
    expect(outside.unattributed).toBe(1);
  });

  it('remembers a customer path from the first attributed conversion; counts a conversion id once', () => {
    const expected = expectedOf(
      history([
        click(T0, 'alice-li', 'v1', 'k1'),
        conversion(T0 + DAY, { conversionId: 'lead', visitor: 'v1', customerId: 'crm-1' }),
        conversion(T0 + DAY + 1, { conversionId: 'lead', visitor: 'v1', customerId: 'crm-1' }),
        conversion(T0 + 200 * DAY, { conversionId: 'purchase', customerId: 'crm-1' }),
      ]),
    );
    expect(expected.conversions).toHaveLength(2);
    expect(expected.conversions[1].credits.first_click[0].touch.clickId).toBe('k1');
  });

  it('counts shares of active campaigns in totals and advocate, channel, department and day rows, each advocate at most 20 a UTC minute', () => {
    const share = (at: number, advocateId: string, channel = 'linkedin', campaignActive = true): Sent => ({ kind: 'share', at, campaignId: 'c1', advocateId, channel, campaignActive });
    const minute = Date.UTC(2026, 0, 5, 9, 1, 0);
    const expected = expectedOf(
      history([
        ...Array.from({ length: 22 }, (_, i) => share(minute + i * 1000, 'alice')), // 20 counted, 2 past the cap
        share(minute + 60_000, 'alice', 'x'), // the next minute: counted
        share(minute + 1000, 'bob', 'email'), // bob's own cap
        share(minute + 2000, 'bob', 'email', false), // archived campaign: refused
        click(minute, 'bob-x', 'v1', 'k1'),
      ]),
    );
    expect(expected.shares).toHaveLength(22);
    const whole = report(expected, 'c1', 'advocate');
    expect(whole.totals).toMatchObject({ shares: 22, clicks: 1 });
    expect(whole.rows.get('alice')).toMatchObject({ shares: 21, clicks: 0 });
    expect(whole.rows.get('bob')).toMatchObject({ shares: 1, clicks: 1 });
    expect(report(expected, 'c1', 'channel').rows.get('x')).toMatchObject({ shares: 1, clicks: 1 });
    expect(report(expected, 'c1', 'department').rows.get('sales')?.shares).toBe(21);
    expect(report(expected, 'c1', 'department').rows.get('unassigned')?.shares).toBe(1);
    expect(report(expected, 'c1', 'day').rows.get('2026-01-05')?.shares).toBe(22);
    // No link, no viewer: no share in those rows.
    expect([...report(expected, 'c1', 'link').rows.values()].map((row) => row.shares)).toEqual([0]);
    expect([...report(expected, 'c1', 'country').rows.values()].map((row) => row.shares)).toEqual([0]);
    expect(report(expected, 'c1', 'advocate', { from: '2026-01-06' }).totals.shares).toBe(0);
  });
});
