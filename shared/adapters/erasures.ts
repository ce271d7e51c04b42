/**
 * Erasure requests in the entities table (spec 16): one item per request, `ORG#o / ERASURE#e`,
 * holding the subject only while the erasure runs (removed when it is done), its status, the step
 * it is at and that step's progress; and `ORG#o / ERASUREOF#<digest>` while it runs, so a repeated
 * request for the same subject finds it and resumes it instead of starting a second one.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ERASURE_RECORD_DAYS, subjectDigest, type ErasureStatus, type ErasureStep, type ErasureSubject } from '../domain/erasure.js';
import { newId } from '../domain/ids.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { claimJob, readLiveJob } from './background-jobs.js';
import { entityKeys } from './keys.js';

/** How far the current step got: a page cursor, and the re-keyed clicks the archive must still show. */
export interface ErasureProgress {
  cursor?: Record<string, unknown>;
  /** `credits`: the campaign whose records are being read, and which of its partitions (0 credit records, 1 refund records). */
  campaignCursor?: string;
  partition?: number;
  /** `archive`: the last file the first pass finished. */
  archiveCursor?: string;
  /** Old event ids of clicks re-keyed by `clicks`, not yet found in the archive. */
  awaitingArchive?: string[];
}

export interface ErasureRecord {
  erasureId: string;
  orgId: string;
  status: ErasureStatus;
  /** Present until the erasure is done. */
  subject?: ErasureSubject;
  step?: ErasureStep;
  progress: ErasureProgress;
  /** Counts of what was erased (no identifiers). */
  erased: { clicks: number; conversions: number; records: number; customerPaths: number; archiveFiles: number };
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The last attempt's failure, while it is retried (no internals, no identifiers). */
  lastError?: string;
  expiresAt: number;
}

const table = () => tableName('entities');
const db = () => documentClient();

const emptyCounts = (): ErasureRecord['erased'] => ({ clicks: 0, conversions: 0, records: 0, customerPaths: 0, archiveFiles: 0 });

const recordOf = (item: Record<string, unknown>): ErasureRecord => ({
  erasureId: String(item.erasureId),
  orgId: String(item.orgId),
  status: item.status as ErasureStatus,
  ...(item.subject ? { subject: item.subject as ErasureSubject } : {}),
  ...(item.step ? { step: item.step as ErasureStep } : {}),
  progress: (item.progress as ErasureProgress | undefined) ?? {},
  erased: { ...emptyCounts(), ...((item.erased as ErasureRecord['erased'] | undefined) ?? {}) },
  createdAt: String(item.createdAt),
  ...(item.startedAt ? { startedAt: String(item.startedAt) } : {}),
  ...(item.finishedAt ? { finishedAt: String(item.finishedAt) } : {}),
  ...(item.lastError ? { lastError: String(item.lastError) } : {}),
  expiresAt: Number(item.expiresAt),
});

/**
 * A new erasure of the subject, or the organization's unfinished one for the same subject
 * (`resumed`): the lookup item and the request are written in one transaction, conditionally.
 */
export const createOrResumeErasure = async (
  orgId: string,
  subject: ErasureSubject,
  now = new Date(),
): Promise<{ record: ErasureRecord; resumed: boolean }> => {
  const lookupKey = entityKeys.erasureOfSubject(orgId, subjectDigest(orgId, subject));
  for (let attempt = 0; attempt < 3; attempt++) {
    const { Item: lookup } = await db().send(new GetCommand({ TableName: table(), Key: lookupKey, ConsistentRead: true }));
    if (lookup) {
      const existing = await getErasure(orgId, String(lookup.erasureId));
      if (existing && existing.status !== 'done') return { record: existing, resumed: true };
    }
    const record: ErasureRecord = {
      erasureId: newId('era'),
      orgId,
      status: 'queued',
      subject,
      step: 'conversions',
      progress: {},
      erased: emptyCounts(),
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + ERASURE_RECORD_DAYS * 86_400,
    };
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table(),
                Item: { ...lookupKey, type: 'erasureLookup', erasureId: record.erasureId, expiresAt: record.expiresAt },
                // A lookup left behind by a finished erasure may be replaced; a live one may not.
                ConditionExpression: lookup ? 'erasureId = :previous' : 'attribute_not_exists(pk)',
                ...(lookup ? { ExpressionAttributeValues: { ':previous': lookup.erasureId } } : {}),
              },
            },
            { Put: { TableName: table(), Item: { ...entityKeys.erasure(orgId, record.erasureId), type: 'erasure', ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return { record, resumed: false };
    } catch (error) {
      // Another request for the same subject won the race: read its lookup again.
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
  }
  throw new Error('Could not record the erasure request');
};

export const getErasure = async (orgId: string, erasureId: string): Promise<ErasureRecord | undefined> => {
  const item = await readLiveJob(entityKeys.erasure(orgId, erasureId));
  return item && recordOf(item);
};

/** The worker takes the erasure (queued → running; a retried attempt takes a running one again); undefined when done or gone. */
export const startErasure = async (orgId: string, erasureId: string, now = new Date()): Promise<ErasureRecord | undefined> => {
  const item = await claimJob(entityKeys.erasure(orgId, erasureId), now);
  return item && recordOf(item);
};

/** Saves the step reached, its progress and the counts so far (only while the erasure runs). */
export const saveErasureProgress = async (record: ErasureRecord): Promise<void> => {
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: entityKeys.erasure(record.orgId, record.erasureId),
      UpdateExpression: 'SET step = :step, progress = :progress, erased = :erased',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':step': record.step, ':progress': record.progress, ':erased': record.erased, ':running': 'running' },
    }),
  );
};

export const noteErasureFailure = async (orgId: string, erasureId: string, message: string): Promise<void> => {
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: entityKeys.erasure(orgId, erasureId),
      UpdateExpression: 'SET lastError = :message',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':message': message, ':running': 'running' },
    }),
  ).catch((error: unknown) => {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
};

/** Done: the subject and the progress are forgotten, and so is the lookup (a later request starts anew). */
export const finishErasure = async (record: ErasureRecord, now = new Date()): Promise<void> => {
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: entityKeys.erasure(record.orgId, record.erasureId),
      UpdateExpression: 'SET #status = :done, finishedAt = :now, erased = :erased REMOVE subject, step, progress, lastError',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':now': now.toISOString(), ':erased': record.erased, ':running': 'running' },
    }),
  );
  if (record.subject) {
    await db().send(
      new DeleteCommand({
        TableName: table(),
        Key: entityKeys.erasureOfSubject(record.orgId, subjectDigest(record.orgId, record.subject)),
        ConditionExpression: 'erasureId = :id',
        ExpressionAttributeValues: { ':id': record.erasureId },
      }),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }
};
