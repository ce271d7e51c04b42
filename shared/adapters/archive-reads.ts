/**
 * Reading the archive back, one date partition at a time (reconcile): the rows of every file of
 * an organization's events of one type and UTC date, so a reader holds one day, never a history.
 */
import { archivePartition, type ArchivedEventType, type ArchiveRow } from '../domain/archive.js';
import { decodeArchiveFile } from './archive-file.js';
import type { ObjectStore } from './object-store.js';

const DATE_IN_KEY = /\/date=(\d{4}-\d{2}-\d{2})\//;

/** Each archived date of the organization's `type` events up to `lastDate` (inclusive), oldest first, with its rows. */
export async function* archivedDays(
  store: ObjectStore,
  orgId: string,
  type: ArchivedEventType,
  lastDate: string,
): AsyncGenerator<{ date: string; rows: ArchiveRow[] }> {
  // The partition of the empty date is the prefix every date of this organization and type shares.
  const keys = await store.list(archivePartition(orgId, type, ''));
  const byDate = new Map<string, string[]>();
  for (const key of keys) {
    const date = DATE_IN_KEY.exec(key)?.[1];
    if (!date || date > lastDate || !key.endsWith('.parquet')) continue;
    byDate.set(date, [...(byDate.get(date) ?? []), key]);
  }
  for (const date of [...byDate.keys()].sort()) {
    const rows: ArchiveRow[] = [];
    for (const key of byDate.get(date)!) {
      const bytes = await store.get(key);
      // Deleted since the listing (an archiver retry removing an earlier attempt's file): nothing to read.
      if (bytes) rows.push(...(await decodeArchiveFile(bytes)));
    }
    yield { date, rows };
  }
}
