/**
 * Shares (spec section 15) without a database: the rows a share adds to, its archive row and back,
 * the flood cap's minute, and the decisions of the record-share use case on an in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { recordShare, type ShareStore } from '../../shared/application/record-share.js';
import { archiveDateOf, archivePartition, archiveRowOf } from '../../shared/domain/archive.js';
import { shareOfArchiveRow } from '../../shared/domain/archive-rows.js';
import { rawEventSchema, type ShareEventRecord } from '../../shared/domain/events.js';
import type { Principal } from '../../shared/domain/principal.js';
import type { Campaign } from '../../shared/domain/resources.js';
import { coalesce, planTransactions, shareContributions } from '../../shared/domain/rollup.js';
import { shareMinuteOf } from '../../shared/domain/share-minute.js';
import { shareFloodCapPerMinute } from '../../shared/settings.js';
import { sampleShare } from '../support/archive-events.js';

const share = (overrides: Partial<ShareEventRecord> = {}): ShareEventRecord => sampleShare(0, { orgId: 'o', campaignId: 'c', advocateId: 'alice', at: '2026-11-02T09:30:00.000Z', ...overrides });

describe('shareContributions', () => {
  it('adds 1 share to the daily and all-time rows of campaign, advocate, channel and department, and to no link or breakdown row', () => {
    const rows = shareContributions(share({ channel: 'x', department: 'sales' }));
    expect(rows.map(({ row }) => `${row.dimension}/${row.period}/${row.key}`).sort()).toEqual(
      [
        'advocate/*/alice',
        'advocate/2026-11-02/alice',
        'campaign/*/all',
        'campaign/2026-11-02/all',
        'channel/*/x',
        'channel/2026-11-02/x',
        'department/*/sales',
        'department/2026-11-02/sales',
      ].sort(),
    );
    for (const { counters } of rows) expect(counters).toEqual({ shares: 1 });
  });

  it('files an advocate without a department under "unassigned", as a click does', () => {
    const rows = shareContributions(share({ department: undefined }));
    expect(rows.filter(({ row }) => row.dimension === 'department').map(({ row }) => row.key)).toEqual(['unassigned', 'unassigned']);
  });

  it('sums shares per row and plans them under their own ledger ids', () => {
    const shares = [share({ eventId: 'sh1' }), share({ eventId: 'sh2' }), share({ eventId: 'sh3', channel: 'email' })];
    const rows = coalesce(shares.flatMap(shareContributions));
    const campaignAllTime = [...rows.values()].find(({ row }) => row.dimension === 'campaign' && row.period === '*');
    expect(campaignAllTime?.counters).toEqual({ shares: 3 });
    const plans = planTransactions(shares.map((event) => ({ event, eventId: event.eventId, kind: 'share' as const, contributions: shareContributions(event) })));
    expect(plans.flatMap((plan) => plan.events.map((event) => event.eventId)).sort()).toEqual(['sh1', 'sh2', 'sh3']);
  });
});

describe('shares in the archive', () => {
  it('files a share under type=share on its own date and reads it back unchanged', () => {
    for (const event of [sampleShare(0), sampleShare(1)]) {
      expect(archivePartition(event.orgId, 'share', archiveDateOf(event))).toBe(`events/org=org_archive/type=share/date=${event.at.slice(0, 10)}`);
      expect(shareOfArchiveRow(archiveRowOf(event))).toEqual(event);
      expect(rawEventSchema.parse(event)).toEqual(event);
    }
  });

  it('is not a share when a row lacks what a share has', () => {
    const row = archiveRowOf(sampleShare(2));
    expect(shareOfArchiveRow({ ...row, recorded_by: 'somebody' })).toBeUndefined();
    expect(shareOfArchiveRow({ ...row, at: null })).toBeUndefined();
  });
});

describe('shareMinuteOf', () => {
  it('names the UTC minute and the seconds left in it, at least 1', () => {
    expect(shareMinuteOf(Date.parse('2026-11-02T09:30:00.000Z'))).toEqual({ minute: '2026-11-02T09:30', endMs: Date.parse('2026-11-02T09:31:00.000Z'), retryAfterSeconds: 60 });
    expect(shareMinuteOf(Date.parse('2026-11-02T09:30:59.100Z')).retryAfterSeconds).toBe(1);
    expect(shareMinuteOf(Date.parse('2026-11-02T09:30:59.999Z')).retryAfterSeconds).toBe(1);
    expect(shareMinuteOf(Date.parse('2026-11-02T23:59:30.000Z')).minute).toBe('2026-11-02T23:59');
  });
});

const campaign = (status: Campaign['status']): Campaign => ({
  campaignId: 'cmp_1',
  name: 'Launch',
  destinationUrl: 'https://acme.example/',
  allowedHosts: ['acme.example'],
  utm: { medium: 'employee_advocacy', campaign: 'launch' },
  attribution: { model: 'last_click', lookbackDays: 30 },
  status,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
});

/** An in-memory store with the conditional counter's rule: a slot only while the minute is under the cap. */
const memoryStore = (options: { status?: Campaign['status']; advocates?: string[] } = {}) => {
  const stored: ShareEventRecord[] = [];
  const counters = new Map<string, number>();
  const created: string[] = [];
  const store: ShareStore = {
    campaign: async (orgId, campaignId) => (orgId === 'org_1' && campaignId === 'cmp_1' ? campaign(options.status ?? 'active') : undefined),
    advocate: async (_orgId, advocateId, createIfMissing) => {
      if ((options.advocates ?? ['alice', 'bob']).includes(advocateId)) return { advocateId, displayName: advocateId, department: 'sales', createdAt: '', updatedAt: '' };
      if (!createIfMissing) return undefined;
      created.push(advocateId);
      return { advocateId, displayName: advocateId, createdAt: '', updatedAt: '' };
    },
    takeSlot: async (orgId, advocateId, minute) => {
      const key = `${orgId}/${advocateId}/${minute}`;
      const count = counters.get(key) ?? 0;
      if (count >= shareFloodCapPerMinute) return false;
      counters.set(key, count + 1);
      return true;
    },
    putShare: async (event) => {
      stored.push(event);
    },
  };
  return { store, stored, counters, created };
};

const advocate = (advocateId = 'alice'): Principal & { kind: 'advocate' } => ({ kind: 'advocate', orgId: 'org_1', advocateId });
const key: Principal & { kind: 'apiKey' } = { kind: 'apiKey', orgId: 'org_1', keyId: 'k', scopes: ['links:write'] };
const NOW = Date.parse('2026-11-02T09:30:15.000Z');

describe('recordShare', () => {
  it("records an advocate's own share with its department, time and who sent it", async () => {
    const { store, stored } = memoryStore();
    const answer = await recordShare(advocate(), { campaignId: 'cmp_1', channel: 'linkedin' }, store, NOW);
    expect(answer.kind).toBe('recorded');
    expect(stored).toEqual([
      expect.objectContaining({ type: 'share', orgId: 'org_1', campaignId: 'cmp_1', advocateId: 'alice', channel: 'linkedin', department: 'sales', at: '2026-11-02T09:30:15.000Z', recordedBy: 'advocate' }),
    ]);
    expect(stored[0]!.eventId).toBe(`sh${stored[0]!.shareId}`);
  });

  it('records on behalf with an API key naming an existing advocate, and creates an advocate token’s own advocate on first use', async () => {
    const { store, stored, created } = memoryStore();
    expect((await recordShare(key, { campaignId: 'cmp_1', channel: 'x', advocateId: 'bob' }, store, NOW)).kind).toBe('recorded');
    expect(stored[0]).toMatchObject({ advocateId: 'bob', recordedBy: 'apiKey' });
    expect((await recordShare(key, { campaignId: 'cmp_1', channel: 'x', advocateId: 'nobody' }, store, NOW)).kind).toBe('advocateNotFound');
    expect((await recordShare(advocate('newcomer'), { campaignId: 'cmp_1', channel: 'x' }, store, NOW)).kind).toBe('recorded');
    expect(created).toEqual(['newcomer']);
  });

  it('refuses, recording nothing and taking no slot: another advocate, no advocate with a key, archived, unknown or foreign campaigns', async () => {
    const { store, stored, counters } = memoryStore();
    expect((await recordShare(advocate(), { campaignId: 'cmp_1', channel: 'x', advocateId: 'bob' }, store, NOW)).kind).toBe('forbidden');
    expect((await recordShare(key, { campaignId: 'cmp_1', channel: 'x' }, store, NOW)).kind).toBe('advocateRequired');
    expect((await recordShare(advocate(), { campaignId: 'cmp_2', channel: 'x' }, store, NOW)).kind).toBe('campaignNotFound');
    expect((await recordShare({ ...advocate(), orgId: 'org_2' }, { campaignId: 'cmp_1', channel: 'x' }, store, NOW)).kind).toBe('campaignNotFound');
    const archived = memoryStore({ status: 'archived' });
    expect((await recordShare(advocate(), { campaignId: 'cmp_1', channel: 'x' }, archived.store, NOW)).kind).toBe('campaignNotFound');
    expect([...stored, ...archived.stored]).toEqual([]);
    expect(counters.size + archived.counters.size).toBe(0);
  });

  it(`records ${shareFloodCapPerMinute} shares of an advocate in a minute, then answers flooded with the seconds left, and again the next minute`, async () => {
    const { store, stored } = memoryStore();
    const answers = [];
    for (let n = 0; n < shareFloodCapPerMinute + 3; n++) answers.push(await recordShare(advocate(), { campaignId: 'cmp_1', channel: 'x' }, store, NOW + n));
    expect(answers.filter((answer) => answer.kind === 'recorded')).toHaveLength(shareFloodCapPerMinute);
    expect(answers.slice(shareFloodCapPerMinute)).toEqual(Array(3).fill({ kind: 'flooded', retryAfterSeconds: 45 }));
    expect(stored).toHaveLength(shareFloodCapPerMinute);
    // Another advocate has a cap of its own; the next minute starts afresh.
    expect((await recordShare(advocate('bob'), { campaignId: 'cmp_1', channel: 'x' }, store, NOW)).kind).toBe('recorded');
    expect((await recordShare(advocate(), { campaignId: 'cmp_1', channel: 'x' }, store, NOW + 45_000)).kind).toBe('recorded');
    expect(new Set(stored.map((event) => event.shareId)).size).toBe(stored.length);
  });
});
