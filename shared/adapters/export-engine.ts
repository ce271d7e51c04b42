/**
 * The export engine: one interface, two implementations — DuckDB over the local directory stores
 * (./duckdb-export-engine.ts) and Athena over S3 (./athena-export-engine.ts). Given a job whose
 * hot rows are staged (./export-store.ts), each runs the export's SQL (shared/domain/export-query.ts)
 * and leaves exactly one complete file in the exports store, or nothing.
 */
import type { ExportQuery } from '../domain/export-query.js';

/** An export to run: what it asks for (the query without its sources, which staging decides) and its id. */
export type ExportJob = Omit<ExportQuery, 'sources'> & { exportId: string };

export interface ExportResult {
  rowCount: number;
  /** The file's key in the exports store. */
  fileKey: string;
}

export interface ExportEngine {
  /** Runs the job over the archive and the staged hot rows at `stagingKey`. */
  run(job: ExportJob, stagingKey: string): Promise<ExportResult>;
}

/** The engine of this deployment: Athena where the stack configured a workgroup, else DuckDB. */
export const exportEngine = async (): Promise<ExportEngine> => {
  if (process.env.ATHENA_WORKGROUP) {
    const { createAthenaExportEngine } = await import('./athena-export-engine.js');
    return createAthenaExportEngine();
  }
  const { createDuckDbExportEngine } = await import('./duckdb-export-engine.js');
  return createDuckDbExportEngine();
};
