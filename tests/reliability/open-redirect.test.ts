/**
 * Open redirect and injection, end to end over HTTP against the local runtime: hostile
 * destinations through campaign create and patch and link issuance, hostile visitor query
 * strings and paths through the redirect, and the Location and Set-Cookie headers it answers.
 * Everything is refused (422 problem+json, nothing written) or neutralised (the visitor lands
 * on the campaign's own host, and no header carries what the attacker wrote).
 * Unit-level cases of the destination rules are in tests/unit/destination.test.ts.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { entityKeys } from '../../shared/adapters/keys.js';
import { tableName } from '../../shared/adapters/config.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let campaignId: string;
let slug: string;

const HOST = 'www.acme.example';

/** Destinations that must never be accepted for a campaign whose allowed host is HOST. */
const hostileDestinations = [
  '//evil.example/',
  '///evil.example/',
  `https://${HOST}@evil.example/`,
  `https://${HOST}:pw@evil.example/`,
  'https://@evil.example/',
  `https://${HOST}.evil.example/`,
  `https://evil.example/${HOST}`,
  `https://evil.example/?${HOST}`,
  `https://evil.example#${HOST}`,
  `https://evil.example\\@${HOST}/`,
  'https:\\\\evil.example/',
  'https:evil.example',
  'javascript:alert(document.domain)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  `ftp://${HOST}/`,
  // Homoglyph: a Cyrillic "а" makes another host (xn--…), not HOST.
  'https://www.\u0430cme.example/',
  `https://${HOST}/\r\nSet-Cookie: pwned=1`,
  `https://${HOST}/\nLocation: https://evil.example/`,
  `https://${HOST}\u0000.evil.example/`,
  `https://${HOST}%2F@evil.example/`,
  `http://${HOST}%00.evil.example/`,
  `https://${'a'.repeat(2100)}.example/`,
];

const problemOf = (response: { status: number; headers: Headers; body: any }, status: number) => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return response.body;
};

const visit = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${system.baseUrl}${path}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop, ...headers } });

/** A GET with the path exactly as written (fetch would normalise `..` and encodings away). */
const rawGet = (path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(system.baseUrl);
    const request = httpRequest(
      { host: url.hostname, port: url.port, path, method: 'GET', headers: { 'user-agent': browserUserAgents.chromeDesktop } },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  const campaign = await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: 'Careers', destinationUrl: `https://${HOST}/jobs?ref=adv`, allowedHosts: [HOST, '*.careers.acme.example'] },
  });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.campaignId;
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice' } });
  const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'alice', channel: 'linkedin' } });
  expect(link.status).toBe(201);
  slug = link.body.slug;
});

afterAll(async () => {
  await system?.stop();
});

describe('hostile destinations are refused everywhere they can be set', () => {
  it.each(hostileDestinations.map((d) => [JSON.stringify(d).slice(0, 80), d]))('campaign create: %s', async (_name, destinationUrl) => {
    const response = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Hostile', destinationUrl, allowedHosts: [HOST] },
    });
    expect(problemOf(response, 422).errors.map((e: any) => e.field)).toContain('destinationUrl');
  });

  it.each(hostileDestinations.map((d) => [JSON.stringify(d).slice(0, 80), d]))('campaign patch: %s', async (_name, destinationUrl) => {
    const response = await api('PATCH', `/v1/campaigns/${campaignId}`, { token: org.apiKey, body: { destinationUrl } });
    expect(problemOf(response, 422).errors.map((e: any) => e.field)).toContain('destinationUrl');
  });

  it.each(hostileDestinations.map((d) => [JSON.stringify(d).slice(0, 80), d]))('link issuance (deep link): %s', async (_name, destinationUrl) => {
    const response = await api('POST', '/v1/links', {
      token: org.apiKey,
      body: { campaignId, advocateId: 'alice', channel: 'x', destinationUrl },
    });
    expect(problemOf(response, 422).errors.map((e: any) => e.field)).toContain('destinationUrl');
  });

  it('allowed-host lists cannot smuggle other hosts in', async () => {
    for (const allowedHosts of [['evil.example/'], [`${HOST}@evil.example`], ['*'], ['*.example'], [`${HOST}:443`], [`${HOST} evil.example`], ['*.*.example'], ['']]) {
      const response = await api('POST', '/v1/campaigns', {
        token: org.apiKey,
        body: { name: 'Hostile hosts', destinationUrl: `https://${HOST}/`, allowedHosts },
      });
      expect(response.status, JSON.stringify(allowedHosts)).toBe(422);
    }
    // A wildcard covers subdomains, not look-alikes.
    for (const destinationUrl of ['https://careers.acme.example.evil.example/', 'https://evilcareers.acme.example/', 'https://careers.acme.example/']) {
      const response = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'alice', channel: 'x', destinationUrl } });
      expect(response.status, destinationUrl).toBe(422);
    }
    expect((await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'alice', channel: 'x', destinationUrl: 'https://jobs.careers.acme.example/' } })).status).toBe(201);
  });

  it('after all those refusals the campaign and its links are unchanged', async () => {
    const campaign = await api('GET', `/v1/campaigns/${campaignId}`, { token: org.apiKey });
    expect(campaign.body.destinationUrl).toBe(`https://${HOST}/jobs?ref=adv`);
    const links = await api('GET', `/v1/links?campaignId=${campaignId}`, { token: org.apiKey });
    expect(links.body.items.map((l: any) => new URL(l.destinationUrl).hostname).sort()).toEqual(['jobs.careers.acme.example', HOST]);
    const campaigns = await api('GET', '/v1/campaigns', { token: org.apiKey });
    expect(campaigns.body.items).toHaveLength(1);
  });
});

describe('odd but harmless spellings are neutralised to the canonical host', () => {
  it('mixed case and a trailing dot still name the allowed host; the path keeps its case', async () => {
    const response = await api('POST', '/v1/links', {
      token: org.apiKey,
      body: { campaignId, advocateId: 'alice', channel: 'email', destinationUrl: 'HTTPS://WWW.Acme.EXAMPLE./Jobs/Berlin' },
    });
    expect(response.status).toBe(201);
    const redirect = await visit(`/${response.body.slug}`);
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location')!);
    // `www.acme.example.` is the fully qualified spelling of the same host.
    expect(location.hostname.replace(/\.$/, '')).toBe(HOST);
    expect(location.pathname).toBe('/Jobs/Berlin');
  });

  it('an internationalised allowed host is matched and redirected to in punycode only', async () => {
    const created = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Café', destinationUrl: 'https://café.example/menu', allowedHosts: ['CAFÉ.example'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.allowedHosts).toEqual(['xn--caf-dma.example']);
    const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId: created.body.campaignId, advocateId: 'alice', channel: 'x' } });
    expect(link.status).toBe(201);
    const redirect = await visit(`/${link.body.slug}`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    expect(new URL(location).hostname).toBe('xn--caf-dma.example');
    expect(location).toMatch(/^[\x21-\x7e]+$/); // printable ASCII only
  });

  it('encoded CR/LF in a destination stays encoded in the Location header', async () => {
    const response = await api('POST', '/v1/links', {
      token: org.apiKey,
      body: { campaignId, advocateId: 'alice', channel: 'sms', destinationUrl: `https://${HOST}/a%0d%0aSet-Cookie:%20pwned=1` },
    });
    expect(response.status).toBe(201);
    const redirect = await visit(`/${response.body.slug}`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toContain('%0d%0a');
    expect(redirect.headers.getSetCookie().join('\n')).not.toContain('pwned');
  });
});

/** The redirect's own cookies: its names, URL-safe values, the attributes it always sets. */
const ownCookie = /^ea[a-z]=[A-Za-z0-9_.~-]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/;

describe("the redirect's Location belongs to the campaign, whatever the visitor sends", () => {
  const hostileQueries = [
    '?next=//evil.example/',
    '?@evil.example',
    '?//evil.example',
    '?url=javascript:alert(1)',
    '?%0d%0aSet-Cookie:%20pwned=1',
    '?a=%0d%0aLocation:%20https://evil.example/',
    '?eaclid=forged-click-id',
    '?utm_source=evil&utm_content=mallory&ref=evil',
    '?%zz=%E0%A4%A&%=%',
    `?x=${'y'.repeat(6000)}`,
    '#@evil.example',
  ];

  it.each(hostileQueries.map((q) => [q.slice(0, 60), q]))('GET /{slug}%s', async (_name, query) => {
    const response = await visit(`/${slug}${query}`);
    expect(response.status).toBe(302);
    const raw = response.headers.get('location')!;
    expect(raw).not.toMatch(/[\r\n]/);
    const location = new URL(raw);
    expect(location.origin).toBe(`https://${HOST}`);
    expect(location.pathname).toBe('/jobs');
    // The destination's own parameters and ours win over the visitor's.
    expect(location.searchParams.get('ref')).toBe('adv');
    expect(location.searchParams.get('utm_source')).toBe('linkedin');
    expect(location.searchParams.get('utm_content')).toBe('alice');
    expect(location.searchParams.getAll('eaclid')).toHaveLength(1);
    expect(location.searchParams.get('eaclid')).not.toBe('forged-click-id');
    // A browser visit gets the visitor cookie: the check below is never over an empty list.
    const cookies = response.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('eav='))).toBe(true);
    for (const cookie of cookies) expect(cookie).toMatch(ownCookie);
  });

  it('hostile cookies are ignored, never echoed', async () => {
    for (const cookie of [
      'eav=../../etc',
      'eav=AAAAAAAAAAAAAAAAAAAAAA; Path=/evil',
      `eav=${'A'.repeat(5000)}`,
      'eav="<script>"',
      'eac=evil.example; eav=x',
      `eac=${'<script>'.repeat(500)}`,
    ]) {
      const response = await visit(`/${slug}`, { cookie });
      expect(response.status).toBe(302);
      const set = response.headers.getSetCookie();
      // A new visitor id, or — when the cookie held a well-formed one — only the click memory (the visitor cookie is not renewed).
      expect(set.some((c) => /^eav=[A-Za-z0-9_-]{21}[AQgw]; /.test(c)) || (cookie.startsWith('eav=AAAAAAAAAAAAAAAAAAAAAA;') && set.every((c) => c.startsWith('eac=')))).toBe(true);
      expect(set.length).toBeGreaterThan(0);
      for (const c of set) {
        expect(c).toMatch(ownCookie);
        expect(c).not.toMatch(/evil|script/);
      }
    }
  });
});

describe('path traversal and odd slugs reach nothing', () => {
  // `SLUG` stands for the real slug (known only once the link exists); `OTHERCASE` for it with
  // its letters' case swapped (slugs are case-sensitive).
  const paths = [
    '/../v1/campaigns',
    '/..%2Fv1%2Fcampaigns',
    '/%2e%2e/v1/campaigns',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/SLUG/..',
    '/SLUG%2F..%2F..%2Fhealthz',
    '/SLUG%00',
    '/SLUG%20',
    '/SLUG;jsessionid=1',
    '/OTHERCASE',
    '/SLUG\u00e9',
    '/%ff%fe%fd%fc%fb%fa%f9',
    '/%',
    `/${'a'.repeat(5000)}`,
  ];
  const swapCase = (text: string) => [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

  it.each(paths.map((p) => [p.slice(0, 60), p]))('GET %s', async (_name, template) => {
    const path = template.replace('OTHERCASE', swapCase(slug)).replace('SLUG', slug);
    // Only non-ASCII is encoded (Node's client refuses it raw); everything else goes as written.
    const response = await rawGet(path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)));
    expect(response.status, response.body).toBe(404);
    expect(response.headers.location).toBeUndefined();
    expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  });

  it('a bare CR inside a header never reaches a handler (the HTTP parser refuses it)', async () => {
    const url = new URL(system.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`GET /${slug} HTTP/1.1\r\nHost: x\r\nUser-Agent: a\rSet-Cookie: pwned=1\r\nConnection: close\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).not.toMatch(/location:/i);
  });
});

describe('defence in depth: an unsafe destination already in the table is never followed', () => {
  // Such an item cannot be written through the API. The redirect falls back to the campaign's
  // own destination rather than trust it (shared/adapters/redirect-store.ts): it still answers
  // 302, to the campaign's destination with the link's tracking parameters.
  it.each([['javascript:alert(1)'], ['data:text/html,hi'], ['//evil.example/'], ['https://evil.example/jobs']])('stored %s', async (destinationUrl) => {
    const evilSlug = `Evil${Math.random().toString(36).slice(2, 10)}`;
    await documentClient().send(
      new PutCommand({
        TableName: tableName('entities'),
        Item: { ...entityKeys.link(evilSlug), type: 'link', slug: evilSlug, orgId: org.orgId, campaignId, advocateId: 'alice', channel: 'x', destinationUrl, createdAt: new Date().toISOString(), disabled: false },
      }),
    );
    const response = await visit(`/${evilSlug}`);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`https://${HOST}/jobs`);
    expect(location.searchParams.get('ref')).toBe('adv');
    expect(location.searchParams.get('utm_source')).toBe('x');
    expect(location.searchParams.get('utm_content')).toBe('alice');
  });
});
