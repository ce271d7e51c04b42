/**
 * The web pages in a real browser (Debian's Chromium, headless, via playwright-core) against the
 * local runtime with seeded data: the dashboard shows the API's numbers under every model and
 * range, downloads the raw events as CSV, and designs its loading, empty and error states; the
 * advocate page issues links, copies them, shows QR codes that decode back to the short URL, and
 * shows the advocate's own results; a browser following a short link lands on a landing page
 * with `eaclid` and keeps the `eav` cookie for the next click. Every answer the browser gets from
 * the runtime is checked against the OpenAPI document, and no page logs an error (CSP included).
 * Screenshots go to test-output/screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SCREENSHOT_DIR, watchPages, type Browser } from '../support/browser.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

const BROWSER_TEST_TIMEOUT = 60_000;

// The few browser globals the page callbacks below touch: the project compiles without the DOM
// library, and these declarations stay inside this module.
interface BrowserElement {
  dataset: Record<string, string | undefined>;
  tagName: string;
  className: string;
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
  closest(selector: string): BrowserElement | null;
  getBoundingClientRect(): { right: number; width: number };
}
declare const document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<BrowserElement> };
declare const window: { innerWidth: number; scrollTo(x: number, y: number): void };
declare const navigator: { clipboard: { readText(): Promise<string> } };

let system: TestSystem;
let api: Client['request'];
let browser: Browser;
let landing: Server;
let landingOrigin: string;
const landingRequests: Array<{ url: string }> = [];
let org: { orgId: string; apiKey: string };
let analyticsKey: string;
let campaignId: string;
let emptyCampaignId: string;
const links = { aliceLinkedin: { slug: '', shortUrl: '' }, bobX: { slug: '', shortUrl: '' }, aliceEmail: { slug: '', shortUrl: '' } };
const models = ['last_click', 'first_click', 'linear', 'time_decay', 'position_based'] as const;

/** Pages that report console errors, page errors and answers that break the OpenAPI document. */
let watched: ReturnType<typeof watchPages>;
const openPage = (): Promise<Page> => watched.open();

const utcDay = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const last30Days = () => `from=${utcDay(29)}&to=${utcDay(0)}`;

const decodeQr = (png: Buffer): string | undefined => {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
};

/** A browser's click; `origin`: the CDN's country header and a `Referer`, as the redirect receives them on AWS. */
const visit = async (slug: string, cookie?: string, origin: Record<string, string> = {}) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, {
    redirect: 'manual',
    headers: { 'user-agent': browserUserAgents.chromeDesktop, ...origin, ...(cookie ? { cookie } : {}) },
  });
  expect(response.status).toBe(302);
  return {
    clickId: new URL(response.headers.get('location')!).searchParams.get('eaclid')!,
    cookie: response.headers.get('set-cookie')!.split(';')[0]!,
  };
};

beforeAll(async () => {
  landing = createServer((request, response) => {
    landingRequests.push({ url: request.url ?? '' });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>Acme careers</title><h1>Acme careers</h1></html>');
  });
  await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
  landingOrigin = `http://127.0.0.1:${(landing.address() as AddressInfo).port}`;

  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  analyticsKey = (await api('POST', '/v1/api-keys', { token: org.apiKey, body: { name: 'Dashboard', scopes: ['analytics:read'] } })).body.apiKey;

  // The landing page is a local server: the campaign's destination, hence its allowed host.
  const campaign = await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: 'Hiring 2027', destinationUrl: `${landingOrigin}/landing?from=campaign` },
  });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.campaignId;
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice Martin', department: 'sales' } });
  await api('PUT', '/v1/advocates/bob', { token: org.apiKey, body: { displayName: 'Bob Stone', department: 'eng' } });
  const issue = async (advocateId: string, channel: string) =>
    (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId, channel } })).body as { slug: string; shortUrl: string };
  links.aliceLinkedin = await issue('alice', 'linkedin');
  links.bobX = await issue('bob', 'x');
  links.aliceEmail = await issue('alice', 'email');

  // Visitor 1: Alice's LinkedIn link (from France, via LinkedIn), then Bob's X link (from Germany);
  // visitor 2: Alice's e-mail link (no country, no referrer); one preview bot.
  const first = await visit(links.aliceLinkedin.slug, undefined, { 'cloudfront-viewer-country': 'FR', referer: 'https://www.linkedin.com/feed/' });
  const second = await visit(links.bobX.slug, first.cookie, { 'cloudfront-viewer-country': 'DE' });
  const third = await visit(links.aliceEmail.slug);
  await fetch(`${system.baseUrl}/${links.aliceLinkedin.slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.linkedInBot } });

  const source = (await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'Shop' } })).body;
  const convert = async (data: Record<string, unknown>) => {
    const body = JSON.stringify({ type: 'conversion.created', data: { kind: 'purchase', occurredAt: new Date().toISOString(), ...data } });
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const response = await api('POST', `/v1/webhooks/conversions/${source.sourceId}`, {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(source.secret).sign(id, now, body),
      },
    });
    expect(response.status).toBe(202);
  };
  await convert({ conversionId: 'order-1', value: { amount: '100.00', currency: 'EUR' }, clickId: second.clickId });
  await convert({ conversionId: 'lead-2', kind: 'lead', value: { amount: '30.00', currency: 'EUR' }, visitorId: third.cookie.slice('eav='.length) });
  await convert({ conversionId: 'signup-3', kind: 'signup' }); // no click: unattributed

  // Shares (spec section 15): Alice three, Bob one; Carol shared once and has no link or click.
  await api('PUT', '/v1/advocates/carol', { token: org.apiKey, body: { displayName: 'Carol <b>Ng</b>', department: 'sales' } });
  for (const [advocateId, channel] of [['alice', 'linkedin'], ['alice', 'linkedin'], ['alice', 'email'], ['bob', 'x'], ['carol', 'linkedin']]) {
    expect((await api('POST', '/v1/shares', { token: org.apiKey, body: { campaignId, advocateId, channel } })).status).toBe(202);
  }

  // Created last, so it heads the list: the dashboard opens on an empty campaign.
  emptyCampaignId = (await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: 'Spring webinar', destinationUrl: 'https://events.acme.example/spring' },
  })).body.campaignId;
  await system.streamsIdle();

  browser = await launchBrowser();
  watched = watchPages(browser, system.baseUrl);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.baseUrl });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  await new Promise<void>((resolve) => (landing ? landing.close(() => resolve()) : resolve()));
});

// ---------------------------------------------------------------------------------------------

const ready = (page: Page) => page.waitForSelector('#detail[data-state="ready"]');

const kpis = (page: Page) =>
  page.$$eval('[data-testid^="kpi-"]', (nodes) =>
    Object.fromEntries(nodes.map((node) => [(node as unknown as BrowserElement).dataset.testid, (node as unknown as BrowserElement).dataset.value])),
  );

const tableRows = (page: Page, testid: string, key: string) =>
  page.$$eval(
    `[data-testid="${testid}"]`,
    (rows, key) =>
      rows.map((row) => {
        const cells = Object.fromEntries(
          [...row.querySelectorAll('[data-field]')].map((cell) => [cell.dataset.field, cell.dataset.value]),
        );
        return { key: (row as unknown as BrowserElement).dataset[key as string], ...cells };
      }),
    key,
  );

describe('campaign dashboard', () => {
  let page: Page;

  beforeAll(async () => {
    page = await openPage();
  });

  it('asks for a key, refuses a bad one with a clear message, and opens with a good one', async () => {
    await page.goto(`${system.baseUrl}/dashboard`);
    await page.waitForSelector('#key-panel:not([hidden])');
    await page.fill('#key-input', 'ak_notarealkey');
    await page.click('#key-form button[type=submit]');
    await expect.poll(() => page.textContent('#key-error')).toMatch(/refused/);

    const writer = (await api('POST', '/v1/api-keys', { token: org.apiKey, body: { scopes: ['links:write'] } })).body.apiKey;
    await page.fill('#key-input', writer);
    await page.click('#key-form button[type=submit]');
    await expect.poll(() => page.textContent('#key-error')).toMatch(/lacks the analytics:read scope/);

    await page.fill('#key-input', analyticsKey);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('[data-testid="campaign-item"]');
    expect(await page.$$eval('[data-testid="campaign-item"]', (items) => items.map((i) => (i as unknown as BrowserElement).dataset.campaignId))).toEqual([
      emptyCampaignId,
      campaignId,
    ]);
  }, BROWSER_TEST_TIMEOUT);

  it('designs the empty state of a campaign without traffic', async () => {
    await ready(page);
    expect(await page.textContent('#campaign-title')).toBe('Spring webinar');
    expect(await page.textContent('[data-testid="daily-chart"]')).toContain('No activity in this range');
    expect(await page.textContent('#detail')).toContain('No advocate has clicks or conversions in this range yet.');
    expect(await kpis(page)).toMatchObject({ 'kpi-clicks': '0', 'kpi-conversions': '0', 'kpi-bot-share': '' });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-empty-campaign.png'), fullPage: true });
  }, BROWSER_TEST_TIMEOUT);

  it("shows the API's numbers: totals, bot share, coverage, daily series, leaderboard and channels", async () => {
    await page.click(`[data-testid="campaign-item"][data-campaign-id="${campaignId}"]`);
    await ready(page);
    await page.waitForSelector('[data-testid="daily-chart"] canvas');

    const token = analyticsKey;
    const base = `/v1/campaigns/${campaignId}`;
    const channels = (await api('GET', `${base}/attribution?groupBy=channel&limit=100&${last30Days()}`, { token })).body;
    const days = (await api('GET', `${base}/attribution?groupBy=day&limit=100&${last30Days()}`, { token })).body;
    const leaderboard = (await api('GET', `${base}/leaderboard?metric=conversions&limit=10&${last30Days()}`, { token })).body;
    const unattributed = (await api('GET', `/v1/conversions/unattributed?${last30Days()}`, { token })).body;
    const { totals } = channels;
    expect(totals).toMatchObject({ clicks: 3, uniqueClicks: 3, botClicks: 1, conversions: 2, revenue: { EUR: '130.00' } });

    const shown = await kpis(page);
    expect(Number(shown['kpi-clicks'])).toBe(totals.clicks);
    expect(Number(shown['kpi-unique-clicks'])).toBe(totals.uniqueClicks);
    expect(Number(shown['kpi-bot-share'])).toBe(totals.botClicks / (totals.clicks + totals.botClicks));
    expect(Number(shown['kpi-conversions'])).toBe(totals.conversions);
    expect(JSON.parse(shown['kpi-revenue']!)).toEqual(totals.revenue);
    // Both campaigns' credited conversions against the organization's unattributed ones.
    expect(unattributed.conversions).toBe(1);
    expect(Number(shown['kpi-coverage'])).toBeCloseTo(2 / 3, 12);
    // What the user reads, not only what the page holds.
    expect(await page.textContent('[data-testid="kpi-clicks"]')).toBe('3');
    expect(await page.textContent('[data-testid="kpi-bot-share"]')).toBe('25%');
    expect(await page.textContent('[data-testid="kpi-revenue"]')).toBe('€130.00');
    expect(await page.textContent('[data-testid="kpi-coverage"]')).toBe('66.7%');

    expect(await page.$$eval('[data-testid="daily-table"] tbody tr', (rows) => rows.length)).toBe(30);
    const nonZero = await page.$$eval('[data-testid="daily-table"] tbody tr', (rows) =>
      rows
        .map((row) => ({
          key: (row as unknown as BrowserElement).dataset.day,
          clicks: Number(row.querySelector('[data-field=clicks]')!.dataset.value),
          conversions: Number(row.querySelector('[data-field=conversions]')!.dataset.value),
        }))
        .filter((row) => row.clicks > 0 || row.conversions > 0),
    );
    expect(nonZero).toEqual(days.rows.map((row: any) => ({ key: row.key, clicks: row.clicks, conversions: row.conversions })));

    const board = await tableRows(page, 'leaderboard-row', 'advocateId');
    expect(board).toEqual(
      leaderboard.rows.map((row: any) => ({
        key: row.advocateId,
        rank: String(row.rank),
        clicks: String(row.clicks),
        conversions: String(row.conversions),
        revenue: JSON.stringify(row.revenue),
      })),
    );
    const channelRows = await tableRows(page, 'channel-row', 'channel');
    expect(channelRows).toEqual(channels.rows.map((row: any) => ({ key: row.key, clicks: String(row.clicks), conversions: String(row.conversions) })));

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
  }, BROWSER_TEST_TIMEOUT);

  it('shows the funnel shares → clicks → unique clicks → conversions → revenue with its rates, per campaign and advocate, as the API reports them, and as CSV', async () => {
    await page.selectOption('[data-testid="range-select"]', '30');
    await ready(page);
    const funnelAgainstApi = async (model: string) => {
      const report = (await api('GET', `/v1/campaigns/${campaignId}/attribution?model=${model}&groupBy=advocate&limit=50&${last30Days()}`, { token: analyticsKey })).body;
      const expectedLine = (key: string, numbers: any) => ({
        key,
        shares: String(numbers.shares),
        clicksPerShare: numbers.shares > 0 ? String(numbers.clicks / numbers.shares) : '',
        clicks: String(numbers.clicks),
        uniqueRate: numbers.clicks > 0 ? String(numbers.uniqueClicks / numbers.clicks) : '',
        uniqueClicks: String(numbers.uniqueClicks),
        conversionRate: numbers.uniqueClicks > 0 ? String(numbers.conversions / numbers.uniqueClicks) : '',
        conversions: String(numbers.conversions),
        revenuePerConversion:
          numbers.conversions > 0 ? JSON.stringify(Object.fromEntries(Object.entries(numbers.revenue).map(([currency, amount]) => [currency, Number(amount) / numbers.conversions]))) : '',
        revenue: JSON.stringify(numbers.revenue),
      });
      expect(await tableRows(page, 'funnel-campaign', 'key')).toEqual([expectedLine(campaignId, report.totals)]);
      expect(await tableRows(page, 'funnel-advocate', 'key')).toEqual(report.rows.map((row: any) => expectedLine(row.key, row)));
      return report;
    };
    const report = await funnelAgainstApi('last_click');
    expect(report.totals).toMatchObject({ shares: 5, clicks: 3, uniqueClicks: 3, conversions: 2, revenue: { EUR: '130.00' } });
    expect(Object.fromEntries(report.rows.map((row: any) => [row.key, row.shares]))).toEqual({ alice: 3, bob: 1, carol: 1 });
    expect(await page.textContent('[data-testid="kpi-shares"]')).toBe('5');
    // Carol shared and nobody clicked: 0 clicks per share, and no rate after a step of 0.
    const carol = page.locator('[data-testid="funnel-advocate"][data-key="carol"]');
    expect(await carol.locator('th').textContent()).toBe('Carol <b>Ng</b>');
    expect(await carol.locator('[data-field="clicksPerShare"]').textContent()).toBe('0');
    for (const field of ['uniqueRate', 'conversionRate', 'revenuePerConversion']) expect(await carol.locator(`[data-field="${field}"]`).textContent()).toBe('–');
    expect(await page.locator('[data-testid="funnel-campaign"] [data-field="conversionRate"]').textContent()).toBe('66.7%');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="csv-funnel"]')]);
    expect(download.suggestedFilename()).toBe(`hiring-2027-funnel-last_click-${utcDay(29)}_${utcDay(0)}.csv`);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe('level,key,label,shares,clicks_per_share,clicks,unique_rate,unique_clicks,conversion_rate,conversions,revenue_per_conversion_EUR,revenue_EUR');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 4).concat(line.split(',')[5]!, line.split(',')[9]!, line.split(',').at(-1)!))).toEqual([
      ['campaign', 'all', 'Whole campaign', '5', '3', '2', '130.00'],
      ...report.rows.map((row: any) => ['advocate', row.key, row.label, String(row.shares), String(row.clicks), String(row.conversions), row.revenue.EUR ?? '0']),
    ]);
    expect(lines.find((line) => line.startsWith('advocate,carol,'))).toBe('advocate,carol,Carol <b>Ng</b>,1,0.000000,0,,0,,0,,0');

    // Another model: the funnel's conversions and revenue follow it.
    await page.selectOption('[data-testid="model-select"]', 'first_click');
    await ready(page);
    await funnelAgainstApi('first_click');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-funnel.png'), fullPage: true });
    await page.selectOption('[data-testid="model-select"]', 'last_click');
    await ready(page);
  }, BROWSER_TEST_TIMEOUT);

  it('switches between the five models, and each shows that model from the API', async () => {
    const seen = new Map<string, string>();
    await page.selectOption('[data-testid="range-select"]', '30');
    await ready(page);
    for (const model of models) {
      await page.selectOption('[data-testid="model-select"]', model);
      await ready(page);
      expect(page.url()).toContain(`model=${model}`);
      const api30 = (await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=conversions&model=${model}&limit=10&${last30Days()}`, {
        token: analyticsKey,
      })).body;
      const board = await tableRows(page, 'leaderboard-row', 'advocateId');
      expect(board.map((row) => [row.key, Number(row.conversions)]), model).toEqual(
        api30.rows.map((row: any) => [row.advocateId, row.conversions]),
      );
      seen.set(model, JSON.stringify(board));
    }
    // Visitor 1 touched Alice, then Bob: first and last click credit different advocates.
    expect(seen.get('first_click')).not.toBe(seen.get('last_click'));
    await page.selectOption('[data-testid="model-select"]', 'first_click');
    await ready(page);
    const alice = (await tableRows(page, 'leaderboard-row', 'advocateId')).find((row) => row.key === 'alice');
    expect(Number(alice?.conversions)).toBe(2);
    expect(Number((await kpis(page))['kpi-conversions'])).toBe(2);
  }, BROWSER_TEST_TIMEOUT);

  it("follows the advocates' choices: a pseudonym instead of Alice's name, Bob left out", async () => {
    const alice = await system.advocateToken(org.orgId, 'alice');
    const bob = await system.advocateToken(org.orgId, 'bob');
    expect((await api('PATCH', '/v1/advocates/alice', { token: alice, body: { rankingVisibility: 'pseudonymous' } })).status).toBe(200);
    expect((await api('PATCH', '/v1/advocates/bob', { token: bob, body: { rankingVisibility: 'hidden' } })).status).toBe(200);
    try {
      await page.selectOption('[data-testid="model-select"]', 'last_click');
      await ready(page);
      const api30 = (await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=conversions&model=last_click&limit=10&${last30Days()}`, { token: analyticsKey })).body;
      const board = await tableRows(page, 'leaderboard-row', 'advocateId');
      expect(board.map((row) => row.key)).toEqual(api30.rows.map((row: any) => row.advocateId));
      // Alice under her pseudonym, Bob left out, Carol (named: she only shared) as before.
      expect(board.map((row) => row.key).filter((key) => key !== 'carol')).toEqual([expect.stringMatching(/^anon-[0-9a-f]{12}$/)]);
      const text = await page.textContent('#leaderboard-title + *');
      expect(text).toMatch(/Advocate [0-9a-f]{6}/);
      expect(text).not.toMatch(/Alice|Bob|alice|bob/);
    } finally {
      await api('PATCH', '/v1/advocates/alice', { token: alice, body: { rankingVisibility: null } });
      await api('PATCH', '/v1/advocates/bob', { token: bob, body: { rankingVisibility: null } });
    }
  }, BROWSER_TEST_TIMEOUT);

  it('breaks clicks and credited conversions down by country, device, browser, OS and referrer, as a chart and a table', async () => {
    await page.selectOption('[data-testid="range-select"]', '30');
    await ready(page);
    await page.selectOption('[data-testid="model-select"]', 'last_click');
    await ready(page);
    const bars = () =>
      page.$$eval('[data-testid="breakdown-bar"]', (nodes) =>
        nodes.map((node) => {
          const { key, clicks, conversions } = (node as unknown as BrowserElement).dataset;
          return { key: String(key), clicks: Number(clicks), conversions: Number(conversions) };
        }),
      );
    const fromApi = async (groupBy: string) =>
      (await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=${groupBy}&model=last_click&limit=10&${last30Days()}`, { token: analyticsKey })).body;
    const shown: Record<string, Array<{ key: string; clicks: number; conversions: number }>> = {};
    for (const groupBy of ['country', 'device', 'browser', 'os', 'referrer']) {
      await page.selectOption('[data-testid="breakdown-select"]', groupBy);
      await ready(page);
      expect(page.url()).toContain(`breakdown=${groupBy}`);
      const report = await fromApi(groupBy);
      // The chart draws the API's rows, in its order, with its numbers; the table repeats them.
      shown[groupBy] = await bars();
      expect(shown[groupBy]).toEqual(report.rows.map((row: any) => ({ key: row.key, clicks: row.clicks, conversions: row.conversions })));
      expect(await tableRows(page, 'breakdown-row', 'key')).toEqual(
        report.rows.map((row: any) => ({ key: row.key, clicks: String(row.clicks), uniqueClicks: String(row.uniqueClicks), conversions: String(row.conversions), revenue: JSON.stringify(row.revenue) })),
      );
      // A drawn chart, not an empty box: the row with the most clicks has the full-length bar.
      const chart = await page.$eval('[data-testid="breakdown-chart"]', (node) => node.getBoundingClientRect());
      expect(chart.width).toBeGreaterThan(200);
      expect(chart.height).toBeGreaterThan(20);
      const shares = await page.$$eval('[data-testid="breakdown-bar"] rect.bar-clicks', (rects) => rects.map((rect) => Number((rect as unknown as BrowserElement).dataset.share)));
      expect(Math.max(...shares)).toBe(1);
    }
    // Visitor 1's conversion (last click: Bob's, from Germany, no referrer) and visitor 2's lead
    // (no country): last-click credit on DE and unknown, none on FR.
    const byKey = (rows: Array<{ key: string; clicks: number; conversions: number }>) => Object.fromEntries(rows.map((row) => [row.key, [row.clicks, row.conversions]]));
    expect(byKey(shown.country)).toEqual({ DE: [1, 1], unknown: [1, 1], FR: [1, 0] });
    expect(byKey(shown.referrer)).toEqual({ unknown: [2, 2], 'www.linkedin.com': [1, 0] });
    expect(byKey(shown.device)).toMatchObject({ desktop: [3, 2] });
    expect(byKey(shown.browser)).toMatchObject({ Chrome: [3, 2] });
    expect(byKey(shown.os)).toMatchObject({ Windows: [3, 2] });
    // Labels the user reads: the country's name, the key itself elsewhere.
    await page.selectOption('[data-testid="breakdown-select"]', 'country');
    await ready(page);
    expect(await page.textContent('[data-testid="breakdown-row"][data-key="FR"] td')).toBe('France');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-breakdown.png'), fullPage: true });
  }, BROWSER_TEST_TIMEOUT);

  it('follows the date range: a month without traffic shows zeros', async () => {
    await page.selectOption('[data-testid="range-select"]', 'custom');
    await ready(page);
    // The end first: until the start follows, the range is reversed and the page waits.
    await page.fill('#to-input', '2020-01-31');
    await page.fill('#from-input', '2020-01-01');
    await ready(page);
    expect(await page.inputValue('#from-input')).toBe('2020-01-01');
    expect(page.url()).toContain('from=2020-01-01');
    expect(await kpis(page)).toMatchObject({ 'kpi-clicks': '0', 'kpi-conversions': '0' });
    expect(await page.$$eval('[data-testid="daily-table"] tbody tr', (rows) => rows.length)).toBe(31);
    await page.selectOption('[data-testid="range-select"]', 'all');
    await ready(page);
    expect((await kpis(page))['kpi-clicks']).toBe('3');
  }, BROWSER_TEST_TIMEOUT);

  it('downloads the raw clicks and conversions as CSV, equal to the API', async () => {
    for (const type of ['click', 'conversion'] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="csv-${type}"]`)]);
      expect(download.suggestedFilename()).toBe(`hiring-2027-${type}s-all-time.csv`);
      const file = await readFile((await download.path())!, 'utf8');
      const expected = await (
        await fetch(`${system.baseUrl}/v1/campaigns/${campaignId}/events?type=${type}`, {
          headers: { authorization: `Bearer ${analyticsKey}`, accept: 'text/csv' },
        })
      ).text();
      expect(file).toBe(expected);
      const lines = file.trim().split('\r\n');
      expect(lines.length).toBe(type === 'click' ? 5 : 3); // header + 3 human clicks and 1 bot / + 2 conversions
    }
  }, BROWSER_TEST_TIMEOUT);

  it('shows a loading state while the API answers, and an error state with a working retry', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/leaderboard?**', async (route) => {
      await held;
      await route.fulfill({
        status: 500,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The database is resting' }),
      });
    });
    await page.selectOption('[data-testid="model-select"]', 'linear');
    await page.waitForSelector('#detail[data-state="loading"] .state-loading');
    expect(await page.getAttribute('#detail', 'aria-busy')).toBe('true');
    release();
    await page.waitForSelector('#detail[data-state="error"]');
    expect(await page.textContent('#detail')).toContain('The database is resting');
    await page.unroute('**/leaderboard?**');
    await page.click('#detail button:has-text("Try again")');
    await ready(page);
    expect((await kpis(page))['kpi-clicks']).toBe('3');
  }, BROWSER_TEST_TIMEOUT);

  it('is usable on a phone: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await ready(page);
    // The chart follows its container on the next resize observation.
    await expect
      .poll(() =>
        page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 1 && !node.closest('.visually-hidden, .table-scroll'))
            .map((node) => `${node.tagName.toLowerCase()}.${node.className}`),
        ),
      )
      .toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const chartWidth = await page.$eval('[data-testid="daily-chart"] canvas', (canvas) => canvas.getBoundingClientRect().width);
    expect(chartWidth).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1360, height: 900 });
  }, BROWSER_TEST_TIMEOUT);
});

describe('advocate page', () => {
  let page: Page;
  let token: string;

  beforeAll(async () => {
    page = await openPage();
    token = await system.advocateToken(org.orgId, 'alice');
  });

  it('takes the token from the URL fragment and removes it from the address bar', async () => {
    await page.goto(`${system.baseUrl}/me#token=${token}`);
    await page.waitForSelector('[data-testid="campaign-card"]');
    expect(page.url()).toBe(`${system.baseUrl}/me`);
    expect(await page.textContent('#who-name')).toBe('Signed in as alice');
    expect(await page.$$eval('[data-testid="campaign-card"]', (cards) => cards.map((c) => (c as unknown as BrowserElement).dataset.campaignId).sort())).toEqual(
      [campaignId, emptyCampaignId].sort(),
    );
  }, BROWSER_TEST_TIMEOUT);

  it("shows the advocate's own results and rank, as the API reports them", async () => {
    await page.waitForSelector('[data-testid="stats-campaign"]');
    const stats = (await api('GET', '/v1/advocates/alice/stats', { token })).body;
    const shown = await page.$$eval('[data-testid="stats-campaign"]', (cards) =>
      cards.map((card) => ({
        campaignId: (card as unknown as BrowserElement).dataset.campaignId,
        ...Object.fromEntries([...card.querySelectorAll('[data-field]')].map((cell) => [cell.dataset.field, cell.dataset.value])),
      })),
    );
    expect(shown).toEqual(
      stats.campaigns.map((campaign: any) => ({
        campaignId: campaign.campaignId,
        rank: String(campaign.rank ?? ''),
        clicks: String(campaign.clicks),
        uniqueClicks: String(campaign.uniqueClicks),
        conversions: String(campaign.conversions),
        revenue: JSON.stringify(campaign.revenue),
      })),
    );
    // Alice, Bob, and Carol, who only shared: a share is activity in the campaign.
    expect(await page.textContent(`[data-testid="stats-campaign"][data-campaign-id="${campaignId}"] .rank`)).toMatch(/^#\d of 3$/);
  }, BROWSER_TEST_TIMEOUT);

  it('returns the existing link for a channel, and copies it to the clipboard', async () => {
    const card = page.locator(`[data-testid="campaign-card"][data-campaign-id="${campaignId}"]`);
    await card.locator('[data-testid="channel-linkedin"]').click();
    await expect.poll(() => card.locator('.issue-status').textContent()).toBe('Your LinkedIn link.');
    const row = card.locator(`[data-testid="link-row"][data-channel="linkedin"]`);
    expect(await row.locator('[data-testid="short-url"]').inputValue()).toBe(links.aliceLinkedin.shortUrl);
    await row.locator('[data-testid="copy"]').click();
    await expect.poll(() => row.locator('[data-testid="copy"]').textContent()).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(links.aliceLinkedin.shortUrl);
  }, BROWSER_TEST_TIMEOUT);

  it('issues a QR-code link whose code, shown and downloaded, decodes back to the short URL', async () => {
    const card = page.locator(`[data-testid="campaign-card"][data-campaign-id="${campaignId}"]`);
    await card.locator('[data-testid="channel-qr"]').click();
    await expect.poll(() => card.locator('.issue-status').textContent()).toBe('New QR code link created.');
    const row = card.locator(`[data-testid="link-row"][data-channel="qr"]`);
    const shortUrl = await row.locator('[data-testid="short-url"]').inputValue();
    const issued = (await api('GET', '/v1/links', { token })).body.items.find((link: any) => link.channel === 'qr');
    expect(shortUrl).toBe(issued.shortUrl);

    const image = row.locator('[data-testid="qr-image"]');
    const loaded = () =>
      image.evaluate((node) => {
        const img = node as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      });
    await expect.poll(loaded).toBe(true);
    expect(decodeQr(await image.screenshot())).toBe(shortUrl);

    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('[data-testid="qr-png"]').click()]);
    expect(download.suggestedFilename()).toBe(`qr-${issued.slug}.png`);
    expect(decodeQr(await readFile((await download.path())!))).toBe(shortUrl);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'advocate-page.png'), fullPage: true });
  }, BROWSER_TEST_TIMEOUT);

  it('sends an expired token back to the sign-in form with an explanation', async () => {
    const expired = await system.advocateToken(org.orgId, 'alice', { ttlSeconds: -120 });
    await page.goto(`${system.baseUrl}/me#token=${expired}`);
    await page.waitForSelector('#token-panel:not([hidden])');
    expect(await page.textContent('#token-error')).toMatch(/expired/);
  }, BROWSER_TEST_TIMEOUT);
});

describe('API reference', () => {
  it('renders every operation of /openapi.json, locally, without a CDN', async () => {
    const page = await openPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(system.baseUrl) && !request.url().startsWith('data:')) external.push(request.url());
    });
    await page.goto(`${system.baseUrl}/docs`);
    await page.waitForSelector('#reference[data-state="ready"]');
    const document = (await api('GET', '/openapi.json')).body;
    const operationIds = Object.values(document.paths).flatMap((item: any) => Object.values(item).map((op: any) => op.operationId));
    const shown = await page.$$eval('section.operation', (sections) => sections.map((s) => s.id));
    expect(shown.sort()).toEqual(operationIds.sort());
    expect(await page.$$eval('section.schema', (sections) => sections.length)).toBe(Object.keys(document.components.schemas).length);
    expect(external).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-reference.png') });
  }, BROWSER_TEST_TIMEOUT);
});

describe('a browser following a short link', () => {
  it('lands on the landing page with eaclid, and keeps the eav cookie for the next click', async () => {
    const page = await openPage();
    await page.goto(links.aliceLinkedin.shortUrl);
    const firstLanding = new URL(page.url());
    expect(firstLanding.origin + firstLanding.pathname).toBe(`${landingOrigin}/landing`);
    expect(firstLanding.searchParams.get('from')).toBe('campaign');
    expect(firstLanding.searchParams.get('utm_source')).toBe('linkedin');
    const firstClickId = firstLanding.searchParams.get('eaclid');
    expect(firstClickId).toBeTruthy();
    expect(await page.title()).toBe('Acme careers');

    // Secure cookies are kept on http://127.0.0.1: Chromium treats loopback as a secure context.
    const cookies = await browser.context.cookies(system.baseUrl);
    const visitor = cookies.find((cookie) => cookie.name === 'eav');
    expect(visitor).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', domain: '127.0.0.1' });
    expect(visitor!.expires - Date.now() / 1000).toBeGreaterThan(390 * 86_400);

    await page.goto(links.bobX.shortUrl);
    const secondClickId = new URL(page.url()).searchParams.get('eaclid');
    expect(secondClickId).toBeTruthy();
    expect(secondClickId).not.toBe(firstClickId);
    expect(landingRequests.filter((request) => request.url.startsWith('/landing?')).length).toBeGreaterThanOrEqual(2);

    // Both clicks were recorded under the cookie's visitor: the browser sent it back.
    await system.streamsIdle();
    const events = (await api('GET', `/v1/campaigns/${campaignId}/events?type=click&limit=100`, { token: analyticsKey })).body.items;
    const byId = (clickId: string | null) => events.find((event: any) => event.clickId === clickId);
    expect(byId(firstClickId)).toMatchObject({ visitorId: visitor!.value, channel: 'linkedin', botClass: 'human', unique: true });
    expect(byId(secondClickId)).toMatchObject({ visitorId: visitor!.value, channel: 'x', botClass: 'human' });
  }, BROWSER_TEST_TIMEOUT);
});

describe('everything the browser saw', () => {
  it('matched the OpenAPI document, and no page logged an error (CSP violations included)', async () => {
    expect(await watched.settled()).toBeGreaterThan(30);
    expect(watched.contractProblems).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
  });
});
