/**
 * The advocate's ranking choice on the advocate page (spec section 16), in Debian's Chromium
 * against the local runtime: the page shows the current choice (the organization's default while
 * none is made), choosing "a pseudonym" sends the PATCH with the advocate's own token and the
 * leaderboard an API key reads then shows the pseudonym, not the name, while the advocate still
 * sees its own name and rank; back to the default on a 390 px phone, nothing wider than the screen.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SCREENSHOT_DIR, watchPages, type Browser } from '../support/browser.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

const BROWSER_TEST_TIMEOUT = 60_000;

interface BrowserElement {
  tagName: string;
  className: string;
  closest(selector: string): BrowserElement | null;
  getBoundingClientRect(): { right: number };
}
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};
declare const window: { innerWidth: number };

interface LeaderboardRow {
  advocateId: string;
  displayName: string;
  clicks: number;
}

let system: TestSystem;
let api: Client['request'];
let browser: Browser;
let watched: ReturnType<typeof watchPages>;
let org: { orgId: string; apiKey: string };
let campaignId: string;
let token: string;
/** The PATCH requests the page sent, with the credential each carried. */
const patches: Array<{ body: unknown; authorization: string | undefined }> = [];

const click = async (slug: string) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
  expect(response.status).toBe(302);
};

/** The leaderboard by clicks as an API key reads it (what managers and colleagues see). */
const leaderboard = async (): Promise<LeaderboardRow[]> => {
  const response = await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=clicks&limit=10`, { token: org.apiKey });
  expect(response.status).toBe(200);
  return response.body.rows as LeaderboardRow[];
};

const openPage = async (viewport?: { width: number; height: number }): Promise<Page> => {
  const page = await watched.open();
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(`${system.baseUrl}/me#token=${token}`);
  await page.waitForSelector('[data-testid="visibility-form"]:not([hidden])');
  return page;
};

const checked = (page: Page) => page.locator('[data-testid="visibility-form"] input[name="visibility"]:checked').getAttribute('value');
const explanation = (page: Page) => page.locator('[data-testid="visibility-explanation"]').textContent();

/** Picks an option, saves, and returns the PATCH body the page sent. */
const choose = async (page: Page, option: 'default' | 'named' | 'pseudonymous' | 'hidden') => {
  await page.check(`[data-testid="visibility-${option}"]`);
  const sent = patches.length;
  await page.click('[data-testid="visibility-save"]');
  await expect.poll(() => page.locator('[data-testid="visibility-status"]').textContent()).toBe('Saved.');
  expect(patches.length).toBe(sent + 1);
  expect(patches.at(-1)!.authorization).toBe(`Bearer ${token}`);
  return patches.at(-1)!.body;
};

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Hiring 2027', destinationUrl: 'https://careers.acme.example/jobs' } });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.campaignId;
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice Martin', department: 'sales' } });
  await api('PUT', '/v1/advocates/bob', { token: org.apiKey, body: { displayName: 'Bob Stone', department: 'eng' } });
  const issue = async (advocateId: string) =>
    (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId, channel: 'linkedin' } })).body.slug as string;
  const [aliceSlug, bobSlug] = [await issue('alice'), await issue('bob')];
  // Alice two clicks, Bob one: Alice ranks first, under whichever label she chooses.
  await click(aliceSlug);
  await click(aliceSlug);
  await click(bobSlug);
  await system.streamsIdle();
  token = await system.advocateToken(org.orgId, 'alice');

  browser = await launchBrowser();
  watched = watchPages(browser, system.baseUrl);
  browser.context.on('request', (request) => {
    if (request.method() === 'PATCH' && new URL(request.url()).pathname === '/v1/advocates/alice') {
      patches.push({ body: request.postDataJSON(), authorization: request.headers().authorization });
    }
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe("the advocate's ranking choice", () => {
  it('shows the organization default (named) while no choice is made, and the leaderboard names Alice', async () => {
    expect(await leaderboard()).toEqual([
      expect.objectContaining({ advocateId: 'alice', displayName: 'Alice Martin', clicks: 2 }),
      expect.objectContaining({ advocateId: 'bob', displayName: 'Bob Stone', clicks: 1 }),
    ]);
    const page = await openPage();
    expect(await checked(page)).toBe('default');
    expect(await page.locator('#visibility-default-label').textContent()).toBe('Organization default (now: your name)');
    expect(await explanation(page)).toBe('Colleagues see your name in rankings; you always see your own rank.');
    // The explanation follows the option picked, before anything is saved.
    await page.check('[data-testid="visibility-hidden"]');
    expect(await explanation(page)).toBe('Colleagues see nothing in rankings; you always see your own rank.');
    expect(patches).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT);

  it('sends the PATCH for "a pseudonym"; the leaderboard then shows the pseudonym, and Alice still her own name and rank', async () => {
    const page = await openPage();
    expect(await choose(page, 'pseudonymous')).toEqual({ rankingVisibility: 'pseudonymous' });
    expect(await explanation(page)).toBe('Colleagues see a pseudonym in rankings; you always see your own rank.');
    const rows = await leaderboard();
    expect(rows.map((row) => row.clicks)).toEqual([2, 1]);
    expect(rows[0]!.advocateId).toMatch(/^anon-[0-9a-f]{12}$/);
    expect(rows[0]!.displayName).toMatch(/^Advocate [0-9a-f]{6}$/);
    expect(JSON.stringify(rows)).not.toMatch(/alice|Alice Martin|sales/i);
    expect(rows[1]).toEqual(expect.objectContaining({ advocateId: 'bob', displayName: 'Bob Stone' }));
    const own = (await api('GET', '/v1/advocates/alice/stats', { token })).body;
    expect(own).toEqual(expect.objectContaining({ advocateId: 'alice', displayName: 'Alice Martin', rankingVisibility: 'pseudonymous' }));
    expect(own.campaigns[0].rank).toBe(1);
    await expect.poll(() => page.locator('[data-testid="stats-campaign"] [data-field="rank"]').getAttribute('data-value')).toBe('1');
    // Opened again, the page shows the choice made.
    await page.reload();
    await page.waitForSelector('[data-testid="visibility-form"]:not([hidden])');
    expect(await checked(page)).toBe('pseudonymous');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'advocate-ranking-choice.png'), fullPage: true });
    await page.close();
  }, BROWSER_TEST_TIMEOUT);

  it("returns to the organization's default on a 390 px phone, nothing wider than the screen", async () => {
    // The organization now leaves advocates out by default; Alice follows it once she clears her choice.
    expect((await api('PATCH', '/v1/organization', { token: org.apiKey, body: { rankingDefault: 'hidden' } })).status).toBe(200);
    const phone = await openPage({ width: 390, height: 844 });
    expect(await checked(phone)).toBe('pseudonymous');
    expect(await phone.locator('#visibility-default-label').textContent()).toBe('Organization default');
    expect(await choose(phone, 'default')).toEqual({ rankingVisibility: null });
    expect(await phone.locator('#visibility-default-label').textContent()).toBe('Organization default (now: nothing)');
    expect(await explanation(phone)).toBe('Colleagues see nothing in rankings; you always see your own rank.');
    // Bob follows the same default: the list others see is empty, the counts stay.
    expect(await leaderboard()).toEqual([]);
    expect((await api('GET', '/v1/advocates/alice', { token })).body.rankingVisibility).toBeUndefined();
    expect(
      await phone.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 1 && !node.closest('.visually-hidden'))
          .map((node) => `${node.tagName.toLowerCase()}.${node.className}`),
      ),
    ).toEqual([]);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(SCREENSHOT_DIR, 'advocate-ranking-choice-phone.png'), fullPage: true });
    await phone.close();
  }, BROWSER_TEST_TIMEOUT);
});

describe('everything the browser saw', () => {
  it('matched the OpenAPI document, and no page logged an error', async () => {
    expect(await watched.settled()).toBeGreaterThan(10);
    expect(watched.contractProblems).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
  });
});
