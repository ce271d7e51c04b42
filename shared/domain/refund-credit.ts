/**
 * From a refund to roll-up contributions (spec section 13). A refund takes revenue back from
 * exactly the touches its conversion credited, in the same shares, under every model: per model,
 * the refunded amount is split over the conversion's credited revenue per touch with the
 * largest-remainder rule (`splitAmount`), so the parts sum exactly to the refund. The conversion
 * count stays.
 *
 * A refund's share in one campaign is written as a record of the conversion record's own shape
 * (same touches, conversion credit 0, revenue negative), so `contributionsOfConversionRecord`
 * turns it into rows — whichever rows, in whichever dimensions, the conversion's credit reaches.
 * Reconciliation recounts refunds from these records as it recounts conversions.
 */
import { attributionModels } from './attribution.js';
import { contributionsOfConversionRecord, type ConversionCampaignRecord } from './conversion-credit.js';
import { parseAmount, splitAmount } from './money.js';
import type { Contribution } from './rollup.js';

export interface RefundFacts {
  orgId: string;
  /** The refund's own event id (its ledger entry). */
  eventId: string;
  refundId: string;
  occurredAt: string;
  value: { amount: string; currency: string };
}

/** A refund's share in one campaign of its conversion. `occurredAt` stays the conversion's: its rows. */
export interface RefundCampaignRecord extends ConversionCampaignRecord {
  conversionEventId: string;
  refundId: string;
  refundedAt: string;
}

export type RefundCredit =
  | { applicable: true; records: RefundCampaignRecord[] }
  | { applicable: false; reason: 'no_value' | 'currency_mismatch' };

/**
 * The refund's records, one per campaign record of its conversion (`records`: all of them; an
 * unattributed conversion has none, and its refund takes nothing back from any row).
 */
export const refundRecords = (records: readonly ConversionCampaignRecord[], refund: RefundFacts): RefundCredit => {
  if (records.length === 0) return { applicable: true, records: [] };
  const value = records[0].value;
  if (!value) return { applicable: false, reason: 'no_value' };
  if (value.currency !== refund.value.currency) return { applicable: false, reason: 'currency_mismatch' };
  const refunded = parseAmount(refund.value.amount, refund.value.currency);

  const out: RefundCampaignRecord[] = records.map((record) => ({
    ...record,
    eventId: refund.eventId,
    conversionEventId: record.eventId,
    refundId: refund.refundId,
    refundedAt: refund.occurredAt,
    value: refund.value,
    credits: Object.fromEntries(attributionModels.map((model) => [model, []])) as unknown as ConversionCampaignRecord['credits'],
  }));
  for (const model of attributionModels) {
    // Every credited touch of the conversion under this model, across its campaigns.
    const entries = records.flatMap((record, recordIndex) =>
      record.credits[model].map((entry) => ({ recordIndex, touch: entry.touch, revenue: BigInt(entry.revenueMinor ?? '0') })),
    );
    const weights = entries.map((entry) => entry.revenue);
    // A conversion of value 0 credited no revenue: nothing to take back.
    if (!weights.some((weight) => weight > 0n)) continue;
    const parts = splitAmount(refunded, weights);
    entries.forEach((entry, index) => {
      out[entry.recordIndex].credits[model].push({ touch: entry.touch, credit: 0, revenueMinor: (-parts[index]).toString() });
    });
  }
  return { applicable: true, records: out };
};

/** The counters a refund moves: negative revenue on the conversion's rows, nothing else. */
export const contributionsOfRefund = (records: readonly RefundCampaignRecord[]): Contribution[] =>
  records
    .flatMap(contributionsOfConversionRecord)
    .map(({ row, counters }) => ({ row, counters: Object.fromEntries(Object.entries(counters).filter(([, delta]) => delta !== 0)) }))
    .filter(({ counters }) => Object.keys(counters).length > 0);
