/**
 * The export worker, started asynchronously by functions/exports.ts (Lambda `Invoke`, `Event`;
 * locally the runtime's invoker runs it in the background). It takes the export (queued →
 * running), stages the range's hot events as Parquet, runs the export's SQL over the archive ∪
 * the staging file (./shared/adapters/export-engine.ts), and marks the export succeeded with its
 * row count — only then is the file handed out. Any failure marks it failed and frees its slot.
 */
import type { Context } from 'aws-lambda';
import { hotExportRows } from '../shared/adapters/event-reads.js';
import { exportEngine } from '../shared/adapters/export-engine.js';
import { encodeStagingFile, exportsStore, stagingKey } from '../shared/adapters/export-store.js';
import { finishExport, startExport } from '../shared/adapters/exports.js';
import { logger } from '../shared/adapters/observability.js';
import { PARQUET_CONTENT_TYPE } from '../shared/adapters/archive-file.js';

export interface ExportWorkerEvent {
  orgId: string;
  exportId: string;
}

export const handler = async (event: ExportWorkerEvent, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  const record = await startExport(event.orgId, event.exportId);
  if (!record) return; // finished already (a retried invocation), or gone
  const job = { exportId: record.exportId, orgId: record.orgId, campaignId: record.campaignId, type: record.type, from: record.from, to: record.to, format: record.format };
  const staging = stagingKey(job);
  const store = exportsStore();
  try {
    const rows: Array<Record<string, unknown>> = [];
    for await (const page of hotExportRows(job.orgId, job.campaignId, job.type, { from: job.from, to: job.to })) rows.push(...page);
    await store.put(staging, encodeStagingFile(job.type, rows), PARQUET_CONTENT_TYPE);
    const { rowCount, fileKey } = await (await exportEngine()).run(job, staging);
    await finishExport(job.orgId, job.exportId, { status: 'succeeded', rowCount, fileKey });
  } catch (error) {
    logger.error('Export failed', { exportId: job.exportId, error: error as Error });
    await finishExport(job.orgId, job.exportId, { status: 'failed', error: 'The export failed; ask again' });
  } finally {
    await store.delete(staging).catch((error: unknown) => logger.warn('Staging file not removed', { key: staging, error: error as Error }));
  }
};
