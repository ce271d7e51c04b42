/**
 * The archiver through the local stream mapping (DynamoDB Local's real stream, the poller of
 * infra/local): every event written reaches the Parquet archive exactly once — with the runtime's
 * own archive consumer, and when the archiver crashes after writing some files of a batch and the
 * retry comes with a different batch (the consumer restarted with a smaller batch size).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { archiveConsumer } from '../../infra/definitions.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { decodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { directoryObjectStore, type ObjectStore } from '../../shared/adapters/object-store.js';
import { archiveBatch } from '../../shared/application/archive-batch.js';
import { ARCHIVE_PREFIX } from '../../shared/domain/archive.js';
import { ARCHIVE_MANIFEST_PREFIX, parseArchiveManifest } from '../../shared/domain/archive-batch-plan.js';
import type { RawEvent } from '../../shared/domain/events.js';
import { crashingStore, sampleEvents } from '../support/archive-events.js';
import { writeEvents } from '../support/archive-items.js';
import { startTestRuntime, stopTestRuntime, type TestRuntime } from '../support/runtime.js';

/** How many times each event id appears across the archive's data files. */
const archivedCounts = async (store: ObjectStore): Promise<Map<string, number>> => {
  const counts = new Map<string, number>();
  for (const key of await store.list(`${ARCHIVE_PREFIX}/`)) {
    for (const row of await decodeArchiveFile((await store.get(key))!)) {
      counts.set(String(row.event_id), (counts.get(String(row.event_id)) ?? 0) + 1);
    }
  }
  return counts;
};

const expectExactlyOnce = async (store: ObjectStore, events: readonly RawEvent[]) => {
  const counts = await archivedCounts(store);
  expect([...counts.keys()].sort()).toEqual(events.map((event) => event.eventId).sort());
  expect([...counts.values()].every((count) => count === 1)).toBe(true);
};

const withOrg = (events: RawEvent[], orgId: string): RawEvent[] => events.map((event) => ({ ...event, orgId }));

describe('archiver in the local runtime', () => {
  let runtime: TestRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ quiet: true, handlers: { rollup: async () => ({ batchItemFailures: [] }) } });
  });
  afterAll(async () => {
    await stopTestRuntime(runtime);
  });

  it('archives every event written, once, in its partition', async () => {
    const events = withOrg(sampleEvents(40), 'org_runtime');
    await writeEvents(events);
    await runtime.pollers.archive!.drain({ timeoutMs: 60_000 });
    const store = directoryObjectStore(runtime.archiveDir);
    await expectExactlyOnce(store, events);
    const keys = await store.list(`${ARCHIVE_PREFIX}/org=org_runtime/`);
    expect(keys.some((key) => key.startsWith('events/org=org_runtime/type=refund/date=2026-11-03/'))).toBe(true);
    for (const key of await store.list(`${ARCHIVE_MANIFEST_PREFIX}/`)) {
      expect(parseArchiveManifest(new TextDecoder().decode((await store.get(key))!)).complete).toBe(true);
    }
  });
});

describe('archiver crash mid-batch, retried with a different batch', () => {
  let runtime: TestRuntime;
  let scratch: string;
  beforeAll(async () => {
    runtime = await startTestRuntime({ quiet: true, archiveConsumer: 'off', handlers: { rollup: async () => ({ batchItemFailures: [] }) } });
    scratch = await mkdtemp(join(tmpdir(), 'archiver-crash-'));
  });
  afterAll(async () => {
    await stopTestRuntime(runtime);
    await rm(scratch, { recursive: true, force: true });
  });

  it('leaves every event in exactly one file', async () => {
    const events = withOrg(sampleEvents(60), 'org_crash');
    await writeEvents(events);
    const store = directoryObjectStore(join(scratch, 'archive'));
    const stateDir = join(scratch, 'state');
    const mapping = { endpoint: runtime.dynamodbEndpoint, tableName: runtime.tableNames.events, dataDir: stateDir, quiet: true };

    // First consumer: batches of 40; the second invocation dies after the manifest and two files.
    let invocations = 0;
    let crashes = 0;
    const first = await startStreamPoller({
      ...mapping,
      settings: { ...archiveConsumer, batchSize: 40, maxBatchingWindowSeconds: 0 },
      retryBackoffMs: { base: 60_000, max: 60_000 },
      handler: async (event: DynamoDBStreamEvent) => {
        invocations++;
        if (invocations === 1) return archiveBatch(event.Records, store).then(() => ({ batchItemFailures: [] }));
        crashes++;
        return archiveBatch(event.Records, crashingStore(store, 3));
      },
    });
    await vi.waitFor(() => expect(crashes).toBe(1), { timeout: 30_000, interval: 50 });
    await first.stop();
    const partial = await archivedCounts(store);
    // 40 archived by the first batch, and some of the crashed batch's 20 already in files.
    expect(partial.size).toBeGreaterThan(40);
    expect(partial.size).toBeLessThan(60);

    // The consumer comes back with batches of 2: the retry starts at the same record, with fewer.
    // The real handler, writing where the crashed one wrote.
    process.env.ARCHIVE_DIR = join(scratch, 'archive');
    const second = await startStreamPoller({
      ...mapping,
      settings: { ...archiveConsumer, batchSize: 2, maxBatchingWindowSeconds: 0 },
      loadHandler: async () => (await import('../../functions/archiver.js')).handler,
    });
    try {
      await second.drain({ timeoutMs: 60_000 });
      expect(second.deadLetters()).toEqual([]);
      expect(second.counters().batchesDelivered).toBe(10);
    } finally {
      await second.stop();
      process.env.ARCHIVE_DIR = runtime.archiveDir;
    }
    await expectExactlyOnce(store, events);
  });
});
