/**
 * Shares end to end (spec section 15) over HTTP against the local runtime: POST /v1/shares with
 * an advocate token and on behalf with an API key; archived, unknown and foreign campaigns answer
 * the same 404; refused requests record nothing; the flood cap answers 429 with Retry-After past
 * `shareFloodCapPerMinute` and counts every share under it; shares reach the roll-ups through the
 * stream (attribution totals and rows, leaderboard `metric=shares`, advocate stats) and reconcile
 * to 0 differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { shareFloodCapPerMinute } from '../../shared/settings.js';
import type { Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let other: { orgId: string; apiKey: string };
let campaignId: string;
let archivedCampaignId: string;
let foreignCampaignId: string;
let alice: string;

const problemOf = (response: { status: number; headers: Headers; body: any }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return response.body;
};

const createCampaign = async (token: string, name: string): Promise<string> => {
  const created = await api('POST', '/v1/campaigns', { token, body: { name, destinationUrl: 'https://www.acme.example/jobs' } });
  expect(created.status).toBe(201);
  return created.body.campaignId;
};

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  other = await system.createOrganization('Globex');
  campaignId = await createCampaign(org.apiKey, 'Hiring 2027');
  archivedCampaignId = await createCampaign(org.apiKey, 'Old news');
  expect((await api('PATCH', `/v1/campaigns/${archivedCampaignId}`, { token: org.apiKey, body: { status: 'archived' } })).status).toBe(200);
  foreignCampaignId = await createCampaign(other.apiKey, 'Globex jobs');
  for (const [advocateId, department] of [['alice', 'sales'], ['bob', 'engineering'], ['carol', 'sales']]) {
    expect((await api('PUT', `/v1/advocates/${advocateId}`, { token: org.apiKey, body: { displayName: advocateId.toUpperCase(), department } })).status).toBe(201);
  }
  alice = await system.advocateToken(org.orgId, 'alice');
});

afterAll(async () => {
  await system?.stop();
});

const share = (token: string, body: unknown) => api('POST', '/v1/shares', { token, body });

describe('POST /v1/shares', () => {
  it('records shares of advocates and, with links:write, on their behalf; refuses everything else and records nothing for it', async () => {
    const own = await share(alice, { campaignId, channel: 'linkedin' });
    expect(own.status).toBe(202);
    expect(own.body).toMatchObject({ campaignId, advocateId: 'alice', channel: 'linkedin', status: 'accepted' });
    expect(own.body.shareId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect((await share(alice, { campaignId, channel: 'linkedin', advocateId: 'alice' })).status).toBe(202);
    expect((await share(alice, { campaignId, channel: 'x' })).status).toBe(202);
    const onBehalf = await share(org.apiKey, { campaignId, channel: 'email', advocateId: 'bob' });
    expect(onBehalf.status).toBe(202);
    expect(onBehalf.body.advocateId).toBe('bob');

    // Archived, unknown and another organization's campaigns: one answer, nothing to tell apart.
    const notFound = [archivedCampaignId, foreignCampaignId, 'cmp_00000000000000000000', 'nonsense'].map(
      async (id) => problemOf(await share(alice, { campaignId: id, channel: 'linkedin' }), 404).detail,
    );
    expect(new Set(await Promise.all(notFound))).toEqual(new Set(['Campaign not found']));
    problemOf(await share(other.apiKey, { campaignId, channel: 'linkedin', advocateId: 'alice' }), 404);

    expect(problemOf(await share(alice, { campaignId, channel: 'linkedin', advocateId: 'bob' }), 403).detail).toMatch(/own shares/);
    expect(problemOf(await share(org.apiKey, { campaignId, channel: 'linkedin' }), 422).errors).toEqual([{ field: 'advocateId', message: 'is required' }]);
    problemOf(await share(org.apiKey, { campaignId, channel: 'linkedin', advocateId: 'nobody' }), 404);
    problemOf(await share(alice, { campaignId, channel: 'myspace' }), 422);
    problemOf(await share(alice, { campaignId, channel: 'linkedin', extra: 1 }), 422);
    problemOf(await api('POST', '/v1/shares', { token: alice, rawBody: '{"campaignId":', headers: { 'content-type': 'application/json' } }), 400);
    problemOf(await share('', { campaignId, channel: 'linkedin' }), 401);
    const reader = await api('POST', '/v1/api-keys', { token: org.apiKey, body: { scopes: ['analytics:read'] } });
    problemOf(await share(reader.body.apiKey, { campaignId, channel: 'linkedin', advocateId: 'bob' }), 403);

    await system.streamsIdle();
    const report = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=channel`, { token: org.apiKey });
    expect(report.body.totals).toMatchObject({ shares: 4, clicks: 0 });
    expect(Object.fromEntries(report.body.rows.map((row: any) => [row.key, row.shares]))).toEqual({ linkedin: 2, x: 1, email: 1 });
    const byDepartment = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=department`, { token: org.apiKey });
    expect(Object.fromEntries(byDepartment.body.rows.map((row: any) => [row.key, row.shares]))).toEqual({ sales: 3, engineering: 1 });
    const byDay = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=day`, { token: org.apiKey });
    expect(byDay.body.rows).toEqual([expect.objectContaining({ key: own.body.at.slice(0, 10), shares: 4 })]);
    // Shares have no viewer and no link: their breakdown and link rows do not exist.
    const byCountry = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=country`, { token: org.apiKey });
    expect(byCountry.body.rows).toEqual([]);
    // A foreign or archived campaign gained nothing.
    const archivedReport = await api('GET', `/v1/campaigns/${archivedCampaignId}/attribution`, { token: org.apiKey });
    expect(archivedReport.body.totals.shares).toBe(0);
  });

  it('ranks by shares, carries shares in advocate stats, and reconciles', async () => {
    await system.streamsIdle();
    const board = await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=shares`, { token: org.apiKey });
    expect(board.status).toBe(200);
    expect(board.body.metric).toBe('shares');
    expect(board.body.rows.slice(0, 2).map((row: any) => [row.rank, row.advocateId, row.shares])).toEqual([
      [1, 'alice', 3],
      [2, 'bob', 1],
    ]);
    const stats = await api('GET', '/v1/advocates/alice/stats', { token: alice });
    expect(stats.status).toBe(200);
    // Alice has no link in the campaign: stats list the campaigns of the advocate's links.
    const ownLink = await api('POST', '/v1/links', { token: alice, body: { campaignId, channel: 'linkedin' } });
    expect(ownLink.status).toBe(201);
    const withLink = await api('GET', '/v1/advocates/alice/stats', { token: alice });
    expect(withLink.body.campaigns).toEqual([expect.objectContaining({ campaignId, shares: 3, clicks: 0 })]);

    const report = await reconcileCampaign(org.orgId, campaignId);
    expect(report.differences).toEqual([]);
    expect(report.shares).toBe(4);
  });

  it(`counts shares up to ${shareFloodCapPerMinute} per advocate and minute, and refuses the rest with 429 and Retry-After`, async () => {
    const carol = await system.advocateToken(org.orgId, 'carol');
    // The cap counts per UTC minute: start the burst with the minute ahead of it, so that all of it
    // falls in one minute (a clock alignment, not a readiness wait).
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
    const burst = shareFloodCapPerMinute + 5;
    const answers = await Promise.all(Array.from({ length: burst }, (_, n) => share(carol, { campaignId, channel: n % 2 ? 'x' : 'facebook' })));
    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(accepted).toHaveLength(shareFloodCapPerMinute);
    expect(refused).toHaveLength(burst - shareFloodCapPerMinute);
    for (const answer of refused) {
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(problemOf(answer, 429).detail).toMatch(new RegExp(`At most ${shareFloodCapPerMinute} shares`));
    }
    // Another advocate is not held back by carol's flood.
    expect((await share(org.apiKey, { campaignId, channel: 'x', advocateId: 'bob' })).status).toBe(202);

    await system.streamsIdle();
    const board = await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=shares`, { token: org.apiKey });
    const shares = Object.fromEntries(board.body.rows.map((row: any) => [row.advocateId, row.shares]));
    expect(shares).toEqual({ carol: shareFloodCapPerMinute, alice: 3, bob: 2 });
    expect(board.body.rows[0]).toMatchObject({ rank: 1, advocateId: 'carol' });
    expect((await reconcileCampaign(org.orgId, campaignId)).differences).toEqual([]);
  });
});
