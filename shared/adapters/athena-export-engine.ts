/**
 * The export engine on AWS: Athena, in the stack's workgroup (results in the exports bucket,
 * encrypted, configuration enforced, a bytes-scanned cutoff per query), over two kinds of Glue
 * tables (infra/constructs/export-analytics.ts): the archive's clicks, partitions projected on
 * org, type and date, and the staging prefixes, partition projected on export_id.
 *
 * CSV: the query's own result file (`<results>/<queryId>.csv`, header and quoted cells) is the
 * export. Parquet: UNLOAD into the export's folder; Athena writes a file per writer, so the parts
 * are merged into one file (the worker's memory bounds it, ~1 M rows per GB). Either way the
 * export is marked succeeded only after the query did, so no half-written result is handed out.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryRuntimeStatisticsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { exportSelect } from '../domain/export-query.js';
import { csvColumns } from '../domain/csv.js';
import type { ExportEngine, ExportJob, ExportResult } from './export-engine.js';
import { EXPORTS_PREFIX, exportsStore } from './export-store.js';
import { PARQUET_CONTENT_TYPE } from './archive-file.js';

const POLL_INTERVAL_MS = 1000;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
};

/** The key inside its bucket of an `s3://bucket/key` location. */
const keyOf = (location: string): string => location.replace(/^s3:\/\/[^/]+\//, '');

let athena: AthenaClient | undefined;

/** Runs one statement to its end; the query's id, or an error naming Athena's reason. */
const runToEnd = async (sql: string): Promise<{ queryId: string; outputLocation?: string }> => {
  athena ??= new AthenaClient({});
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: env('ATHENA_WORKGROUP'), QueryExecutionContext: { Database: env('GLUE_DATABASE') } }),
  );
  const queryId = QueryExecutionId!;
  for (;;) {
    // Athena reports completion only through its status: this waits on the real state, not on time.
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') return { queryId, outputLocation: QueryExecution?.ResultConfiguration?.OutputLocation };
    if (state === 'FAILED' || state === 'CANCELLED') throw new Error(`Athena query ${queryId} ${state}: ${QueryExecution?.Status?.StateChangeReason ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
};

const outputRows = async (queryId: string): Promise<number> => {
  const { QueryRuntimeStatistics } = await athena!.send(new GetQueryRuntimeStatisticsCommand({ QueryExecutionId: queryId }));
  return Number(QueryRuntimeStatistics?.Rows?.OutputRows ?? 0);
};

/** The parts UNLOAD wrote, as one Parquet file in time order (then by id: the first column). */
const mergeParts = async (job: ExportJob, partKeys: readonly string[]): Promise<{ bytes: Uint8Array; rows: number }> => {
  const store = exportsStore();
  const rows: Array<Record<string, unknown>> = [];
  for (const key of partKeys) {
    const bytes = (await store.get(key))!;
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows.push(...((await parquetReadObjects({ file })) as Array<Record<string, unknown>>));
  }
  const columns = csvColumns[job.type];
  const time = job.type === 'click' ? 'at' : 'occurredAt';
  const id = columns[0];
  const text = (value: unknown) => String(value ?? '');
  rows.sort((a, b) => text(a[time]).localeCompare(text(b[time])) || text(a[id]).localeCompare(text(b[id])));
  const columnData = columns.map((name) => ({
    name,
    data: rows.map((row) => (row[name] === undefined ? null : typeof row[name] === 'bigint' ? Number(row[name]) : row[name])),
    type: name === 'unique' ? ('BOOLEAN' as const) : name === 'touches' ? ('INT32' as const) : ('STRING' as const),
    nullable: true,
  }));
  return { bytes: new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'advocacy-tracking exports' })), rows: rows.length };
};

export const createAthenaExportEngine = (): ExportEngine => ({
  async run(job: ExportJob): Promise<ExportResult> {
    const select = exportSelect({
      ...job,
      sources: {
        dialect: 'athena',
        database: env('GLUE_DATABASE'),
        archiveTable: env('ATHENA_ARCHIVE_TABLE'),
        stagingTable: job.type === 'click' ? env('ATHENA_CLICK_STAGING_TABLE') : env('ATHENA_CONVERSION_STAGING_TABLE'),
        exportId: job.exportId,
      },
    });
    if (job.format === 'csv') {
      const { queryId, outputLocation } = await runToEnd(select);
      if (!outputLocation) throw new Error(`Athena query ${queryId} names no result file`);
      return { rowCount: await outputRows(queryId), fileKey: keyOf(outputLocation) };
    }
    const partsPrefix = `${EXPORTS_PREFIX}/org=${job.orgId}/${job.exportId}.parts/`;
    await runToEnd(`UNLOAD (${select}) TO 's3://${env('EXPORTS_BUCKET')}/${partsPrefix}' WITH (format = 'PARQUET', compression = 'SNAPPY')`);
    const store = exportsStore();
    const parts = await store.list(partsPrefix);
    const merged = await mergeParts(job, parts);
    const fileKey = `${EXPORTS_PREFIX}/org=${job.orgId}/${job.exportId}.parquet`;
    await store.put(fileKey, merged.bytes, PARQUET_CONTENT_TYPE);
    await Promise.all(parts.map((key) => store.delete(key)));
    return { rowCount: merged.rows, fileKey };
  },
});
