/**
 * The export engine on one machine: DuckDB (in process, `@duckdb/node-api`) over the archive's
 * Parquet files in the local object-store directory. Only the extensions built into the package
 * (parquet, json) are used; autoinstall is off, so nothing is ever downloaded at run time.
 *
 * The hot rows are appended to a temporary table and written as a Parquet staging file with the
 * archive's columns (the same file Athena reads on AWS), then one COPY runs the export's SQL
 * (shared/domain/export-query.ts) into `<file>.partial`, renamed to the file once complete: a
 * reader of the exports folder never sees half a file.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import { archiveColumns, archivePartition } from '../domain/archive.js';
import { conversionIntegerColumns, conversionStagingColumns, exportSelect } from '../domain/export-query.js';
import { daysOf } from '../domain/exports.js';
import type { ExportEngine, ExportJob, ExportResult } from './export-engine.js';
import { exportFileKey, stagingKey } from './export-engine.js';

/** DuckDB's working memory: the local runtime stays under ~300 MB RSS while exporting 1 M rows. */
const MEMORY_LIMIT = '160MB';

interface StagingColumn {
  name: string;
  sqlType: 'VARCHAR' | 'BOOLEAN' | 'BIGINT';
}

const stagingColumnsOf = (type: ExportJob['type']): StagingColumn[] =>
  type === 'click'
    ? archiveColumns.click.map((column) => ({ name: column.name, sqlType: column.type === 'boolean' ? 'BOOLEAN' : 'VARCHAR' }))
    : conversionStagingColumns.map((name) => ({ name, sqlType: conversionIntegerColumns.has(name) ? 'BIGINT' : 'VARCHAR' }));

const appendValue = (appender: DuckDBAppender, column: StagingColumn, value: unknown): void => {
  if (value === null || value === undefined) appender.appendNull();
  else if (column.sqlType === 'BOOLEAN') appender.appendBoolean(value === true);
  else if (column.sqlType === 'BIGINT') appender.appendBigInt(BigInt(value as number));
  else appender.appendVarchar(typeof value === 'string' ? value : JSON.stringify(value));
};

/** The archive's Parquet files of an organization's clicks in the range (partitions that exist). */
const archiveFilesOf = async (root: string, job: ExportJob): Promise<string[]> => {
  if (job.type !== 'click') return [];
  const files: string[] = [];
  for (const day of daysOf(job.from, job.to)) {
    const directory = join(root, archivePartition(job.orgId, 'click', day));
    const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const name of names.sort()) if (name.endsWith('.parquet')) files.push(join(directory, name));
  }
  return files;
};

export const createDuckDbExportEngine = (root: string): ExportEngine => ({
  async run(job: ExportJob, hotRows: AsyncIterable<Array<Record<string, unknown>>>): Promise<ExportResult> {
    const stagingFile = join(root, stagingKey(job));
    const fileKey = exportFileKey(job);
    const target = join(root, fileKey);
    const partial = `${target}.partial`;
    await mkdir(dirname(stagingFile), { recursive: true });
    await mkdir(dirname(target), { recursive: true });

    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      memory_limit: MEMORY_LIMIT,
      threads: '2',
      preserve_insertion_order: 'false',
    });
    const connection = await instance.connect();
    try {
      const columns = stagingColumnsOf(job.type);
      await connection.run(`CREATE TEMP TABLE staging (${columns.map((column) => `"${column.name}" ${column.sqlType}`).join(', ')})`);
      const appender = await connection.createAppender('staging', null, 'temp');
      for await (const rows of hotRows) {
        for (const row of rows) {
          for (const column of columns) appendValue(appender, column, row[column.name]);
          appender.endRow();
        }
      }
      appender.closeSync();
      await connection.run(`COPY staging TO '${stagingFile.replace(/'/g, "''")}' (FORMAT parquet)`);

      const select = exportSelect({
        ...job,
        sources: { dialect: 'duckdb', archiveFiles: await archiveFilesOf(root, job), stagingFile },
      });
      const options = job.format === 'csv' ? `FORMAT csv, HEADER, NEW_LINE '\\r\\n'` : 'FORMAT parquet';
      const copied = await connection.run(`COPY (${select}) TO '${partial.replace(/'/g, "''")}' (${options})`);
      const rowCount = Number(copied.rowsChanged);
      await rename(partial, target);
      return { rowCount, fileKey };
    } finally {
      connection.closeSync();
      instance.closeSync();
      await rm(stagingFile, { force: true });
      await rm(partial, { force: true });
    }
  },
});
