/**
 * Refunds in the roll-up consumer (spec section 13): a refund takes its revenue back from the
 * rows its conversion's stored credit reached (shared/domain/refund-credit.ts), exactly once
 * through the ledger, like every event.
 *
 * A refund may be processed before its conversion is applied (it arrived first, or its
 * conversion failed and waits for redelivery). Then it is PARKED on the conversion's credit state
 * item (a set of refundIds, conditional on the conversion not applied yet), and the conversion
 * applies it: its transaction carries each parked refund's counters, records and ledger entry,
 * and marks the conversion credited on condition that no refund was parked since it read the
 * set — otherwise the transaction is cancelled and the conversion planned again (StalePlanError).
 * Every step is a single conditional write or one transaction, so a crash anywhere leaves either
 * the refund parked (applied with its conversion) or applied (its ledger entry says so), never
 * both and never neither; the refund's own redelivery then finds its ledger entry.
 *
 * A parked refund that cannot apply to the conversion that arrived (another currency, or a
 * conversion without value: intake could not check them) takes nothing back; it is logged as an
 * error and its ledger entry written, so it is not retried forever.
 */
import { parkRefund, readConversionCredit, readConversionRecords, readRefundEvent } from '../adapters/conversion-credit-state.js';
import { logger } from '../adapters/observability.js';
import type { ApplyOutcome, RollupWriter } from '../adapters/rollup-writer.js';
import type { ConversionCampaignRecord } from '../domain/conversion-credit.js';
import type { ConversionEventRecord, RefundEventRecord } from '../domain/events.js';
import { contributionsOfRefund, refundRecords, type RefundCampaignRecord } from '../domain/refund-credit.js';
import { planTransactions, type Contribution, type PlannedEvent, type SideWrite } from '../domain/rollup.js';

const refundWrites = (refund: RefundEventRecord, records: readonly ConversionCampaignRecord[]) => {
  const credit = refundRecords(records, refund);
  if (!credit.applicable) {
    logger.error('Refund not applicable to its conversion; nothing taken back', {
      conversionId: refund.conversionId,
      refundId: refund.refundId,
      reason: credit.reason,
    });
  }
  const applied: RefundCampaignRecord[] = credit.applicable ? credit.records : [];
  return {
    contributions: contributionsOfRefund(applied),
    sideWrites: applied.map((record): SideWrite => ({ kind: 'refundRecord', record })),
  };
};

/**
 * A conversion's plan with the refunds parked on it, and the mark that it is credited (which
 * campaigns: what later refunds read). `plan` is planConversion's.
 */
export const withParkedRefunds = async (
  conversion: ConversionEventRecord,
  plan: { contributions: Contribution[]; sideWrites: SideWrite[] },
): Promise<{ contributions: Contribution[]; sideWrites: SideWrite[] }> => {
  const records = plan.sideWrites.flatMap((write) => (write.kind === 'conversionRecord' ? [write.record] : []));
  const state = await readConversionCredit(conversion.eventId);
  const contributions = [...plan.contributions];
  const sideWrites = [...plan.sideWrites];
  const parked = state?.appliedAt ? [] : (state?.parkedRefunds ?? []);
  for (const refundId of parked) {
    const refund = await readRefundEvent(conversion.orgId, conversion.conversionId, refundId);
    if (!refund) {
      // Stored before it was parked; gone only if its retention ran out.
      logger.error('Parked refund not found', { conversionId: conversion.conversionId, refundId });
      continue;
    }
    const writes = refundWrites(refund, records);
    contributions.push(...writes.contributions);
    sideWrites.push(...writes.sideWrites, { kind: 'refundApplied', eventId: refund.eventId });
  }
  sideWrites.push({
    kind: 'conversionCredited',
    orgId: conversion.orgId,
    conversionEventId: conversion.eventId,
    occurredAt: conversion.occurredAt,
    campaignIds: records.map((record) => record.campaignId),
    parkedSeen: state?.parkedRefunds.length ?? 0,
  });
  return { contributions, sideWrites };
};

/** Applies one refund now, or parks it on its conversion until that is applied. */
export const applyRefund = async (
  refund: RefundEventRecord,
  writer: RollupWriter,
  outcome: ApplyOutcome,
): Promise<'applied' | 'parked'> => {
  for (;;) {
    const state = await readConversionCredit(refund.conversionEventId);
    if (!state?.appliedAt) {
      if (await parkRefund(refund.orgId, refund.conversionEventId, refund.refundId)) return 'parked';
      continue; // The conversion was applied meanwhile: read its credit.
    }
    const records = await readConversionRecords(refund.orgId, refund.conversionEventId, state);
    const planned: PlannedEvent<RefundEventRecord> = { event: refund, eventId: refund.eventId, ...refundWrites(refund, records) };
    for (const plan of planTransactions([planned])) await writer.applyPlan(plan, outcome);
    return 'applied';
  }
};
