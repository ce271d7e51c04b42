/**
 * The events stream's second consumer: copies every inserted event into the Parquet history
 * archive (shared/application/archive-batch.ts) — S3 on AWS, a directory locally.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { archiveStore } from '../shared/adapters/object-store.js';
import { logger } from '../shared/adapters/observability.js';
import { archiveStreamBatch } from '../shared/application/archive-batch.js';

export const handler = async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  const { batchItemFailures, outcome } = await archiveStreamBatch(event.Records, archiveStore());
  logger.info('Archive batch', { records: event.Records.length, ...outcome });
  return { batchItemFailures };
};
