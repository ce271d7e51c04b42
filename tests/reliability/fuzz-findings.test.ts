/**
 * What the fuzzing found, replayed as fixed examples, so a regression fails every run and not
 * only when a random seed happens upon it again (docs/reliability.md lists the fixes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignIndexShards, rollupPartitionShards } from '../../shared/settings.js';
import { tableName } from '../../shared/adapters/config.js';
import { watchTables } from './support/table-watch.js';
import { startWorld, type World } from './support/world.js';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world?.stop();
});

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const expectProblem = (answer: { status: number; headers: Record<string, unknown>; body: string }, status: number) => {
  expect(answer.status, answer.body).toBe(status);
  expect(String(answer.headers['content-type'])).toMatch(/^application\/problem\+json/);
};

describe('ids longer than DynamoDB keys allow are not found, not a 500', () => {
  const long = 'a'.repeat(3000);
  it.each([
    ['GET', `/v1/campaigns/${long}`],
    ['PATCH', `/v1/campaigns/${long}`],
    ['GET', `/v1/campaigns/${long}/attribution`],
    ['DELETE', `/v1/api-keys/${long}`],
    ['POST', `/v1/webhook-sources/${long}/rotate`],
  ])('%s %s…', async (method, target) => {
    const answer = await world.call(method, target, { token: world.victim.adminKey, ...(method === 'PATCH' ? { body: { name: 'x' } } : {}) });
    expectProblem(answer, 404);
  });
});

describe('forged cursors of the caller’s own organization are refused with 400', () => {
  const forged = (orgId: string) => [
    { o: orgId, k: { pk: `ORG#${orgId}` } },
    { o: orgId, k: { pk: `ORG#${orgId}`, sk: 5 } },
    { o: orgId, k: { pk: `ORG#${orgId}`, sk: 'CAMPAIGN#x', extra: 'x' } },
    { o: orgId, k: { pk: `ORG#${orgId}`, sk: 'x'.repeat(5000) } },
    { o: orgId, k: { pk: `ORG#${orgId}`, sk: { nested: true } } },
  ];

  it('GET /v1/campaigns', async () => {
    for (const value of forged(world.victim.orgId)) {
      expectProblem(await world.call('GET', `/v1/campaigns?cursor=${cursor(value)}`, { token: world.victim.adminKey }), 400);
    }
  });

  it('GET /v1/links and GET /v1/campaigns/{id}/events', async () => {
    const { orgId, campaignId } = world.victim;
    const linksPartition = `ORG#${orgId}#CAMPAIGN#${campaignId}#LINKS`;
    for (const k of [{ gsi1pk: linksPartition }, { gsi1pk: linksPartition, gsi1sk: 'x', pk: 'LINK#x' }, { gsi1pk: linksPartition, gsi1sk: 1, pk: 'a', sk: 'b' }]) {
      const answer = await world.call('GET', `/v1/links?campaignId=${campaignId}&cursor=${cursor({ o: orgId, k })}`, { token: world.victim.adminKey });
      expectProblem(answer, 400);
    }
    const eventsPartition = `${orgId}#${campaignId}`;
    const position = '2026-11-27T14:45:06.716Z#01M8EQF6PMDZRCCCHCKP2GY0ZZ';
    const positions = (count: number) => new Array(count).fill(position);
    for (const k of [
      { gsi1pk: eventsPartition },
      { gsi1pk: eventsPartition, gsi1sk: 'x', pk: 'V#x', sk: 'C#x', more: 1 },
      // Raw-event cursors hold one position per write shard of the byCampaign index.
      { after: positions(campaignIndexShards + 1) },
      { after: [...positions(campaignIndexShards - 1), 'not a sort key'] },
      { after: [...positions(campaignIndexShards - 1), 5] },
      { after: positions(campaignIndexShards), extra: 1 },
    ]) {
      const answer = await world.call('GET', `/v1/campaigns/${campaignId}/events?cursor=${cursor({ o: orgId, k })}`, { token: world.victim.adminKey });
      expectProblem(answer, 400);
    }
  });
});

describe('ranges', () => {
  const DAY_MS = 86_400_000;
  const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  /** The analytics function's own reads for one request (the authorizer's are not the route's). */
  const readsOfStats = async (query: string) => {
    const { result: answer, recording } = await watchTables(() =>
      world.call('GET', `/v1/advocates/carol/stats?${query}`, { token: world.victim.adminKey }),
    );
    expect(answer.status, answer.body).toBe(200);
    const reads = recording.reads.filter((read) => read.fn === 'analytics');
    return {
      answer: answer.json,
      calls: reads.map((read) => read.command).sort(),
      items: reads.reduce((sum, read) => sum + read.items.length, 0),
    };
  };

  beforeAll(async () => {
    // One human click on carol's link, rolled up: her campaign has a daily row today, so the
    // ranges below have something to find and the count of items read means something.
    const click = await world.gateway.send({
      method: 'GET',
      target: `/${world.victim.carolSlug}`,
      headers: [['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36']],
    });
    expect(click.status).toBe(302);
    const { startStreamPoller } = await import('../../infra/local/stream-poller.js');
    const { handler } = await import('../../functions/rollup.js');
    const poller = await startStreamPoller({
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: tableName('events'),
      handler,
      settings: { maxBatchingWindowSeconds: 0 },
      quiet: true,
    });
    try {
      await poller.drain({ timeoutMs: 60_000 });
      expect(poller.deadLetters()).toEqual([]);
    } finally {
      await poller.stop();
    }
  });

  it('an advocate’s stats up to a far-away day read as much as a week’s (no read per day of the range)', async () => {
    const today = Date.now();
    const week = await readsOfStats(`from=${utcDate(today - 6 * DAY_MS)}&to=${utcDate(today)}`);
    const year = await readsOfStats(`from=${utcDate(today - 365 * DAY_MS)}&to=${utcDate(today)}`);
    // From 2000-01-01 (the default start) to the last day there is: about 2.9 million days.
    const farAway = await readsOfStats('to=9999-12-31');

    // By hand: the advocate (one BatchGetItem), her links (one Query), her one campaign and her
    // organization's ranking default (one GetItem each), then one Query per partition of the
    // campaign's advocate roll-up — whatever the range. Items: carol, her link, the campaign, the
    // organization and the campaign's advocate rows of today (carol's click; the rank reads every
    // advocate's rows of the range) — the same items for a week as for millions of days.
    const expectedCalls = [
      'BatchGetItemCommand',
      'GetItemCommand',
      'GetItemCommand',
      ...Array<string>(rollupPartitionShards.advocate + 1).fill('QueryCommand'),
    ];
    for (const [name, reads] of Object.entries({ week, year, farAway })) {
      expect(reads.calls, name).toEqual(expectedCalls);
      expect(reads.items, name).toBe(week.items);
      expect(reads.items, name).toBeLessThanOrEqual(6);
      expect(reads.answer.campaigns, name).toEqual([expect.objectContaining({ campaignId: world.victim.campaignId, clicks: 1 })]);
    }
  });
});

describe('concurrent rotations of one webhook source (found once the fuzzing sent well-formed requests)', () => {
  it('each answers 200 or 409 problem+json, never a 500, and at least one rotates', async () => {
    const target = `/v1/webhook-sources/${world.victim.spareSourceId}/rotate`;
    const answers = await Promise.all(Array.from({ length: 12 }, () => world.call('POST', target, { token: world.victim.adminKey })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status !== 200 && status !== 409), JSON.stringify(statuses)).toEqual([]);
    expect(statuses).toContain(200);
    for (const answer of answers.filter((a) => a.status === 409)) expectProblem(answer, 409);
  });
});
