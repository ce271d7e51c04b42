import { describe, expect, it } from 'vitest';
import {
  compareByConversionsThenClicks,
  competitionRanks,
  currenciesOf,
  microConversions,
  reportNumbers,
  revenueMinor,
  type Counters,
} from '../../shared/domain/report.js';

// Counters of one roll-up row as the consumer writes them, with another model's counters mixed in.
const counters = {
  shares: 4,
  clicks: 5,
  uniqueClicks: 3,
  botClicks: 2,
  conv_linear: 2_500_000,
  conv_last_click: 1_000_000,
  // Neither in code order nor in its reverse, so the sort is what orders them.
  rev_linear_EUR: 12990,
  rev_linear_USD: 1999,
  rev_linear_JPY: 0,
  rev_linear_BHD: 1250,
  rev_last_click_GBP: 7,
};

describe('reportNumbers', () => {
  it("reads one model's conversions and revenue per currency, currencies in code order", () => {
    const numbers = reportNumbers(counters, 'linear');
    expect(numbers).toStrictEqual({
      shares: 4,
      clicks: 5,
      uniqueClicks: 3,
      botClicks: 2,
      conversions: 2.5,
      // A zero total is no revenue in that currency; BHD has three decimals.
      revenue: { BHD: '1.250', EUR: '129.90', USD: '19.99' },
    });
    expect(Object.keys(numbers.revenue)).toEqual(['BHD', 'EUR', 'USD']);
    expect(reportNumbers(counters, 'last_click')).toStrictEqual({
      shares: 4,
      clicks: 5,
      uniqueClicks: 3,
      botClicks: 2,
      conversions: 1,
      revenue: { GBP: '0.07' },
    });
  });

  it('reads a missing row or missing counters as zero', () => {
    const zero = { shares: 0, clicks: 0, uniqueClicks: 0, botClicks: 0, conversions: 0, revenue: {} };
    expect(reportNumbers(undefined, 'linear')).toStrictEqual(zero);
    expect(reportNumbers({}, 'time_decay')).toStrictEqual(zero);
  });

  it('shows micro-conversions with at most six decimals', () => {
    expect(reportNumbers({ conv_time_decay: 2_333_333 }, 'time_decay').conversions).toBe(2.333333);
  });
});

describe('single counters', () => {
  it("reads one currency's revenue and one model's micro-conversions, zero when absent", () => {
    expect(revenueMinor(counters, 'linear', 'EUR')).toBe(12990);
    expect(revenueMinor(counters, 'last_click', 'EUR')).toBe(0);
    expect(revenueMinor(undefined, 'linear', 'EUR')).toBe(0);
    expect(microConversions(counters, 'linear')).toBe(2_500_000);
    expect(microConversions(counters, 'first_click')).toBe(0);
    expect(microConversions(undefined, 'linear')).toBe(0);
  });

  it("lists a model's currencies by total, largest first, without zero totals", () => {
    expect(currenciesOf(counters, 'linear')).toEqual(['EUR', 'USD', 'BHD']);
    // Stored smallest first: the sort, not the insertion order, ranks them.
    expect(currenciesOf({ rev_linear_BHD: 1250, rev_linear_USD: 1999, rev_linear_EUR: 12990 }, 'linear')).toEqual(['EUR', 'USD', 'BHD']);
    expect(currenciesOf(counters, 'last_click')).toEqual(['GBP']);
    expect(currenciesOf(undefined, 'linear')).toEqual([]);
  });
});

describe('ranking', () => {
  it('orders by conversions, then clicks, both descending, then by key', () => {
    const rows: Array<{ key: string; counters: Counters }> = [
      { key: 'b-few-clicks', counters: { conv_linear: 500_000, clicks: 1 } },
      { key: 'a-no-conversions', counters: { clicks: 90 } },
      { key: 'd-tied', counters: { conv_linear: 500_000, clicks: 4 } },
      { key: 'c-tied', counters: { conv_linear: 500_000, clicks: 4 } },
      { key: 'e-most', counters: { conv_linear: 2_000_000 } },
      { key: 'f-other-model', counters: { conv_last_click: 9_000_000, clicks: 3 } },
    ];
    const ordered = [...rows].sort(compareByConversionsThenClicks('linear')).map((row) => row.key);
    expect(ordered).toEqual(['e-most', 'c-tied', 'd-tied', 'b-few-clicks', 'a-no-conversions', 'f-other-model']);
    // The comparison is a total order: a row equals only itself.
    const compare = compareByConversionsThenClicks('linear');
    expect(compare(rows[2], rows[2])).toBe(0);
    expect(Math.sign(compare(rows[3], rows[2]))).toBe(-1);
    expect(Math.sign(compare(rows[2], rows[3]))).toBe(1);
  });

  it('gives equal scores one rank and skips the ranks they share (1224)', () => {
    expect(competitionRanks([9, 7, 7, 4])).toEqual([1, 2, 2, 4]);
    expect(competitionRanks([5, 5, 3, 3, 3, 1])).toEqual([1, 1, 3, 3, 3, 6]);
    expect(competitionRanks([])).toEqual([]);
  });
});
