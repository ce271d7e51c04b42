/**
 * Reconcile after archiving and expiry (spec section 14: the roll-ups stay exact): clicks rolled
 * up and archived, then the old ones deleted from the hot table as their TTL would, still
 * reconcile to 0 differences — counted from hot ∪ archive, each once, even when the archive holds
 * a click the hot table still has, or holds it twice. Without the archive the same state differs:
 * the check can fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableName } from '../../shared/adapters/config.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { clickItemKeys, eventKeys } from '../../shared/adapters/keys.js';
import { shareItem } from '../../shared/adapters/shares.js';
import { directoryObjectStore, type ObjectStore } from '../../shared/adapters/object-store.js';
import { archiveBatch } from '../../shared/application/archive-batch.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { processStreamBatch } from '../../shared/application/stream-batch.js';
import type { ClickEventRecord, ShareEventRecord } from '../../shared/domain/events.js';
import { hotClickRetentionDays, maxLookbackDays } from '../../shared/settings.js';
import { sampleClick, sampleShare } from '../support/archive-events.js';
import { writeEvents } from '../support/archive-items.js';
import { insertRecord } from '../support/stream-records.js';
import { useIsolatedTables } from '../support/tables.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.now();
const ORG = 'org_reconcile_archive';
const CAMPAIGN = 'cmp_reconcile_archive';

/** A click `daysAgo` days before now, of the campaign (every tenth of another campaign). */
const clickDaysAgo = (n: number, daysAgo: number): ClickEventRecord =>
  sampleClick(n, {
    orgId: ORG,
    campaignId: n % 10 === 9 ? 'cmp_other' : CAMPAIGN,
    at: new Date(NOW - daysAgo * DAY_MS - n * 1000).toISOString(),
  });

// Expired (older than the hot retention), old but still hot, inside the lookback window.
const expired = Array.from({ length: 30 }, (_, n) => clickDaysAgo(n, hotClickRetentionDays + 3 + (n % 4)));
const oldButHot = Array.from({ length: 20 }, (_, n) => clickDaysAgo(100 + n, maxLookbackDays + 2 + (n % 3)));
const recent = Array.from({ length: 25 }, (_, n) => clickDaysAgo(200 + n, 1 + (n % 30)));
const all = [...expired, ...oldButHot, ...recent];

const deleteHot = async (clicks: readonly ClickEventRecord[]) => {
  for (let i = 0; i < clicks.length; i += 25) {
    const requests = clicks.slice(i, i + 25).map((click) => {
      const { pk, sk } = clickItemKeys(click);
      return { DeleteRequest: { Key: { pk, sk } } };
    });
    await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName('events')]: requests } }));
  }
};

/** A share `daysAgo` days before now, of the campaign (every fifth of another campaign). */
const shareDaysAgo = (n: number, daysAgo: number): ShareEventRecord =>
  sampleShare(n, {
    orgId: ORG,
    campaignId: n % 5 === 4 ? 'cmp_other' : CAMPAIGN,
    at: new Date(NOW - daysAgo * DAY_MS - n * 1000).toISOString(),
  });

const expiredShares = Array.from({ length: 12 }, (_, n) => shareDaysAgo(n, hotClickRetentionDays + 2 + (n % 3)));
const oldButHotShares = Array.from({ length: 8 }, (_, n) => shareDaysAgo(100 + n, maxLookbackDays + 1 + (n % 3)));
const recentShares = Array.from({ length: 10 }, (_, n) => shareDaysAgo(200 + n, n % 20));
const allShares = [...expiredShares, ...oldButHotShares, ...recentShares];

describe('reconcile over hot and archived clicks', () => {
  useIsolatedTables();
  let directory: string;
  let archive: ObjectStore;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reconcile-archive-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('shows 0 differences after archiving and expiry, and counts each click once', async () => {
    archive = directoryObjectStore(join(directory, 'a'));
    await writeEvents(all);
    const records = all.map(insertRecord);
    expect((await processStreamBatch(records)).batchItemFailures).toEqual([]);
    await archiveBatch(records.slice(0, 40), archive);
    await archiveBatch(records.slice(40), archive);
    // An archive that (against its design) holds an old click twice: still counted once.
    await archiveBatch([insertRecord(oldButHot[0]!, 9_000)], archive);
    const campaignClicks = all.filter((click) => click.campaignId === CAMPAIGN).length;

    const before = await reconcileCampaign(ORG, CAMPAIGN, { archive, now: NOW });
    expect(before.differences).toEqual([]);
    expect(before.events).toBe(campaignClicks);

    await deleteHot(expired);
    const after = await reconcileCampaign(ORG, CAMPAIGN, { archive, now: NOW });
    expect(after.differences).toEqual([]);
    expect(after.events).toBe(campaignClicks);
    expect(after.rowsChecked).toBe(before.rowsChecked);

    // The same state without the archive: the expired clicks are missing from the recount.
    const hotOnly = await reconcileCampaign(ORG, CAMPAIGN, { now: NOW });
    expect(hotOnly.events).toBe(campaignClicks - expired.filter((click) => click.campaignId === CAMPAIGN).length);
    expect(hotOnly.differences.length).toBeGreaterThan(0);
  });

  it('counts old hot clicks the archive does not hold (a batch still dead-lettered)', async () => {
    archive = directoryObjectStore(join(directory, 'b'));
    await writeEvents(all);
    const records = all.map(insertRecord);
    expect((await processStreamBatch(records)).batchItemFailures).toEqual([]);
    // Only the expired and the recent clicks reached the archive.
    await archiveBatch([...records.slice(0, expired.length), ...records.slice(expired.length + oldButHot.length)], archive);
    await deleteHot(expired);
    const report = await reconcileCampaign(ORG, CAMPAIGN, { archive, now: NOW });
    expect(report.differences).toEqual([]);
    expect(report.events).toBe(all.filter((click) => click.campaignId === CAMPAIGN).length);
  });

  it('counts shares like clicks: kept hot as long, archived, and recounted from hot ∪ archive after expiry', async () => {
    archive = directoryObjectStore(join(directory, 'c'));
    // TTL removes a share when it would remove a click of the same time.
    const [first] = allShares;
    expect(shareItem(first!).expiresAt).toBe(Math.floor(Date.parse(first!.at) / 1000) + hotClickRetentionDays * 86_400);
    const events = [...all, ...allShares];
    await writeEvents(events);
    const records = events.map(insertRecord);
    expect((await processStreamBatch(records)).batchItemFailures).toEqual([]);
    await archiveBatch(records.slice(0, 50), archive);
    await archiveBatch(records.slice(50), archive);
    const campaignShares = allShares.filter((share) => share.campaignId === CAMPAIGN).length;

    const before = await reconcileCampaign(ORG, CAMPAIGN, { archive, now: NOW });
    expect(before.differences).toEqual([]);
    expect(before.shares).toBe(campaignShares);

    await deleteHot(expired);
    for (const share of expiredShares) await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName('events')]: [{ DeleteRequest: { Key: eventKeys.share(share.shareId) } }] } }));
    const after = await reconcileCampaign(ORG, CAMPAIGN, { archive, now: NOW });
    expect(after.differences).toEqual([]);
    expect(after.shares).toBe(campaignShares);

    // Without the archive the expired shares are missing, and the shares counters differ.
    const hotOnly = await reconcileCampaign(ORG, CAMPAIGN, { now: NOW });
    expect(hotOnly.shares).toBe(campaignShares - expiredShares.filter((share) => share.campaignId === CAMPAIGN).length);
    expect(hotOnly.differences.some((difference) => difference.counter === 'shares')).toBe(true);
  });
});
