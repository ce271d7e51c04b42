/**
 * Erasure requests (spec section 16): what a request names, and what erasing a person's
 * identifiers does to each stored shape — a click, a conversion, an archive row, a credit record,
 * a customer path. Pure: the worker (shared/application/run-erasure.ts) reads and writes; this
 * file decides. Counts and credits never change: a click keeps its campaign, link, advocate,
 * time, uniqueness and viewer facts; a credited touch keeps its place and share. Only the
 * identifiers go.
 *
 * A human click id is its time id followed by its visitor id (./click-id.ts), so the visitor's
 * clicks are re-keyed under their time id alone — the id a click without a visitor has — and every
 * record that named the old click id (conversions, credit records, customer paths, the archive)
 * names the time id instead. The time id is random and names no one.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { locateClick } from './click-id.js';
import { CLICK_ID_LENGTH, isValidVisitorId } from './ids.js';
import type { ArchivedEventType, ArchiveRow } from './archive.js';
import type { ClickEventRecord } from './events.js';
import type { FieldError } from './field-errors.js';

export const erasureStatuses = ['queued', 'running', 'done'] as const;
export type ErasureStatus = (typeof erasureStatuses)[number];

/** Whom an erasure is for: a browser (`eav` cookie, `visitorId`) or a customer (a conversion's `customerId`). */
export type ErasureSubject = { kind: 'visitor'; visitorId: string } | { kind: 'customer'; customerId: string };

/** A customer id as conversions take it (shared/domain/webhook-signature.ts: 1–200 printable characters). */
const customerIdPattern = /^(?!\s)\P{C}+(?<!\s)$/u;

export const erasureCreateSchema = z
  .strictObject({
    visitorId: z.string().optional().meta({ description: 'The `eav` cookie value (22 base64url characters)', example: 'f3Kq9ZbT0xWmR2aLc8YpVg' }),
    customerId: z.string().optional().meta({ description: "A conversion's `customerId`, as the sender gave it (1–200 printable characters)" }),
  })
  .meta({ id: 'ErasureRequest', description: 'Exactly one of `visitorId` and `customerId`' });
export type ErasureRequest = z.infer<typeof erasureCreateSchema>;

/** The subject a well-formed request names, or the field errors of a malformed one. */
export const erasureSubjectOf = (request: ErasureRequest): { subject: ErasureSubject } | { errors: FieldError[] } => {
  const { visitorId, customerId } = request;
  if ((visitorId === undefined) === (customerId === undefined)) {
    return { errors: [{ field: 'visitorId', message: 'give exactly one of visitorId and customerId' }] };
  }
  if (visitorId !== undefined) {
    return isValidVisitorId(visitorId)
      ? { subject: { kind: 'visitor', visitorId } }
      : { errors: [{ field: 'visitorId', message: 'must be a visitor id as the eav cookie holds it (22 base64url characters)' }] };
  }
  const id = customerId!;
  return id.length >= 1 && id.length <= 200 && customerIdPattern.test(id)
    ? { subject: { kind: 'customer', customerId: id } }
    : { errors: [{ field: 'customerId', message: 'must be 1–200 printable characters without leading or trailing spaces' }] };
};

/**
 * The key under which an organization's unfinished erasure of a subject is found again (a repeated
 * request resumes it): a digest, so the lookup item does not hold the identifier itself. It is
 * deleted when the erasure is done.
 */
export const subjectDigest = (orgId: string, subject: ErasureSubject): string =>
  createHash('sha256')
    .update(`${orgId}\u0000${subject.kind}\u0000${subject.kind === 'visitor' ? subject.visitorId : subject.customerId}`)
    .digest('base64url');

/** A click id with the visitor removed: its time id (what a click without a visitor is called). */
export const pseudonymousClickId = (clickId: string): string => clickId.slice(0, CLICK_ID_LENGTH);

/** The attribute marking a click an erasure re-keyed: its INSERT is no new click. */
export const ERASED_BY_ATTRIBUTE = 'erasedBy';

/**
 * Whether a stream record is the INSERT of a click an erasure re-keyed. Neither stream consumer
 * takes it: the roll-ups counted the click when it was first recorded, and the archive holds it
 * (the erasure rewrites the archived row).
 */
export const isErasureRekey = (record: { dynamodb?: { NewImage?: Record<string, unknown> } }): boolean =>
  record.dynamodb?.NewImage?.[ERASED_BY_ATTRIBUTE] !== undefined;

/** Whether a click id is one of this visitor's (its last part is the visitor id). */
export const isClickOfVisitor = (clickId: unknown, visitorId: string): clickId is string =>
  typeof clickId === 'string' && locateClick(clickId)?.visitorId === visitorId;

/** The click as it is kept after its visitor's erasure: re-keyed under its time id, without the visitor. */
export const erasedClick = (click: ClickEventRecord): ClickEventRecord => {
  const id = pseudonymousClickId(click.clickId);
  const { visitorId: _visitorId, ...rest } = click;
  return { ...rest, clickId: id, eventId: id };
};

/** The attributes of a conversion (hot item or credit record) that name the subject; [] when none. */
export const conversionFieldsToErase = (
  conversion: { visitorId?: unknown; clickId?: unknown; customerId?: unknown },
  subject: ErasureSubject,
): Array<'visitorId' | 'clickId' | 'customerId'> => {
  if (subject.kind === 'customer') {
    // The customer's conversion also loses the browser identifiers that tie it to them.
    if (conversion.customerId !== subject.customerId) return [];
    return (['customerId', 'visitorId', 'clickId'] as const).filter((field) => conversion[field] !== undefined);
  }
  const fields: Array<'visitorId' | 'clickId'> = [];
  if (conversion.visitorId === subject.visitorId) fields.push('visitorId');
  if (isClickOfVisitor(conversion.clickId, subject.visitorId)) fields.push('clickId');
  return fields;
};

interface Touch {
  clickId: string;
}

/** Touches with the visitor's click ids renamed to their time ids, or undefined when none is the visitor's. */
export const erasedTouches = <T extends Touch>(touches: readonly T[], subject: ErasureSubject): T[] | undefined => {
  if (subject.kind !== 'visitor' || !touches.some((touch) => isClickOfVisitor(touch.clickId, subject.visitorId))) return undefined;
  return touches.map((touch) => (isClickOfVisitor(touch.clickId, subject.visitorId) ? { ...touch, clickId: pseudonymousClickId(touch.clickId) } : touch));
};

/**
 * A credit (or refund) record after the erasure, or undefined when it names nothing of the
 * subject. Its touches keep their order, campaign, advocate and shares: the counters it explains
 * stay the same.
 */
export const erasedCreditRecord = <R extends { customerId?: string; touches: Touch[] }>(record: R, subject: ErasureSubject): R | undefined => {
  if (subject.kind === 'customer') {
    if (record.customerId !== subject.customerId) return undefined;
    const { customerId: _customerId, ...rest } = record;
    return rest as R;
  }
  const touches = erasedTouches(record.touches, subject);
  return touches ? { ...record, touches } : undefined;
};

/** An archive row after the erasure, or undefined when it names nothing of the subject. */
export const erasedArchiveRow = (type: ArchivedEventType, row: ArchiveRow, subject: ErasureSubject): ArchiveRow | undefined => {
  if (type === 'click') {
    if (subject.kind !== 'visitor' || !isClickOfVisitor(row.click_id, subject.visitorId)) return undefined;
    const id = pseudonymousClickId(row.click_id);
    return { ...row, event_id: id, click_id: id, visitor_id: null };
  }
  if (type !== 'conversion') return undefined;
  const fields = conversionFieldsToErase({ visitorId: row.visitor_id ?? undefined, clickId: row.click_id ?? undefined, customerId: row.customer_id ?? undefined }, subject);
  if (fields.length === 0) return undefined;
  const column = { visitorId: 'visitor_id', clickId: 'click_id', customerId: 'customer_id' } as const;
  return { ...row, ...Object.fromEntries(fields.map((field) => [column[field], null])) };
};

/** Archive rows after the erasure, and how many changed (0: the file stays as it is). */
export const eraseArchiveRows = (type: ArchivedEventType, rows: readonly ArchiveRow[], subject: ErasureSubject) => {
  let changed = 0;
  const out = rows.map((row) => {
    const erased = erasedArchiveRow(type, row, subject);
    if (!erased) return row;
    changed++;
    return erased;
  });
  return { rows: out, changed };
};

/**
 * Which of the awaited click event ids (re-keyed in the hot table) these archived click rows hold,
 * under the old id or already under its time id (a file an earlier attempt rewrote).
 */
export const archivedAwaited = (rows: readonly ArchiveRow[], awaiting: ReadonlySet<string>): string[] => {
  if (awaiting.size === 0) return [];
  const byTimeId = new Map([...awaiting].map((id) => [pseudonymousClickId(id), id]));
  const found: string[] = [];
  for (const row of rows) {
    const id = String(row.event_id);
    if (awaiting.has(id)) found.push(id);
    else if (byTimeId.has(id)) found.push(byTimeId.get(id)!);
  }
  return found;
};

/** The UTC date of an archive file, from its key (`…/date=<YYYY-MM-DD>/<file>`). */
export const archiveFileDate = (key: string): string => /\/date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1] ?? '';

/**
 * The steps of an erasure, in order. Each is resumable: it records how far it got (a cursor or
 * the ids it still waits for) in the erasure's item, and a step run again finds only what is
 * left (an erased item no longer matches).
 *
 * - `conversions`: the organization's hot conversions naming the subject lose those attributes
 *   (in place: a MODIFY, which the stream consumers ignore), once the roll-up consumer applied them.
 * - `credits`: credit and refund records of every campaign, and customer paths.
 * - `clicks` (visitors): the visitor's clicks in this organization are re-keyed (delete + put in
 *   one transaction, the new item marked `erasedBy` so neither stream consumer takes its INSERT).
 * - `archive`: the organization's click and conversion files naming the subject are rewritten
 *   (a new whole object replaces the old one); every click re-keyed in `clicks` must have been
 *   found there, else the step waits for the archiver.
 */
export const erasureSteps = ['conversions', 'credits', 'clicks', 'archive'] as const;
export type ErasureStep = (typeof erasureSteps)[number];

export const nextStep = (step: ErasureStep): ErasureStep | 'done' => {
  const index = erasureSteps.indexOf(step);
  return index + 1 < erasureSteps.length ? erasureSteps[index + 1]! : 'done';
};

/** An erasure's record is kept this long after it was asked for (its status can be read until then). */
export const ERASURE_RECORD_DAYS = 30;
/** The worker's timeout (infra/definitions.ts takes it from here). */
export const ERASURE_WORKER_TIMEOUT_SECONDS = 900;
