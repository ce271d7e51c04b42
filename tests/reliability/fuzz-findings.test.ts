/**
 * What the fuzzing found, replayed as fixed examples, so a regression fails every run and not
 * only when a random seed happens upon it again (docs/reliability.md lists the fixes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignIndexShards } from '../../infra/definitions.js';
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
  it('an advocate’s stats up to a far-away day answer at once (no read per day of the range)', async () => {
    const started = Date.now();
    const answer = await world.call('GET', '/v1/advocates/carol/stats?to=9999-12-31', { token: world.victim.adminKey });
    expect(answer.status, answer.body).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
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
