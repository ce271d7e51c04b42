/**
 * Employees in rankings (spec section 16) over HTTP against the local runtime: an advocate's own
 * choice (named, pseudonymous, hidden) over the organization's default, in the leaderboard, the
 * attribution rows and the advocate's own stats; offboarding.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableName } from '../../shared/adapters/config.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { entityKeys } from '../../shared/adapters/keys.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let campaignId: string;
const slugs: Record<string, string> = {};

/** Clicks per advocate: distinct, so the order is clicks descending. */
const CLICKS = { ana: 4, ben: 3, cleo: 2, dan: 1 } as const;

const leaderboard = async () => (await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=clicks&limit=10`, { token: org.apiKey })).body;
const setOrganizationDefault = (value: string) =>
  documentClient().send(
    new UpdateCommand({ TableName: tableName('entities'), Key: entityKeys.org(org.orgId), UpdateExpression: 'SET rankingDefault = :v', ExpressionAttributeValues: { ':v': value } }),
  );

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Rankings Co');
  const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Ranked', destinationUrl: 'https://www.example.com/jobs' } });
  campaignId = campaign.body.campaignId;
  for (const [advocateId, clicks] of Object.entries(CLICKS)) {
    await api('PUT', `/v1/advocates/${advocateId}`, { token: org.apiKey, body: { displayName: `${advocateId[0]!.toUpperCase()}${advocateId.slice(1)} Real`, department: 'sales' } });
    const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId, channel: 'linkedin' } });
    slugs[advocateId] = link.body.slug;
    for (let i = 0; i < clicks; i++) {
      const response = await fetch(`${system.baseUrl}/${link.body.slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
      expect(response.status).toBe(302);
    }
  }
  await system.streamsIdle();
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('ranking visibility', () => {
  it('names everyone by default; an advocate chooses pseudonymous or hidden with its own token', async () => {
    expect((await leaderboard()).rows.map((r: any) => r.displayName)).toEqual(['Ana Real', 'Ben Real', 'Cleo Real', 'Dan Real']);

    const ben = await system.advocateToken(org.orgId, 'ben');
    const chose = await api('PATCH', '/v1/advocates/ben', { token: ben, body: { rankingVisibility: 'pseudonymous' } });
    expect(chose.status).toBe(200);
    expect(chose.body.rankingVisibility).toBe('pseudonymous');
    const cleo = await system.advocateToken(org.orgId, 'cleo');
    expect((await api('PATCH', '/v1/advocates/cleo', { token: cleo, body: { rankingVisibility: 'hidden' } })).status).toBe(200);
    // Another advocate's id is not found; a bad value changes nothing.
    expect((await api('PATCH', '/v1/advocates/ana', { token: ben, body: { rankingVisibility: 'hidden' } })).status).toBe(404);
    expect((await api('PATCH', '/v1/advocates/ben', { token: ben, body: { rankingVisibility: 'secret' } })).status).toBe(422);
    expect((await api('PATCH', '/v1/advocates/ben', { token: ben, body: { rankingVisibility: 'named', extra: 1 } })).status).toBe(422);

    const board = await leaderboard();
    // Cleo is left out, and her rank is not given to Dan; Ben shows a stable pseudonym, not his id.
    expect(board.rows.map((r: any) => [r.rank, r.displayName])).toEqual([
      [1, 'Ana Real'],
      [2, expect.stringMatching(/^Advocate [0-9a-f]{6}$/)],
      [4, 'Dan Real'],
    ]);
    const pseudonym = board.rows[1];
    expect(pseudonym.advocateId).toMatch(/^anon-[0-9a-f]{12}$/);
    expect(pseudonym.department).toBeUndefined();
    expect(JSON.stringify(board)).not.toContain('ben');
    expect(JSON.stringify(board)).not.toContain('cleo');
    expect((await leaderboard()).rows[1]).toEqual(pseudonym);

    // The attribution rows follow it; the totals still count everyone.
    const attribution = (await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=advocate`, { token: org.apiKey })).body;
    expect(attribution.rows.map((r: any) => [r.key, r.label])).toEqual(
      expect.arrayContaining([
        ['ana', 'Ana Real'],
        [pseudonym.advocateId, pseudonym.displayName],
        ['dan', 'Dan Real'],
      ]),
    );
    expect(attribution.rows).toHaveLength(3);
    expect(attribution.totals.clicks).toBe(10);

    // Each still sees its own name and rank.
    const own = (await api('GET', '/v1/advocates/cleo/stats', { token: cleo })).body;
    expect(own).toMatchObject({ displayName: 'Cleo Real', rankingVisibility: 'hidden' });
    // Stats rank by conversions: none yet, so all four share rank 1.
    expect(own.campaigns[0]).toMatchObject({ rank: 1, clicks: 2, advocates: 4 });
  });

  it("applies the organization's default to advocates without a choice of their own; null returns to it", async () => {
    await setOrganizationDefault('pseudonymous');
    const board = await leaderboard();
    expect(board.rows.map((r: any) => r.displayName)).toEqual([
      expect.stringMatching(/^Advocate /),
      expect.stringMatching(/^Advocate /),
      expect.stringMatching(/^Advocate /),
    ]);
    // An API key with advocates:write may set it too (HR acting on a request).
    expect((await api('PATCH', '/v1/advocates/ana', { token: org.apiKey, body: { rankingVisibility: 'named' } })).body.rankingVisibility).toBe('named');
    expect((await leaderboard()).rows[0].displayName).toBe('Ana Real');
    const cleared = await api('PATCH', '/v1/advocates/ana', { token: org.apiKey, body: { rankingVisibility: null } });
    expect(cleared.body.rankingVisibility).toBeUndefined();
    expect((await leaderboard()).rows[0].displayName).toMatch(/^Advocate /);
    await setOrganizationDefault('named');
  });

  it('offboards an advocate: name erased, links redirect and record nothing, past counts under its pseudonym; idempotent', async () => {
    const first = await api('DELETE', '/v1/advocates/ana', { token: org.apiKey });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ advocateId: 'ana', displayName: expect.stringMatching(/^Advocate [0-9a-f]{6}$/), offboardedAt: expect.any(String) });
    expect(first.body.department).toBeUndefined();
    const again = await api('DELETE', '/v1/advocates/ana', { token: org.apiKey });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await api('DELETE', '/v1/advocates/nobody', { token: org.apiKey })).status).toBe(404);

    const redirect = await fetch(`${system.baseUrl}/${slugs.ana}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).not.toContain('eaclid=');
    await system.streamsIdle();

    const board = await leaderboard();
    expect(board.rows[0]).toMatchObject({ rank: 1, clicks: 4, displayName: first.body.displayName });
    expect(JSON.stringify(board)).not.toContain('Ana');
    // The id is not named or given links again; its choice cannot change.
    expect((await api('PUT', '/v1/advocates/ana', { token: org.apiKey, body: { displayName: 'Ana Again' } })).status).toBe(409);
    expect((await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'ana', channel: 'x' } })).status).toBe(409);
    expect((await api('PATCH', '/v1/advocates/ana', { token: org.apiKey, body: { rankingVisibility: 'named' } })).status).toBe(409);
    expect((await reconcileCampaign(org.orgId, campaignId)).differences).toEqual([]);
  });
});
