/**
 * Runs an erasure request (spec 16) step by step (shared/domain/erasure.ts says what each step
 * does), saving its progress after every page, so an attempt that crashes — or times out — is
 * resumed by the next one (Lambda retries an asynchronous invocation twice; a repeated
 * `POST /v1/privacy/erasures` for the same subject starts the worker again) from where the last
 * one stopped. Nothing is half-applied silently: the erasure stays `running`, with `lastError`,
 * until every step has finished; only then is it `done` and its subject forgotten.
 *
 * Order matters: conversions are erased only once the roll-up consumer applied them (it would
 * otherwise write their identifiers into credit records after the credits step), and the
 * archive step waits until every click the clicks step re-keyed has reached the archive (the
 * archiver could otherwise file the original afterwards).
 */
import {
  conversionFieldsToErase,
  erasedClick,
  erasedCreditRecord,
  erasedTouches,
  eraseArchiveRows,
  archivedAwaited,
  archiveFileDate,
  isClickOfVisitor,
  nextStep,
  type ErasureSubject,
} from '../domain/erasure.js';
import type { Touchpoint } from '../domain/attribution.js';
import { locateClick } from '../domain/click-id.js';
import { finishErasure, saveErasureProgress, type ErasureRecord } from '../adapters/erasures.js';
import {
  archiveFilesOf,
  campaignIdsPage,
  clickRecordOf,
  conversionsPage,
  creditPartitions,
  deleteCustomerPath,
  getCustomerPathItem,
  isApplied,
  readArchiveFile,
  rekeyClick,
  removeConversionFields,
  replaceRollupItem,
  rollupPartitionPage,
  rewriteArchiveFile,
  visitorClicksPage,
} from '../adapters/erasure-stores.js';
import type { ObjectStore } from '../adapters/object-store.js';

/** The consumer's ledger keeps an applied event this long: an older event was applied (or dead-lettered) long ago. */
const LEDGER_DAYS = 8;

export class ErasureNotSettledError extends Error {}

export interface ErasureRunOptions {
  store: ObjectStore;
  /** How long to wait for the roll-up consumer or the archiver before giving the attempt up. */
  settleBudgetMs: number;
  settlePollMs: number;
  now?: () => number;
  /** Test seam: called after each saved page of progress (a fault injected here is a crash mid-erasure). */
  afterSave?: (record: ErasureRecord) => Promise<void> | void;
}

const waitFor = async (check: () => Promise<boolean>, options: ErasureRunOptions): Promise<boolean> => {
  const now = options.now ?? Date.now;
  const deadline = now() + options.settleBudgetMs;
  for (;;) {
    if (await check()) return true;
    if (now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.settlePollMs));
  }
};

const save = async (record: ErasureRecord, options: ErasureRunOptions) => {
  await saveErasureProgress(record);
  await options.afterSave?.(record);
};

const conversionsStep = async (record: ErasureRecord, subject: ErasureSubject, options: ErasureRunOptions) => {
  const now = options.now ?? Date.now;
  do {
    const page = await conversionsPage(record.orgId, record.progress.cursor);
    for (const item of page.items) {
      if (item.type !== 'conversion') continue;
      const fields = conversionFieldsToErase(item, subject);
      if (fields.length === 0) continue;
      const recent = now() - Date.parse(String(item.receivedAt)) < LEDGER_DAYS * 86_400_000;
      if (recent && !(await waitFor(() => isApplied(String(item.eventId)), options))) {
        throw new ErasureNotSettledError('A conversion of the subject is not applied to the roll-ups yet');
      }
      await removeConversionFields(item, fields);
      record.erased.conversions++;
    }
    record.progress = page.next ? { cursor: page.next } : {};
    await save(record, options);
  } while (record.progress.cursor);
};

/** A visitor's clicks in a customer path become their time ids; undefined when the path has none. */
const fixCustomerPath = async (record: ErasureRecord, customerId: string, subject: ErasureSubject) => {
  const path = await getCustomerPathItem(record.orgId, customerId);
  const touchpoints = path ? erasedTouches<Touchpoint>(path.touchpoints, subject) : undefined;
  if (!path || !touchpoints) return;
  await replaceRollupItem({ ...path, touchpoints });
  record.erased.customerPaths++;
};

const creditsStep = async (record: ErasureRecord, subject: ErasureSubject, options: ErasureRunOptions) => {
  const campaignIds: string[] = [];
  let campaigns: { ids: string[]; next?: Record<string, unknown> } = { ids: [] };
  do {
    campaigns = await campaignIdsPage(record.orgId, campaigns.next);
    campaignIds.push(...campaigns.ids);
  } while (campaigns.next);
  // Progress: the campaign being read, which of its partitions, and the page inside it.
  const resume = record.progress;
  const first = resume.campaignCursor ? Math.max(0, campaignIds.indexOf(resume.campaignCursor)) : 0;
  for (const [position, campaignId] of campaignIds.slice(first).entries()) {
    const resuming = position === 0 && resume.campaignCursor === campaignId;
    const partitions = creditPartitions(record.orgId, campaignId);
    for (let partition = resuming ? (resume.partition ?? 0) : 0; partition < partitions.length; partition++) {
      let startKey = resuming && partition === (resume.partition ?? 0) ? resume.cursor : undefined;
      do {
        const page = await rollupPartitionPage(partitions[partition]!, startKey);
        for (const item of page.items) {
          const erased = erasedCreditRecord(item as { customerId?: string; touches: Array<{ clickId: string }> }, subject);
          if (!erased) continue;
          await replaceRollupItem(erased);
          record.erased.records++;
          if (subject.kind === 'visitor' && typeof item.customerId === 'string') await fixCustomerPath(record, item.customerId, subject);
        }
        startKey = page.next;
        record.progress = { campaignCursor: campaignId, partition: startKey ? partition : partition + 1, ...(startKey ? { cursor: startKey } : {}) };
        await save(record, options);
      } while (startKey);
    }
  }
  if (subject.kind === 'customer' && (await deleteCustomerPath(record.orgId, subject.customerId))) record.erased.customerPaths++;
};

const clicksStep = async (record: ErasureRecord, subject: ErasureSubject, options: ErasureRunOptions) => {
  if (subject.kind !== 'visitor') return;
  const awaiting = new Set(record.progress.awaitingArchive ?? []);
  let startKey = record.progress.cursor;
  do {
    const page = await visitorClicksPage(record.orgId, subject.visitorId, startKey);
    const clicks = page.items.flatMap((item) => {
      const click = isClickOfVisitor(item.clickId, subject.visitorId) ? clickRecordOf(item) : undefined;
      return click ? [{ item, click }] : [];
    });
    // Remembered before they are re-keyed: a crash between the two cannot lose a click the archive must show.
    for (const { click } of clicks) awaiting.add(click.eventId);
    record.progress = { awaitingArchive: [...awaiting], ...(startKey ? { cursor: startKey } : {}) };
    if (clicks.length > 0) await save(record, options);
    for (const { item, click } of clicks) if (await rekeyClick(item, erasedClick(click), record.erasureId)) record.erased.clicks++;
    startKey = page.next;
    record.progress = { awaitingArchive: [...awaiting], ...(startKey ? { cursor: startKey } : {}) };
    await save(record, options);
  } while (startKey);
};

const archiveStep = async (record: ErasureRecord, subject: ErasureSubject, options: ErasureRunOptions) => {
  const awaiting = new Set(record.progress.awaitingArchive ?? []);
  // The first pass reads every file of the organization, saving the last file done (a large
  // archive may take more than one attempt); the awaited clicks found before a crash are found
  // again under their time ids by the next.
  const resumeAfter = record.progress.archiveCursor;
  const pass = async (onlyDates?: ReadonlySet<string>) => {
    for (const file of await archiveFilesOf(options.store, record.orgId)) {
      if (onlyDates ? !onlyDates.has(archiveFileDate(file.key)) : resumeAfter !== undefined && file.key <= resumeAfter) continue;
      const rows = await readArchiveFile(options.store, file.key);
      if (!rows) continue;
      if (file.type === 'click') for (const id of archivedAwaited(rows, awaiting)) awaiting.delete(id);
      const result = eraseArchiveRows(file.type, rows, subject);
      if (result.changed > 0) {
        await rewriteArchiveFile(options.store, file.key, file.type, result.rows);
        record.erased.archiveFiles++;
      }
      if (!onlyDates) {
        record.progress = { awaitingArchive: [...awaiting], archiveCursor: file.key };
        await save(record, options);
      }
    }
    record.progress = { awaitingArchive: [...awaiting], ...(record.progress.archiveCursor ? { archiveCursor: record.progress.archiveCursor } : {}) };
    await save(record, options);
    return awaiting.size === 0;
  };
  if (await pass()) return;
  // Later passes read only the days of the clicks still awaited.
  const settled = await waitFor(() => pass(new Set([...awaiting].map((id) => locateClick(id)?.at.slice(0, 10) ?? ''))), options);
  if (!settled) throw new ErasureNotSettledError('Clicks of the subject have not reached the archive yet');
};

const steps = { conversions: conversionsStep, credits: creditsStep, clicks: clicksStep, archive: archiveStep };

/** Runs the erasure from the step its record is at to the end, then marks it done. */
export const runErasure = async (record: ErasureRecord, options: ErasureRunOptions): Promise<ErasureRecord> => {
  const subject = record.subject;
  if (!subject) return record;
  let step = record.step ?? 'conversions';
  for (;;) {
    await steps[step](record, subject, options);
    const next = nextStep(step);
    if (next === 'done') break;
    // The next step starts from nothing, except the clicks the archive must still show.
    record.step = next;
    record.progress = next === 'archive' ? { awaitingArchive: record.progress.awaitingArchive ?? [] } : {};
    await save(record, options);
    step = next;
  }
  await finishErasure(record);
  return { ...record, status: 'done' };
};
