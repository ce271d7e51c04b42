/**
 * The archiver's plan (shared/domain/archive-batch-plan.ts) and the use case over an in-memory
 * store: every event lands in exactly one archive file whatever the batches, crashes and retries —
 * a retry starting at the same first record but holding more or fewer records than the attempt
 * that crashed, a crash at any store write (manifest, stale deletion, data file), redeliveries of
 * batches that had succeeded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { archiveBatch, archiveStreamBatch } from '../../shared/application/archive-batch.js';
import { ARCHIVE_PREFIX } from '../../shared/domain/archive.js';
import {
  archiveBatchId,
  archiveManifestKey,
  parseArchiveManifest,
  planArchiveAttempt,
  planArchiveFiles,
} from '../../shared/domain/archive-batch-plan.js';
import { crashingStore, memoryObjectStore, sampleClick, sampleConversion, sampleEvents } from '../support/archive-events.js';
import { insertRecord } from '../support/stream-records.js';

const archivedIds = async (store: ReturnType<typeof memoryObjectStore>): Promise<string[]> => {
  const ids: string[] = [];
  for (const key of await store.list(`${ARCHIVE_PREFIX}/`)) {
    for (const row of await decodeArchiveFile(store.objects.get(key)!)) ids.push(String(row.event_id));
  }
  return ids.sort();
};

describe('archive batch plan', () => {
  it('names a batch by its first record, safely for a file name', () => {
    expect(archiveBatchId('4900000000000000001', 'ab12/..:x')).toBe('4900000000000000001-ab12____x');
    expect(() => archiveBatchId('', 'x')).toThrow();
  });

  it('writes one file per organization, type and date, each event once', () => {
    const events = [sampleClick(0), sampleClick(3), sampleClick(0), sampleClick(1, { orgId: 'org_other' })];
    const files = planArchiveFiles(events, 'b1');
    expect(files.map((file) => [file.key, file.rows.map((row) => row.event_id)])).toEqual([
      ['events/org=org_archive/type=click/date=2026-11-01/b1.parquet', ['C#clk_000000', 'C#clk_000003']],
      ['events/org=org_other/type=click/date=2026-11-02/b1.parquet', ['C#clk_000001']],
    ]);
  });

  it('lists earlier attempts\' files before writing and deletes those it will not rewrite', () => {
    const files = planArchiveFiles([sampleClick(0)], 'b1');
    const previous = { batchId: 'b1', files: ['events/x/b1.parquet', files[0]!.key], complete: false };
    const plan = planArchiveAttempt('b1', files, previous);
    expect(plan.manifestBefore).toEqual({ batchId: 'b1', files: [files[0]!.key, 'events/x/b1.parquet'], complete: false });
    expect(plan.stale).toEqual(['events/x/b1.parquet']);
    expect(plan.manifestAfter).toEqual({ batchId: 'b1', files: [files[0]!.key], complete: true, events: 1 });
    expect(planArchiveAttempt('b1', files, undefined).stale).toEqual([]);
  });

  it('reads back the manifests it writes and refuses malformed ones', () => {
    const manifest = { batchId: 'b', files: ['events/a.parquet'], complete: true, events: 3 };
    expect(parseArchiveManifest(JSON.stringify(manifest))).toEqual(manifest);
    expect(() => parseArchiveManifest('{"batchId":"b","files":[1]}')).toThrow();
  });
});

describe('archiver over a store', () => {
  it('a crash after some files, then a shorter retry, then the rest: each event in exactly one file', async () => {
    const events = sampleEvents(120);
    const records = events.map(insertRecord);
    const store = memoryObjectStore();
    // Manifest first (write 1), then data files: crash on the third data file.
    const failed = await archiveStreamBatch(records.slice(0, 100), crashingStore(store, 4));
    expect(failed.batchItemFailures).toHaveLength(100);
    expect((await store.list(`${ARCHIVE_PREFIX}/`)).length).toBe(2);

    // The retry holds one record: the second file the crashed attempt wrote is not rewritten.
    const retry = await archiveBatch(records.slice(0, 1), store);
    // Every other file the manifest named is deleted, written or not (two of them were).
    expect(retry.staleDeleted).toBe(4);
    expect(await store.list(`${ARCHIVE_PREFIX}/`)).toHaveLength(1);
    await archiveBatch(records.slice(1), store);
    expect(await archivedIds(store)).toEqual(events.map((event) => event.eventId).sort());
    const manifest = parseArchiveManifest(new TextDecoder().decode(await store.get(archiveManifestKey(archiveBatchId(records[0]!.dynamodb!.SequenceNumber!, records[0]!.eventID!)))));
    expect(manifest).toMatchObject({ complete: true, events: 1 });
  });

  it('holds for any batches, crash points and redeliveries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.record({ length: fc.integer({ min: 1, max: 25 }), crashAt: fc.integer({ min: 0, max: 8 }), redeliver: fc.boolean() }), {
          minLength: 1,
          maxLength: 40,
        }),
        async (count, attempts) => {
          const events = sampleEvents(count);
          const records = events.map(insertRecord);
          const store = memoryObjectStore();
          // The mapping's checkpoint: it moves past a batch only when that batch succeeded, and a
          // failed batch is retried from its first record (with more or fewer records).
          let position = 0;
          let lastDone: { from: number; to: number } | undefined;
          for (const { length, crashAt, redeliver } of attempts) {
            if (position >= records.length) break;
            // At least once: a batch that succeeded may be delivered again before the checkpoint
            // moved (only the last one, and only before anything after it), with other bounds.
            const from = redeliver && lastDone ? lastDone.from : position;
            const to = Math.min(records.length, from + length);
            const answer = await archiveStreamBatch(records.slice(from, to), crashingStore(store, crashAt));
            if (answer.batchItemFailures.length === 0) {
              lastDone = { from, to };
              position = to;
            } else {
              expect(answer.batchItemFailures).toHaveLength(to - from);
              // The checkpoint is before this batch's first record: the retry starts there.
              position = from;
              lastDone = undefined;
            }
          }
          // Whatever is left, delivered without faults.
          while (position < records.length) {
            await archiveBatch(records.slice(position, position + 25), store);
            position += 25;
          }
          expect(await archivedIds(store)).toEqual(events.map((event) => event.eventId).sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('archives the valid events of a batch holding an invalid record, and counts it', async () => {
    const records = sampleEvents(5).map(insertRecord);
    records[2] = { ...records[2]!, dynamodb: { ...records[2]!.dynamodb, NewImage: { pk: { S: 'X#poison' }, type: { S: 'click' } } } };
    const store = memoryObjectStore();
    const outcome = await archiveBatch(records, store);
    expect(outcome).toMatchObject({ invalid: 1, archived: 4 });
    expect(await archivedIds(store)).toHaveLength(4);
  });

  it("tags each file with its organization's archive retention class, which the bucket's lifecycle rules expire by", async () => {
    const events = [sampleClick(0), sampleClick(1, { orgId: 'org_short' }), sampleConversion(4, { orgId: 'org_short' })];
    const store = memoryObjectStore();
    const asked: string[] = [];
    await archiveBatch(events.map(insertRecord), store, async (orgId) => (asked.push(orgId), orgId === 'org_short' ? 100 : 400));
    const files = (await store.list(`${ARCHIVE_PREFIX}/`)).map((key) => [key.split('/')[1], store.tags.get(key)]);
    expect(files).toEqual([
      ['org=org_archive', { 'retention-days': '400' }],
      ['org=org_short', { 'retention-days': '100' }],
      ['org=org_short', { 'retention-days': '100' }],
    ]);
    // One settings read per organization of the batch, not per file.
    expect(asked.sort()).toEqual(['org_archive', 'org_short']);
    // The manifests hold no personal data and keep the deployment's bound: untagged.
    for (const key of await store.list('')) if (!key.startsWith(`${ARCHIVE_PREFIX}/`)) expect(store.tags.get(key)).toBeUndefined();
  });
});
