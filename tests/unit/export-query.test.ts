/**
 * The export's SQL (shared/domain/export-query.ts) in both dialects, and what the DuckDB one
 * returns when run over real Parquet files: once per event id across archive and staging, only
 * the organization's, campaign's and range's rows, in time then event id order.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { archiveRowOf } from '../../shared/domain/archive.js';
import { csvColumns } from '../../shared/domain/csv.js';
import { exportSelect, type ExportQuery } from '../../shared/domain/export-query.js';
import { sampleClick } from '../support/archive-events.js';

const base = { orgId: 'org_archive', campaignId: 'cmp_archive', from: '2026-11-01', to: '2026-11-02' } as const;

const duckdb = (overrides: Partial<ExportQuery> = {}, archiveFiles = ['/a/events/org=org_archive/type=click/date=2026-11-01/p1.parquet']): ExportQuery => ({
  ...base,
  type: 'click',
  format: 'csv',
  sources: { dialect: 'duckdb', archiveFiles, stagingFile: '/s/hot.parquet' },
  ...overrides,
});

const athena = (overrides: Partial<ExportQuery> = {}): ExportQuery => ({
  ...base,
  type: 'click',
  format: 'csv',
  sources: { dialect: 'athena', database: 'advocacy_history', archiveTable: 'archived_clicks', stagingTable: 'staged_clicks', exportId: 'exp_abc' },
  ...overrides,
});

describe('the export SQL, DuckDB dialect', () => {
  it('reads the archive files and the staging file, filtered by organization, campaign and range', () => {
    const sql = exportSelect(duckdb());
    expect(sql).toContain("read_parquet(['/a/events/org=org_archive/type=click/date=2026-11-01/p1.parquet'])");
    expect(sql).toContain("read_parquet(['/s/hot.parquet'])");
    expect(sql.match(/"org_id" = 'org_archive' AND "campaign_id" = 'cmp_archive' AND substr\("at", 1, 10\) BETWEEN '2026-11-01' AND '2026-11-02'/g)).toHaveLength(3);
    // The archive's copy of a staged event is left out: once per event id.
    expect(sql).toContain(`AND "event_id" NOT IN (SELECT "event_id" FROM read_parquet(['/s/hot.parquet']) WHERE "org_id" = 'org_archive'`);
    expect(sql.trim().endsWith('ORDER BY "at", "event_id"')).toBe(true);
  });

  it('selects the events API CSV columns of the type, in order', () => {
    const projection = exportSelect(duckdb({ format: 'parquet' })).split('\n')[0]!;
    expect([...projection.matchAll(/ AS "([^"]+)"/g)].map((m) => m[1])).toEqual([...csvColumns.click]);
    const conversion = exportSelect(duckdb({ type: 'conversion', format: 'parquet' })).split('\n')[0]!;
    expect([...conversion.matchAll(/ AS "([^"]+)"/g)].map((m) => m[1])).toEqual([...csvColumns.conversion]);
  });

  it('neutralises formula cells in CSV only, and never the boolean column', () => {
    expect(exportSelect(duckdb())).toContain(`CASE WHEN regexp_matches("referrer_host", '^[=+@\\t\\r-]') THEN concat('''', "referrer_host") ELSE "referrer_host" END AS "referrerHost"`);
    expect(exportSelect(duckdb())).toContain('"unique" AS "unique"');
    expect(exportSelect(duckdb({ format: 'parquet' }))).not.toContain('CASE WHEN');
  });

  it('has no archive branch when no partition of the range exists, nor for conversions', () => {
    expect(exportSelect(duckdb({}, []))).not.toContain('UNION ALL');
    const conversions = exportSelect(duckdb({ type: 'conversion' }));
    expect(conversions).not.toContain('UNION ALL');
    expect(conversions).toContain(`substr("occurredAt", 1, 10) BETWEEN '2026-11-01' AND '2026-11-02'`);
    expect(conversions.trim().endsWith('ORDER BY "occurredAt", "event_id"')).toBe(true);
  });

  it('escapes quotes in file paths, and refuses values that are not ids or days', () => {
    expect(exportSelect(duckdb({}, ["/tmp/it's/p.parquet"]))).toContain("'/tmp/it''s/p.parquet'");
    expect(() => exportSelect(duckdb({ orgId: "org' OR 1=1 --" }))).toThrow(RangeError);
    expect(() => exportSelect(duckdb({ campaignId: 'cmp a' }))).toThrow(RangeError);
    expect(() => exportSelect(duckdb({ from: "2026-11-01' --" }))).toThrow(RangeError);
  });
});

describe('the export SQL, Athena dialect', () => {
  it('reads the archive table pruned to the partitions of the organization, type and range, and the export staging partition', () => {
    const sql = exportSelect(athena());
    expect(sql).toContain(`FROM "advocacy_history"."archived_clicks" WHERE "org" = 'org_archive' AND "type" = 'click' AND "date" BETWEEN '2026-11-01' AND '2026-11-02' AND "org_id" = 'org_archive'`);
    expect(sql).toContain(`FROM "advocacy_history"."staged_clicks" WHERE "export_id" = 'exp_abc' AND "org_id" = 'org_archive'`);
    expect(sql).toContain(`AND "event_id" NOT IN (SELECT "event_id" FROM "advocacy_history"."staged_clicks" WHERE "export_id" = 'exp_abc'`);
    expect(sql).toContain('UNION ALL');
    expect(sql.trim().endsWith('ORDER BY "at", "event_id"')).toBe(true);
  });

  it("uses Trino's regexp_like for the CSV neutralisation", () => {
    expect(exportSelect(athena())).toContain(`regexp_like("slug", '^[=+@\\t\\r-]')`);
    expect(exportSelect(athena())).not.toContain('regexp_matches');
  });

  it('reads conversions from their staging partition only', () => {
    const sql = exportSelect(athena({ type: 'conversion', sources: { dialect: 'athena', database: 'db', archiveTable: 'archived_clicks', stagingTable: 'staged_conversions', exportId: 'exp_abc' } }));
    expect(sql).not.toContain('archived_clicks');
    expect(sql).toContain(`FROM "db"."staged_conversions" WHERE "export_id" = 'exp_abc'`);
  });

  it('refuses table names that are not identifiers', () => {
    expect(() => exportSelect(athena({ sources: { dialect: 'athena', database: 'db"; DROP', archiveTable: 't', stagingTable: 's', exportId: 'exp_abc' } }))).toThrow(RangeError);
  });
});

describe('the DuckDB SQL over Parquet files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'export-query-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns each event once, only the campaign, organization and range asked, by time then event id', async () => {
    const at = (day: number, second: number) => `2026-11-0${day}T08:00:0${second}.000Z`;
    const shared = sampleClick(1, { at: at(1, 1) });
    const sameTime = [sampleClick(3, { at: at(2, 5) }), sampleClick(2, { at: at(2, 5) })];
    const archived = [shared, sampleClick(4, { at: at(1, 0) }), sampleClick(5, { at: at(1, 2), orgId: 'org_other' }), sampleClick(6, { at: at(1, 3), campaignId: 'cmp_other' })];
    const hot = [shared, ...sameTime, sampleClick(7, { at: at(3, 0) })];
    await writeFile(join(dir, 'archive.parquet'), encodeArchiveFile('click', archived.map(archiveRowOf)));
    await writeFile(join(dir, 'hot.parquet'), encodeArchiveFile('click', hot.map(archiveRowOf)));
    const sql = exportSelect(duckdb({ format: 'parquet', sources: { dialect: 'duckdb', archiveFiles: [join(dir, 'archive.parquet')], stagingFile: join(dir, 'hot.parquet') } }));
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll(sql)).getRowObjects();
      // sampleClick ids are clk_000001…; 2 and 3 share a time: event id order (C#clk_000002 first).
      expect(rows.map((row) => row.clickId)).toEqual(['clk_000004', 'clk_000001', 'clk_000002', 'clk_000003']);
      expect(rows[0]).toMatchObject({ at: at(1, 0), advocateId: 'adv4', unique: true });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
