/**
 * The redirect's unique-click rule without a database read: a returning browser brings its
 * recent clicks in the `eac` cookie; without it (or with a bad one) the redirect reads them.
 * Both paths must count the same.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let apiKey: string;
const slugs: string[] = [];

const click = async (slug: string, cookies: string[] = []) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, {
    redirect: 'manual',
    headers: { 'user-agent': browserUserAgents.chromeDesktop, ...(cookies.length ? { cookie: cookies.join('; ') } : {}) },
  });
  expect(response.status).toBe(302);
  return response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);
};

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  const org = await system.createOrganization('Memory Inc.');
  apiKey = org.apiKey;
  const campaign = await api('POST', '/v1/campaigns', { token: apiKey, body: { name: 'Memory', destinationUrl: 'https://memory.example/' } });
  await api('PUT', '/v1/advocates/ann', { token: apiKey, body: { displayName: 'Ann' } });
  for (const channel of ['linkedin', 'email']) {
    const link = await api('POST', '/v1/links', { token: apiKey, body: { campaignId: campaign.body.campaignId, channel, advocateId: 'ann' } });
    slugs.push(link.body.slug);
  }
});

afterAll(async () => {
  await system?.stop();
});

it('counts a returning browser the same with and without its click memory', async () => {
  const [first, second] = slugs;
  const cookies = await click(first);
  expect(cookies.map((cookie) => cookie.split('=')[0])).toEqual(['eav', 'eac']);
  const visitor = cookies[0];

  const withMemory = await click(first, cookies); // not unique: remembered
  await click(first, [visitor]); // not unique: read from the table
  await click(first, [visitor, 'eac=garbage']); // not unique: bad memory, read from the table
  expect(withMemory.map((cookie) => cookie.split('=')[0])).toEqual(['eac']); // the visitor cookie is not renewed
  await click(second, [visitor, ...withMemory]); // unique: another link

  await system.streamsIdle();
  const stats = async (slug: string) => (await api('GET', `/v1/links/${slug}`, { token: apiKey })).body.stats;
  expect(await stats(first)).toEqual({ clicks: 4, uniqueClicks: 1, botClicks: 0 });
  expect(await stats(second)).toEqual({ clicks: 1, uniqueClicks: 1, botClicks: 0 });
});
