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
import { chromium, type BrowserContext } from 'playwright-core';

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
