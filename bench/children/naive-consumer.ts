/**
 * The roll-up baseline: a naive stream consumer that takes records one by one and updates each
 * roll-up item the event touches once, with one UpdateItem per item (an event's items in
 * parallel). Same counters, same attribution (the product's planner), no coalescing, no
 * transactions, no ledger — so also not exact under redelivery. Never used by the product.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { tableName } from '../../shared/adapters/config.js';
import { rawEventSchema } from '../../shared/domain/events.js';
import { clickContributions, coalesce, type Contribution } from '../../shared/domain/rollup.js';
import { newBatchState, planConversion } from '../../shared/application/stream-batch.js';
import { sideWriteAction } from '../../shared/adapters/rollup-writer.js';
import type { SideWrite } from '../../shared/domain/rollup.js';

const updateRow = ({ row, counters }: Contribution) => {
  const names: Record<string, string> = { '#key': 'key' };
  const values: Record<string, unknown> = {
    ':updatedAt': new Date().toISOString(),
    ':orgId': row.orgId,
    ':campaignId': row.campaignId,
    ':dimension': row.dimension,
    ':period': row.period,
    ':key': row.key,
  };
  const adds = Object.entries(counters).map(([counter, delta], i) => {
    names[`#c${i}`] = counter;
    values[`:c${i}`] = delta;
    return `#c${i} :c${i}`;
  });
  return documentClient().send(
    new UpdateCommand({
      TableName: tableName('rollups'),
      Key: rollupKeys.row(row),
      UpdateExpression: `ADD ${adds.join(', ')} SET updatedAt = :updatedAt, orgId = :orgId, campaignId = :campaignId, dimension = :dimension, period = :period, #key = :key`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
};

const sideWrite = (write: SideWrite) => {
  const action = sideWriteAction(tableName('rollups'), write);
  return action.Put ? documentClient().send(new PutCommand(action.Put)) : documentClient().send(new UpdateCommand(action.Update!));
};

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const state = newBatchState();
  for (const record of event.Records) {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    const parsed = rawEventSchema.safeParse(unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>));
    if (!parsed.success) continue;
    const raw = parsed.data;
    // The baseline measures clicks and conversions; refunds and shares are not part of its workload.
    if (raw.type === 'refund' || raw.type === 'share') continue;
    const plan =
      raw.type === 'click' ? { contributions: clickContributions(raw), sideWrites: [] as SideWrite[] } : await planConversion(raw, state);
    await Promise.all([
      ...plan.sideWrites.map(sideWrite),
      ...[...coalesce(plan.contributions).values()].map(updateRow),
    ]);
  }
  return { batchItemFailures: [] };
};
