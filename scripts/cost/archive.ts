/**
 * The history archive's share of the cost (issue 15): clicks kept as Parquet in S3 for the
 * history retention, the files the archiver PUTs per batch, its invocations, and Athena per
 * export. Pure: the measured file sizes are data here, not read at run time.
 */
import { historyRetentionDays } from '../../shared/settings.js';

/**
 * Bytes of a Parquet file of N clicks (the archive's click columns, shared/domain/archive.ts),
 * MEASURED on 2026-12-05 with DuckDB 1.5.6 (`COPY … (FORMAT parquet, COMPRESSION snappy)`, its
 * default codec) over clicks of the benchmark's generator (200 links by popularity, 2 campaigns,
 * 10% bots, visitors with 1–5 clicks) in a scratch directory outside the repository. ZSTD made the
 * same files 4–40% smaller (5.79 MB for 100,000 clicks against 9.60 MB); the archiver's own
 * writer and codec may differ — rerun the measurement with it.
 */
export const measuredParquetClickFiles: ReadonlyArray<{ rows: number; bytes: number }> = [
  { rows: 1, bytes: 3_020 },
  { rows: 10, bytes: 4_517 },
  { rows: 100, bytes: 15_801 },
  { rows: 1_000, bytes: 99_549 },
  { rows: 10_000, bytes: 970_761 },
  { rows: 100_000, bytes: 9_602_051 },
];

/** Bytes per click in a file of `rowsPerFile` clicks: log-linear between the measured sizes (a file's footer is ~3 KB). */
export const parquetBytesPerClick = (rowsPerFile: number, files = measuredParquetClickFiles): number => {
  const rows = Math.max(1, rowsPerFile);
  const perRow = (entry: { rows: number; bytes: number }) => entry.bytes / entry.rows;
  if (rows <= files[0].rows) return perRow(files[0]);
  const last = files[files.length - 1];
  if (rows >= last.rows) return perRow(last);
  const upper = files.findIndex((entry) => entry.rows >= rows);
  const a = files[upper - 1];
  const b = files[upper];
  const t = (Math.log(rows) - Math.log(a.rows)) / (Math.log(b.rows) - Math.log(a.rows));
  return perRow(a) + t * (perRow(b) - perRow(a));
};

/**
 * The archiver as a second consumer of the events stream: ASSUMED settings (the archiver's own
 * event source mapping decides them; Lambda's longest batching window is 300 s) and an assumed
 * duration per batch. One file per partition (organization, type, day) a batch touches.
 */
export const archiver = {
  maxBatchingWindowSeconds: 300,
  batchSize: 10_000,
  medianDurationMs: 500,
  memoryMb: 1024,
};

/** Exports the program runs a month (assumption), each of one month of its clicks. */
export const exportsPerProgramMonth = 4;

/** Athena bills at least 10 MB per query. */
const ATHENA_MINIMUM_BYTES = 10 * 1024 ** 2;
const TB = 1024 ** 4;
const GIB = 1024 ** 3;
const DAYS_PER_MONTH = 365.25 / 12;

export const historyMonths = historyRetentionDays / DAYS_PER_MONTH;

/** Clicks in one archive file: what the archiver's batch gathers at the given rate (per organization). */
export const clicksPerArchiveFile = (clicksPerSecond: number, settings = archiver): number =>
  Math.max(1, Math.min(settings.batchSize, clicksPerSecond * settings.maxBatchingWindowSeconds));

export interface ArchiveUsage {
  s3StorageGbMonth: number;
  s3PutRequest: number;
  lambdaRequest: number;
  lambdaArmGbSecond: number;
}

/** What archiving one click costs for its whole history: its bytes in S3, its share of a file's PUT and of the archiver's invocation. */
export const archiveUsagePerClick = (clicksPerFile: number, settings = archiver): ArchiveUsage => ({
  s3StorageGbMonth: (parquetBytesPerClick(clicksPerFile) * historyMonths) / GIB,
  s3PutRequest: 1 / clicksPerFile,
  lambdaRequest: 1 / clicksPerFile,
  lambdaArmGbSecond: ((settings.medianDurationMs / 1000) * (settings.memoryMb / 1024)) / clicksPerFile,
});

/** One export of `clicks` archived clicks through Athena: bytes scanned (every column) and the files read. */
export const exportUsage = (clicks: number, clicksPerFile: number) => ({
  athenaTbScanned: Math.max(ATHENA_MINIMUM_BYTES, clicks * parquetBytesPerClick(clicksPerFile)) / TB,
  s3GetRequest: Math.ceil(clicks / clicksPerFile),
});
