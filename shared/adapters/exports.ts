/**
 * Export jobs in the entities table: one item per export (kept `EXPORT_RETENTION_DAYS`, TTL) and
 * one count per organization of the exports queued or running. The count is exact: it is raised
 * in the same transaction that creates an export, only while below the limit, and lowered in the
 * same transaction that finishes one, only when that export was not finished already — a
 * retried worker cannot free a slot twice.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EXPORT_RETENTION_DAYS, MAX_EXPORTS_IN_FLIGHT, type ExportFormat, type ExportRequest, type ExportStatus, type ExportType } from '../domain/exports.js';
import { newId } from '../domain/ids.js';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { claimJob, readLiveJob } from './background-jobs.js';
import { entityKeys } from './keys.js';

export interface ExportRecord {
  exportId: string;
  orgId: string;
  campaignId: string;
  from: string;
  to: string;
  type: ExportType;
  format: ExportFormat;
  status: ExportStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  rowCount?: number;
  /** The file's key in the exports store (set when succeeded). */
  fileKey?: string;
  /** Why it failed (no internals: shown to the caller). */
  error?: string;
  /** Epoch seconds: when the record (and its file) go. */
  expiresAt: number;
}

/** The organization already has `MAX_EXPORTS_IN_FLIGHT` exports queued or running. */
export class ExportsBusyError extends Error {}

const fields = ['exportId', 'orgId', 'campaignId', 'from', 'to', 'format', 'status', 'createdAt', 'startedAt', 'finishedAt', 'rowCount', 'fileKey', 'error', 'expiresAt'] as const;

const recordOf = (item: Record<string, unknown>): ExportRecord => {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) out[field] = item[field];
  out.type = item.exportType;
  return out as unknown as ExportRecord;
};

const table = () => tableName('entities');

/** Creates a queued export and takes one of the organization's slots, or throws ExportsBusyError. */
export const createExport = async (orgId: string, request: ExportRequest, now = new Date()): Promise<ExportRecord> => {
  const record: ExportRecord = {
    exportId: newId('exp'),
    orgId,
    ...request,
    status: 'queued',
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + EXPORT_RETENTION_DAYS * 86_400,
  };
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: entityKeys.exportSlots(orgId),
              UpdateExpression: 'SET inFlight = if_not_exists(inFlight, :zero) + :one',
              ConditionExpression: 'attribute_not_exists(inFlight) OR inFlight < :max',
              ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': MAX_EXPORTS_IN_FLIGHT },
            },
          },
          {
            Put: {
              TableName: table(),
              // `type` names the kind of entity in this table; the export's event type is `exportType`.
              Item: { ...entityKeys.export(orgId, record.exportId), ...record, type: 'export', exportType: record.type },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new ExportsBusyError();
    throw error;
  }
  return record;
};

export const getExport = async (orgId: string, exportId: string): Promise<ExportRecord | undefined> => {
  const item = await readLiveJob(entityKeys.export(orgId, exportId));
  return item && recordOf(item);
};

/**
 * The worker takes the export: queued → running. A retried invocation (Lambda retries an async
 * invocation that failed) takes a running one again; a finished one is left alone (undefined).
 */
export const startExport = async (orgId: string, exportId: string, now = new Date()): Promise<ExportRecord | undefined> => {
  const item = await claimJob(entityKeys.export(orgId, exportId), now);
  return item && recordOf(item);
};

export type ExportOutcome = { status: 'succeeded'; rowCount: number; fileKey: string } | { status: 'failed'; error: string };

/**
 * Finishes an unfinished export and frees its slot, in one transaction. False when it was
 * finished already (nothing changes: the slot was freed then).
 */
export const finishExport = async (orgId: string, exportId: string, outcome: ExportOutcome, now = new Date()): Promise<boolean> => {
  const values: Record<string, unknown> = { ':status': outcome.status, ':now': now.toISOString(), ':queued': 'queued', ':running': 'running' };
  let update = 'SET #status = :status, finishedAt = :now';
  if (outcome.status === 'succeeded') {
    update += ', rowCount = :rows, fileKey = :file';
    values[':rows'] = outcome.rowCount;
    values[':file'] = outcome.fileKey;
  } else {
    update += ', #error = :error';
    values[':error'] = outcome.error;
  }
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: entityKeys.export(orgId, exportId),
              UpdateExpression: update,
              ConditionExpression: '#status IN (:queued, :running)',
              ExpressionAttributeNames: { '#status': 'status', ...(outcome.status === 'failed' ? { '#error': 'error' } : {}) },
              ExpressionAttributeValues: values,
            },
          },
          {
            Update: {
              TableName: table(),
              Key: entityKeys.exportSlots(orgId),
              UpdateExpression: 'SET inFlight = inFlight - :one',
              ConditionExpression: 'inFlight > :zero',
              ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
};

/** Exports queued or running in the organization (tests, diagnostics). */
export const exportsInFlight = async (orgId: string): Promise<number> => {
  const { Item } = await documentClient().send(new GetCommand({ TableName: table(), Key: entityKeys.exportSlots(orgId), ConsistentRead: true }));
  return typeof Item?.inFlight === 'number' ? Item.inFlight : 0;
};
