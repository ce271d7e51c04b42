/**
 * The one SQL of an export, in the two dialects that run it: DuckDB (locally, over Parquet files)
 * and Athena (Trino, over the Glue tables of the archive and of the staging prefix). The rows are
 * the archived events of the range ∪ the staged hot events, deduplicated by `event_id` (an event
 * archived and still hot appears once), filtered by organization, campaign and range, ordered by
 * time then event id; the columns are the events API's CSV columns for the type. Pure: no I/O.
 */
import { archiveColumns } from './archive.js';
import { csvColumns } from './csv.js';
import type { ExportFormat, ExportType } from './exports.js';

export type SqlDialect = 'duckdb' | 'athena';

/** Where the rows come from, per dialect. */
export type ExportSources =
  | {
      dialect: 'duckdb';
      /** Archive Parquet files of the range's partitions (only those that exist). */
      archiveFiles: readonly string[];
      /** The staged hot rows (one Parquet file). */
      stagingFile: string;
    }
  | {
      dialect: 'athena';
      database: string;
      /** Glue table over the archive, partitions projected on org, type and date. */
      archiveTable: string;
      /** Glue table over the staging prefix of this type, partition projected on export_id. */
      stagingTable: string;
      exportId: string;
    };

export interface ExportQuery {
  orgId: string;
  campaignId: string;
  type: ExportType;
  from: string;
  to: string;
  format: ExportFormat;
  sources: ExportSources;
}

/**
 * Staged columns of a conversion export: the events API's conversion CSV columns, plus the
 * conversion's event id (the dedupe key). Conversions are not read from the archive: a
 * campaign's conversions are its credit records, kept with the roll-ups for the organization's
 * life (docs/api.md, "Exports").
 */
export const conversionStagingColumns = ['event_id', ...csvColumns.conversion] as const;
/** Columns of the conversion staging file that are integers; the others are strings. */
export const conversionIntegerColumns: ReadonlySet<string> = new Set(['touches']);

/** Archive column of each click CSV column. */
const clickSourceColumn: Record<(typeof csvColumns.click)[number], string> = {
  clickId: 'click_id',
  at: 'at',
  slug: 'slug',
  advocateId: 'advocate_id',
  channel: 'channel',
  botClass: 'bot_class',
  unique: 'unique',
  visitorId: 'visitor_id',
  device: 'device',
  browser: 'browser',
  os: 'os',
  country: 'country',
  referrerHost: 'referrer_host',
};

const safeValue = /^[A-Za-z0-9_.:#-]{1,128}$/;
const safeIdentifier = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const safeDay = /^\d{4}-\d{2}-\d{2}$/;

/** A string literal. Values are checked to an id shape first: a query is never built from free text. */
const literal = (value: string): string => {
  if (!safeValue.test(value)) throw new RangeError(`Not a value an export query takes: ${JSON.stringify(value)}`);
  return `'${value}'`;
};
const dayLiteral = (day: string): string => {
  if (!safeDay.test(day)) throw new RangeError(`Not a UTC day: ${JSON.stringify(day)}`);
  return `'${day}'`;
};
const quoted = (identifier: string): string => {
  if (!safeIdentifier.test(identifier)) throw new RangeError(`Not an identifier: ${JSON.stringify(identifier)}`);
  return `"${identifier}"`;
};
const fileLiteral = (path: string): string => `'${path.replace(/'/g, "''")}'`;

const parquetScan = (files: readonly string[]): string => `read_parquet([${files.map(fileLiteral).join(', ')}])`;

/**
 * A text cell as the events API writes it to CSV: one starting with = + - @ (or tab/CR) would run
 * as a spreadsheet formula, so it gets a leading apostrophe (shared/domain/csv.ts does the same).
 */
const neutralised = (dialect: SqlDialect, expression: string): string => {
  const test = dialect === 'duckdb' ? `regexp_matches(${expression}, '^[=+@\\t\\r-]')` : `regexp_like(${expression}, '^[=+@\\t\\r-]')`;
  return `CASE WHEN ${test} THEN concat('''', ${expression}) ELSE ${expression} END`;
};

interface Shape {
  /** Columns read from each source (the dedupe key first). */
  sourceColumns: readonly string[];
  /** Output columns: name and source column. */
  output: ReadonlyArray<{ name: string; source: string; text: boolean }>;
  timeColumn: string;
  /** Conditions every source row must meet (org, campaign, range). */
  rowFilter: string;
}

const shapeOf = (query: ExportQuery): Shape => {
  const range = (column: string) => `substr(${quoted(column)}, 1, 10) BETWEEN ${dayLiteral(query.from)} AND ${dayLiteral(query.to)}`;
  if (query.type === 'click') {
    return {
      sourceColumns: archiveColumns.click.map((column) => column.name),
      output: csvColumns.click.map((name) => ({ name, source: clickSourceColumn[name], text: name !== 'unique' })),
      timeColumn: 'at',
      rowFilter: [`"org_id" = ${literal(query.orgId)}`, `"campaign_id" = ${literal(query.campaignId)}`, range('at')].join(' AND '),
    };
  }
  return {
    sourceColumns: conversionStagingColumns,
    output: csvColumns.conversion.map((name) => ({ name, source: name, text: !conversionIntegerColumns.has(name) })),
    timeColumn: 'occurredAt',
    // The staging file holds the campaign's credit records of the range and nothing else.
    rowFilter: range('occurredAt'),
  };
};

/**
 * The SELECT of an export: archive ∪ staging, once per event id, in time order. An event is at
 * most once in each source (the archiver files every event in exactly one file; the hot table
 * keys a click by its id), so the overlap at the boundary is the only place it can be twice: the
 * archive's rows whose event id is staged are left out (an anti-join against the small staging
 * side: DuckDB exports 1 M rows in ~64 MB of working memory this way, where a window over all
 * rows, partitioned by event id, ran out of memory at 160 MB).
 */
export const exportSelect = (query: ExportQuery): string => {
  const { sources } = query;
  const shape = shapeOf(query);
  const columns = shape.sourceColumns.map(quoted).join(', ');
  let staging: string;
  let archive: string | undefined;
  if (sources.dialect === 'duckdb') {
    staging = `${parquetScan([sources.stagingFile])} WHERE ${shape.rowFilter}`;
    if (query.type === 'click' && sources.archiveFiles.length > 0) archive = `${parquetScan(sources.archiveFiles)} WHERE ${shape.rowFilter}`;
  } else {
    const table = (name: string) => `${quoted(sources.database)}.${quoted(name)}`;
    staging = `${table(sources.stagingTable)} WHERE "export_id" = ${literal(sources.exportId)} AND ${shape.rowFilter}`;
    if (query.type === 'click') {
      // The partition columns prune the scan to the organization's click partitions of the range.
      const partitions = `"org" = ${literal(query.orgId)} AND "type" = 'click' AND "date" BETWEEN ${dayLiteral(query.from)} AND ${dayLiteral(query.to)}`;
      archive = `${table(sources.archiveTable)} WHERE ${partitions} AND ${shape.rowFilter}`;
    }
  }
  const branches = [
    ...(archive ? [`SELECT ${columns} FROM ${archive} AND "event_id" NOT IN (SELECT "event_id" FROM ${staging})`] : []),
    `SELECT ${columns} FROM ${staging}`,
  ];
  const csv = query.format === 'csv';
  const projection = shape.output
    .map(({ name, source, text }) => `${csv && text ? neutralised(sources.dialect, quoted(source)) : quoted(source)} AS ${quoted(name)}`)
    .join(', ');
  return [`SELECT ${projection}`, `FROM (${branches.join(' UNION ALL ')}) AS "candidates"`, `ORDER BY ${quoted(shape.timeColumn)}, "event_id"`].join('\n');
};
