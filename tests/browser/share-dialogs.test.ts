/**
 * Suggested posts on the advocate page (spec section 15), in Debian's Chromium against the local
 * runtime: per campaign and channel the post is filled with this advocate's own short link, and
 * each share button opens the network's dialog at exactly the URL that carries that post,
 * percent-encoded — on a desktop and on a 390 px phone; a template with `<script>` in it shows as
 * text; pressing a button records the share (POST /v1/shares, answered here by a stand-in 404:
 * the page must not depend on the route) and logs no error.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filledLength, xWeightedLength } from '../../shared/domain/share-template.js';
import { launchBrowser, SCREENSHOT_DIR, watchPages, type Browser } from '../support/browser.js';
import type { Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

const BROWSER_TEST_TIMEOUT = 60_000;

interface BrowserElement {
  textContent: string | null;
  tagName: string;
  className: string;
  closest(selector: string): BrowserElement | null;
  getBoundingClientRect(): { right: number };
}
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<BrowserElement> & { length: number };
  addEventListener(type: string, listener: (event: { target: BrowserElement; preventDefault(): void }) => void, capture: boolean): void;
};
declare const window: { innerWidth: number };

const campaignName = 'Hiring & Growth #2027';
const templates = {
  linkedin: "We're hiring for {campaignName}! 🚀\nApply through my link: {link}\n— {advocateName}",
  x: "<script>alert('x')</script> Join {advocateName} & team: {link} #hiring 100%",
  facebook: 'Come work with me at Acme: {link}',
  whatsapp: 'Hi! Have a look (50% off?): {link}',
  email: 'Hello,\n\nI thought of you: {link}\n\n{advocateName}',
  instagram: 'Link in bio: {link}',
};
type TemplatedChannel = keyof typeof templates;

let system: TestSystem;
let api: Client['request'];
let browser: Browser;
let watched: ReturnType<typeof watchPages>;
let org: { orgId: string; apiKey: string };
let campaignId: string;
let token: string;
let bobShortUrl: string;
const recordedShares: Array<{ body: unknown; authorization: string | undefined }> = [];

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  const campaign = await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: campaignName, destinationUrl: 'https://careers.acme.example/jobs', shareTemplates: templates },
  });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.campaignId;
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice Martin' } });
  // Another advocate's link of the same campaign and channel: it must never appear on Alice's page.
  await api('PUT', '/v1/advocates/bob', { token: org.apiKey, body: { displayName: 'Bob Stone' } });
  const bobLink = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId: 'bob', channel: 'x' } });
  expect(bobLink.status).toBe(201);
  bobShortUrl = bobLink.body.shortUrl;
  token = await system.advocateToken(org.orgId, 'alice');

  browser = await launchBrowser();
  watched = watchPages(browser, system.baseUrl, { uncheckedPaths: ['/v1/shares'] });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.baseUrl });
  // The networks' dialogs are stand-ins: there is no network here, and the URL is what is tested.
  await browser.context.route(/^https:\/\/(www\.linkedin\.com|x\.com|www\.facebook\.com|wa\.me)\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Share dialog</title>' }),
  );
  // POST /v1/shares is another branch's route: a stand-in that answers 404, as an API without it would.
  await browser.context.route(`${system.baseUrl}/v1/shares`, (route) => {
    recordedShares.push({ body: route.request().postDataJSON(), authorization: route.request().headers().authorization });
    return route.fulfill({
      status: 404,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'https://advocacy.example/problems/404', title: 'Not Found', status: 404, detail: 'Not found' }),
    });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

/** Alice's own link of a channel, as the API lists it for her token (issued by the page if new). */
const aliceLink = async (channel: string): Promise<{ shortUrl: string; advocateId: string }> => {
  const items = (await api('GET', '/v1/links', { token })).body.items as Array<{ shortUrl: string; advocateId: string; channel: string; campaignId: string }>;
  const link = items.find((item) => item.channel === channel && item.campaignId === campaignId);
  expect(link, `alice's ${channel} link`).toBeDefined();
  return link!;
};

/** The post as the test fills it: independently of the page's code. */
const filled = (channel: TemplatedChannel, link: string) =>
  templates[channel].replaceAll('{link}', link).replaceAll('{advocateName}', 'Alice Martin').replaceAll('{campaignName}', campaignName);

/** RFC 3986 percent-encoding: everything but A–Z a–z 0–9 - . _ ~ (Chromium itself escapes ' in a query). */
const encode = (text: string) => [...new TextEncoder().encode(text)].map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** The exact URL of each network's dialog, built here from the documented formats. */
const expectedDialogUrl = (channel: TemplatedChannel, link: string): string | undefined => {
  const post = encode(filled(channel, link));
  switch (channel) {
    case 'linkedin':
      return `https://www.linkedin.com/feed/?shareActive=true&text=${post}`;
    case 'x':
      return `https://x.com/intent/post?text=${post}`;
    case 'facebook':
      return `https://www.facebook.com/sharer/sharer.php?u=${encode(link)}`;
    case 'whatsapp':
      return `https://wa.me/?text=${post}`;
    case 'email':
      return `mailto:?subject=${encode(campaignName)}&body=${encode(filled('email', link).replaceAll('\n', '\r\n'))}`;
    default:
      return undefined;
  }
};

const dialogChannels = ['linkedin', 'x', 'facebook', 'whatsapp', 'email'] as const;

const postOf = (page: Page, channel: string) =>
  page.locator(`[data-testid="campaign-card"][data-campaign-id="${campaignId}"] [data-testid="suggested-post"][data-channel="${channel}"]`);

/** Every share button's URL, the decoded text it carries, and that it carries Alice's own link. */
const checkShareButtons = async (page: Page) => {
  for (const channel of dialogChannels) {
    const link = await aliceLink(channel);
    expect(link.advocateId).toBe('alice');
    const href = await postOf(page, channel).locator(`[data-testid="share-${channel}"]`).getAttribute('href');
    expect(href, channel).toBe(expectedDialogUrl(channel, link.shortUrl));
    // Read back as a URL: the parameters decode to the post (or, for Facebook, the link) exactly.
    const parsed = new URL(href!);
    if (channel === 'facebook') expect(parsed.searchParams.get('u')).toBe(link.shortUrl);
    else if (channel === 'email') expect(parsed.searchParams.get('body')).toBe(filled('email', link.shortUrl).replaceAll('\n', '\r\n'));
    else expect(parsed.searchParams.get('text')).toBe(filled(channel, link.shortUrl));
    expect(href).not.toContain(encode(bobShortUrl));
  }
};

describe('suggested posts on the advocate page', () => {
  let page: Page;

  beforeAll(async () => {
    page = await watched.open();
    await page.goto(`${system.baseUrl}/me#token=${token}`);
    await page.waitForSelector('[data-testid="suggested-post"]');
  });

  it("shows each templated channel's post filled with the advocate's own link and name", async () => {
    const shown = await postOf(page, 'linkedin').locator('..').locator('[data-testid="suggested-post"]').evaluateAll((nodes) =>
      nodes.map((node) => (node as unknown as { dataset: { channel: string } }).dataset.channel),
    );
    expect(shown).toEqual(['linkedin', 'x', 'facebook', 'instagram', 'email', 'whatsapp']); // the page's channel order
    for (const channel of Object.keys(templates) as TemplatedChannel[]) {
      const link = await aliceLink(channel);
      expect(await postOf(page, channel).locator('[data-testid="post-text"]').textContent(), channel).toBe(filled(channel, link.shortUrl));
    }
    // A channel without a dialog of its own gets copy and QR, no share button.
    expect(await postOf(page, 'instagram').locator('a[data-testid^="share-"]').count()).toBe(0);
  }, BROWSER_TEST_TIMEOUT);

  it('shows a template with <script> in it as text, and runs nothing', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const text = await postOf(page, 'x').locator('[data-testid="post-text"]').textContent();
    expect(text).toContain("<script>alert('x')</script> Join Alice Martin & team:");
    expect(await page.evaluate(() => document.querySelectorAll('[data-testid="suggested-posts"] script').length)).toBe(0);
    expect(dialogs).toEqual([]);
  }, BROWSER_TEST_TIMEOUT);

  it("gives each network's button the exact dialog URL, carrying this advocate's own link", async () => {
    await checkShareButtons(page);
  }, BROWSER_TEST_TIMEOUT);

  it('opens the dialog at that URL, and records the share even where the API answers 404', async () => {
    recordedShares.length = 0;
    for (const channel of ['linkedin', 'x', 'facebook', 'whatsapp'] as const) {
      const button = postOf(page, channel).locator(`[data-testid="share-${channel}"]`);
      const href = await button.getAttribute('href');
      const [dialog] = await Promise.all([browser.context.waitForEvent('page'), button.click()]);
      await dialog.waitForLoadState();
      expect(dialog.url(), channel).toBe(href);
      await dialog.close();
    }
    // mailto: would hand over to a mail program; the click is kept in the page, the record is not.
    await page.evaluate(() =>
      document.addEventListener('click', (event) => {
        if (event.target.closest('a[href^="mailto:"]')) event.preventDefault();
      }, true),
    );
    await postOf(page, 'email').locator('[data-testid="share-email"]').click();
    await expect.poll(() => recordedShares.length).toBe(5);
    expect(recordedShares.map((share) => share.body)).toEqual(
      ['linkedin', 'x', 'facebook', 'whatsapp', 'email'].map((channel) => ({ campaignId, channel })),
    );
    expect(new Set(recordedShares.map((share) => share.authorization))).toEqual(new Set([`Bearer ${token}`]));
  }, BROWSER_TEST_TIMEOUT);

  it('copies the filled post', async () => {
    const post = postOf(page, 'whatsapp');
    await post.locator('[data-testid="copy-post"]').click();
    await expect.poll(() => post.locator('[data-testid="copy-post"]').textContent()).toBe('Copied');
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(
      filled('whatsapp', (await aliceLink('whatsapp')).shortUrl),
    );
  }, BROWSER_TEST_TIMEOUT);

  it('shows the QR code of the post\'s link', async () => {
    const post = postOf(page, 'linkedin');
    await post.locator('[data-testid="show-qr"]').click();
    const image = post.locator('[data-testid="qr-image"]');
    await expect.poll(() => image.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'advocate-suggested-posts.png'), fullPage: true });
  }, BROWSER_TEST_TIMEOUT);

  it('works the same on a 390 px phone: same URLs, nothing wider than the screen', async () => {
    const phone = await watched.open();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${system.baseUrl}/me#token=${token}`);
    await phone.waitForSelector('[data-testid="suggested-post"]');
    await checkShareButtons(phone);
    expect(
      await phone.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 1 && !node.closest('.visually-hidden'))
          .map((node) => `${node.tagName.toLowerCase()}.${node.className}`),
      ),
    ).toEqual([]);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const button = postOf(phone, 'x').locator('[data-testid="share-x"]');
    const [dialog] = await Promise.all([browser.context.waitForEvent('page'), button.click()]);
    await dialog.waitForLoadState();
    expect(dialog.url()).toBe(expectedDialogUrl('x', (await aliceLink('x')).shortUrl));
    await dialog.close();
    await phone.screenshot({ path: join(SCREENSHOT_DIR, 'advocate-suggested-posts-phone.png'), fullPage: true });
  }, BROWSER_TEST_TIMEOUT);
});

describe('a long display name', () => {
  it("is cut to the 50 characters the API's length check counts, so the post stays within its bound", async () => {
    const longName = 'Maximiliane Alexandra von Hohenzollern-Sigmaringen-Württemberg'; // 62 characters
    await api('PUT', '/v1/advocates/carol', { token: org.apiKey, body: { displayName: longName } });
    const page = await watched.open();
    await page.goto(`${system.baseUrl}/me#token=${await system.advocateToken(org.orgId, 'carol')}`);
    await page.waitForSelector('[data-testid="suggested-post"]');
    const shown = (await postOf(page, 'x').locator('[data-testid="post-text"]').textContent())!;
    const cut = `${[...longName].slice(0, 49).join('')}…`;
    expect(shown).toContain(`Join ${cut} & team:`);
    // The page's post of the longest name is within what the API checked the template against.
    expect(xWeightedLength(shown)).toBeLessThanOrEqual(filledLength('x', templates.x, campaignName));
    await page.close();
  }, BROWSER_TEST_TIMEOUT);
});

describe('everything the browser saw', () => {
  it('matched the OpenAPI document, and no page logged an error (CSP and the 404 of /v1/shares included)', async () => {
    expect(await watched.settled()).toBeGreaterThan(10);
    expect(watched.contractProblems).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
  });
});
