/**
 * The roll-up lag the consumer reports (`RollupLag`, shared/application/stream-batch.ts): the age
 * of the newest record the batch applied, from the stream records' ApproximateCreationDateTime
 * (epoch seconds), ignoring the records it reported as failed.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { rollupLagMs } from '../../shared/application/stream-batch.js';

const record = (sequenceNumber: string, createdSeconds?: number): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: sequenceNumber, ...(createdSeconds === undefined ? {} : { ApproximateCreationDateTime: createdSeconds }) },
});
const NOW = 1_800_000_000_000;

describe('rollupLagMs', () => {
  it('is the age of the newest applied record, in ms', () => {
    const records = [record('1', NOW / 1000 - 30), record('2', NOW / 1000 - 4), record('3', NOW / 1000 - 12)];
    expect(rollupLagMs(records, { batchItemFailures: [] }, NOW)).toBe(4_000);
  });

  it('leaves out the records reported as failed: they are not applied yet', () => {
    const records = [record('1', NOW / 1000 - 30), record('2', NOW / 1000 - 4)];
    expect(rollupLagMs(records, { batchItemFailures: [{ itemIdentifier: '2' }] }, NOW)).toBe(30_000);
  });

  it('is undefined when nothing was applied (no metric rather than a made-up zero)', () => {
    expect(rollupLagMs([record('1', NOW / 1000 - 30)], { batchItemFailures: [{ itemIdentifier: '1' }] }, NOW)).toBeUndefined();
    expect(rollupLagMs([record('1')], { batchItemFailures: [] }, NOW)).toBeUndefined();
    expect(rollupLagMs([], { batchItemFailures: [] }, NOW)).toBeUndefined();
  });

  it('takes fractional seconds and never goes below zero (a record stamped a little ahead of this clock)', () => {
    expect(rollupLagMs([record('1', NOW / 1000 - 0.25)], { batchItemFailures: [] }, NOW)).toBe(250);
    expect(rollupLagMs([record('1', NOW / 1000 + 2)], { batchItemFailures: [] }, NOW)).toBe(0);
  });
});
