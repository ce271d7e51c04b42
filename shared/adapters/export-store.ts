/**
 * The exports' object store (shared/adapters/object-store.ts): on AWS the exports bucket
 * (`EXPORTS_BUCKET`, lifecycle a week), locally a directory (`EXPORTS_DIR`). It holds the export
 * files, the hot rows staged for an export, and (AWS) Athena's query results.
 *
 *   exports/org=<orgId>/<exportId>.<csv|parquet>                  the export files
 *   export-staging/type=<type>/export_id=<exportId>/hot.parquet   hot rows staged for one export
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ArchiveRow } from '../domain/archive.js';
import { conversionIntegerColumns, conversionStagingColumns } from '../domain/export-query.js';
import { exportFileName, type ExportFormat, type ExportType } from '../domain/exports.js';
import { encodeArchiveFile } from './archive-file.js';
import { directoryObjectStore, s3ObjectStore, type ObjectStore } from './object-store.js';

export const EXPORTS_PREFIX = 'exports';
export const STAGING_PREFIX = 'export-staging';

export const exportFileKey = (job: { orgId: string; exportId: string; format: ExportFormat }): string =>
  `${EXPORTS_PREFIX}/org=${job.orgId}/${exportFileName(job.exportId, job.format)}`;

export const stagingKey = (job: { type: ExportType; exportId: string }): string =>
  `${STAGING_PREFIX}/type=${job.type}/export_id=${job.exportId}/hot.parquet`;

let store: ObjectStore | undefined;

export const exportsStore = (): ObjectStore => {
  if (store) return store;
  const bucket = process.env.EXPORTS_BUCKET;
  const dir = process.env.EXPORTS_DIR;
  if (bucket) store = s3ObjectStore(bucket);
  else if (dir) store = directoryObjectStore(dir);
  else throw new Error('Missing environment variable EXPORTS_BUCKET (or EXPORTS_DIR locally)');
  return store;
};

/**
 * Hot rows as the staging Parquet file the export's SQL reads: clicks with the archive's columns
 * (so the staging table and the archive table share one schema), conversions with the export's
 * own (shared/domain/export-query.ts).
 */
export const encodeStagingFile = (type: ExportType, rows: ReadonlyArray<Record<string, unknown>>): Uint8Array => {
  if (type === 'click') return encodeArchiveFile('click', rows as readonly ArchiveRow[]);
  const columnData = conversionStagingColumns.map((name) => {
    const integer = conversionIntegerColumns.has(name);
    return {
      name,
      data: rows.map((row) => (row[name] === undefined || row[name] === null ? null : integer ? Number(row[name]) : String(row[name]))),
      type: integer ? ('INT32' as const) : ('STRING' as const),
      nullable: name !== 'event_id',
    };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'advocacy-tracking exports' }));
};
