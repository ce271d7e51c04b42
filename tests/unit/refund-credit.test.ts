import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributionModels } from '../../shared/domain/attribution.js';
import type { ConversionCampaignRecord } from '../../shared/domain/conversion-credit.js';
import { contributionsOfRefund, refundRecords, type RefundFacts } from '../../shared/domain/refund-credit.js';

const touch = (advocateId: string) => ({ clickId: `c-${advocateId}`, at: '2026-11-20T09:00:00.000Z', advocateId, slug: `s-${advocateId}`, channel: 'x' });

/** Campaign A holds touches 0 and 2 of the conversion, campaign B touch 1 (credits as attribution writes them). */
const records = (revenue: Record<string, [number, number, number]>): ConversionCampaignRecord[] => {
  const base = { orgId: 'org_1', eventId: 'cv1', conversionId: 'order-1', kind: 'purchase', occurredAt: '2026-11-23T12:00:00.000Z', value: { amount: '100.00', currency: 'EUR' } };
  const creditsOf = (indexes: number[]) =>
    Object.fromEntries(
      attributionModels.map((model) => [
        model,
        indexes
          .map((touchIndex, touchInCampaign) => ({ touch: touchInCampaign, credit: 1, revenueMinor: String(revenue[model][touchIndex]) }))
          .filter((entry) => entry.revenueMinor !== '0'),
      ]),
    ) as ConversionCampaignRecord['credits'];
  return [
    { ...base, campaignId: 'cmp-a', touches: [touch('a1'), touch('a3')], credits: creditsOf([0, 2]) },
    { ...base, campaignId: 'cmp-b', touches: [touch('b2')], credits: creditsOf([1]) },
  ];
};

const credited = records({
  last_click: [0, 0, 10000],
  first_click: [10000, 0, 0],
  linear: [3333, 3333, 3334],
  time_decay: [1429, 2857, 5714],
  position_based: [4000, 2000, 4000],
});

const refund = (amount: string, currency = 'EUR'): RefundFacts => ({
  orgId: 'org_1',
  eventId: 'rf1',
  refundId: 're_1',
  occurredAt: '2026-11-25T00:00:00.000Z',
  value: { amount, currency },
});

/** Revenue taken back per model and advocate, as positive minor units. */
const takenBack = (amount: string) => {
  const result = refundRecords(credited, refund(amount));
  if (!result.applicable) throw new Error(result.reason);
  const out: Record<string, Record<string, number>> = {};
  for (const record of result.records) {
    for (const model of attributionModels) {
      for (const entry of record.credits[model]) {
        out[model] ??= {};
        out[model][record.touches[entry.touch].advocateId] = -Number(entry.revenueMinor);
      }
    }
  }
  return { out, records: result.records };
};

describe('refundRecords', () => {
  it('takes a refund back in the shares each model credited, summing exactly to the refund', () => {
    const { out } = takenBack('10.00');
    expect(out.linear).toEqual({ a1: 333, a3: 334, b2: 333 });
    expect(out.position_based).toEqual({ a1: 400, a3: 400, b2: 200 });
    expect(out.last_click).toEqual({ a3: 1000 });
    expect(out.first_click).toEqual({ a1: 1000 });
    expect(Object.values(out.time_decay).reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('keeps each record in its campaign, with the conversion credit at 0 and the rows of the conversion day', () => {
    const { records: refundRecordsOut } = takenBack('1.00');
    expect(refundRecordsOut.map((r) => [r.campaignId, r.occurredAt, r.conversionEventId, r.eventId])).toEqual([
      ['cmp-a', '2026-11-23T12:00:00.000Z', 'cv1', 'rf1'],
      ['cmp-b', '2026-11-23T12:00:00.000Z', 'cv1', 'rf1'],
    ]);
    const contributions = contributionsOfRefund(refundRecordsOut);
    // Only revenue moves: no conversion counter, nothing positive.
    for (const { counters } of contributions) {
      for (const [name, delta] of Object.entries(counters)) {
        expect(name.startsWith('rev_')).toBe(true);
        expect(delta).toBeLessThan(0);
      }
    }
    expect(new Set(contributions.map((c) => c.row.period))).toEqual(new Set(['2026-11-23', '*']));
  });

  it('refuses another currency and a conversion without value; an unattributed conversion takes nothing back', () => {
    expect(refundRecords(credited, refund('1.00', 'USD'))).toEqual({ applicable: false, reason: 'currency_mismatch' });
    const { value: _value, ...withoutValue } = credited[0];
    expect(refundRecords([withoutValue], refund('1.00'))).toEqual({ applicable: false, reason: 'no_value' });
    expect(refundRecords([], refund('1.00'))).toEqual({ applicable: true, records: [] });
  });

  it('never takes more from a touch than it was credited, and sums exactly, for any refund up to the amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10000 }), (minor) => {
        const amount = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
        const result = refundRecords(credited, refund(amount));
        if (!result.applicable) return false;
        for (const model of attributionModels) {
          let sum = 0;
          result.records.forEach((record, r) => {
            for (const entry of record.credits[model]) {
              const creditedEntry = credited[r].credits[model].find((e) => e.touch === entry.touch)!;
              expect(-Number(entry.revenueMinor)).toBeLessThanOrEqual(Number(creditedEntry.revenueMinor));
              sum -= Number(entry.revenueMinor);
            }
          });
          expect(sum).toBe(minor);
        }
        return true;
      }),
    );
  });
});
