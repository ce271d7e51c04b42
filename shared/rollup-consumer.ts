/**
 * Batch processing for the roll-up consumer: validate, plan, apply, and report which records
 * must be delivered again. Lambda resumes a shard from the earliest reported failure, so every
 * record from the first failure on is reported; records already applied before it are skipped
 * on redelivery by the ledger.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { applyPlan, type ApplyOutcome } from './adapters/rollup-writer.js';
import { rawEventSchema, type RawEvent } from './domain/events.js';
import { contributionsOf, planTransactions, type PlannedEvent } from './domain/rollup.js';
import { logger } from './observability.js';

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

export const processStreamBatch = async (records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse & { outcome: ApplyOutcome }> => {
  const outcome: ApplyOutcome = { applied: 0, alreadyApplied: 0, rowWrites: 0, transactions: 0 };
  const parsed = records.filter((r) => r.eventName === 'INSERT').map(parseRecord);

  // A poison record stops the batch there: what precedes it is applied, it and what follows
  // are reported, so retries narrow down to it and it ends in the dead-letter queue.
  const poisonIndex = parsed.findIndex((p) => !p.event);
  const healthy = poisonIndex === -1 ? parsed : parsed.slice(0, poisonIndex);
  if (poisonIndex !== -1) logger.error('Invalid stream record', { sequenceNumber: parsed[poisonIndex].sequenceNumber });

  const planned: Array<PlannedEvent<Parsed> & { index: number }> = healthy.map((p, index) => ({
    event: p,
    index,
    eventId: p.event!.eventId,
    contributions: contributionsOf(p.event!),
  }));

  let firstFailure = poisonIndex === -1 ? parsed.length : poisonIndex;
  for (const plan of planTransactions(planned)) {
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
