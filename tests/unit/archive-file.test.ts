/**
 * Archive files (shared/adapters/archive-file.ts): every column of every event type survives a
 * Parquet round trip, nulls and booleans included, and the file's schema declares the layout's
 * nullability.
 */
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { decodeArchiveFile, encodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { archiveColumns, archivedEventTypes, archiveRowOf } from '../../shared/domain/archive.js';
import { sampleClick, sampleConversion, sampleRefund, sampleShare } from '../support/archive-events.js';

const rowsOf = {
  click: [sampleClick(0), sampleClick(1), sampleClick(10, { channel: 'x', country: 'ÅLAND ✓' })].map(archiveRowOf),
  conversion: [sampleConversion(2), sampleConversion(3)].map(archiveRowOf),
  refund: [sampleRefund(4)].map(archiveRowOf),
  share: [sampleShare(0), sampleShare(1)].map(archiveRowOf),
};

describe('archive files', () => {
  it.each(archivedEventTypes)('round-trips every %s column, nulls and booleans included', async (type) => {
    const rows = rowsOf[type];
    const decoded = await decodeArchiveFile(encodeArchiveFile(type, rows));
    expect(decoded).toEqual(rows);
    expect(Object.keys(decoded[0]!)).toEqual(archiveColumns[type].map((column) => column.name));
  });

  it('keeps both boolean values and nulls apart from empty strings', async () => {
    const rows = [archiveRowOf(sampleClick(0)), archiveRowOf(sampleClick(1, { browser: '' }))];
    const [even, odd] = await decodeArchiveFile(encodeArchiveFile('click', rows));
    expect(even).toMatchObject({ unique: true, department: 'sales', country: 'DE' });
    expect(odd).toMatchObject({ unique: false, department: null, country: null, visitor_id: null, browser: '' });
  });

  it('declares required columns REQUIRED and optional ones OPTIONAL', () => {
    const bytes = encodeArchiveFile('conversion', rowsOf.conversion);
    const schema = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).schema.slice(1);
    expect(schema.map((element) => [element.name, element.repetition_type])).toEqual(
      archiveColumns.conversion.map((column) => [column.name, column.nullable ? 'OPTIONAL' : 'REQUIRED']),
    );
  });

  it('refuses a row that lacks a required column', () => {
    const row = { ...archiveRowOf(sampleRefund(1)), amount: null };
    expect(() => encodeArchiveFile('refund', [row])).toThrow();
  });

  it('writes an empty file that reads back empty', async () => {
    expect(await decodeArchiveFile(encodeArchiveFile('refund', []))).toEqual([]);
  });
});
