/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core
 * (never a downloaded browser), a fresh profile per launch. If Chromium is missing the launch
 * throws: browser tests fail loudly instead of skipping (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core';
import { contractViolations } from './openapi-contract.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots land here (gitignored); the lead picks one for the README. */
export const SCREENSHOT_DIR = join(import.meta.dirname, '../../test-output/screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The installed Chromium's own user agent, as the headful browser sends it. */
const desktopUserAgent = async (): Promise<string> => {
  const version = /(\d+\.\d+\.\d+\.\d+)/.exec(execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' }))?.[1] ?? '120.0.0.0';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`;
};

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export const launchBrowser = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install Debian's package (apt-get update && apt-get install -y chromium); .ci/run does this.`,
    );
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // A persistent context is how playwright takes an explicit --user-data-dir: a fresh one each time.
  const profile = await mkdtemp(join(tmpdir(), 'advocacy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    // Headless Chromium says "HeadlessChrome", which the redirect rightly counts as a bot; these
    // tests play a person's browser, so it presents itself as one.
    userAgent: await desktopUserAgent(),
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
};

/**
 * Pages that report what the browser saw and should not have: console and page errors, and API
 * answers that break the OpenAPI document (checked by method, path, status, content type and,
 * for JSON, schema). `uncheckedPaths`: API paths answered outside the document on purpose (a
 * test's stand-in for a route another branch adds). Call `settled()` before reading the lists.
 */
export const watchPages = (browser: Browser, baseUrl: string, options: { uncheckedPaths?: readonly string[] } = {}) => {
  const pageErrors: string[] = [];
  const contractProblems: string[] = [];
  const pendingChecks: Promise<void>[] = [];
  // A test may close its page while an answer's body is still on its way (a share recorded with
  // keepalive as a dialog opens): that answer is checked by status and content type, as blobs are.
  const bodyUnlessClosed = (response: Response): Promise<string | undefined> =>
    response.text().catch((error: Error) => {
      if (/has been closed/.test(error.message)) return undefined;
      throw error;
    });
  const apiOrigin = new URL(baseUrl).origin;
  const open = async (): Promise<Page> => {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // A failed fetch logs "Failed to load resource"; the pages show those answers as designed states.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      // blob: URLs (QR images, CSV files) carry the page's origin but are not answers of the API.
      if (url.protocol !== 'http:' || url.origin !== apiOrigin || options.uncheckedPaths?.includes(url.pathname)) return;
      const request = response.request();
      pendingChecks.push(
        (async () => {
          const status = response.status();
          // Only JSON bodies are validated against schemas. Chromium does not keep the bodies of
          // images the page read as blobs, so those are checked by status and content type.
          const json = /json/.test(response.headers()['content-type'] ?? '');
          const body = status >= 300 && status < 400 ? '' : json ? await bodyUnlessClosed(response) : undefined;
          const reasons = contractViolations({
            method: request.method(),
            pathname: url.pathname,
            status,
            contentType: response.headers()['content-type'] ?? null,
            body,
          });
          if (reasons.length > 0) contractProblems.push(`${request.method()} ${url.pathname} → ${status}: ${reasons.join('; ')}`);
        })(),
      );
    });
    return page;
  };
  return {
    open,
    pageErrors,
    contractProblems,
    /** Waits for the answers' checks; returns how many answers were checked. */
    settled: async () => {
      await Promise.all(pendingChecks);
      return pendingChecks.length;
    },
  };
};
