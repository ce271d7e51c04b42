/**
 * Device class, browser and OS of a click (spec section 3), from the user agent. Only these
 * coarse names are stored, never the user agent itself.
 *
 * ua-parser-js is pinned to 1.x (MIT); 2.x is AGPL and must not be used.
 */
import UAParser from 'ua-parser-js';

import type { DeviceClass } from './events.js';

export interface UserAgentDescription {
  readonly device: DeviceClass;
  /** Parser's name without version: "Chrome", "Mobile Safari", "Samsung Internet", "Instagram"… */
  readonly browser: string;
  /** Parser's name without version: "Windows", "Mac OS", "iOS", "Android", "Linux"… */
  readonly os: string;
}

export const UNKNOWN_NAME = 'Other';

// ua-parser leaves device.type undefined for desktops; a desktop OS tells them apart from
// unknown agents (libraries, bots, odd devices).
const desktopOperatingSystems: ReadonlySet<string> = new Set([
  'Windows',
  'Mac OS',
  'macOS',
  'Linux',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Mint',
  'Arch',
  'CentOS',
  'RedHat',
  'SUSE',
  'Gentoo',
  'Slackware',
  'Mandriva',
  'Chrome OS',
  'Chromium OS',
  'FreeBSD',
  'OpenBSD',
  'NetBSD',
  'Solaris',
]);

const mobileToken = /mobile/i;

// One parser instance, reused: creating one per request would rebuild its state each time.
const parser = new UAParser();

const classifyDevice = (deviceType: string | undefined, os: string | undefined, userAgent: string): DeviceClass => {
  switch (deviceType) {
    case 'mobile':
      return 'mobile';
    case 'tablet':
      return 'tablet';
    case undefined:
      break;
    default:
      return 'other'; // smarttv, console, wearable, embedded, xr
  }
  if (os !== undefined && desktopOperatingSystems.has(os)) return 'desktop';
  // Android without a recognised model: phones say "Mobile", tablets do not.
  if (os === 'Android') return mobileToken.test(userAgent) ? 'mobile' : 'tablet';
  if (os === 'iOS') return 'mobile';
  return 'other';
};

const parse = (userAgent: string): UserAgentDescription => {
  parser.setUA(userAgent);
  const browser = parser.getBrowser().name;
  const os = parser.getOS().name;
  const device = classifyDevice(parser.getDevice().type, os, userAgent);
  return Object.freeze({ device, browser: browser || UNKNOWN_NAME, os: os || UNKNOWN_NAME });
};

// Parsing is the costliest step of a redirect, and a few user agents make most of the
// traffic: remember the latest ones (least recently used evicted first).
const CACHE_SIZE = 500;
// Longer strings are parsed but not remembered, which bounds the cache's memory.
const MAX_CACHED_LENGTH = 512;
const cache = new Map<string, UserAgentDescription>();

const UNKNOWN_AGENT: UserAgentDescription = Object.freeze({
  device: 'other',
  browser: UNKNOWN_NAME,
  os: UNKNOWN_NAME,
});

export const describeUserAgent = (userAgent: string | null | undefined): UserAgentDescription => {
  if (!userAgent) return UNKNOWN_AGENT;
  const cached = cache.get(userAgent);
  if (cached !== undefined) {
    // Map keeps insertion order: re-inserting marks the entry as most recently used.
    cache.delete(userAgent);
    cache.set(userAgent, cached);
    return cached;
  }
  const description = parse(userAgent);
  if (userAgent.length <= MAX_CACHED_LENGTH) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(userAgent, description);
  }
  return description;
};

/** For tests and diagnostics. */
export const userAgentCacheSize = (): number => cache.size;
