/**
 * Record a click: classify the request, find the link, decide unique, store the click before
 * answering, and say where to send the visitor. Tracking never breaks a link: if the click cannot
 * be stored the visitor is still redirected, without a click id, and the loss is reported (spec
 * section 11). The handler (functions/redirect.ts) only turns HTTP into a ClickRequest and the
 * answer back into a 302.
 */
import { SPECULATIVE_LOAD_HEADERS, classifyRequest } from '../domain/bot-classifier.js';
import type { BotClass, ClickEventRecord } from '../domain/events.js';
import { clickIdTimeMs, isValidSlug, isValidVisitorId, newClickId, newVisitorId } from '../domain/ids.js';
import { visitorClickId } from '../domain/click-id.js';
import { RECENT_CLICKS_COOKIE, readRecentClicks, recentClicksValue, type RememberedClick } from '../domain/recent-clicks-cookie.js';
import { buildRedirectUrl } from '../domain/redirect-url.js';
import { UNIQUE_WINDOW_MS, isUniqueClick } from '../domain/unique-click.js';
import { describeUserAgent } from '../domain/user-agent.js';
import { GPC_HEADER, gpcOptsOut, visitorCookiesAllowed } from '../domain/visitor-cookies.js';
import type { RedirectTarget } from '../adapters/redirect-store.js';

export const VISITOR_COOKIE = 'eav';

/** The viewer's country, as the CDN names it (SPEC 12); a click stores it as `country`. */
export const VIEWER_COUNTRY_HEADER = 'cloudfront-viewer-country';
/** The viewer's Host, which the CDN copies here (its origin request's Host is the API's). */
export const VIEWER_HOST_HEADER = 'x-forwarded-host';
/**
 * Every request header a click is decided by. The CDN forwards exactly these to the redirect
 * (infra/constructs/edge-distribution.ts), so a header read here must be listed here.
 */
export const CLICK_REQUEST_HEADERS = ['user-agent', 'referer', VIEWER_COUNTRY_HEADER, VIEWER_HOST_HEADER, GPC_HEADER, ...SPECULATIVE_LOAD_HEADERS] as const;

export interface ClickRequest {
  slug: string;
  method: string;
  /** Header names in lower case, as HTTP API gives them. */
  headers: Readonly<Record<string, string | undefined>>;
  /** `name=value` pairs as the browser sent them. */
  cookies?: readonly string[];
  /** The visitor's own query string, passed on to the destination. */
  rawQueryString: string;
  /**
   * The host the link was requested on, normalised (shared/domain/hostname.ts `requestHostname`);
   * undefined when the request named none usable.
   */
  host: string | undefined;
  /** The deployment's default hostnames (its short domain, the API's own domain). */
  defaultHosts: readonly string[];
}

export type ClickAnswer =
  | { kind: 'unknown-link' }
  | {
      kind: 'redirect';
      location: string;
      /**
       * Only for human clicks the organization's `visitorCookies` lets us keep a visitor for: the
       * browser's visitor id (`issued`: new, so its cookie is set; an existing one is not renewed)
       * and, when known truthfully, its recent clicks.
       */
      visitor?: { visitorId: string; issued: boolean; recentClicks?: string };
      /** The browser sent visitor cookies we may not use on this request: expire them. */
      clearCookies?: true;
    };

/** What the use case needs from storage; the redirect's DynamoDB store in production. */
export interface ClickStore {
  resolveTarget(slug: string): Promise<RedirectTarget | null>;
  /** The organization whose verified short domain `hostname` is, or null. */
  domainHolder(hostname: string): Promise<string | null>;
  recentClicksOfVisitor(visitorId: string, sinceIso: string): Promise<Array<{ slug: string; at: string }>>;
  putClick(click: ClickEventRecord, atMs: number): Promise<void>;
  /** A click that could not be stored: counted and logged, never thrown. */
  reportLoss(error: Error, botClass: BotClass): Promise<void>;
}

const visitorFromCookies = (cookies: readonly string[] | undefined): string | undefined => {
  if (!cookies) return undefined;
  const prefix = `${VISITOR_COOKIE}=`;
  for (const cookie of cookies) {
    if (cookie.startsWith(prefix)) {
      const value = cookie.slice(prefix.length).trim();
      return isValidVisitorId(value) ? value : undefined;
    }
  }
  return undefined;
};

const hasVisitorCookies = (cookies: readonly string[] | undefined): boolean =>
  cookies?.some((cookie) => cookie.startsWith(`${VISITOR_COOKIE}=`) || cookie.startsWith(`${RECENT_CLICKS_COOKIE}=`)) ?? false;

const referrerHostOf = (referrer: string | undefined): string | undefined => {
  if (!referrer) return undefined;
  try {
    return new URL(referrer).hostname || undefined;
  } catch {
    return undefined;
  }
};

const destinationFor = (target: RedirectTarget, request: ClickRequest, clickId?: string): string =>
  buildRedirectUrl({
    destinationUrl: target.destinationUrl,
    channel: target.channel,
    utmMedium: target.utmMedium,
    utmCampaign: target.utmCampaign,
    advocateRef: target.advocateId,
    clickId,
    visitorQuery: request.rawQueryString,
  });

/**
 * Whether the link answers on the requested host (spec section 12): the default domain serves the
 * links issued on it (and those issued before organizations had domains); an organization's
 * verified domain serves only that organization's links issued on it; any other host, nothing.
 */
const servedOn = async (target: RedirectTarget, request: ClickRequest, store: ClickStore): Promise<boolean> => {
  const { host } = request;
  if (host === undefined) return false;
  if (request.defaultHosts.includes(host)) return target.hostname === undefined;
  return target.hostname === host && (await store.domainHolder(host)) === target.orgId;
};

export const recordClick = async (request: ClickRequest, store: ClickStore): Promise<ClickAnswer> => {
  const { slug, headers } = request;
  if (!isValidSlug(slug)) return { kind: 'unknown-link' };

  const userAgent = headers['user-agent'] ?? '';
  const botClass = classifyRequest({ method: request.method, userAgent, headers });
  const human = botClass === 'human';
  const cookieVisitor = human ? visitorFromCookies(request.cookies) : undefined;
  const gpc = headers[GPC_HEADER];
  const now = Date.now();
  // A returning browser brings its recent clicks in its own cookie: no read on the hot path.
  const remembered = cookieVisitor ? readRecentClicks(request.cookies, now) : undefined;
  const historyOf = (visitorId: string): Promise<RememberedClick[] | undefined> =>
    store
      .recentClicksOfVisitor(visitorId, new Date(now - UNIQUE_WINDOW_MS).toISOString())
      .then((clicks): RememberedClick[] => clicks.map((click) => ({ slug: click.slug, atMs: Date.parse(click.at) })))
      .catch(() => undefined);

  // The link lookup and (only for browsers without the cookie) the visitor's recent clicks are
  // independent: fetch them together — unless the browser opted out (GPC), whose history is read
  // only once the organization's setting says its cookie may be used.
  const speculate = cookieVisitor !== undefined && remembered === undefined && !gpcOptsOut(gpc);
  const [target, speculated] = await Promise.all([
    store.resolveTarget(slug),
    speculate ? historyOf(cookieVisitor!) : Promise.resolve(null),
  ]);
  if (!target || !(await servedOn(target, request, store))) return { kind: 'unknown-link' };
  if (!target.tracking) return { kind: 'redirect', location: destinationFor(target, request) };

  // Without cookies (the organization's setting, or the browser's GPC opt-out) a human click gets
  // a visitor id of its own that no cookie carries: it is stored and attributed like any click,
  // but no later click can share it, so it forms no path and counts as unique.
  const cookiesAllowed = human && visitorCookiesAllowed(target.visitorCookies, gpc);
  const knownVisitor = cookiesAllowed ? cookieVisitor : undefined;
  const recent: RememberedClick[] | undefined = !knownVisitor
    ? []
    : (remembered ?? (speculated !== null ? speculated : await historyOf(knownVisitor)));

  const visitorId = human ? (knownVisitor ?? newVisitorId()) : undefined;
  // A human click id carries its visitor and its millisecond (the click's `at`), so a
  // conversion's `clickId` finds the click with one read.
  const timeId = newClickId(now);
  const clickId = visitorClickId(timeId, visitorId);
  const clickMs = clickIdTimeMs(timeId);
  const device = describeUserAgent(userAgent);
  const country = headers[VIEWER_COUNTRY_HEADER];
  const referrerHost = referrerHostOf(headers.referer);
  const click: ClickEventRecord = {
    type: 'click',
    eventId: clickId,
    clickId,
    orgId: target.orgId,
    campaignId: target.campaignId,
    slug,
    advocateId: target.advocateId,
    channel: target.channel,
    ...(target.department ? { department: target.department } : {}),
    at: new Date(clickMs).toISOString(),
    ...(visitorId ? { visitorId } : {}),
    // Without the visitor's history (lookup failed) a click counts as unique: the 24 h rule
    // cannot be checked, and undercounting a real first visit would be worse.
    unique: human && isUniqueClick({ at: clickMs, slug }, (recent ?? []).map((click) => ({ slug: click.slug, at: click.atMs }))),
    botClass,
    device: device.device,
    browser: device.browser,
    os: device.os,
    ...(country && /^[A-Z]{2}$/.test(country) ? { country } : {}),
    ...(referrerHost ? { referrerHost } : {}),
  };

  let recorded = true;
  try {
    await store.putClick(click, clickMs);
  } catch (error) {
    recorded = false;
    await store.reportLoss(error as Error, botClass);
  }

  // Only a human's destination carries the click id: a bot's is never a conversion's click.
  if (!visitorId) return { kind: 'redirect', location: destinationFor(target, request) };
  const location = destinationFor(target, request, recorded ? clickId : undefined);
  if (!cookiesAllowed) return { kind: 'redirect', location, ...(hasVisitorCookies(request.cookies) ? { clearCookies: true } : {}) };
  // Without the history (the read failed) the memory cannot be written truthfully: leave it.
  const recentClicks = recent ? recentClicksValue(recent, recorded ? { slug, atMs: clickMs } : undefined, now) : undefined;
  return { kind: 'redirect', location, visitor: { visitorId, issued: !knownVisitor, ...(recentClicks ? { recentClicks } : {}) } };
};
