/**
 * Batch processing for the roll-up consumer: validate, attribute conversions, plan, apply, and
 * report which records must be delivered again. Lambda resumes a shard from the earliest
 * reported failure, so every record from the first failure on is reported; records applied
 * before it are skipped on redelivery by the ledger.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { isErasureRekey } from '../domain/erasure.js';
import { isTransientDynamoError } from '../adapters/dynamo.js';
import { dynamoRollupWriter, emptyOutcome, type ApplyOutcome, type RollupWriter } from '../adapters/rollup-writer.js';
import { customerPath, locateHumanClick, visitorTouchpoints, type LookbackCache } from '../adapters/touchpoints.js';
import { attribute, selectTouchpoints, type Touchpoint } from '../domain/attribution.js';
import {
  contributionsOfConversionRecord,
  conversionRecords,
  unattributedContributions,
} from '../domain/conversion-credit.js';
import { rawEventSchema, type ClickEventRecord, type ConversionEventRecord, type RawEvent, type RefundEventRecord } from '../domain/events.js';
import {
  campaignOf,
  clickContributions,
  inLedgerParts,
  planTransactions,
  shareContributions,
  type Contribution,
  type PlannedEvent,
  type SideWrite,
} from '../domain/rollup.js';
import { logger } from '../adapters/observability.js';
import { syncRankings } from '../adapters/ranking-index.js';
import { dynamoClickFoldStore, type ClickFoldStore } from '../adapters/click-fold-store.js';
import { clickDigest, clickSortKey, rangeBound } from '../domain/click-fold.js';
import { applyRefund, withParkedRefunds } from './apply-refunds.js';
import { foldCampaign, foldedClickIds } from './fold-clicks.js';
import { inLanes } from './in-lanes.js';

/**
 * Longest path credited: keeps one conversion's writes, without its breakdown rows, inside one
 * 100-action transaction (its breakdown rows may need a second: `inLedgerParts`).
 */
export const MAX_TOUCHPOINTS = 8;

/**
 * A click recorded up to this long after a conversion's `occurredAt` still counts (if it was
 * recorded before the conversion reached us): senders stamp conversions with their own clock,
 * often to the second, right after the click.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

interface Parsed {
  sequenceNumber: string;
  event?: RawEvent;
}

const parseRecord = (record: DynamoDBRecord): Parsed => {
  const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
  const image = record.dynamodb?.NewImage;
  if (!image) return { sequenceNumber };
  try {
    const result = rawEventSchema.safeParse(unmarshall(image as Record<string, AttributeValue>));
    return result.success ? { sequenceNumber, event: result.data } : { sequenceNumber };
  } catch {
    return { sequenceNumber };
  }
};

/**
 * Keeps the first touch, the touch the conversion names, and the most recent ones: first-click
 * credit survives trimming, and so does the click that always counts (spec section 6).
 */
const trimPath = (touchpoints: Touchpoint[], namedClickId: string | undefined): Touchpoint[] => {
  if (touchpoints.length <= MAX_TOUCHPOINTS) return touchpoints;
  const kept = new Set<Touchpoint>([touchpoints[0]]);
  const named = touchpoints.find((touch) => touch.clickId === namedClickId);
  if (named) kept.add(named);
  for (let i = touchpoints.length - 1; kept.size < MAX_TOUCHPOINTS; i--) kept.add(touchpoints[i]);
  return touchpoints.filter((touch) => kept.has(touch));
};

export interface BatchState {
  lookbacks: LookbackCache;
  /** Customer paths fixed earlier in this batch, not yet visible in the table. */
  fixedPaths: Map<string, Touchpoint[]>;
}

export const newBatchState = (): BatchState => ({ lookbacks: new Map(), fixedPaths: new Map() });

/**
 * Touchpoints of a conversion, by the precedence of spec sections 5 and 6: the visitor of its
 * click id; else the customer's remembered path; else its visitor id. Clicks are read up to
 * `latestAt`, and up to the named click when that is later (it always counts).
 */
const resolveTouchpoints = async (
  conversion: ConversionEventRecord,
  latestAt: string,
  state: BatchState,
): Promise<{ candidates: Touchpoint[]; remembered: boolean; namedClickId?: string }> => {
  const { orgId } = conversion;
  const named = conversion.clickId ? await locateHumanClick(orgId, conversion.clickId) : undefined;
  if (named) {
    const until = named.at > latestAt ? named.at : latestAt;
    const candidates = await visitorTouchpoints(orgId, named.visitorId, until, state.lookbacks);
    return { candidates, remembered: false, namedClickId: conversion.clickId };
  }
  if (conversion.customerId) {
    const key = `${orgId}\u0000${conversion.customerId}`;
    const path = state.fixedPaths.get(key) ?? (await customerPath(orgId, conversion.customerId));
    if (path) return { candidates: path, remembered: true };
  }
  if (conversion.visitorId) {
    return { candidates: await visitorTouchpoints(orgId, conversion.visitorId, latestAt, state.lookbacks), remembered: false };
  }
  return { candidates: [], remembered: false };
};

/**
 * The latest a click may have been recorded and still count (spec section 6): up to 60 s after
 * the sender's `occurredAt` (clocks drift, seconds get dropped), but never after the conversion
 * reached us — a click made after that cannot have led to it.
 */
export const latestCountedClick = (conversion: Pick<ConversionEventRecord, 'occurredAt' | 'receivedAt'>): string =>
  new Date(Math.min(Date.parse(conversion.occurredAt) + CLOCK_SKEW_TOLERANCE_MS, Date.parse(conversion.receivedAt))).toISOString();

/** A conversion's counters and side writes (credit records, a customer's first path). */
export const planConversion = async (
  conversion: ConversionEventRecord,
  state: BatchState,
): Promise<{ contributions: Contribution[]; sideWrites: SideWrite[] }> => {
  const latestAt = latestCountedClick(conversion);
  const { candidates, remembered, namedClickId } = await resolveTouchpoints(conversion, latestAt, state);
  const selection = { applyLookback: !remembered, latestAt, namedClickId };
  const selected = trimPath(selectTouchpoints(candidates, conversion.occurredAt, selection), namedClickId);
  const attribution = attribute(conversion, selected, selection);
  if (!attribution.attributed) return { contributions: unattributedContributions(conversion), sideWrites: [] };

  const records = conversionRecords(conversion, attribution);
  const sideWrites: SideWrite[] = records.map((record) => ({ kind: 'conversionRecord', record }));
  if (conversion.customerId && !remembered) {
    const key = `${conversion.orgId}\u0000${conversion.customerId}`;
    if (!state.fixedPaths.has(key) && !(await customerPath(conversion.orgId, conversion.customerId))) {
      // The customer's first attributed conversion fixes its path.
      state.fixedPaths.set(key, attribution.touchpoints);
      sideWrites.push({
        kind: 'customerPath',
        orgId: conversion.orgId,
        customerId: conversion.customerId,
        touchpoints: attribution.touchpoints,
        fixedBy: conversion.conversionId,
      });
    }
  }
  return { contributions: records.flatMap(contributionsOfConversionRecord), sideWrites };
};

/** Roll-up transactions in flight at once (one per campaign lane). */
const APPLY_LANES = 16;
/** Conversions being attributed at once. */
const PLANNING_LANES = 32;

/** What the use case writes through; the DynamoDB writer and ranking index unless a test injects others. */
export interface StreamBatchDependencies {
  writer: RollupWriter;
  /** Brings the ranking index of a campaign up to date with these advocates' all-time rows. */
  syncRankings?: (orgId: string, campaignId: string, advocateIds: readonly string[]) => Promise<unknown>;
  /** The click fold's state (shared/application/fold-clicks.ts); `null`: every click through the ledger. */
  fold?: ClickFoldStore | null;
}

const defaults: StreamBatchDependencies = { writer: dynamoRollupWriter, syncRankings, fold: dynamoClickFoldStore };

/** A batch's clicks per (organization, campaign). */
const byCampaign = <C extends { event: ClickEventRecord }>(clicks: readonly C[]): C[][] => {
  const groups = new Map<string, C[]>();
  for (const click of clicks) {
    const key = `${click.event.orgId}\u0000${click.event.campaignId}`;
    const group = groups.get(key);
    if (group) group.push(click);
    else groups.set(key, [click]);
  }
  return [...groups.values()];
};

const noteAdvocate = (touched: Map<string, Set<string>>, orgId: string, campaignId: string, advocateId: string) => {
  const campaign = `${orgId}\u0000${campaignId}`;
  let advocates = touched.get(campaign);
  if (!advocates) touched.set(campaign, (advocates = new Set()));
  advocates.add(advocateId);
};

/**
 * A writer that notes the advocates whose all-time rows a plan touches (before applying it: a
 * plan whose events the ledger skips still names them, so a redelivery after a crash between the
 * counters and the index brings the index up to date).
 */
const notingAdvocates = (writer: RollupWriter, touched: Map<string, Set<string>>): RollupWriter => ({
  applyPlan: (plan, outcome) => {
    for (const { row } of plan.events.flatMap((e) => e.contributions)) {
      if (row.dimension === 'advocate' && row.period === '*') noteAdvocate(touched, row.orgId, row.campaignId, row.key);
    }
    return writer.applyPlan(plan, outcome);
  },
});

export const processStreamBatch = async (
  records: DynamoDBRecord[],
  dependencies: StreamBatchDependencies = defaults,
): Promise<DynamoDBBatchResponse & { outcome: ApplyOutcome; transient: boolean }> => {
  /** Advocates whose all-time rows the batch's plans touch, per (organization, campaign). */
  const touched = new Map<string, Set<string>>();
  const writer = notingAdvocates(dependencies.writer, touched);
  const rankings = dependencies.syncRankings ?? syncRankings;
  const outcome: ApplyOutcome = { ...emptyOutcome };
  // An INSERT marked `erasedBy` is an erased click re-keyed by an erasure (shared/application/run-erasure.ts): counted already.
  const parsed = records.filter((r) => r.eventName === 'INSERT' && !isErasureRekey(r)).map(parseRecord);

  // A poison record is reported alone and everything around it is applied: Lambda redelivers
  // from the earliest reported record, the ledger skips what was applied, and only the poison
  // keeps failing until it goes to the dead-letter queue — not the healthy records behind it.
  const poisonIndexes = parsed.flatMap((p, index) => (p.event ? [] : [index]));
  for (const index of poisonIndexes) logger.error('Invalid stream record', { sequenceNumber: parsed[index].sequenceNumber });
  /** A failure of the database or of our code stops the batch there: it and all after it are reported. */
  let firstFailure = parsed.length;
  /** Whether that failure is a transient database error (worth retrying in place). */
  let transient = false;

  const state = newBatchState();
  const planned: Array<PlannedEvent<Parsed> & { index: number }> = [];
  const conversions: Array<{ index: number; p: Parsed; event: ConversionEventRecord }> = [];
  const refunds: Array<{ index: number; event: RefundEventRecord }> = [];
  const clicks: Array<{ index: number; p: Parsed; event: ClickEventRecord }> = [];
  for (const [index, p] of parsed.entries()) {
    const event = p.event;
    if (!event) continue;
    if (event.type === 'click') clicks.push({ index, p, event });
    // A share rolls up as a click does: its rows and its ledger item in one transaction.
    else if (event.type === 'share') planned.push({ event: p, index, eventId: event.eventId, kind: 'share', contributions: shareContributions(event) });
    else if (event.type === 'conversion') conversions.push({ index, p, event });
    else refunds.push({ index, event });
  }
  // Clicks go through the fold of their campaign first; those it did not count, through the ledger.
  const foldStore = dependencies.fold === undefined ? dynamoClickFoldStore : dependencies.fold;
  const throughLedger = ({ index, p, event }: (typeof clicks)[number]) =>
    planned.push({ event: p, index, eventId: event.eventId, kind: 'click', contributions: clickContributions(event) });
  if (!foldStore) clicks.forEach(throughLedger);
  await inLanes(
    foldStore ? byCampaign(clicks) : [],
    (group) => `${group[0]!.event.orgId}\u0000${group[0]!.event.campaignId}`,
    APPLY_LANES,
    async (group) => {
      const { orgId, campaignId } = group[0]!.event;
      const sortKeys = group.map((c) => clickSortKey(c.event)).sort();
      try {
        const fold = { foldedClicks: 0, receipts: 0, rowWrites: 0 };
        const { receipts, advanced } = await foldCampaign(foldStore!, { orgId, campaignId, lowest: sortKeys[0]!, through: rangeBound(sortKeys[sortKeys.length - 1]!) }, fold);
        outcome.applied += fold.foldedClicks;
        outcome.appliedClicks += fold.foldedClicks;
        outcome.foldedClicks += fold.foldedClicks;
        outcome.rowWrites += fold.rowWrites;
        for (const receipt of receipts) for (const advocateId of receipt.advocateIds) noteAdvocate(touched, orgId, campaignId, advocateId);
        const folded = await foldedClickIds(foldStore!, group.map((c) => c.event), receipts);
        const countedNow = new Set(advanced.flatMap((receipt) => receipt.clickDigests));
        for (const click of group) {
          const { event } = click;
          if (!folded.has(event.eventId)) {
            throughLedger(click);
            continue;
          }
          // Counted by an earlier delivery, or by another consumer's fold: its advocate is synced all the same.
          if (!countedNow.has(clickDigest(event.eventId))) outcome.alreadyApplied++;
          noteAdvocate(touched, orgId, campaignId, event.advocateId);
        }
      } catch (error) {
        logger.error('Click fold failed', { error: error as Error, campaignId, clicks: group.length });
        const earliest = Math.min(...group.map((c) => c.index));
        if (earliest < firstFailure) transient = isTransientDynamoError(error);
        firstFailure = Math.min(firstFailure, earliest);
      }
      return true;
    },
  );

  // Attribution reads the table: conversions are planned side by side, except that one
  // customer's conversions go in order (the first fixes the path the later ones use).
  await inLanes(
    conversions,
    (c) => c.event.customerId ?? c.event.eventId,
    PLANNING_LANES,
    async ({ index, p, event }) => {
      if (index >= firstFailure) return false;
      try {
        // Whether the breakdown rows go in a part of their own is decided on the conversion's own
        // plan, so every delivery decides alike; refunds parked before it join the first part.
        const [first, ...rest] = inLedgerParts({ event: p, index, eventId: event.eventId, kind: 'conversion' as const, ...(await planConversion(event, state)) });
        planned.push({ ...first!, ...(await withParkedRefunds(event, { contributions: first!.contributions, sideWrites: first!.sideWrites ?? [] })) }, ...rest);
        return true;
      } catch (error) {
        logger.error('Attribution failed', { error: error as Error, sequenceNumber: p.sequenceNumber });
        if (index < firstFailure) transient = isTransientDynamoError(error);
        firstFailure = Math.min(firstFailure, index);
        return false;
      }
    },
  );

  // Transactions of different campaigns touch different rows (planTransactions keeps each to one
  // campaign): they run side by side, one campaign's in order, so they do not conflict.
  const plans = planTransactions(planned.filter((p) => p.index < firstFailure));
  const indexOf = (event: PlannedEvent<Parsed>) => (event as (typeof planned)[number]).index;
  const failed = (events: PlannedEvent<Parsed>[], error: unknown) => {
    const earliest = Math.min(...events.map(indexOf));
    if (earliest < firstFailure) transient = isTransientDynamoError(error);
    firstFailure = Math.min(firstFailure, earliest);
    logger.error('Roll-up transaction failed', { error: error as Error, events: events.length });
  };
  await inLanes(plans, (plan) => campaignOf(plan.events[0]), APPLY_LANES, async (plan) => {
    try {
      await writer.applyPlan(plan, outcome);
    } catch (error) {
      if (isTransientDynamoError(error) || plan.events.length === 1) {
        failed(plan.events, error);
        return true;
      }
      // A transaction refused for what it holds (not for the database's state) would fail on
      // every delivery and take the healthy events it shares with into the dead-letter queue:
      // apply them one by one, so only the event that cannot be applied is reported.
      logger.warn('Roll-up transaction refused; applying its events one by one', { error: error as Error, events: plan.events.length });
      for (const event of plan.events) {
        const [alone] = planTransactions([event]);
        try {
          await writer.applyPlan(alone!, outcome);
        } catch (eventError) {
          failed([event], eventError);
        }
      }
    }
    return true;
  });

  // Refunds after the conversions they may refund (a conversion and its refund often share a
  // batch: they share a partition, so a shard): one conversion's refunds in order.
  await inLanes(refunds, (r) => r.event.conversionEventId, APPLY_LANES, async ({ index, event }) => {
    if (index >= firstFailure) return false;
    try {
      await applyRefund(event, writer, outcome);
      return true;
    } catch (error) {
      logger.error('Refund failed', { error: error as Error, refundId: event.refundId });
      if (index < firstFailure) transient = isTransientDynamoError(error);
      firstFailure = Math.min(firstFailure, index);
      return false;
    }
  });

  // The ranking index follows the all-time rows of every advocate the batch touched, whatever was
  // applied now or before (a crash between counters and index is mended by the redelivery). A
  // failure reports the whole batch: the ledger skips its counters, the index sync runs again.
  await inLanes([...touched], ([campaign]) => campaign, APPLY_LANES, async ([campaign, advocates]) => {
    const [orgId, campaignId] = campaign.split('\u0000');
    try {
      await rankings(orgId!, campaignId!, [...advocates]);
    } catch (error) {
      logger.error('Ranking index update failed', { error: error as Error, campaignId, advocates: advocates.size });
      if (parsed.length > 0 && firstFailure > 0) transient = isTransientDynamoError(error);
      firstFailure = 0;
    }
    return true;
  });

  const batchItemFailures = parsed
    .filter((p, index) => index >= firstFailure || !p.event)
    .map((p) => ({ itemIdentifier: p.sequenceNumber }));
  logger.debug('Batch processed', { records: records.length, ...outcome, failures: batchItemFailures.length });
  return { batchItemFailures, outcome, transient: transient && firstFailure < parsed.length };
};

/**
 * processStreamBatch, retried in place while what fails is transient (the database unreachable
 * or throttled) and `deadline` (epoch ms) allows. The mapping's few retries are meant for records
 * that keep failing; spent on an outage of a few seconds they would send healthy records to the
 * dead-letter queue. Applying again is safe: the ledger skips what was applied.
 */
export const processStreamBatchPatiently = async (
  records: DynamoDBRecord[],
  deadline: number,
  dependencies: StreamBatchDependencies = defaults,
): Promise<DynamoDBBatchResponse & { outcome: ApplyOutcome }> => {
  const total: ApplyOutcome = { ...emptyOutcome };
  let remaining = records;
  for (let attempt = 0; ; attempt++) {
    const { batchItemFailures, outcome, transient } = await processStreamBatch(remaining, dependencies);
    for (const key of Object.keys(total) as Array<keyof ApplyOutcome>) total[key] += outcome[key];
    const wait = Math.min(2000, 100 * 2 ** attempt);
    if (!transient || Date.now() + wait > deadline) return { batchItemFailures, outcome: total };
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    remaining = remaining.filter((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
    logger.warn('Transient database failure; retrying the rest of the batch', { records: remaining.length, attempt });
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
};

/**
 * Roll-up lag: how old the newest record this batch applied is (now − its stream record's
 * ApproximateCreationDateTime, epoch seconds), in ms; undefined when nothing was applied. The
 * newest, not the oldest: it says how far behind the roll-ups are once the batch is in.
 */
export const rollupLagMs = (records: DynamoDBRecord[], response: DynamoDBBatchResponse, now = Date.now()): number | undefined => {
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  let newest: number | undefined;
  for (const record of records) {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    if (created === undefined || failed.has(record.dynamodb?.SequenceNumber ?? '')) continue;
    newest = newest === undefined ? created : Math.max(newest, created);
  }
  return newest === undefined ? undefined : Math.max(0, now - newest * 1000);
};
