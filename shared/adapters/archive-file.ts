/**
 * One archive file: rows of one event type (shared/domain/archive.ts columns) as Parquet, written
 * and read in pure JavaScript (hyparquet-writer / hyparquet: no native code, so they run in
 * Lambda as bundled). Required columns are written REQUIRED, optional ones OPTIONAL, so a query
 * engine sees the same nullability the layout declares.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetReadObjects } from 'hyparquet';
import { archiveColumns, type ArchivedEventType, type ArchiveRow } from '../domain/archive.js';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** The rows as one Parquet file, columns in layout order. */
export const encodeArchiveFile = (type: ArchivedEventType, rows: readonly ArchiveRow[]): Uint8Array => {
  const columnData = archiveColumns[type].map((column) => ({
    name: column.name,
    data: rows.map((row) => row[column.name] ?? null),
    type: column.type === 'boolean' ? ('BOOLEAN' as const) : ('STRING' as const),
    nullable: column.nullable,
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'advocacy-tracking archiver' }));
};

/** The rows of a Parquet archive file. */
export const decodeArchiveFile = async (bytes: Uint8Array): Promise<ArchiveRow[]> => {
  // hyparquet reads an ArrayBuffer; copy out exactly this view's bytes.
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as ArchiveRow[];
};
