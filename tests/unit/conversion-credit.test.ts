import { describe, expect, it } from 'vitest';
import type { Attribution, Touchpoint } from '../../shared/domain/attribution.js';
import {
  ORG_LEVEL_CAMPAIGN,
  contributionsOfConversionRecord,
  conversionCounter,
  conversionRecords,
  revenueCounter,
  unattributedContributions,
  type ConversionCampaignRecord,
  type ConversionFacts,
} from '../../shared/domain/conversion-credit.js';
import type { Contribution } from '../../shared/domain/rollup.js';

const OCCURRED_AT = '2026-11-27T23:59:59.999Z';

const facts: ConversionFacts = {
  orgId: 'org_1',
  eventId: 'evt-1',
  conversionId: 'order-1042',
  kind: 'purchase',
  occurredAt: OCCURRED_AT,
};

const touchpoint = (clickId: string, campaignId: string, fields: Partial<Touchpoint> = {}): Touchpoint => ({
  clickId,
  at: `2026-11-2${clickId.length}T10:00:00.000Z`,
  campaignId,
  advocateId: `adv-${clickId}`,
  slug: `slug-${clickId}`,
  channel: 'linkedin',
  lookbackDays: 30,
  ...fields,
});

/** Rows by "dimension|period|key", so the comparison does not depend on the order rows were built in. */
const byRow = (contributions: Contribution[]) =>
  Object.fromEntries(contributions.map(({ row, counters }) => [`${row.dimension}|${row.period}|${row.key}`, counters]));

describe('counter names', () => {
  it('names conversion and revenue counters by model and currency', () => {
    expect(conversionCounter('time_decay')).toBe('conv_time_decay');
    expect(revenueCounter('position_based', 'JPY')).toBe('rev_position_based_JPY');
  });
});

describe('conversionRecords', () => {
  // Touches 0 and 2 belong to campaign A, touch 1 to campaign B. Credits written by hand
  // (they only need to be carried over, not recomputed).
  const touchpoints = [
    touchpoint('a', 'cmp-a', { department: 'sales' }),
    touchpoint('bb', 'cmp-b', { channel: 'x', country: 'DE', device: 'mobile', browser: 'Mobile Safari', os: 'iOS', referrerHost: 'www.linkedin.com' }),
    touchpoint('ccc', 'cmp-a', { department: '' }),
  ];
  const attribution: Attribution = {
    attributed: true,
    touchpoints,
    value: { amountMinor: 1000n, currency: 'EUR' },
    credits: {
      last_click: [{ touchIndex: 2, credit: 1_000_000, revenueMinor: 1000n }],
      first_click: [{ touchIndex: 0, credit: 1_000_000, revenueMinor: 1000n }],
      linear: [
        { touchIndex: 0, credit: 333_333, revenueMinor: 333n },
        { touchIndex: 1, credit: 333_333, revenueMinor: 333n },
        { touchIndex: 2, credit: 333_334, revenueMinor: 334n },
      ],
      time_decay: [
        { touchIndex: 0, credit: 142_857, revenueMinor: 143n },
        { touchIndex: 1, credit: 285_714, revenueMinor: 286n },
        { touchIndex: 2, credit: 571_429, revenueMinor: 571n },
      ],
      position_based: [
        { touchIndex: 0, credit: 400_000, revenueMinor: 400n },
        { touchIndex: 1, credit: 200_000, revenueMinor: 200n },
        { touchIndex: 2, credit: 400_000, revenueMinor: 400n },
      ],
    },
  };

  it('splits an attribution into one record per campaign, touches renumbered within it', () => {
    const records = conversionRecords(
      { ...facts, value: { amount: '10.00', currency: 'EUR' }, customerId: 'cust-7' },
      attribution,
    );
    const common = {
      orgId: 'org_1',
      eventId: 'evt-1',
      conversionId: 'order-1042',
      kind: 'purchase',
      occurredAt: OCCURRED_AT,
      value: { amount: '10.00', currency: 'EUR' },
      customerId: 'cust-7',
    };
    expect(records).toStrictEqual([
      {
        ...common,
        campaignId: 'cmp-a',
        touches: [
          // An empty department is no department: the key is left out, not stored empty.
          { clickId: 'a', at: '2026-11-21T10:00:00.000Z', advocateId: 'adv-a', slug: 'slug-a', channel: 'linkedin', department: 'sales' },
          { clickId: 'ccc', at: '2026-11-23T10:00:00.000Z', advocateId: 'adv-ccc', slug: 'slug-ccc', channel: 'linkedin' },
        ],
        credits: {
          last_click: [{ touch: 1, credit: 1_000_000, revenueMinor: '1000' }],
          first_click: [{ touch: 0, credit: 1_000_000, revenueMinor: '1000' }],
          linear: [
            { touch: 0, credit: 333_333, revenueMinor: '333' },
            { touch: 1, credit: 333_334, revenueMinor: '334' },
          ],
          time_decay: [
            { touch: 0, credit: 142_857, revenueMinor: '143' },
            { touch: 1, credit: 571_429, revenueMinor: '571' },
          ],
          position_based: [
            { touch: 0, credit: 400_000, revenueMinor: '400' },
            { touch: 1, credit: 400_000, revenueMinor: '400' },
          ],
        },
      },
      {
        ...common,
        campaignId: 'cmp-b',
        // What the click recorded of its viewer goes with it, for the breakdown rows.
        touches: [
          {
            clickId: 'bb', at: '2026-11-22T10:00:00.000Z', advocateId: 'adv-bb', slug: 'slug-bb', channel: 'x',
            country: 'DE', device: 'mobile', browser: 'Mobile Safari', os: 'iOS', referrerHost: 'www.linkedin.com',
          },
        ],
        credits: {
          last_click: [],
          first_click: [],
          linear: [{ touch: 0, credit: 333_333, revenueMinor: '333' }],
          time_decay: [{ touch: 0, credit: 285_714, revenueMinor: '286' }],
          position_based: [{ touch: 0, credit: 200_000, revenueMinor: '200' }],
        },
      },
    ]);
  });

  it('leaves out value, customer and revenue when the conversion has none', () => {
    const withoutRevenue: Attribution = {
      attributed: true,
      touchpoints: [touchpoint('a', 'cmp-a')],
      credits: {
        last_click: [{ touchIndex: 0, credit: 1_000_000 }],
        first_click: [{ touchIndex: 0, credit: 1_000_000 }],
        linear: [{ touchIndex: 0, credit: 1_000_000 }],
        time_decay: [{ touchIndex: 0, credit: 1_000_000 }],
        position_based: [{ touchIndex: 0, credit: 1_000_000 }],
      },
    };
    const whole = [{ touch: 0, credit: 1_000_000 }];
    expect(conversionRecords(facts, withoutRevenue)).toStrictEqual([
      {
        ...facts,
        campaignId: 'cmp-a',
        touches: [{ clickId: 'a', at: '2026-11-21T10:00:00.000Z', advocateId: 'adv-a', slug: 'slug-a', channel: 'linkedin' }],
        credits: { last_click: whole, first_click: whole, linear: whole, time_decay: whole, position_based: whole },
      },
    ]);
  });

  it('gives no record to an unattributed conversion', () => {
    const none = { attributed: false, touchpoints: [], credits: { last_click: [], first_click: [], linear: [], time_decay: [], position_based: [] } };
    expect(conversionRecords(facts, none)).toEqual([]);
  });
});

describe('contributionsOfConversionRecord', () => {
  const record: ConversionCampaignRecord = {
    ...facts,
    campaignId: 'cmp-a',
    value: { amount: '10.00', currency: 'EUR' },
    touches: [
      {
        clickId: 'c1', at: '2026-11-20T10:00:00.000Z', advocateId: 'alice', slug: 'slugAAAA', channel: 'linkedin', department: 'sales',
        country: 'FR', device: 'desktop', browser: 'Chrome', os: 'Windows', referrerHost: 'www.linkedin.com',
      },
      // Stored before it recorded a country, an OS or a referrer: those rows are `unknown`.
      { clickId: 'c2', at: '2026-11-26T10:00:00.000Z', advocateId: 'carol', slug: 'slugCCCC', channel: 'email', device: 'mobile', browser: 'Chrome' },
    ],
    credits: {
      last_click: [{ touch: 1, credit: 1_000_000, revenueMinor: '1000' }],
      first_click: [{ touch: 0, credit: 1_000_000, revenueMinor: '1000' }],
      linear: [
        { touch: 0, credit: 500_000, revenueMinor: '500' },
        { touch: 1, credit: 500_000, revenueMinor: '500' },
      ],
      time_decay: [
        { touch: 0, credit: 200_000, revenueMinor: '200' },
        { touch: 1, credit: 800_000, revenueMinor: '800' },
      ],
      position_based: [
        { touch: 0, credit: 500_000, revenueMinor: '500' },
        { touch: 1, credit: 500_000, revenueMinor: '500' },
      ],
    },
  };

  it("adds each touch's credit and revenue to its rows on the conversion's day and all time (breakdowns: the day only)", () => {
    const contributions = contributionsOfConversionRecord(record);
    const campaignTotal = {
      conv_last_click: 1_000_000, rev_last_click_EUR: 1000,
      conv_first_click: 1_000_000, rev_first_click_EUR: 1000,
      conv_linear: 1_000_000, rev_linear_EUR: 1000,
      conv_time_decay: 1_000_000, rev_time_decay_EUR: 1000,
      conv_position_based: 1_000_000, rev_position_based_EUR: 1000,
    };
    const firstTouch = {
      conv_first_click: 1_000_000, rev_first_click_EUR: 1000,
      conv_linear: 500_000, rev_linear_EUR: 500,
      conv_time_decay: 200_000, rev_time_decay_EUR: 200,
      conv_position_based: 500_000, rev_position_based_EUR: 500,
    };
    const lastTouch = {
      conv_last_click: 1_000_000, rev_last_click_EUR: 1000,
      conv_linear: 500_000, rev_linear_EUR: 500,
      conv_time_decay: 800_000, rev_time_decay_EUR: 800,
      conv_position_based: 500_000, rev_position_based_EUR: 500,
    };
    const expected: Record<string, Record<string, number>> = {};
    // The conversion's day (UTC), not the clicks' days.
    const breakdowns = new Set(['country', 'device', 'os', 'referrer', 'browser']);
    for (const period of ['2026-11-27', '*']) {
      expected[`campaign|${period}|all`] = campaignTotal;
      for (const [dimension, first, last] of [
        ['link', 'slugAAAA', 'slugCCCC'],
        ['advocate', 'alice', 'carol'],
        ['channel', 'linkedin', 'email'],
        ['department', 'sales', 'unassigned'],
        ['country', 'FR', 'unknown'],
        ['device', 'desktop', 'mobile'],
        ['os', 'Windows', 'unknown'],
        ['referrer', 'www.linkedin.com', 'unknown'],
      ]) {
        // Breakdowns have daily rows only: all time is their sum (spec 7 answers stay the same).
        if (period === '*' && breakdowns.has(dimension)) continue;
        expected[`${dimension}|${period}|${first}`] = firstTouch;
        expected[`${dimension}|${period}|${last}`] = lastTouch;
      }
      // Both touches were Chrome: the row takes the whole conversion.
      if (period !== '*') expected[`browser|${period}|Chrome`] = campaignTotal;
    }
    // Daily: campaign 1 + 8 dimensions × 2 touches + browser 1 = 18; all time: campaign 1 + 4 × 2 = 9.
    expect(contributions).toHaveLength(27);
    expect(byRow(contributions)).toEqual(expected);
    for (const { row } of contributions) {
      expect(row.orgId).toBe('org_1');
      expect(row.campaignId).toBe('cmp-a');
    }
  });

  it('adds no revenue counters for a conversion without a value', () => {
    const { value: _value, ...withoutValue } = record;
    const noRevenue: ConversionCampaignRecord = {
      ...withoutValue,
      credits: {
        last_click: [{ touch: 1, credit: 1_000_000 }],
        first_click: [{ touch: 0, credit: 1_000_000 }],
        linear: [{ touch: 0, credit: 500_000 }, { touch: 1, credit: 500_000 }],
        time_decay: [{ touch: 0, credit: 200_000 }, { touch: 1, credit: 800_000 }],
        position_based: [{ touch: 0, credit: 500_000 }, { touch: 1, credit: 500_000 }],
      },
    };
    const rows = byRow(contributionsOfConversionRecord(noRevenue));
    expect(rows['campaign|*|all']).toEqual({
      conv_last_click: 1_000_000,
      conv_first_click: 1_000_000,
      conv_linear: 1_000_000,
      conv_time_decay: 1_000_000,
      conv_position_based: 1_000_000,
    });
    expect(rows['link|2026-11-27|slugAAAA']).toEqual({
      conv_first_click: 1_000_000,
      conv_linear: 500_000,
      conv_time_decay: 200_000,
      conv_position_based: 500_000,
    });
  });

  it('adds no revenue for a credit entry that carries none', () => {
    const creditOnly: ConversionCampaignRecord = {
      ...record,
      credits: { ...record.credits, last_click: [{ touch: 1, credit: 1_000_000 }] },
    };
    const rows = byRow(contributionsOfConversionRecord(creditOnly));
    expect(rows['link|*|slugCCCC'].conv_last_click).toBe(1_000_000);
    expect(rows['link|*|slugCCCC']).not.toHaveProperty('rev_last_click_EUR');
    expect(rows['link|*|slugCCCC'].rev_linear_EUR).toBe(500);
  });

  it('ignores revenue shares on a record that has no value to name their currency', () => {
    const { value: _value, ...withoutValue } = record;
    const rows = byRow(contributionsOfConversionRecord(withoutValue));
    expect(Object.keys(rows['campaign|*|all']).filter((name) => name.startsWith('rev_'))).toEqual([]);
    expect(rows['campaign|*|all'].conv_linear).toBe(1_000_000);
  });
});

describe('unattributedContributions', () => {
  it("counts one conversion on the organization's unattributed rows, daily and all time", () => {
    expect(unattributedContributions(facts)).toStrictEqual([
      {
        row: { orgId: 'org_1', campaignId: ORG_LEVEL_CAMPAIGN, dimension: 'unattributed', period: '2026-11-27', key: 'all' },
        counters: { conversions: 1 },
      },
      {
        row: { orgId: 'org_1', campaignId: '_org', dimension: 'unattributed', period: '*', key: 'all' },
        counters: { conversions: 1 },
      },
    ]);
  });
});
