/**
 * What one archiver batch writes, and how a retry cleans up after an earlier attempt of the same
 * batch (docs/architecture.md, "The history archive", argues the exactly-once property). Pure.
 *
 * - A batch is named by its first stream record (sequence number and event id): Lambda and the
 *   local poller retry a failed batch from that same record, because the archiver never
 *   acknowledges part of a batch. Its files are `<partition>/<batchId>.parquet`, one per
 *   partition it touches, so a retry overwrites what an earlier attempt wrote under the same name.
 * - Its manifest (`manifests/<batchId>.json`) is written before any data file and lists every file
 *   any attempt of the batch may have written. A retry whose batch differs (more or fewer records,
 *   so other partitions) deletes the files of earlier attempts it will not rewrite — before it
 *   writes its own — so each event ends up in exactly one file.
 */
import { archiveRowOf, groupByPartition, type ArchivedEventType, type ArchiveRow } from './archive.js';
import type { RawEvent } from './events.js';

/** Key prefix of the batch manifests, beside the `events/` tree (query engines never read it). */
export const ARCHIVE_MANIFEST_PREFIX = 'manifests';

/** A batch's name, from its first stream record: file-name safe, sorting in stream order per shard. */
export const archiveBatchId = (firstSequenceNumber: string, firstEventId: string): string => {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!firstSequenceNumber || !firstEventId) throw new Error('A batch is named by its first record: sequence number and event id');
  return `${safe(firstSequenceNumber)}-${safe(firstEventId)}`;
};

export const archiveManifestKey = (batchId: string): string => `${ARCHIVE_MANIFEST_PREFIX}/${batchId}.json`;

export const archiveFileKey = (partition: string, batchId: string): string => `${partition}/${batchId}.parquet`;

export interface ArchiveFilePlan {
  key: string;
  /** The organization whose events the file holds (a partition is one organization's). */
  orgId: string;
  type: ArchivedEventType;
  rows: ArchiveRow[];
}

/**
 * The files of a batch: one per (organization, type, date) partition, rows in stream order. An
 * event delivered twice within the batch (a stream record repeated) is written once.
 */
export const planArchiveFiles = (events: readonly RawEvent[], batchId: string): ArchiveFilePlan[] => {
  const seen = new Set<string>();
  const once = events.filter((event) => !seen.has(event.eventId) && seen.add(event.eventId));
  return [...groupByPartition(once)]
    .map(([partition, group]) => ({ key: archiveFileKey(partition, batchId), orgId: group[0]!.orgId, type: group[0]!.type, rows: group.map(archiveRowOf) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

export interface ArchiveManifest {
  batchId: string;
  /** Every data file an attempt of this batch may have written (a superset while `complete` is false). */
  files: string[];
  /** True once the attempt that wrote it finished: then `files` are exactly the batch's files. */
  complete: boolean;
  /** Events in the files (when complete). */
  events?: number;
}

export interface ArchiveAttemptPlan {
  /** Written first: the files of earlier attempts and of this one. */
  manifestBefore: ArchiveManifest;
  /** Deleted next: earlier attempts' files this attempt does not rewrite. */
  stale: string[];
  /** Written last, after every data file. */
  manifestAfter: ArchiveManifest;
}

/** The steps of one attempt, given the manifest an earlier attempt left (if any). */
export const planArchiveAttempt = (
  batchId: string,
  files: readonly ArchiveFilePlan[],
  previous: ArchiveManifest | undefined,
): ArchiveAttemptPlan => {
  const keys = files.map((file) => file.key);
  const planned = new Set(keys);
  const earlier = previous?.batchId === batchId ? previous.files : [];
  const stale = earlier.filter((key) => !planned.has(key));
  return {
    manifestBefore: { batchId, files: [...new Set([...earlier, ...keys])].sort(), complete: false },
    stale,
    manifestAfter: { batchId, files: [...keys].sort(), complete: true, events: files.reduce((sum, file) => sum + file.rows.length, 0) },
  };
};

/** A manifest read back from storage (puts are atomic, so one that does not parse is a bug: it throws). */
export const parseArchiveManifest = (text: string): ArchiveManifest => {
  const value = JSON.parse(text) as Partial<ArchiveManifest>;
  if (typeof value.batchId !== 'string' || !Array.isArray(value.files) || !value.files.every((file) => typeof file === 'string')) {
    throw new Error('Invalid archive manifest');
  }
  return { batchId: value.batchId, files: value.files, complete: value.complete === true, ...(typeof value.events === 'number' && { events: value.events }) };
};
