import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attribute,
  attributionModels,
  creditShares,
  isAttributionModel,
  modelWeights,
  selectTouchpoints,
  toAttributionRecord,
  type Attribution,
  type AttributionModel,
  type Touchpoint,
} from '../../shared/domain/attribution.js';
import { formatAmount } from '../../shared/domain/money.js';

const DAY_MS = 86_400_000;
const CONVERSION_AT = '2026-11-27T10:00:00.000Z';
const conversionMs = Date.parse(CONVERSION_AT);

const isoBefore = (ms: number) => new Date(conversionMs - ms).toISOString();

/** A click `daysBefore` the conversion in a 30-day campaign unless overridden. */
function touch(clickId: string, daysBefore: number, overrides: Partial<Touchpoint> = {}): Touchpoint {
  return {
    clickId,
    at: isoBefore(daysBefore * DAY_MS),
    campaignId: 'cmp-spring',
    advocateId: 'alice',
    slug: `slug-${clickId}`,
    channel: 'linkedin',
    lookbackDays: 30,
    ...overrides,
  };
}

/** Micro-credit of every selected touch (0 where a model lists no entry), in touch order. */
function creditsPerTouch(touches: Touchpoint[], model: AttributionModel, occurredAt = CONVERSION_AT): number[] {
  const result = attribute({ occurredAt }, touches);
  const perTouch = result.touchpoints.map(() => 0);
  for (const entry of result.credits[model]) perTouch[entry.touchIndex] = entry.credit;
  return perTouch;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('selectTouchpoints', () => {
  it("applies each click's own campaign lookback", () => {
    const sevenDayCampaignOld = touch('a-old', 10, { campaignId: 'cmp-7', lookbackDays: 7 });
    const sevenDayCampaignRecent = touch('a-new', 6, { campaignId: 'cmp-7', lookbackDays: 7 });
    const thirtyDayCampaignOld = touch('b-old', 10, { campaignId: 'cmp-30', lookbackDays: 30 });
    const selected = selectTouchpoints([sevenDayCampaignOld, sevenDayCampaignRecent, thirtyDayCampaignOld], CONVERSION_AT);
    expect(selected.map((t) => t.clickId)).toEqual(['b-old', 'a-new']);
  });

  it('excludes a click exactly lookbackDays old and keeps one a millisecond younger', () => {
    const atBoundary = { ...touch('edge', 0, { lookbackDays: 7 }), at: isoBefore(7 * DAY_MS) };
    const justInside = { ...touch('inside', 0, { lookbackDays: 7 }), at: isoBefore(7 * DAY_MS - 1) };
    expect(selectTouchpoints([atBoundary, justInside], CONVERSION_AT).map((t) => t.clickId)).toEqual(['inside']);
  });

  it('ignores clicks after occurredAt and keeps a click at the same instant', () => {
    const later = { ...touch('later', 0), at: new Date(conversionMs + 1).toISOString() };
    const sameInstant = touch('same', 0);
    expect(selectTouchpoints([later, sameInstant], CONVERSION_AT).map((t) => t.clickId)).toEqual(['same']);
  });

  it('removes duplicate click ids, keeping the earliest record', () => {
    const first = touch('dup', 3);
    const duplicate = { ...touch('dup', 2), slug: 'other' };
    const selected = selectTouchpoints([duplicate, touch('x', 1), first], CONVERSION_AT);
    expect(selected.map((t) => [t.clickId, t.slug])).toEqual([
      ['dup', 'slug-dup'],
      ['x', 'slug-x'],
    ]);
  });

  it('orders equal timestamps by clickId, whatever the input order', () => {
    const sameTime = ['c', 'a', 'b'].map((id) => touch(id, 2));
    for (const order of [sameTime, [...sameTime].reverse(), [sameTime[1], sameTime[2], sameTime[0]]]) {
      expect(selectTouchpoints(order, CONVERSION_AT).map((t) => t.clickId)).toEqual(['a', 'b', 'c']);
    }
  });

  it('compares times as instants, not strings', () => {
    // "…00Z" sorts after "…00.000Z" as a string, but they are the same instant.
    const withoutMillis = { ...touch('b', 0), at: '2026-11-20T10:00:00Z' };
    const withMillis = { ...touch('a', 0), at: '2026-11-20T10:00:00.000Z' };
    const earlier = { ...touch('z', 0), at: '2026-11-20T09:59:59.999Z' };
    expect(selectTouchpoints([withoutMillis, withMillis, earlier], CONVERSION_AT).map((t) => t.clickId)).toEqual([
      'z',
      'a',
      'b',
    ]);
  });

  it('keeps an old remembered path when the lookback is not applied', () => {
    const oldClick = touch('old', 120);
    expect(selectTouchpoints([oldClick], CONVERSION_AT)).toEqual([]);
    expect(selectTouchpoints([oldClick], CONVERSION_AT, { applyLookback: false })).toEqual([oldClick]);
  });

  it('never selects a click with an unparseable time and refuses an invalid occurredAt', () => {
    expect(selectTouchpoints([{ ...touch('bad', 0), at: 'yesterday' }], CONVERSION_AT)).toEqual([]);
    expect(() => selectTouchpoints([], 'not a date')).toThrow(RangeError);
  });
});

describe('credit shares on hand-computed paths', () => {
  it('one touch: every model gives it the whole conversion', () => {
    for (const model of attributionModels) {
      expect(creditsPerTouch([touch('only', 3)], model)).toEqual([1_000_000]);
    }
  });

  it('two touches', () => {
    // 7 days apart: time-decay weights 1/2 and 1 → 1/3 and 2/3 → 333333.33 / 666666.67;
    // floors 333333 + 666666 leave 1, which goes to the larger remainder (.67, the last touch).
    const touches = [touch('first', 7), touch('last', 0)];
    expect(creditsPerTouch(touches, 'last_click')).toEqual([0, 1_000_000]);
    expect(creditsPerTouch(touches, 'first_click')).toEqual([1_000_000, 0]);
    expect(creditsPerTouch(touches, 'linear')).toEqual([500_000, 500_000]);
    expect(creditsPerTouch(touches, 'position_based')).toEqual([500_000, 500_000]);
    expect(creditsPerTouch(touches, 'time_decay')).toEqual([333_333, 666_667]);
  });

  it('five touches', () => {
    // Touches 28, 21, 14, 7, 0 days before the conversion.
    const touches = [28, 21, 14, 7, 0].map((days, i) => touch(`t${i}`, days));

    expect(creditsPerTouch(touches, 'last_click')).toEqual([0, 0, 0, 0, 1_000_000]);
    expect(creditsPerTouch(touches, 'first_click')).toEqual([1_000_000, 0, 0, 0, 0]);
    // 1_000_000 / 5 is exact.
    expect(creditsPerTouch(touches, 'linear')).toEqual([200_000, 200_000, 200_000, 200_000, 200_000]);
    // Weights 6, 1, 1, 1, 6 out of 15: the ends get 400000 exactly, each middle 66666.67.
    // Floors: 400000 + 3 × 66666 + 400000 = 999998, leftover 2. The three middle remainders
    // are equal (2/3); ties go to the later touch, so the 4th and 3rd touches get the +1.
    expect(creditsPerTouch(touches, 'position_based')).toEqual([400_000, 66_666, 66_667, 66_667, 400_000]);
    // Weights 1/16, 1/8, 1/4, 1/2, 1 = 1, 2, 4, 8, 16 out of 31:
    // 32258.06, 64516.13, 129032.26, 258064.52, 516129.03 → floors sum to 999999; the largest
    // remainder (.52) is the 4th touch's.
    expect(creditsPerTouch(touches, 'time_decay')).toEqual([32_258, 64_516, 129_032, 258_065, 516_129]);
  });

  it('time_decay with touches 14, 7 and 0 days before: 1/7, 2/7, 4/7', () => {
    // Weights 1/4, 1/2, 1 → 142857.14, 285714.29, 571428.57; floors sum to 999999 and the
    // largest remainder (.57) goes to the latest touch.
    const shares = creditsPerTouch([touch('d14', 14), touch('d7', 7), touch('d0', 0)], 'time_decay');
    expect(shares).toEqual([142_857, 285_714, 571_429]);
    expect(sum(shares)).toBe(1_000_000);
  });

  it('time_decay depends only on the gaps between touches, not on how long ago the path was', () => {
    const recent = creditsPerTouch([touch('a', 14), touch('b', 7), touch('c', 0)], 'time_decay');
    const old = creditsPerTouch([touch('a', 24), touch('b', 17), touch('c', 10)], 'time_decay');
    expect(old).toEqual(recent);
  });

  it('linear leftovers go to the latest touches', () => {
    // 1_000_000 / 3 = 333333.33: one micro-credit left over, equal remainders, later wins.
    expect(creditsPerTouch([touch('a', 3), touch('b', 2), touch('c', 1)], 'linear')).toEqual([
      333_333, 333_333, 333_334,
    ]);
    const seven = creditsPerTouch([6, 5, 4, 3, 2, 1, 0].map((d) => touch(`t${d}`, d)), 'linear');
    expect(seven).toEqual([142_857, 142_857, 142_857, 142_857, 142_857, 142_857, 142_858]);
  });

  it('position_based for three, four and eight touches', () => {
    const path = (n: number) => Array.from({ length: n }, (_, i) => touch(`t${i}`, n - i));
    // 2, 1, 2 out of 5.
    expect(creditsPerTouch(path(3), 'position_based')).toEqual([400_000, 200_000, 400_000]);
    // 4, 1, 1, 4 out of 10.
    expect(creditsPerTouch(path(4), 'position_based')).toEqual([400_000, 100_000, 100_000, 400_000]);
    // 12, 1×6, 12 out of 30: middles 33333.33 each, leftover 2 to the two latest middles.
    expect(creditsPerTouch(path(8), 'position_based')).toEqual([
      400_000, 33_333, 33_333, 33_333, 33_333, 33_334, 33_334, 400_000,
    ]);
  });

  it('equal timestamps: last_click goes to the greatest clickId, first_click to the smallest', () => {
    const touches = ['m', 'z', 'a'].map((id) => touch(id, 1));
    const result = attribute({ occurredAt: CONVERSION_AT }, touches);
    expect(result.touchpoints.map((t) => t.clickId)).toEqual(['a', 'm', 'z']);
    expect(result.credits.last_click).toEqual([{ touchIndex: 2, credit: 1_000_000 }]);
    expect(result.credits.first_click).toEqual([{ touchIndex: 0, credit: 1_000_000 }]);
  });

  it('creditShares matches attribute and is empty without touches', () => {
    const touches = selectTouchpoints([touch('a', 9), touch('b', 4), touch('c', 0)], CONVERSION_AT);
    for (const model of attributionModels) {
      expect(creditShares(touches, CONVERSION_AT, model)).toEqual(creditsPerTouch(touches, model));
      expect(creditShares([], CONVERSION_AT, model)).toEqual([]);
    }
  });
});

describe('attribute', () => {
  it('credits touches across two campaigns with different lookbacks', () => {
    const touches = [
      touch('a-20d', 20, { campaignId: 'cmp-a', advocateId: 'alice', lookbackDays: 30 }),
      touch('b-5d', 5, { campaignId: 'cmp-b', advocateId: 'bob', channel: 'x', lookbackDays: 7 }),
      touch('b-9d', 9, { campaignId: 'cmp-b', advocateId: 'bob', lookbackDays: 7 }), // outside cmp-b's 7 days
      touch('a-1d', 1, { campaignId: 'cmp-a', advocateId: 'alice', channel: 'email', lookbackDays: 30 }),
    ];
    const result = attribute({ occurredAt: CONVERSION_AT, value: { amount: '100.00', currency: 'EUR' } }, touches);
    expect(result.touchpoints.map((t) => t.clickId)).toEqual(['a-20d', 'b-5d', 'a-1d']);

    const perCampaign = (model: AttributionModel) => {
      const credit: Record<string, number> = {};
      const revenue: Record<string, bigint> = {};
      for (const entry of result.credits[model]) {
        const campaignId = result.touchpoints[entry.touchIndex].campaignId;
        credit[campaignId] = (credit[campaignId] ?? 0) + entry.credit;
        revenue[campaignId] = (revenue[campaignId] ?? 0n) + (entry.revenueMinor ?? 0n);
      }
      return { credit, revenue };
    };
    // Linear thirds: 333333, 333333, 333334 and 3333, 3333, 3334 cents.
    expect(perCampaign('linear')).toEqual({
      credit: { 'cmp-a': 666_667, 'cmp-b': 333_333 },
      revenue: { 'cmp-a': 6667n, 'cmp-b': 3333n },
    });
    // 40 / 20 / 40.
    expect(perCampaign('position_based')).toEqual({
      credit: { 'cmp-a': 800_000, 'cmp-b': 200_000 },
      revenue: { 'cmp-a': 8000n, 'cmp-b': 2000n },
    });
    expect(perCampaign('last_click')).toEqual({ credit: { 'cmp-a': 1_000_000 }, revenue: { 'cmp-a': 10000n } });
    expect(perCampaign('first_click')).toEqual({ credit: { 'cmp-a': 1_000_000 }, revenue: { 'cmp-a': 10000n } });
  });

  it('splits revenue in minor units with the same shares, exactly', () => {
    const touches = [28, 21, 14, 7, 0].map((days, i) => touch(`t${i}`, days));
    const result = attribute({ occurredAt: CONVERSION_AT, value: { amount: '100', currency: 'EUR' } }, touches);
    expect(result.value).toEqual({ amountMinor: 10000n, currency: 'EUR' });
    // 10000 × 6/15 = 4000 at the ends, 666.67 per middle: leftover 2 to the later middles.
    expect(result.credits.position_based.map((c) => c.revenueMinor)).toEqual([4000n, 666n, 667n, 667n, 4000n]);
    expect(result.credits.linear.map((c) => c.revenueMinor)).toEqual([2000n, 2000n, 2000n, 2000n, 2000n]);
    // 10000 × 1, 2, 4, 8, 16 / 31 = 322.58, 645.16, 1290.32, 2580.65, 5161.29 → floors 9998;
    // the two largest remainders are .65 (4th) and .58 (1st).
    expect(result.credits.time_decay.map((c) => c.revenueMinor)).toEqual([323n, 645n, 1290n, 2581n, 5161n]);
    expect(result.credits.last_click).toEqual([{ touchIndex: 4, credit: 1_000_000, revenueMinor: 10000n }]);
  });

  it('splits zero-decimal and three-decimal currencies in their own minor units', () => {
    const three = [touch('a', 14), touch('b', 7), touch('c', 0)];
    const yen = attribute({ occurredAt: CONVERSION_AT, value: { amount: '1000', currency: 'JPY' } }, three);
    expect(yen.credits.linear.map((c) => c.revenueMinor)).toEqual([333n, 333n, 334n]);
    // 1/7, 2/7, 4/7 of 1000 fils = 142.86, 285.71, 571.43 → floors 998; +1 to .86 and .71.
    const dinar = attribute({ occurredAt: CONVERSION_AT, value: { amount: '1', currency: 'BHD' } }, three);
    expect(dinar.credits.time_decay.map((c) => c.revenueMinor)).toEqual([143n, 286n, 571n]);
  });

  it('leaves a conversion without touchpoints unattributed', () => {
    const result = attribute(
      { occurredAt: CONVERSION_AT, value: { amount: '19.99', currency: 'USD' } },
      [touch('too-old', 45), { ...touch('after', 0), at: '2026-11-28T00:00:00Z' }],
    );
    expect(result.attributed).toBe(false);
    expect(result.touchpoints).toEqual([]);
    expect(result.value).toEqual({ amountMinor: 1999n, currency: 'USD' });
    for (const model of attributionModels) expect(result.credits[model]).toEqual([]);
  });

  it('has no revenue fields when the conversion has no value', () => {
    const result = attribute({ occurredAt: CONVERSION_AT }, [touch('a', 2), touch('b', 1)]);
    expect(result.value).toBeUndefined();
    expect(result.credits.linear).toEqual([
      { touchIndex: 0, credit: 500_000 },
      { touchIndex: 1, credit: 500_000 },
    ]);
  });

  it('keeps extra click fields on the selected touchpoints', () => {
    const withVisitor = { ...touch('a', 1), visitorId: 'v-1' };
    expect(attribute({ occurredAt: CONVERSION_AT }, [withVisitor]).touchpoints[0].visitorId).toBe('v-1');
  });

  it('refuses a value that is not exact in its currency', () => {
    expect(() => attribute({ occurredAt: CONVERSION_AT, value: { amount: '1.234', currency: 'EUR' } }, [])).toThrow(
      /at most 2 decimal places/,
    );
  });

  it('has a JSON-safe record form', () => {
    const result = attribute(
      { occurredAt: CONVERSION_AT, value: { amount: '129.90', currency: 'EUR' } },
      [touch('a', 2, { department: 'sales' }), touch('b', 1)],
    );
    const record = toAttributionRecord(result);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(record.currency).toBe('EUR');
    expect(record.touchpoints[0]).toEqual({
      clickId: 'a',
      at: isoBefore(2 * DAY_MS),
      campaignId: 'cmp-spring',
      advocateId: 'alice',
      slug: 'slug-a',
      channel: 'linkedin',
      department: 'sales',
      lookbackDays: 30,
    });
    // A stored path can be replayed as a customer's remembered path, months later.
    const monthsLater = attribute(
      { occurredAt: '2027-04-01T00:00:00Z', value: { amount: '10.00', currency: 'EUR' } },
      record.touchpoints,
      { applyLookback: false },
    );
    expect(monthsLater.credits.linear.map((c) => c.revenueMinor)).toEqual([500n, 500n]);
    expect(record.credits.linear).toEqual([
      { touchIndex: 0, credit: 500_000, revenue: '64.95' },
      { touchIndex: 1, credit: 500_000, revenue: '64.95' },
    ]);
  });
});

describe('properties', () => {
  const touchArbitrary = fc.record({
    clickId: fc.stringMatching(/^[a-f0-9]{1,4}$/),
    offsetMs: fc.integer({ min: 0, max: 90 * DAY_MS }),
    campaignId: fc.constantFrom('cmp-a', 'cmp-b', 'cmp-c'),
    lookbackDays: fc.integer({ min: 1, max: 90 }),
  });
  const touchesArbitrary = fc
    .array(touchArbitrary, { minLength: 1, maxLength: 20 })
    .map((raw) =>
      raw.map(({ clickId, offsetMs, campaignId, lookbackDays }) =>
        touch(clickId, 0, { at: isoBefore(offsetMs), campaignId, lookbackDays }),
      ),
    );
  const currencyArbitrary = fc.constantFrom('EUR', 'JPY', 'BHD', 'USD', 'KWD', 'CLF');
  const amountMinorArbitrary = fc.oneof(
    fc.bigInt({ min: 0n, max: 10_000n }),
    fc.bigInt({ min: 0n, max: 999_999_999_999_999n }),
  );

  it('shares are non-negative integers summing to exactly 1_000_000 under every model', () => {
    fc.assert(
      fc.property(touchesArbitrary, (candidates) => {
        const touches = selectTouchpoints(candidates, CONVERSION_AT, { applyLookback: false });
        for (const model of attributionModels) {
          const shares = creditShares(touches, CONVERSION_AT, model);
          const wellFormed =
            shares.length === touches.length &&
            shares.every((share) => Number.isInteger(share) && share >= 0) &&
            sum(shares) === 1_000_000;
          if (!wellFormed) expect.fail(`${model}: ${JSON.stringify(shares)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('each share is the floor or the ceiling of its exact quota', () => {
    fc.assert(
      fc.property(touchesArbitrary, (candidates) => {
        const touches = selectTouchpoints(candidates, CONVERSION_AT, { applyLookback: false });
        for (const model of attributionModels) {
          const weights = modelWeights(touches, model);
          const weightSum = weights.reduce((a, b) => a + b, 0n);
          creditShares(touches, CONVERSION_AT, model).forEach((share, i) => {
            const floor = (1_000_000n * weights[i]) / weightSum;
            if (BigInt(share) !== floor && BigInt(share) !== floor + 1n) {
              expect.fail(`${model}: touch ${i} got ${share}, exact quota floor is ${floor}`);
            }
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('time_decay never gives an earlier touch more than a later one', () => {
    fc.assert(
      fc.property(touchesArbitrary, (candidates) => {
        const touches = selectTouchpoints(candidates, CONVERSION_AT, { applyLookback: false });
        const shares = creditShares(touches, CONVERSION_AT, 'time_decay');
        for (let i = 1; i < shares.length; i++) {
          if (shares[i] < shares[i - 1]) expect.fail(`touch ${i} got less than touch ${i - 1}: ${shares}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('revenue splits sum exactly to the amount and credits to 1_000_000, whatever the input order', () => {
    fc.assert(
      fc.property(
        touchesArbitrary,
        currencyArbitrary,
        amountMinorArbitrary,
        fc.integer({ min: 0, max: 1_000 }),
        (candidates, currency, amountMinor, seed) => {
          const conversion = { occurredAt: CONVERSION_AT, value: { amount: formatAmount(amountMinor, currency), currency } };
          const result = attribute(conversion, candidates);
          expect(result.value?.amountMinor).toBe(amountMinor);
          for (const model of attributionModels) {
            const entries = result.credits[model];
            if (!result.attributed) {
              expect(entries).toEqual([]);
              continue;
            }
            expect(sum(entries.map((e) => e.credit))).toBe(1_000_000);
            expect(entries.reduce((total, e) => total + (e.revenueMinor ?? -1n), 0n)).toBe(amountMinor);
            for (const entry of entries) {
              expect(entry.credit).toBeGreaterThanOrEqual(0);
              expect(entry.revenueMinor! >= 0n).toBe(true);
            }
            const indexes = entries.map((e) => e.touchIndex);
            expect(indexes).toEqual([...new Set(indexes)].sort((a, b) => a - b));
          }
          // A deterministic shuffle of the input changes nothing.
          const shuffled = [...candidates].sort(
            (a, b) => ((a.clickId.charCodeAt(0) * 31 + seed) % 7) - ((b.clickId.charCodeAt(0) * 31 + seed) % 7),
          );
          expect(attribute(conversion, shuffled)).toEqual(result);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('edges found by mutation testing', () => {
  it('recognises exactly the five model names', () => {
    for (const model of attributionModels) expect(isAttributionModel(model)).toBe(true);
    expect(isAttributionModel('Linear')).toBe(false);
    expect(isAttributionModel('')).toBe(false);
    expect(isAttributionModel(['linear'])).toBe(false);
    expect(isAttributionModel(undefined)).toBe(false);
  });

  it('names the bad time in its errors', () => {
    expect(() => selectTouchpoints([], 'not a date')).toThrow('occurredAt is not a valid ISO 8601 time: not a date');
    expect(() => creditShares([touch('a', 1)], 'soon', 'linear')).toThrow('occurredAt is not a valid ISO 8601 time: soon');
    expect(() => modelWeights([{ ...touch('a', 1), at: 'then' }], 'time_decay')).toThrow(
      'touchpoint time is not a valid ISO 8601 time: then',
    );
    expect(modelWeights([], 'time_decay')).toEqual([]);
  });

  it('keeps the earliest record of a click whatever the input order, even when its fields sort last', () => {
    const earlier = touch('dup', 3, { campaignId: 'cmp-z' });
    const later = touch('dup', 2, { campaignId: 'cmp-a' });
    for (const order of [[earlier, later], [later, earlier]]) {
      expect(selectTouchpoints(order, CONVERSION_AT).map((t) => t.campaignId)).toEqual(['cmp-z']);
    }
  });

  it('breaks a same-time tie between two records of one click by their fields, not by input order', () => {
    const pick = (a: Touchpoint, b: Touchpoint) =>
      [[a, b], [b, a]].map((order) => selectTouchpoints(order, CONVERSION_AT)[0]);
    // The field separator keeps ("a", "bc") and ("ab", "c") apart: "a\0bc" < "ab\0c".
    const split = pick(touch('k', 1, { campaignId: 'a', advocateId: 'bc' }), touch('k', 1, { campaignId: 'ab', advocateId: 'c' }));
    expect(split.map((t) => t.campaignId)).toEqual(['a', 'a']);
    // No department sorts before any department ("" < "A").
    const department = pick(touch('k', 1), touch('k', 1, { department: 'A' }));
    expect(department.map((t) => t.department)).toEqual([undefined, undefined]);
    // Identical records: the first one found stays (the same object, not the copy).
    const first = { ...touch('k', 1), visitorId: 'v-first' };
    const copy = { ...touch('k', 1), visitorId: 'v-copy' };
    expect(selectTouchpoints([first, copy], CONVERSION_AT)[0].visitorId).toBe('v-first');
  });

  it('time_decay: a remembered path spanning decades neither overflows nor fails', () => {
    // 7,000 days ≈ 1,000 weeks: the old touch's weight 2^-1000 rounds to 0 after scaling by 2^64.
    const path = [touch('ancient', 7_000), touch('recent', 0)];
    expect(creditShares(path, CONVERSION_AT, 'time_decay')).toEqual([0, 1_000_000]);
    const result = attribute({ occurredAt: CONVERSION_AT }, path, { applyLookback: false });
    expect(result.credits.time_decay).toEqual([{ touchIndex: 1, credit: 1_000_000 }]);
  });

  it('has a record form without currency or revenue for a conversion without value', () => {
    // A week apart: time_decay weights 1/2 and 1 give 1/3 and 2/3.
    const record = toAttributionRecord(attribute({ occurredAt: CONVERSION_AT }, [touch('a', 8), touch('b', 1)]));
    expect(record).toStrictEqual({
      attributed: true,
      // No department on the clicks: the key is absent, not undefined.
      touchpoints: [
        { clickId: 'a', at: isoBefore(8 * DAY_MS), campaignId: 'cmp-spring', advocateId: 'alice', slug: 'slug-a', channel: 'linkedin', lookbackDays: 30 },
        { clickId: 'b', at: isoBefore(1 * DAY_MS), campaignId: 'cmp-spring', advocateId: 'alice', slug: 'slug-b', channel: 'linkedin', lookbackDays: 30 },
      ],
      credits: {
        last_click: [{ touchIndex: 1, credit: 1_000_000 }],
        first_click: [{ touchIndex: 0, credit: 1_000_000 }],
        linear: [{ touchIndex: 0, credit: 500_000 }, { touchIndex: 1, credit: 500_000 }],
        time_decay: [{ touchIndex: 0, credit: 333_333 }, { touchIndex: 1, credit: 666_667 }],
        position_based: [{ touchIndex: 0, credit: 500_000 }, { touchIndex: 1, credit: 500_000 }],
      },
    });
  });

  it('writes no revenue for an entry that carries none, even when the conversion has a currency', () => {
    const attribution: Attribution = {
      attributed: true,
      touchpoints: [touch('a', 1)],
      value: { amountMinor: 0n, currency: 'EUR' },
      credits: {
        last_click: [{ touchIndex: 0, credit: 1_000_000 }],
        first_click: [{ touchIndex: 0, credit: 1_000_000, revenueMinor: 0n }],
        linear: [],
        time_decay: [],
        position_based: [],
      },
    };
    const record = toAttributionRecord(attribution);
    expect(record.currency).toBe('EUR');
    expect(record.credits.last_click).toStrictEqual([{ touchIndex: 0, credit: 1_000_000 }]);
    expect(record.credits.first_click).toStrictEqual([{ touchIndex: 0, credit: 1_000_000, revenue: '0.00' }]);
  });
});
