/**
 * GET/HEAD /{slug}: the public, hot path. Classify the request, record the click before
 * answering, and redirect. Tracking never breaks a link: if the click cannot be stored the
 * visitor is still redirected, without a click id, and the loss is counted (spec section 11).
 * Deliberately no middy, no per-request logging and no schema validation here.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  putClick,
  recentClicksOfVisitor,
  resolveRedirectTarget,
  type RedirectTarget,
} from '../shared/adapters/redirect-store.js';
import { classifyRequest } from '../shared/domain/bot-classifier.js';
import type { ClickEventRecord } from '../shared/domain/events.js';
import { clickIdTimeMs, isValidSlug, isValidVisitorId, newClickId, newVisitorId } from '../shared/domain/ids.js';
import { visitorClickId } from '../shared/domain/click-id.js';
import { RECENT_CLICKS_COOKIE, readRecentClicks, recentClicksValue, type RememberedClick } from '../shared/domain/recent-clicks-cookie.js';
import { buildRedirectUrl } from '../shared/domain/redirect-url.js';
import { UNIQUE_WINDOW_MS, isUniqueClick } from '../shared/domain/unique-click.js';
import { describeUserAgent } from '../shared/domain/user-agent.js';

/**
 * Logging and metrics load on the first lost click, not at cold start: Powertools' logger and
 * metrics are a third of what the redirect would otherwise evaluate before its first answer.
 */
const recordClickLoss = async (error: Error, botClass: string): Promise<void> =>
  (await import('../shared/redirect-observability.js')).recordClickLoss(error, botClass);

const VISITOR_COOKIE = 'eav';
const VISITOR_COOKIE_MAX_AGE = 400 * 24 * 60 * 60; // ~13 months: browsers cap cookies at 400 days

const notFound: APIGatewayProxyResultV2 = {
  statusCode: 404,
  headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  body: JSON.stringify({ type: 'https://advocacy.example/problems/404', title: 'Not Found', status: 404, detail: 'Unknown link' }),
};

const redirectTo = (location: string, cookies?: string[]): APIGatewayProxyResultV2 => ({
  statusCode: 302,
  headers: { location, 'cache-control': 'private, no-store' },
  ...(cookies ? { cookies } : {}),
});

const visitorFromCookies = (cookies: string[] | undefined): string | undefined => {
  if (!cookies) return undefined;
  for (const cookie of cookies) {
    if (cookie.startsWith(`${VISITOR_COOKIE}=`)) {
      const value = cookie.slice(VISITOR_COOKIE.length + 1).trim();
      return isValidVisitorId(value) ? value : undefined;
    }
  }
  return undefined;
};

const referrerHostOf = (referrer: string | undefined): string | undefined => {
  if (!referrer) return undefined;
  try {
    return new URL(referrer).hostname || undefined;
  } catch {
    return undefined;
  }
};

const destinationFor = (target: RedirectTarget, event: APIGatewayProxyEventV2, clickId?: string) =>
  buildRedirectUrl({
    destinationUrl: target.destinationUrl,
    channel: target.channel,
    utmMedium: target.utmMedium,
    utmCampaign: target.utmCampaign,
    advocateRef: target.advocateId,
    clickId,
    visitorQuery: event.rawQueryString,
  });

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const slug = event.pathParameters?.slug ?? '';
  if (!isValidSlug(slug)) return notFound;

  const headers = event.headers ?? {};
  const userAgent = headers['user-agent'] ?? '';
  const botClass = classifyRequest({ method: event.requestContext.http.method, userAgent, headers });
  const human = botClass === 'human';
  const knownVisitor = human ? visitorFromCookies(event.cookies) : undefined;
  const now = Date.now();
  // A returning browser brings its recent clicks in its own cookie: no read on the hot path.
  const remembered = knownVisitor ? readRecentClicks(event.cookies, now) : undefined;

  // The link lookup and (only for browsers without the cookie) the visitor's recent clicks are
  // independent: fetch them together.
  const [target, recent] = await Promise.all([
    resolveRedirectTarget(slug),
    knownVisitor && !remembered
      ? recentClicksOfVisitor(knownVisitor, new Date(now - UNIQUE_WINDOW_MS).toISOString())
          .then((clicks): RememberedClick[] => clicks.map((click) => ({ slug: click.slug, atMs: Date.parse(click.at) })))
          .catch(() => undefined)
      : Promise.resolve(remembered ?? []),
  ]);
  if (!target) return notFound;
  if (!target.tracking) return redirectTo(destinationFor(target, event));

  const visitorId = human ? (knownVisitor ?? newVisitorId()) : undefined;
  // A human click id carries its visitor and its millisecond (the click's `at`), so a
  // conversion's `clickId` finds the click with one read.
  const timeId = newClickId(now);
  const clickId = visitorClickId(timeId, visitorId);
  const clickMs = clickIdTimeMs(timeId);
  const at = new Date(clickMs).toISOString();
  const device = describeUserAgent(userAgent);
  const country = headers['cloudfront-viewer-country'];
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
    at,
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
    await putClick(click, clickMs);
  } catch (error) {
    recorded = false;
    await recordClickLoss(error as Error, botClass);
  }

  if (!human) return redirectTo(destinationFor(target, event));
  const attributes = `Max-Age=${VISITOR_COOKIE_MAX_AGE}; Path=/; HttpOnly; Secure; SameSite=Lax`;
  const cookies = [`${VISITOR_COOKIE}=${visitorId}; ${attributes}`];
  // Without the history (the read failed) the memory cannot be written truthfully: leave it.
  if (recent) {
    const thisClick = recorded ? { slug, atMs: clickMs } : undefined;
    cookies.push(`${RECENT_CLICKS_COOKIE}=${recentClicksValue(recent, thisClick, now)}; ${attributes}`);
  }
  return redirectTo(destinationFor(target, event, recorded ? clickId : undefined), cookies);
};
