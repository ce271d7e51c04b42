/**
 * History exports (spec section 14): what an export request is, which ranges it may name, and the
 * lifecycle of an export job. Pure: no I/O (the retention is passed in from shared/settings.ts).
 */
import * as z from 'zod';
import type { FieldError } from './field-errors.js';

export const exportTypes = ['click', 'conversion'] as const;
export type ExportType = (typeof exportTypes)[number];
export const exportFormats = ['csv', 'parquet'] as const;
export type ExportFormat = (typeof exportFormats)[number];
export const exportStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export type ExportStatus = (typeof exportStatuses)[number];

/** Exports of one organization queued or running at once; one more answers 429. */
export const MAX_EXPORTS_IN_FLIGHT = 3;
/** An export (its record and its file) is kept this long after it was asked for. */
export const EXPORT_RETENTION_DAYS = 7;
/** The export worker's timeout (infra/definitions.ts takes it from here). */
export const EXPORT_WORKER_TIMEOUT_SECONDS = 900;
/**
 * An export still queued or running this long after it was asked for cannot finish any more (its
 * worker crashed past its own error handling, or the invocation was lost): reading it marks it
 * failed, which gives its slot back.
 */
export const STALLED_EXPORT_SECONDS = EXPORT_WORKER_TIMEOUT_SECONDS * 3 + 120;

/** Whether an unfinished export has stalled at `nowMs`. */
export const isStalled = (record: { status: ExportStatus; createdAt: string }, nowMs: number): boolean =>
  (record.status === 'queued' || record.status === 'running') && nowMs - Date.parse(record.createdAt) > STALLED_EXPORT_SECONDS * 1000;

/** How long a download link signed by `GET /v1/exports/{id}` stays valid. */
export const DOWNLOAD_LINK_SECONDS = 15 * 60;
/** How long the presigned S3 URL the download route redirects to stays valid (AWS). */
export const PRESIGNED_URL_SECONDS = 60;

const dateSchema = z.iso.date().meta({ description: 'UTC day, inclusive (YYYY-MM-DD)' });

export const exportCreateSchema = z.strictObject({
  campaignId: z.string().min(1).max(64),
  from: dateSchema,
  to: dateSchema,
  type: z.enum(exportTypes),
  format: z.enum(exportFormats),
});
export type ExportRequest = z.infer<typeof exportCreateSchema>;

const DAY_MS = 86_400_000;

/** The UTC day `days` before (negative: after) `day`. */
export const shiftDay = (day: string, days: number): string => new Date(Date.parse(day) - days * DAY_MS).toISOString().slice(0, 10);

/** The first day an export may reach back to on `today`, with `retentionDays` of history kept. */
export const oldestExportableDay = (today: string, retentionDays: number): string => shiftDay(today, retentionDays);

/**
 * The fields of a well-formed request whose range is not exportable on `today` (UTC): reversed,
 * older than the history kept, or in the future. Empty when the range is fine.
 */
export const exportRangeErrors = (request: Pick<ExportRequest, 'from' | 'to'>, today: string, retentionDays: number): FieldError[] => {
  const errors: FieldError[] = [];
  const oldest = oldestExportableDay(today, retentionDays);
  if (request.from < oldest) errors.push({ field: 'from', message: `is older than the history kept (${retentionDays} days: ${oldest} at the earliest)` });
  if (request.to > today) errors.push({ field: 'to', message: `is in the future (today is ${today} UTC)` });
  if (request.from > request.to) errors.push({ field: 'to', message: 'is before from' });
  return errors;
};

/** Every UTC day from `from` to `to`, inclusive. */
export const daysOf = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let day = from; day <= to; day = shiftDay(day, -1)) days.push(day);
  return days;
};

/** The export's file name inside its organization's export folder. */
export const exportFileName = (exportId: string, format: ExportFormat): string => `${exportId}.${format}`;

/** The message an HMAC download link signs: the organization, the export and the link's expiry (epoch seconds). */
export const downloadLinkMessage = (orgId: string, exportId: string, expires: number): string => `export-download:v1:${orgId}:${exportId}:${expires}`;
