/**
 * What an erasure writes to the events table must not reach the roll-ups or the archive again:
 * the MODIFY of a conversion stripped in place, the REMOVE of a re-keyed click, and the INSERT of
 * the click under its time id (marked `erasedBy`). The same click inserted unmarked is taken by
 * both consumers (so the filter, not something else, is what keeps them out).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { archiveBatch } from '../../shared/application/archive-batch.js';
import { processStreamBatch } from '../../shared/application/stream-batch.js';
import type { RollupWriter } from '../../shared/adapters/rollup-writer.js';
import { erasedClick } from '../../shared/domain/erasure.js';
import { newClickId, newVisitorId } from '../../shared/domain/ids.js';
import { memoryObjectStore, sampleClick, sampleConversion } from '../support/archive-events.js';
import { insertRecord } from '../support/stream-records.js';

const visitorId = newVisitorId();
const clickId = `${newClickId()}${visitorId}`;
const click = sampleClick(2, { clickId, eventId: clickId, visitorId });
const rekeyed = { ...erasedClick(click), erasedBy: 'era_00000000000000000000' };
const image = (item: object) => marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;

const erasureRecords: DynamoDBRecord[] = [
  { eventID: 'e1', eventName: 'MODIFY', dynamodb: { SequenceNumber: '1', NewImage: image(sampleConversion(3)) } },
  { eventID: 'e2', eventName: 'REMOVE', dynamodb: { SequenceNumber: '2', OldImage: image(click) } },
  { ...insertRecord(rekeyed as never, 3) },
];

const recordingWriter = () => {
  const applied: string[] = [];
  const writer: RollupWriter = {
    async applyPlan(plan, outcome) {
      for (const event of plan.events) applied.push(event.eventId);
      outcome.applied += plan.events.length;
    },
  };
  return { writer, applied };
};

describe("an erasure's stream records", () => {
  it('are not counted by the roll-up consumer', async () => {
    const { writer, applied } = recordingWriter();
    // Every click through the writer (no fold, which would read the table): the filter is what is tested.
    const result = await processStreamBatch(erasureRecords, { writer, fold: null });
    expect(result.batchItemFailures).toEqual([]);
    expect(applied).toEqual([]);
    // Control: the re-keyed click unmarked would be counted a second time.
    const { erasedBy: _marker, ...unmarked } = rekeyed;
    await processStreamBatch([insertRecord(unmarked as never, 4)], { writer, fold: null });
    expect(applied).toEqual([unmarked.eventId]);
  });

  it('are not archived again', async () => {
    const store = memoryObjectStore();
    expect(await archiveBatch(erasureRecords, store)).toMatchObject({ archived: 0, invalid: 0 });
    const { erasedBy: _marker, ...unmarked } = rekeyed;
    expect(await archiveBatch([insertRecord(unmarked as never, 5)], store)).toMatchObject({ archived: 1 });
  });
});
