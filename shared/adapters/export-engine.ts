/**
 * The export engine: one interface, two implementations — DuckDB over a local directory
 * (./duckdb-export-engine.ts) and Athena over S3 (./athena-export-engine.ts). Both take the job
 * and its staged hot rows and leave exactly one complete file at `exportFileKey(job)` in the
 * object store, or nothing.
 *
 * Layout in the object store (the archive's own is shared/domain/archive.ts):
 *   exports/org=<orgId>/<exportId>.<csv|parquet>                  the export files (lifecycle: a week)
 *   export-staging/type=<type>/export_id=<exportId>/hot.parquet   hot rows staged for one export
 */
import type { ExportFormat, ExportType } from '../domain/exports.js';
import { exportFileName } from '../domain/exports.js';

export interface ExportJob {
  exportId: string;
  orgId: string;
  campaignId: string;
  type: ExportType;
  from: string;
  to: string;
  format: ExportFormat;
}

export interface ExportResult {
  rowCount: number;
  fileKey: string;
}

export interface ExportEngine {
  run(job: ExportJob, hotRows: AsyncIterable<Array<Record<string, unknown>>>): Promise<ExportResult>;
}

export const EXPORTS_PREFIX = 'exports';
export const STAGING_PREFIX = 'export-staging';

export const exportFileKey = (job: Pick<ExportJob, 'orgId' | 'exportId' | 'format'>): string =>
  `${EXPORTS_PREFIX}/org=${job.orgId}/${exportFileName(job.exportId, job.format)}`;

export const stagingKey = (job: Pick<ExportJob, 'type' | 'exportId'>): string =>
  `${STAGING_PREFIX}/type=${job.type}/export_id=${job.exportId}/hot.parquet`;

/** The engine of this deployment: Athena where the stack configured a workgroup, else DuckDB over OBJECT_STORE_DIR. */
export const exportEngine = async (): Promise<ExportEngine> => {
  if (process.env.ATHENA_WORKGROUP) {
    const { createAthenaExportEngine } = await import('./athena-export-engine.js');
    return createAthenaExportEngine();
  }
  const root = process.env.OBJECT_STORE_DIR;
  if (!root) throw new Error('No export engine configured (ATHENA_WORKGROUP or OBJECT_STORE_DIR)');
  const { createDuckDbExportEngine } = await import('./duckdb-export-engine.js');
  return createDuckDbExportEngine(root);
};
