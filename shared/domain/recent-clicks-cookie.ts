/**
 * The visitor's recent clicks, kept in the visitor's own browser: the `eac` cookie lists the
 * links the browser clicked in the last 24 hours, each with the millisecond of its click, so the
 * unique-click rule (shared/domain/unique-click.ts) needs no database read on the redirect.
 *
 * Why a cookie can be trusted with it: uniqueness is already defined by a cookie (`eav`, the
 * visitor id); a browser that edits `eac` could as well drop `eav` and count as a new visitor.
 * It only ever affects that browser's own clicks. Without a valid `eac` (older browsers' cookies,
 * clients that drop it, anything malformed) the redirect reads the visitor's clicks instead.
 *
 * Value: entries `<slug>.<epoch ms in base 36>` joined by `~`, newest first, one per link (its
 * latest click: all the rule needs); `-` for none; `*` when there were more than fit, which sends
 * the next click to the database like a missing cookie.
 */
import { UNIQUE_WINDOW_MS } from './unique-click.js';

export const RECENT_CLICKS_COOKIE = 'eac';
/** Most recent links remembered; a visitor who clicked more in a day falls back to a read. */
export const MAX_REMEMBERED_CLICKS = 24;
const MAX_COOKIE_VALUE_LENGTH = 1200;

export interface RememberedClick {
  slug: string;
  atMs: number;
}

const entryPattern = /^([0-9A-Za-z]{7,32})\.([0-9a-z]{1,11})$/;

/**
 * The remembered clicks from the request's cookies, or undefined when the browser has no valid
 * `eac` (then the caller must look the clicks up). Clicks older than the window are dropped.
 */
export const readRecentClicks = (cookies: readonly string[] | undefined, nowMs: number): RememberedClick[] | undefined => {
  if (!cookies) return undefined;
  const prefix = `${RECENT_CLICKS_COOKIE}=`;
  const cookie = cookies.find((candidate) => candidate.startsWith(prefix));
  if (!cookie) return undefined;
  const value = cookie.slice(prefix.length).trim();
  if (value === '-') return [];
  if (value === '' || value === '*' || value.length > MAX_COOKIE_VALUE_LENGTH) return undefined;
  const clicks: RememberedClick[] = [];
  for (const entry of value.split('~')) {
    const match = entryPattern.exec(entry);
    if (!match) return undefined;
    const atMs = parseInt(match[2], 36);
    // A click from the future is no memory we made: distrust the whole cookie.
    if (atMs > nowMs + 60_000) return undefined;
    if (nowMs - atMs < UNIQUE_WINDOW_MS) clicks.push({ slug: match[1], atMs });
  }
  return clicks;
};

/** The cookie's new value from what the visitor clicked before and this click, if it counted. */
export const recentClicksValue = (previous: readonly RememberedClick[], click: RememberedClick | undefined, nowMs: number): string => {
  const latestPerLink = new Map<string, number>();
  for (const entry of click ? [click, ...previous] : previous) {
    if (nowMs - entry.atMs >= UNIQUE_WINDOW_MS) continue;
    if ((latestPerLink.get(entry.slug) ?? -Infinity) < entry.atMs) latestPerLink.set(entry.slug, entry.atMs);
  }
  if (latestPerLink.size === 0) return '-';
  if (latestPerLink.size > MAX_REMEMBERED_CLICKS) return '*';
  return [...latestPerLink]
    .sort((a, b) => b[1] - a[1])
    .map(([slug, atMs]) => `${slug}.${atMs.toString(36)}`)
    .join('~');
};
