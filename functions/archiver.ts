/**
 * The events stream's second consumer: copies every inserted event into the Parquet history
 * archive (shared/application/archive-batch.ts) — S3 on AWS, a directory locally.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { archiveStore } from '../shared/adapters/object-store.js';
import { logger } from '../shared/adapters/observability.js';
import { cachedOrganizationSettings } from '../shared/adapters/organization-settings.js';
import { archiveStreamBatch } from '../shared/application/archive-batch.js';

/** Each organization's archive retention class: its files carry it as the tag lifecycle rules expire by. */
const archiveRetentionOf = async (orgId: string): Promise<number> => (await cachedOrganizationSettings(orgId)).retention.archiveDays;

export const handler = async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  const { batchItemFailures, outcome } = await archiveStreamBatch(event.Records, archiveStore(), archiveRetentionOf);
  logger.info('Archive batch', { records: event.Records.length, ...outcome });
  return { batchItemFailures };
};
