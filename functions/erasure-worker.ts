/**
 * The erasure worker (spec 16), started asynchronously by functions/privacy-erasures.ts (Lambda
 * `Invoke`, `Event`; locally the runtime's background invoker). It takes the erasure (queued →
 * running) and runs it from the step its record is at (shared/application/run-erasure.ts). A
 * failure is noted on the record (no identifiers) and rethrown, so the invocation is retried and
 * resumes from the saved progress; the erasure stays `running` until it is complete.
 */
import type { Context } from 'aws-lambda';
import { noteErasureFailure, startErasure } from '../shared/adapters/erasures.js';
import { archiveStore } from '../shared/adapters/object-store.js';
import { logger } from '../shared/adapters/observability.js';
import { ErasureNotSettledError, runErasure } from '../shared/application/run-erasure.js';

export interface ErasureWorkerEvent {
  orgId: string;
  erasureId: string;
}

/** How long one attempt waits for the roll-up consumer and the archiver to catch up (well inside the timeout). */
const SETTLE_BUDGET_MS = Number(process.env.ERASURE_SETTLE_BUDGET_MS ?? 300_000);
const SETTLE_POLL_MS = Number(process.env.ERASURE_SETTLE_POLL_MS ?? 5_000);

export const handler = async (event: ErasureWorkerEvent, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  const record = await startErasure(event.orgId, event.erasureId);
  if (!record) return; // done already (a retried invocation), or gone
  try {
    const done = await runErasure(record, { store: archiveStore(), settleBudgetMs: SETTLE_BUDGET_MS, settlePollMs: SETTLE_POLL_MS });
    // Counts only: the subject never reaches a log line.
    logger.info('Erasure done', { erasureId: done.erasureId, ...done.erased });
  } catch (error) {
    const message = error instanceof ErasureNotSettledError ? error.message : 'The erasure was interrupted; it resumes where it stopped';
    logger.error('Erasure attempt failed; it will be resumed', { erasureId: record.erasureId, step: record.step, reason: message });
    await noteErasureFailure(record.orgId, record.erasureId, message);
    throw error;
  }
};
