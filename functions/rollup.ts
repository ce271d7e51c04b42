/**
 * The events-table stream consumer. It coalesces a batch into roll-up transactions and applies
 * each exactly once (shared/adapters/rollup-writer.ts). Powertools' BatchProcessor handles
 * records one by one, which would defeat coalescing, so partial failures are reported by hand
 * in the same `batchItemFailures` shape.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { processStreamBatch } from '../shared/rollup-consumer.js';
import { logger } from '../shared/observability.js';

export const handler = async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  return processStreamBatch(event.Records);
};
