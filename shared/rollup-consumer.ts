/**
 * Batch processing for the roll-up consumer: validate, attribute conversions, plan, apply, and
 * report which records must be delivered again. Lambda resumes a shard from the earliest
 * reported failure, so every record from the first failure on is reported; records applied
 * before it are skipped on redelivery by the ledger.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { tableName } from './config.js';
import { applyPlan, type ApplyOutcome } from './adapters/rollup-writer.js';
import { rollupKeys } from './adapters/keys.js';
import {
  customerPath,
  customerPathKey,
  visitorOfClick,
  visitorTouchpoints,
  type LookbackCache,
} from './adapters/touchpoints.js';
import { attribute, selectTouchpoints, type Touchpoint } from './domain/attribution.js';
import {
  contributionsOfConversionRecord,
  conversionRecords,
  unattributedContributions,
} from './domain/conversion-credit.js';
import { rawEventSchema, type ConversionEventRecord, type RawEvent } from './domain/events.js';
import { clickContributions, planTransactions, type Contribution, type PlannedEvent, type SideWrite } from './domain/rollup.js';
import { logger } from './observability.js';

/** Longest path credited: keeps one conversion's writes inside one 100-action transaction. */
export const MAX_TOUCHPOINTS = 8;

/**
 * A click recorded up to this long after a conversion's `occurredAt` still counts: senders
 * stamp conversions with their own clock, often to the second, right after the click.
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

/** Keeps the first touch and the most recent ones: first-click credit survives trimming. */
const trimPath = (touchpoints: Touchpoint[]): Touchpoint[] =>
  touchpoints.length <= MAX_TOUCHPOINTS
    ? touchpoints
    : [touchpoints[0], ...touchpoints.slice(touchpoints.length - (MAX_TOUCHPOINTS - 1))];

interface BatchState {
  lookbacks: LookbackCache;
  /** Customer paths fixed earlier in this batch, not yet visible in the table. */
  fixedPaths: Map<string, Touchpoint[]>;
}

/**
 * Touchpoints of a conversion, by the precedence of spec sections 5 and 6: the visitor of its
 * click id; else the customer's remembered path; else its visitor id.
 */
const resolveTouchpoints = async (
  conversion: ConversionEventRecord,
  state: BatchState,
): Promise<{ candidates: Touchpoint[]; remembered: boolean }> => {
  const { orgId } = conversion;
  const visitorFromClick = conversion.clickId ? await visitorOfClick(orgId, conversion.clickId) : undefined;
  if (visitorFromClick) {
    return { candidates: await visitorTouchpoints(orgId, visitorFromClick, conversion.occurredAt, state.lookbacks), remembered: false };
  }
  if (conversion.customerId) {
    const key = `${orgId}\u0000${conversion.customerId}`;
    const path = state.fixedPaths.get(key) ?? (await customerPath(orgId, conversion.customerId));
    if (path) return { candidates: path, remembered: true };
  }
  if (conversion.visitorId) {
    return { candidates: await visitorTouchpoints(orgId, conversion.visitorId, conversion.occurredAt, state.lookbacks), remembered: false };
  }
  return { candidates: [], remembered: false };
};

const planConversion = async (
  conversion: ConversionEventRecord,
  state: BatchState,
): Promise<{ contributions: Contribution[]; sideWrites: SideWrite[] }> => {
  const cutoff = new Date(Date.parse(conversion.occurredAt) + CLOCK_SKEW_TOLERANCE_MS).toISOString();
  const { candidates, remembered } = await resolveTouchpoints({ ...conversion, occurredAt: cutoff }, state);
  const selected = trimPath(selectTouchpoints(candidates, cutoff, { applyLookback: !remembered }));
  const attribution = attribute({ ...conversion, occurredAt: cutoff }, selected, { applyLookback: !remembered });
  if (!attribution.attributed) return { contributions: unattributedContributions(conversion), sideWrites: [] };

  const records = conversionRecords(conversion, attribution);
  const sideWrites: SideWrite[] = records.map((record) => {
    const key = rollupKeys.conversionRecord(record.orgId, record.campaignId, record.occurredAt, record.eventId);
    return {
      itemId: `${key.pk}\u0000${key.sk}`,
      action: { Put: { TableName: tableName('rollups'), Item: { ...key, type: 'conversionRecord', ...record } } },
    };
  });
  if (conversion.customerId && !remembered) {
    const key = `${conversion.orgId}\u0000${conversion.customerId}`;
    if (!state.fixedPaths.has(key) && !(await customerPath(conversion.orgId, conversion.customerId))) {
      // The customer's first attributed conversion fixes its path; if_not_exists keeps a path
      // another conversion fixed first.
      state.fixedPaths.set(key, attribution.touchpoints);
      const itemKey = customerPathKey(conversion.orgId, conversion.customerId);
      sideWrites.push({
        itemId: `${itemKey.pk}\u0000${itemKey.sk}`,
        action: {
          Update: {
            TableName: tableName('rollups'),
            Key: itemKey,
            UpdateExpression: 'SET touchpoints = if_not_exists(touchpoints, :touchpoints), fixedBy = if_not_exists(fixedBy, :conversionId)',
            ExpressionAttributeValues: { ':touchpoints': attribution.touchpoints, ':conversionId': conversion.conversionId },
          },
        },
      });
    }
  }
  return { contributions: records.flatMap(contributionsOfConversionRecord), sideWrites };
};

export const processStreamBatch = async (
  records: DynamoDBRecord[],
): Promise<DynamoDBBatchResponse & { outcome: ApplyOutcome }> => {
  const outcome: ApplyOutcome = { applied: 0, alreadyApplied: 0, rowWrites: 0, transactions: 0 };
  const parsed = records.filter((r) => r.eventName === 'INSERT').map(parseRecord);

  // A poison record stops the batch there: what precedes it is applied, it and what follows
  // are reported, so retries narrow down to it and it ends in the dead-letter queue.
  const poisonIndex = parsed.findIndex((p) => !p.event);
  const healthy = poisonIndex === -1 ? parsed : parsed.slice(0, poisonIndex);
  if (poisonIndex !== -1) logger.error('Invalid stream record', { sequenceNumber: parsed[poisonIndex].sequenceNumber });
  let firstFailure = poisonIndex === -1 ? parsed.length : poisonIndex;

  const state: BatchState = { lookbacks: new Map(), fixedPaths: new Map() };
  const planned: Array<PlannedEvent<Parsed> & { index: number }> = [];
  for (const [index, p] of healthy.entries()) {
    const event = p.event!;
    if (event.type === 'click') {
      planned.push({ event: p, index, eventId: event.eventId, contributions: clickContributions(event) });
      continue;
    }
    try {
      planned.push({ event: p, index, eventId: event.eventId, ...(await planConversion(event, state)) });
    } catch (error) {
      logger.error('Attribution failed', { error: error as Error, sequenceNumber: p.sequenceNumber });
      firstFailure = Math.min(firstFailure, index);
      break;
    }
  }

  for (const plan of planTransactions(planned.filter((p) => p.index < firstFailure))) {
    try {
      await applyPlan(plan, outcome);
    } catch (error) {
      const earliest = Math.min(...plan.events.map((e) => (e as (typeof planned)[number]).index));
      firstFailure = Math.min(firstFailure, earliest);
      logger.error('Roll-up transaction failed', { error: error as Error, events: plan.events.length });
    }
  }

  const batchItemFailures = parsed.slice(firstFailure).map((p) => ({ itemIdentifier: p.sequenceNumber }));
  logger.debug('Batch processed', { records: records.length, ...outcome, failures: batchItemFailures.length });
  return { batchItemFailures, outcome };
};
