/**
 * The landing-page snippet (GET /t.js, SPEC section 13) in a real browser: a landing site on
 * another origin (http://localhost:<port>, while the system is on http://127.0.0.1:<port>) loads
 * the script; a visitor arrives through a short link. The snippet keeps the click id in a cookie
 * of the landing site only, still knows it on a later page without the parameter, fills the
 * `eaclid` fields of forms (also forms added later), makes no request of its own, and logs no
 * error. Its size and caching headers are checked as served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startSystem, type TestSystem } from '../support/system.js';

const BROWSER_TEST_TIMEOUT = 60_000;
const COOKIE = 'advocacy_eaclid';

// The browser globals the page callbacks touch (the project compiles without the DOM library).
declare const document: {
  querySelector(selector: string): { value: string } | null;
  createElement(tag: string): { innerHTML: string; id: string };
  body: { appendChild(node: unknown): void };
};
declare const window: { advocacy?: { clickId(): string | null } };

let system: TestSystem;
let browser: Browser;
let landing: Server;
let landingOrigin: string;
let shortUrl: string;
let org: { orgId: string; apiKey: string };
let demo: ChildProcess | undefined;
const submissions: URLSearchParams[] = [];
const pageErrors: string[] = [];
/** Every request a page made, by URL: documents of the landing site, the script, form posts. */
const requests: string[] = [];

const landingPage = (title: string) => `<!doctype html><html lang="en"><head><title>${title}</title>
<script src="${'SNIPPET_URL'}" defer></script></head><body><h1>${title}</h1>
<form id="signup" method="post" action="/signup"><input type="hidden" name="eaclid"><input name="email" value="v@example.com"><button>Sign up</button></form>
</body></html>`;

const openPage = async (): Promise<Page> => {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
  return page;
};

const formPosted = async (page: Page, submit: () => Promise<void>): Promise<URLSearchParams> => {
  const before = submissions.length;
  await Promise.all([page.waitForURL(/\/thanks$/), submit()]);
  expect(submissions.length).toBe(before + 1);
  return submissions.at(-1)!;
};

beforeAll(async () => {
  system = await startSystem();
  const snippetUrl = `${system.baseUrl}/t.js`;
  landing = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST' && path === '/signup') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        submissions.push(new URLSearchParams(body));
        response.writeHead(303, { location: '/thanks' }).end();
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const title = path === '/later' ? 'Acme pricing' : path === '/thanks' ? 'Thanks' : 'Acme careers';
    response.end(landingPage(title).replace('SNIPPET_URL', snippetUrl));
  });
  await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
  // Another site: a different host name than the system's 127.0.0.1, so cookies are not shared.
  landingOrigin = `http://localhost:${(landing.address() as AddressInfo).port}`;

  org = await system.createOrganization('Acme');
  const api = system.client.request;
  const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Careers', destinationUrl: `${landingOrigin}/landing` } });
  expect(campaign.status).toBe(201);
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice Martin' } });
  const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId: campaign.body.campaignId, advocateId: 'alice', channel: 'linkedin' } });
  shortUrl = link.body.shortUrl;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  demo?.kill();
  await browser?.close();
  await new Promise((resolve) => landing?.close(resolve));
  await system?.stop();
});

describe('the landing-page snippet', () => {
  it('is small, cacheable for an hour, loadable cross-origin and revalidated by ETag', async () => {
    const response = await fetch(`${system.baseUrl}/t.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const source = await response.text();
    expect(gzipSync(source, { level: 9 }).length).toBeLessThanOrEqual(2048);
    // No dependencies: nothing imported, nothing fetched.
    expect(source).not.toMatch(/\bimport\b|\brequire\(|fetch\(|XMLHttpRequest|sendBeacon/);
    const etag = response.headers.get('etag')!;
    expect((await fetch(`${system.baseUrl}/t.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('keeps the click on the landing site, knows it on a later page, and fills forms, with no request of its own', async () => {
    const page = await openPage();
    await page.goto(shortUrl);
    const landed = new URL(page.url());
    expect(landed.origin + landed.pathname).toBe(`${landingOrigin}/landing`);
    const clickId = landed.searchParams.get('eaclid')!;
    expect(clickId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}[A-Za-z0-9_-]{22}$/);
    await page.waitForFunction(() => window.advocacy !== undefined);
    expect(await page.evaluate(() => window.advocacy!.clickId())).toBe(clickId);
    expect(await page.evaluate(() => document.querySelector('input[name="eaclid"]')!.value)).toBe(clickId);

    // The cookie is the landing site's, for the longest lookback (90 days); the system's host has none.
    const landingCookies = await browser.context.cookies(landingOrigin);
    const kept = landingCookies.find((cookie) => cookie.name === COOKIE);
    expect(kept).toMatchObject({ value: clickId, domain: 'localhost', path: '/', sameSite: 'Lax', httpOnly: false });
    expect(Math.abs(kept!.expires - (Date.now() / 1000 + 90 * 86_400))).toBeLessThan(120);
    expect((await browser.context.cookies(system.baseUrl)).map((cookie) => cookie.name)).not.toContain(COOKIE);

    // A later page without the parameter still knows the click, and its form posts it.
    await page.goto(`${landingOrigin}/later`);
    await page.waitForFunction(() => window.advocacy !== undefined);
    expect(await page.evaluate(() => window.advocacy!.clickId())).toBe(clickId);
    const posted = await formPosted(page, () => page.click('#signup button'));
    expect(posted.get('eaclid')).toBe(clickId);
    expect(posted.get('email')).toBe('v@example.com');

    // A form added after load gets the click id as it is submitted.
    await page.goto(`${landingOrigin}/later`);
    await page.waitForFunction(() => window.advocacy !== undefined);
    await page.evaluate(() => {
      const holder = document.createElement('div');
      holder.innerHTML = '<form id="late" method="post" action="/signup"><input type="hidden" name="eaclid"><button>Go</button></form>';
      document.body.appendChild(holder);
    });
    const late = await formPosted(page, () => page.click('#late button'));
    expect(late.get('eaclid')).toBe(clickId);

    // A malformed eaclid is not kept: the click the visitor came with stays.
    await page.goto(`${landingOrigin}/landing?eaclid=${encodeURIComponent('x"; Domain=evil.example')}`);
    await page.waitForFunction(() => window.advocacy !== undefined);
    expect(await page.evaluate(() => window.advocacy!.clickId())).toBe(clickId);
    expect((await browser.context.cookies(landingOrigin)).find((cookie) => cookie.name === COOKIE)?.value).toBe(clickId);

    // Every request: the short link, landing-site documents and form posts, and the script itself.
    const foreign = requests.filter(
      (request) => !request.includes(`${landingOrigin}/`) && request !== `GET ${system.baseUrl}/t.js` && !request.startsWith(`GET ${shortUrl}`),
    );
    expect(foreign).toEqual([]);
    expect(requests.filter((request) => request === `GET ${system.baseUrl}/t.js`).length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  }, BROWSER_TEST_TIMEOUT);

  it('runs the README walkthrough: short link, the demo landing site (scripts/landing-demo.mjs), sign-up, attributed conversion', async () => {
    const api = system.client.request;
    const source = (await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'Landing site' } })).body;
    demo = spawn(process.execPath, ['scripts/landing-demo.mjs', system.baseUrl, source.sourceId, source.secret, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const demoOrigin = await new Promise<string>((resolve, reject) => {
      demo!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /landing site on (http:\/\/localhost:\d+)\//.exec(output);
        if (match) resolve(match[1]!);
      });
      demo!.once('exit', (code) => reject(new Error(`landing demo exited with ${code}: ${output}`)));
    });
    const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Demo', destinationUrl: `${demoOrigin}/` } });
    const campaignId = campaign.body.campaignId as string;
    await api('PUT', '/v1/advocates/bob', { token: org.apiKey, body: { displayName: 'Bob Stone' } });
    const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'bob', channel: 'x' } });

    const page = await openPage();
    await page.goto(link.body.shortUrl);
    const clickId = new URL(page.url()).searchParams.get('eaclid')!;
    await page.waitForFunction(() => window.advocacy !== undefined);
    await Promise.all([page.waitForURL(`${demoOrigin}/signup`), page.click('form button')]);
    expect(await page.textContent('#answer')).toMatch(/^202 \{"conversionId":"signup-[^"]+","status":"accepted"\}$/);
    expect(output).toContain(`signup with eaclid=${clickId} -> 202`);

    await system.streamsIdle();
    const attribution = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=advocate&model=last_click`, { token: org.apiKey });
    expect(attribution.body.rows).toEqual([expect.objectContaining({ key: 'bob', clicks: 1, conversions: 1 })]);
    expect(pageErrors).toEqual([]);
  }, BROWSER_TEST_TIMEOUT);
});
