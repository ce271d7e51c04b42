/**
 * Short domains end to end (spec section 12): the domains API against a real DNS server on
 * loopback (infra/local/dns-server.ts, started here on a random port and named by DNS_SERVER),
 * and the redirect resolving (host, slug) over real HTTP with the Host and X-Forwarded-Host
 * headers a browser or the CDN sends.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type LocalDnsServer } from '../../infra/local/dns-server.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let dns: LocalDnsServer;
let api: Client['request'];
let acme: { orgId: string; apiKey: string };
let globex: { orgId: string; apiKey: string };
let acmeCampaign: string;
let globexCampaign: string;

const problemOf = (response: { status: number; headers: Headers; body: any }, status: number) => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
  return response.body;
};

/** GET /{slug} over a raw socket: fetch cannot send a Host header of our choosing. */
const clickOn = (slug: string, headers: Record<string, string>): Promise<{ status: number; location?: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(system.baseUrl);
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, path: `/${slug}`, method: 'GET', headers: { 'user-agent': browserUserAgents.chromeDesktop, ...headers }, setHost: !('host' in headers) },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });

const defaultHost = () => new URL(system.baseUrl).host;

const addDomain = (apiKey: string, hostname: string) => api('POST', '/v1/domains', { token: apiKey, body: { hostname } });

/** Adds a domain, publishes its challenge record and verifies it. */
const verifiedDomain = async (apiKey: string, hostname: string) => {
  const added = await addDomain(apiKey, hostname);
  expect(added.status).toBe(201);
  dns.setTxt(added.body.verification.name, [added.body.verification.value]);
  const verified = await api('POST', `/v1/domains/${hostname}/verify`, { token: apiKey });
  expect(verified.status).toBe(200);
  return verified.body;
};

const issueLink = async (org: { apiKey: string }, campaignId: string, advocateId: string, channel: string) => {
  const response = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId, channel } });
  expect(response.status).toBe(201);
  return response.body as { slug: string; shortUrl: string };
};

const domainsOf = async (apiKey: string) => (await api('GET', '/v1/domains', { token: apiKey })).body.items as any[];

beforeAll(async () => {
  dns = await startDnsServer();
  // A short DNS timeout keeps the timeout case quick; the retry doubles it.
  system = await startSystem({ env: { DNS_SERVER: dns.address, DNS_TIMEOUT_MS: '250' } });
  api = system.client.request;
  acme = await system.createOrganization('Acme');
  globex = await system.createOrganization('Globex');
  for (const [org, name] of [[acme, 'acme'], [globex, 'globex']] as const) {
    expect((await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice' } })).status).toBe(201);
    const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Launch', destinationUrl: `https://www.${name}.example/` } });
    expect(campaign.status).toBe(201);
    if (org === acme) acmeCampaign = campaign.body.campaignId;
    else globexCampaign = campaign.body.campaignId;
  }
});

afterAll(async () => {
  await system?.stop();
  await dns?.close();
});

describe('adding a domain', () => {
  it('answers 201 pending with the TXT record to create, the hostname normalised', async () => {
    const added = await addDomain(acme.apiKey, 'Go.Acme.TEST.');
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      hostname: 'go.acme.test',
      status: 'pending',
      verification: { type: 'TXT', name: '_advocacy-challenge.go.acme.test', value: expect.stringMatching(/^advocacy-verify-[A-Za-z0-9_-]{32}$/) },
      primary: false,
      createdAt: expect.any(String),
    });
    const idn = await addDomain(acme.apiKey, 'links.Bücher.test');
    expect(idn.body.hostname).toBe('links.xn--bcher-kva.test');
    expect((await domainsOf(acme.apiKey)).map((domain) => domain.hostname)).toEqual(['go.acme.test', 'links.xn--bcher-kva.test']);
  });

  it('refuses what cannot be a short domain with 422, storing nothing', async () => {
    const before = await domainsOf(acme.apiKey);
    const refused = [
      '127.0.0.1',
      '0x7f.1',
      '[::1]',
      '::1',
      'localhost',
      'app.localhost',
      'intranet',
      new URL(system.publicBaseUrl).hostname,
      'go.acme.test:8443',
      'go.acme.test/path',
      'https://go.acme.test',
      '*.acme.test',
      'go\u0000acme.test',
      'go.acme.test\r\nx-injected: 1',
      ' go.acme.test',
      // 254 characters: every label valid, the name too long.
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.test`,
      'under_score.acme.test',
      '-lead.acme.test',
    ];
    for (const hostname of refused) {
      const body = problemOf(await addDomain(acme.apiKey, hostname), 422);
      expect(body.errors[0].field, hostname).toBe('hostname');
    }
    problemOf(await api('POST', '/v1/domains', { token: acme.apiKey, body: { hostname: 'ok.acme.test', primary: true } }), 422);
    problemOf(await api('POST', '/v1/domains', { token: acme.apiKey, body: {} }), 422);
    expect(await domainsOf(acme.apiKey)).toEqual(before);
  });

  it('answers 409 for a hostname another organization (or this one) holds', async () => {
    const taken = problemOf(await addDomain(globex.apiKey, 'GO.acme.test'), 409);
    expect(taken.detail).toMatch(/another organization/);
    problemOf(await addDomain(acme.apiKey, 'go.acme.test'), 409);
    expect(await domainsOf(globex.apiKey)).toEqual([]);
  });

  it('needs the admin scope, and another organization sees none of it', async () => {
    const { apiKey } = acme;
    const key = await api('POST', '/v1/api-keys', { token: apiKey, body: { scopes: ['links:write'] } });
    problemOf(await api('GET', '/v1/domains', { token: key.body.apiKey }), 403);
    problemOf(await addDomain(key.body.apiKey, 'x.acme.test'), 403);
    problemOf(await api('POST', '/v1/domains/go.acme.test/verify', { token: globex.apiKey }), 404);
    problemOf(await api('PATCH', '/v1/domains/go.acme.test', { token: globex.apiKey, body: { primary: true } }), 404);
    problemOf(await api('DELETE', '/v1/domains/go.acme.test', { token: globex.apiKey }), 404);
    expect((await domainsOf(acme.apiKey)).map((domain) => domain.hostname)).toContain('go.acme.test');
  });
});

describe('verifying a domain through DNS', () => {
  const challenge = '_advocacy-challenge.go.acme.test';

  it('answers 409 with what DNS found when the record is missing', async () => {
    dns.remove(challenge);
    const missing = problemOf(await api('POST', '/v1/domains/go.acme.test/verify', { token: acme.apiKey }), 409);
    expect(missing).toMatchObject({ found: [], expected: { type: 'TXT', name: challenge } });
    expect(missing.detail).toMatch(/no TXT record.*no such name/);
    dns.setTxt(challenge, []);
    expect(problemOf(await api('POST', '/v1/domains/go.acme.test/verify', { token: acme.apiKey }), 409).detail).toMatch(/no TXT record/);
  });

  it('answers 409 listing the values found when the record holds something else', async () => {
    dns.setTxt(challenge, ['v=spf1 -all', 'advocacy-verify-not-the-token']);
    const wrong = problemOf(await api('POST', '/v1/domains/go.acme.test/verify', { token: acme.apiKey }), 409);
    expect(wrong.found).toEqual(['v=spf1 -all', 'advocacy-verify-not-the-token']);
    expect((await domainsOf(acme.apiKey)).find((domain) => domain.hostname === 'go.acme.test').status).toBe('pending');
  });

  it('answers 503 with Retry-After when DNS does not answer, and changes nothing', async () => {
    const before = await domainsOf(acme.apiKey);
    const [pending] = before.filter((domain) => domain.hostname === 'go.acme.test');
    dns.setTxt(challenge, [pending.verification.value]);
    dns.silence(true);
    try {
      const response = await api('POST', '/v1/domains/go.acme.test/verify', { token: acme.apiKey });
      expect(problemOf(response, 503).detail).toMatch(/DNS did not answer/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      dns.silence(false);
    }
    expect(await domainsOf(acme.apiKey)).toEqual(before);
  });

  it('marks the domain verified when the record holds the token, among other values', async () => {
    const [pending] = (await domainsOf(acme.apiKey)).filter((domain) => domain.hostname === 'go.acme.test');
    dns.setTxt(challenge, ['something else', pending.verification.value]);
    const verified = await api('POST', '/v1/domains/GO.ACME.TEST./verify', { token: acme.apiKey });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ hostname: 'go.acme.test', status: 'verified', primary: false, verifiedAt: expect.any(String) });
    // Verifying again is harmless, even once the record is gone.
    dns.remove(challenge);
    expect((await api('POST', '/v1/domains/go.acme.test/verify', { token: acme.apiKey })).body.status).toBe('verified');
  });
});

describe('primary domain, shortUrl and the host-aware redirect', () => {
  let defaultLink: { slug: string; shortUrl: string };
  let acmeLink: { slug: string; shortUrl: string };
  let globexLink: { slug: string; shortUrl: string };

  beforeAll(async () => {
    // Issued before Acme has a primary domain: on the default domain.
    defaultLink = await issueLink(acme, acmeCampaign, 'alice', 'email');
    problemOf(await api('PATCH', '/v1/domains/links.xn--bcher-kva.test', { token: acme.apiKey, body: { primary: true } }), 409);
    const primary = await api('PATCH', '/v1/domains/go.acme.test', { token: acme.apiKey, body: { primary: true } });
    expect(primary.status).toBe(200);
    expect(primary.body).toMatchObject({ hostname: 'go.acme.test', primary: true });
    acmeLink = await issueLink(acme, acmeCampaign, 'alice', 'linkedin');
    await verifiedDomain(globex.apiKey, 'go.globex.test');
    expect((await api('PATCH', '/v1/domains/go.globex.test', { token: globex.apiKey, body: { primary: true } })).status).toBe(200);
    globexLink = await issueLink(globex, globexCampaign, 'alice', 'linkedin');
  });

  it('issues links on the primary verified domain: shortUrl uses it, earlier links keep theirs', async () => {
    expect(acmeLink.shortUrl).toBe(`https://go.acme.test/${acmeLink.slug}`);
    expect(defaultLink.shortUrl).toBe(`${system.publicBaseUrl}/${defaultLink.slug}`);
    expect((await api('GET', `/v1/links/${acmeLink.slug}`, { token: acme.apiKey })).body.shortUrl).toBe(acmeLink.shortUrl);
    expect((await api('GET', `/v1/links/${defaultLink.slug}`, { token: acme.apiKey })).body.shortUrl).toBe(defaultLink.shortUrl);
  });

  it("resolves a link on the host it was issued on, and answers 404 on every other", async () => {
    const acmeHere = await clickOn(acmeLink.slug, { host: 'go.acme.test' });
    expect(acmeHere.status).toBe(302);
    expect(new URL(acmeHere.location!).hostname).toBe('www.acme.example');
    expect((await clickOn(defaultLink.slug, { host: defaultHost() })).status).toBe(302);
    expect((await clickOn(globexLink.slug, { host: 'go.globex.test' })).status).toBe(302);

    // Org A's slug on org B's domain, on the default domain, on unknown hosts; and the other way round.
    for (const host of ['go.globex.test', defaultHost(), 'unknown.test', 'links.xn--bcher-kva.test']) {
      expect((await clickOn(acmeLink.slug, { host })).status, host).toBe(404);
    }
    expect((await clickOn(globexLink.slug, { host: 'go.acme.test' })).status).toBe(404);
    expect((await clickOn(defaultLink.slug, { host: 'go.acme.test' })).status).toBe(404);
    expect((await clickOn(defaultLink.slug, { host: 'go.globex.test' })).status).toBe(404);
  });

  it('takes the host from X-Forwarded-Host (the CDN), and no spoofed value reaches another host', async () => {
    expect((await clickOn(acmeLink.slug, { host: defaultHost(), 'x-forwarded-host': 'go.acme.test' })).status).toBe(302);
    expect((await clickOn(acmeLink.slug, { host: 'go.acme.test', 'x-forwarded-host': 'go.globex.test' })).status).toBe(404);
    // Case, port and the trailing dot of a fully qualified name are the same host.
    expect((await clickOn(acmeLink.slug, { host: 'GO.Acme.Test.:443' })).status).toBe(302);
    const spoofed = [
      'go.acme.test, go.globex.test',
      'go.acme.test/evil',
      'go.acme.test:evil',
      'go.acme.test@evil.test',
      'evil.test#go.acme.test',
      '',
      'go.acme.test.evil.test',
      'xn--go-acme.test',
    ];
    for (const value of spoofed) {
      expect((await clickOn(acmeLink.slug, { host: defaultHost(), 'x-forwarded-host': value })).status, value).toBe(404);
      expect((await clickOn(acmeLink.slug, { host: value || 'evil.test' })).status, value).toBe(404);
    }
  });

  it('counts only the clicks that were answered with a redirect', async () => {
    await system.streamsIdle();
    const stats = async (org: { apiKey: string }, slug: string) => (await api('GET', `/v1/links/${slug}`, { token: org.apiKey })).body.stats.clicks;
    // go.acme.test; X-Forwarded-Host go.acme.test; GO.Acme.Test.:443.
    expect(await stats(acme, acmeLink.slug)).toBe(3);
    expect(await stats(acme, defaultLink.slug)).toBe(1);
    expect(await stats(globex, globexLink.slug)).toBe(1);
    // The attribution report labels a link with its short URL, on its own domain.
    const report = await api('GET', `/v1/campaigns/${acmeCampaign}/attribution?groupBy=link`, { token: acme.apiKey });
    const labels = Object.fromEntries(report.body.rows.map((row: { key: string; label: string }) => [row.key, row.label]));
    expect(labels).toMatchObject({ [acmeLink.slug]: acmeLink.shortUrl, [defaultLink.slug]: defaultLink.shortUrl });
  });

  it('keeps earlier links working on their domain when the primary changes, and refuses to delete the primary', async () => {
    await verifiedDomain(acme.apiKey, 'go2.acme.test');
    expect((await api('PATCH', '/v1/domains/go2.acme.test', { token: acme.apiKey, body: { primary: true } })).status).toBe(200);
    const listed = await domainsOf(acme.apiKey);
    expect(listed.filter((domain) => domain.primary).map((domain) => domain.hostname)).toEqual(['go2.acme.test']);
    const newer = await issueLink(acme, acmeCampaign, 'alice', 'x');
    expect(newer.shortUrl).toBe(`https://go2.acme.test/${newer.slug}`);
    expect((await clickOn(acmeLink.slug, { host: 'go.acme.test' })).status).toBe(302);
    expect((await clickOn(newer.slug, { host: 'go2.acme.test' })).status).toBe(302);
    expect((await clickOn(newer.slug, { host: 'go.acme.test' })).status).toBe(404);

    problemOf(await api('DELETE', '/v1/domains/go2.acme.test', { token: acme.apiKey }), 409);
    expect((await clickOn(newer.slug, { host: 'go2.acme.test' })).status).toBe(302);
    // Back to the default domain for new links.
    const off = await api('PATCH', '/v1/domains/go2.acme.test', { token: acme.apiKey, body: { primary: false } });
    expect(off.body).toMatchObject({ hostname: 'go2.acme.test', primary: false });
    const onDefault = await issueLink(acme, acmeCampaign, 'alice', 'sms');
    expect(onDefault.shortUrl).toBe(`${system.publicBaseUrl}/${onDefault.slug}`);
  });

  it('releases a deleted domain: its links answer 404 there, and another organization may claim it', async () => {
    const removed = await api('DELETE', '/v1/domains/go.acme.test', { token: acme.apiKey });
    expect(removed.status).toBe(200);
    expect(removed.body.hostname).toBe('go.acme.test');
    expect((await clickOn(acmeLink.slug, { host: 'go.acme.test' })).status).toBe(404);
    expect((await clickOn(acmeLink.slug, { host: defaultHost() })).status).toBe(404);
    problemOf(await api('DELETE', '/v1/domains/go.acme.test', { token: acme.apiKey }), 404);
    // Globex proves control of it: Acme's old links still do not answer there.
    await verifiedDomain(globex.apiKey, 'go.acme.test');
    expect((await clickOn(acmeLink.slug, { host: 'go.acme.test' })).status).toBe(404);
  });
});
