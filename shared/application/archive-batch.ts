/**
 * The archiver (spec section 14): the events stream's second consumer copies every inserted event
 * into the Parquet archive. One batch becomes one file per partition it touches, written by the
 * steps of shared/domain/archive-batch-plan.ts (manifest first, stale files of an earlier attempt
 * deleted, data files, manifest completed). Any failure fails the whole batch — every record is
 * reported — so the retry starts at the same first record, keeps the batch's name, and replaces
 * whatever the failed attempt wrote.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { encodeArchiveFile, PARQUET_CONTENT_TYPE } from '../adapters/archive-file.js';
import { logger } from '../adapters/observability.js';
import type { ObjectStore } from '../adapters/object-store.js';
import {
  archiveBatchId,
  archiveManifestKey,
  parseArchiveManifest,
  planArchiveAttempt,
  planArchiveFiles,
  type ArchiveManifest,
} from '../domain/archive-batch-plan.js';
import { rawEventSchema, type RawEvent } from '../domain/events.js';
import { archiveRetentionTag } from '../domain/retention.js';
import { isErasureRekey } from '../domain/erasure.js';

export interface ArchiveBatchOutcome {
  /** Events written (0 when the batch failed). */
  archived: number;
  files: number;
  /** Earlier attempts' files deleted. */
  staleDeleted: number;
  /** Records that are not valid events: logged, not archived (the roll-up consumer dead-letters them). */
  invalid: number;
}

const eventOf = (record: DynamoDBRecord): RawEvent | undefined => {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  try {
    const parsed = rawEventSchema.safeParse(unmarshall(image as Record<string, AttributeValue>));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

const MANIFEST_CONTENT_TYPE = 'application/json';

const writeManifest = (store: ObjectStore, manifest: ArchiveManifest) =>
  store.put(archiveManifestKey(manifest.batchId), new TextEncoder().encode(`${JSON.stringify(manifest)}\n`), MANIFEST_CONTENT_TYPE);

const readManifest = async (store: ObjectStore, batchId: string): Promise<ArchiveManifest | undefined> => {
  const bytes = await store.get(archiveManifestKey(batchId));
  return bytes ? parseArchiveManifest(new TextDecoder().decode(bytes)) : undefined;
};

/**
 * An organization's archive retention class in days (its `retention.archiveDays`): each file is
 * tagged with it, and the bucket's lifecycle rule of that class expires it — no scan deletes.
 */
export type ArchiveRetentionOf = (orgId: string) => Promise<number>;

/** Archives one batch, or throws leaving a state the next attempt of the same batch repairs. */
export const archiveBatch = async (
  records: readonly DynamoDBRecord[],
  store: ObjectStore,
  retentionOf?: ArchiveRetentionOf,
): Promise<ArchiveBatchOutcome> => {
  const outcome: ArchiveBatchOutcome = { archived: 0, files: 0, staleDeleted: 0, invalid: 0 };
  if (records.length === 0) return outcome;
  const first = records[0]!;
  const batchId = archiveBatchId(first.dynamodb?.SequenceNumber ?? '', first.eventID ?? '');
  const events: RawEvent[] = [];
  // Inserts only, as the mapping's filter delivers them (an erasure's MODIFY and REMOVE records
  // change no archived event); and a click an erasure re-keyed is archived already (the erasure
  // rewrites its archived row).
  for (const record of records.filter((r) => r.eventName === 'INSERT' && !isErasureRekey(r))) {
    const event = eventOf(record);
    if (event) events.push(event);
    else {
      outcome.invalid++;
      logger.error('Invalid stream record not archived', { sequenceNumber: record.dynamodb?.SequenceNumber });
    }
  }
  const files = planArchiveFiles(events, batchId);
  const orgIds = [...new Set(files.map((file) => file.orgId))];
  const retention = new Map(retentionOf ? await Promise.all(orgIds.map(async (orgId) => [orgId, await retentionOf(orgId)] as const)) : []);
  const attempt = planArchiveAttempt(batchId, files, await readManifest(store, batchId));
  await writeManifest(store, attempt.manifestBefore);
  for (const key of attempt.stale) await store.delete(key);
  // One file at a time: a batch touches few partitions, and a failure stops before the next put.
  for (const file of files) {
    const days = retention.get(file.orgId);
    await store.put(file.key, encodeArchiveFile(file.type, file.rows), PARQUET_CONTENT_TYPE, days === undefined ? undefined : archiveRetentionTag(days));
  }
  await writeManifest(store, attempt.manifestAfter);
  return { ...outcome, archived: attempt.manifestAfter.events ?? 0, files: files.length, staleDeleted: attempt.stale.length };
};

/**
 * The handler's answer for a batch: nothing failed, or every record failed (never a part: a retry
 * must start at the batch's first record to keep its name).
 */
export const archiveStreamBatch = async (
  records: readonly DynamoDBRecord[],
  store: ObjectStore,
  retentionOf?: ArchiveRetentionOf,
): Promise<DynamoDBBatchResponse & { outcome: ArchiveBatchOutcome }> => {
  try {
    return { batchItemFailures: [], outcome: await archiveBatch(records, store, retentionOf) };
  } catch (error) {
    logger.error('Archive batch failed; the whole batch will be retried', { error: error as Error, records: records.length });
    return {
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })),
      outcome: { archived: 0, files: 0, staleDeleted: 0, invalid: 0 },
    };
  }
};
