/**
 * End to end over HTTP against the local runtime (real DynamoDB Local, real stream poller):
 * campaigns, advocates, links, the redirect, bot handling, click counting, errors, scopes and
 * tenant isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/contract/routes.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let campaignId: string;

const problemOf = (response: { status: number; headers: Headers; body: any }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
  return response.body;
};

const click = (slug: string, userAgent: string, init: { cookie?: string; method?: string; query?: string } = {}) =>
  fetch(`${system.baseUrl}/${slug}${init.query ?? ''}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: { 'user-agent': userAgent, ...(init.cookie ? { cookie: init.cookie } : {}) },
  });

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  const campaign = await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: 'Spring Launch 2026', destinationUrl: 'https://www.acme.example/jobs?ref=adv' },
  });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.campaignId;
});

afterAll(async () => {
  await system?.stop();
});

describe('campaigns', () => {
  it('creates a campaign with the documented defaults', async () => {
    const { body, status } = await api('GET', `/v1/campaigns/${campaignId}`, { token: org.apiKey });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: 'Spring Launch 2026',
      destinationUrl: 'https://www.acme.example/jobs?ref=adv',
      allowedHosts: ['www.acme.example'],
      utm: { medium: 'employee_advocacy', campaign: 'spring-launch-2026' },
      attribution: { model: 'last_click', lookbackDays: 30 },
      status: 'active',
    });
    const list = await api('GET', '/v1/campaigns?limit=10', { token: org.apiKey });
    expect(list.body.items.map((c: any) => c.campaignId)).toContain(campaignId);
  });

  it('refuses destinations that are not http(s) or outside the allowed hosts', async () => {
    for (const destinationUrl of ['javascript:alert(1)', '//evil.example/x', 'https://user@evil.example/', 'data:text/html,hi']) {
      const response = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Bad', destinationUrl } });
      expect(problemOf(response, 422).errors[0].field).toBe('destinationUrl');
    }
    const outside = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Bad', destinationUrl: 'https://evil.example/', allowedHosts: ['acme.example'] },
    });
    problemOf(outside, 422);
  });

  it('refuses unknown fields, malformed JSON and oversized bodies without writing', async () => {
    const unknown = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'X', destinationUrl: 'https://acme.example/', colour: 'red' },
    });
    expect(problemOf(unknown, 422).errors.length).toBeGreaterThan(0);
    problemOf(await api('POST', '/v1/campaigns', { token: org.apiKey, rawBody: '{"name":', headers: { 'content-type': 'application/json' } }), 400);
    const huge = JSON.stringify({ name: 'x'.repeat(70 * 1024), destinationUrl: 'https://acme.example/' });
    problemOf(await api('POST', '/v1/campaigns', { token: org.apiKey, rawBody: huge, headers: { 'content-type': 'application/json' } }), 413);
    const list = await api('GET', '/v1/campaigns', { token: org.apiKey });
    expect(list.body.items).toHaveLength(1);
  });
});

describe('links and the redirect', () => {
  let slug: string;
  let advocateToken: string;

  beforeAll(async () => {
    const advocate = await api('PUT', '/v1/advocates/alice', {
      token: org.apiKey,
      body: { displayName: 'Alice Martin', department: 'sales' },
    });
    expect(advocate.status).toBe(201);
    advocateToken = await system.advocateToken(org.orgId, 'alice');
  });

  it('issues a link for the advocate, and the same link again', async () => {
    const first = await api('POST', '/v1/links', { token: advocateToken, body: { campaignId, channel: 'linkedin' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ campaignId, advocateId: 'alice', channel: 'linkedin', disabled: false });
    expect(first.body.slug).toMatch(/^[A-Za-z0-9]{7,}$/);
    expect(first.body.shortUrl).toBe(`${system.publicBaseUrl}/${first.body.slug}`);
    slug = first.body.slug;

    const again = await api('POST', '/v1/links', { token: advocateToken, body: { campaignId, channel: 'linkedin' } });
    expect(again.status).toBe(200);
    expect(again.body.slug).toBe(slug);

    const viaKey = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, channel: 'linkedin', advocateId: 'alice' } });
    expect(viaKey.status).toBe(200);
    expect(viaKey.body.slug).toBe(slug);
  });

  it('redirects a browser with UTM parameters, a click id and the visitor cookie', async () => {
    const response = await click(slug, browserUserAgents.chromeDesktop, { query: '?gclid=abc' });
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://www.acme.example/jobs');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      ref: 'adv',
      utm_source: 'linkedin',
      utm_medium: 'employee_advocacy',
      utm_campaign: 'spring-launch-2026',
      utm_content: 'alice',
      gclid: 'abc',
    });
    expect(location.searchParams.get('eaclid')).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^eav=[A-Za-z0-9_-]{22};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);

    // The same browser again: a click, but not a unique one.
    const visitorCookie = cookie.split(';')[0];
    const second = await click(slug, browserUserAgents.chromeDesktop, { cookie: visitorCookie });
    expect(second.status).toBe(302);
    expect(new URL(second.headers.get('location')!).searchParams.get('eaclid')).toBeTruthy();
    // The visitor cookie is not renewed (it lives 13 months from its first click); only the click memory is rewritten.
    expect(second.headers.getSetCookie().map((set) => set.split('=')[0])).toEqual(['eac']);

    // Another browser: a unique click of its own.
    expect((await click(slug, browserUserAgents.safariIphone)).status).toBe(302);
  });

  it('redirects link previews, crawlers and HEAD without a click id or cookie', async () => {
    for (const [userAgent, method] of [
      [browserUserAgents.linkedInBot, 'GET'],
      [browserUserAgents.googlebot, 'GET'],
      [browserUserAgents.chromeDesktop, 'HEAD'],
    ]) {
      const response = await click(slug, userAgent, { method });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('eaclid')).toBeNull();
      expect(location.searchParams.get('utm_source')).toBe('linkedin');
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('counts clicks, unique clicks and bot clicks in the link stats', async () => {
    await system.streamsIdle();
    const { body, status } = await api('GET', `/v1/links/${slug}`, { token: org.apiKey });
    expect(status).toBe(200);
    expect(body.stats).toEqual({ clicks: 3, uniqueClicks: 2, botClicks: 3 });
    const own = await api('GET', `/v1/links/${slug}`, { token: advocateToken });
    expect(own.body.stats).toEqual(body.stats);
    const report = await reconcileCampaign(org.orgId, campaignId);
    expect(report.events).toBe(6);
    expect(report.differences).toEqual([]);
  });

  it('lists links by campaign and by advocate', async () => {
    const byCampaign = await api('GET', `/v1/links?campaignId=${campaignId}`, { token: org.apiKey });
    expect(byCampaign.body.items.map((l: any) => l.slug)).toContain(slug);
    const mine = await api('GET', '/v1/links', { token: advocateToken });
    expect(mine.body.items.map((l: any) => l.slug)).toEqual([slug]);
    problemOf(await api('GET', '/v1/links', { token: org.apiKey }), 400);
  });

  it('refuses a deep link outside the campaign hosts (no open redirect)', async () => {
    for (const destinationUrl of [
      'https://evil.example/',
      'https://www.acme.example.evil.example/',
      'https://www.acme.example@evil.example/',
      'javascript:alert(1)',
    ]) {
      const response = await api('POST', '/v1/links', { token: advocateToken, body: { campaignId, channel: 'x', destinationUrl } });
      expect(problemOf(response, 422).errors[0].field).toBe('destinationUrl');
    }
    const allowed = await api('POST', '/v1/links', {
      token: advocateToken,
      body: { campaignId, channel: 'x', destinationUrl: 'https://www.acme.example/jobs/42' },
    });
    expect(allowed.status).toBe(201);
  });

  it('answers 404 for unknown and malformed slugs', async () => {
    problemOf(await fetchProblem('/zzzzzzzzzz'), 404);
    problemOf(await fetchProblem('/abc'), 404);
    problemOf(await fetchProblem('/..%2F..%2Fetc'), 404);
  });

  it('keeps redirecting a disabled link without recording anything', async () => {
    const created = await api('POST', '/v1/links', { token: advocateToken, body: { campaignId, channel: 'email' } });
    const disabledSlug = created.body.slug;
    const deleted = await api('DELETE', `/v1/links/${disabledSlug}`, { token: org.apiKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body.disabled).toBe(true);
    const response = await click(disabledSlug, browserUserAgents.chromeDesktop);
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('eaclid')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    await system.streamsIdle();
    const stats = await api('GET', `/v1/links/${disabledSlug}`, { token: org.apiKey });
    expect(stats.body.stats).toEqual({ clicks: 0, uniqueClicks: 0, botClicks: 0 });
  });

  it('falls back to the campaign destination when a link host is no longer allowed', async () => {
    const campaign = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Two hosts', destinationUrl: 'https://www.acme.example/', allowedHosts: ['www.acme.example', 'blog.acme.example'] },
    });
    const link = await api('POST', '/v1/links', {
      token: advocateToken,
      body: { campaignId: campaign.body.campaignId, channel: 'teams', destinationUrl: 'https://blog.acme.example/post' },
    });
    expect(link.status).toBe(201);
    const before = await click(link.body.slug, browserUserAgents.chromeDesktop);
    expect(new URL(before.headers.get('location')!).host).toBe('blog.acme.example');
    const narrowed = await api('PATCH', `/v1/campaigns/${campaign.body.campaignId}`, {
      token: org.apiKey,
      body: { allowedHosts: ['www.acme.example'] },
    });
    expect(narrowed.status).toBe(200);
    const after = await click(link.body.slug, browserUserAgents.chromeDesktop);
    const location = new URL(after.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://www.acme.example/');
    expect(location.searchParams.get('utm_source')).toBe('teams');
  });

  it('stops tracking an archived campaign but keeps its links working', async () => {
    const campaign = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Old news', destinationUrl: 'https://www.acme.example/old' },
    });
    const link = await api('POST', '/v1/links', {
      token: advocateToken,
      body: { campaignId: campaign.body.campaignId, channel: 'slack' },
    });
    const archived = await api('PATCH', `/v1/campaigns/${campaign.body.campaignId}`, { token: org.apiKey, body: { status: 'archived' } });
    expect(archived.body.status).toBe('archived');
    const response = await click(link.body.slug, browserUserAgents.chromeDesktop);
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('eaclid')).toBeNull();
    const refused = await api('POST', '/v1/links', { token: advocateToken, body: { campaignId: campaign.body.campaignId, channel: 'x' } });
    problemOf(refused, 409);
  });
});

const fetchProblem = async (path: string) => {
  const response = await fetch(`${system.baseUrl}${path}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
};

describe('credentials, scopes and tenant isolation', () => {
  const authorisedRoutes = routes.filter((route) => route.auth === 'authorizer');
  const concretePath = (path: string) => path.replace(/\{[^}]+\}/g, 'abcdefgh');

  it.each(authorisedRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers 401 problem+json without credentials',
    async (_name, route) => {
      const response = await api(route.method, concretePath(route.path), {
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }),
      });
      problemOf(response, 401);
    },
  );

  it('answers 401 for garbage, revoked keys, expired and foreign-issuer tokens', async () => {
    problemOf(await api('GET', '/v1/campaigns', { token: 'ak_notarealkey' }), 401);
    problemOf(await api('GET', '/v1/campaigns', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401);
    const created = await api('POST', '/v1/api-keys', { token: org.apiKey, body: { scopes: ['analytics:read'] } });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^ak_/);
    expect((await api('GET', '/v1/campaigns', { token: created.body.apiKey })).status).toBe(200);
    expect((await api('DELETE', `/v1/api-keys/${created.body.keyId}`, { token: org.apiKey })).status).toBe(200);
    problemOf(await api('GET', '/v1/campaigns', { token: created.body.apiKey }), 401);

    const expired = await system.advocateToken(org.orgId, 'alice', { ttlSeconds: -120 });
    problemOf(await api('GET', '/v1/links', { token: expired }), 401);
    const foreign = await system.foreignIssuerToken(org.orgId, 'alice');
    problemOf(await api('GET', '/v1/links', { token: foreign }), 401);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'alice', org: org.orgId, exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url')}.`;
    problemOf(await api('GET', '/v1/links', { token: unsigned }), 401);
  });

  it('answers 403 when a key lacks the scope, and for advocates on key-only routes', async () => {
    const reader = await api('POST', '/v1/api-keys', { token: org.apiKey, body: { scopes: ['analytics:read'] } });
    const token = reader.body.apiKey;
    problemOf(await api('POST', '/v1/campaigns', { token, body: { name: 'X', destinationUrl: 'https://acme.example/' } }), 403);
    problemOf(await api('PUT', '/v1/advocates/bob', { token, body: { displayName: 'Bob' } }), 403);
    problemOf(await api('POST', '/v1/links', { token, body: { campaignId, channel: 'x', advocateId: 'alice' } }), 403);
    problemOf(await api('POST', '/v1/api-keys', { token, body: { scopes: ['admin'] } }), 403);
    const advocate = await system.advocateToken(org.orgId, 'alice');
    problemOf(await api('POST', '/v1/campaigns', { token: advocate, body: { name: 'X', destinationUrl: 'https://acme.example/' } }), 403);
    problemOf(await api('POST', '/v1/links', { token: advocate, body: { campaignId, channel: 'x', advocateId: 'bob' } }), 403);
  });

  it("answers 404 for another organization's ids and writes nothing there", async () => {
    const other = await system.createOrganization('Globex');
    const links = await api('GET', `/v1/links?campaignId=${campaignId}`, { token: org.apiKey });
    const slug = links.body.items[0].slug;
    problemOf(await api('GET', `/v1/campaigns/${campaignId}`, { token: other.apiKey }), 404);
    problemOf(await api('PATCH', `/v1/campaigns/${campaignId}`, { token: other.apiKey, body: { name: 'Hijacked' } }), 404);
    problemOf(await api('GET', `/v1/links/${slug}`, { token: other.apiKey }), 404);
    problemOf(await api('DELETE', `/v1/links/${slug}`, { token: other.apiKey }), 404);
    problemOf(await api('GET', '/v1/advocates/alice', { token: other.apiKey }), 404);
    problemOf(await api('POST', '/v1/links', { token: other.apiKey, body: { campaignId, channel: 'x', advocateId: 'alice' } }), 404);
    const otherAdvocate = await system.advocateToken(other.orgId, 'alice');
    problemOf(await api('GET', `/v1/links/${slug}`, { token: otherAdvocate }), 404);
    expect((await api('GET', '/v1/campaigns', { token: other.apiKey })).body.items).toEqual([]);

    const mine = await api('GET', `/v1/campaigns/${campaignId}`, { token: org.apiKey });
    expect(mine.body.name).toBe('Spring Launch 2026');
    const link = await api('GET', `/v1/links/${slug}`, { token: org.apiKey });
    expect(link.body.disabled).toBe(false);
  });

  it('lets an advocate read only its own advocate record', async () => {
    await api('PUT', '/v1/advocates/bob', { token: org.apiKey, body: { displayName: 'Bob' } });
    const alice = await system.advocateToken(org.orgId, 'alice');
    expect((await api('GET', '/v1/advocates/alice', { token: alice })).status).toBe(200);
    problemOf(await api('GET', '/v1/advocates/bob', { token: alice }), 404);
  });
});
