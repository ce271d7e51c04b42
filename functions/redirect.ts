/**
 * GET/HEAD /{slug}: the public, hot path (shared/application/record-click.ts decides; this turns
 * HTTP into a click request and the answer into a 302). Deliberately no middy, no per-request
 * logging and no schema validation here.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { defaultShortHostname } from '../shared/adapters/config.js';
import { putClick, recentClicksOfVisitor, resolveDomainHolder, resolveRedirectTarget } from '../shared/adapters/redirect-store.js';
import { VIEWER_HOST_HEADER, VISITOR_COOKIE, recordClick, type ClickStore } from '../shared/application/record-click.js';
import { RECENT_CLICKS_COOKIE } from '../shared/domain/recent-clicks-cookie.js';
import { requestHostname } from '../shared/domain/hostname.js';
import { VISITOR_COOKIE_MAX_AGE_SECONDS } from '../shared/domain/visitor-cookies.js';

const store: ClickStore = {
  resolveTarget: resolveRedirectTarget,
  domainHolder: resolveDomainHolder,
  recentClicksOfVisitor,
  putClick,
  // Logging and metrics load on the first lost click, not at cold start: Powertools' logger and
  // metrics are a third of what the redirect would otherwise evaluate before its first answer.
  reportLoss: async (error, botClass) => (await import('../shared/adapters/redirect-observability.js')).recordClickLoss(error, botClass),
};

const COOKIE_PATH_ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=Lax';
// At most 13 months (shared/domain/visitor-cookies.ts says why 393 days).
const COOKIE_ATTRIBUTES = `Max-Age=${VISITOR_COOKIE_MAX_AGE_SECONDS}; ${COOKIE_PATH_ATTRIBUTES}`;
/** Expires the cookies of a browser whose cookies may not be used (the organization's setting, or GPC). */
const CLEARED_COOKIES = [VISITOR_COOKIE, RECENT_CLICKS_COOKIE].map((name) => `${name}=; Max-Age=0; ${COOKIE_PATH_ATTRIBUTES}`);

const notFound: APIGatewayProxyResultV2 = {
  statusCode: 404,
  headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  body: JSON.stringify({ type: 'https://advocacy.example/problems/404', title: 'Not Found', status: 404, detail: 'Unknown link' }),
};

/**
 * The host the visitor asked for: the CDN puts the viewer's `Host` in `X-Forwarded-Host` (its
 * origin request's `Host` is the API's); without a CDN, `Host`; API Gateway's domain otherwise.
 * A forged value only names a host, and a host serves only the links issued on it.
 */
const hostOf = (event: APIGatewayProxyEventV2): string | undefined => {
  const headers = event.headers ?? {};
  return requestHostname(headers[VIEWER_HOST_HEADER] ?? headers.host ?? event.requestContext.domainName);
};

/** The default short domain and the API's own; a container sees one API domain, so it is kept. */
let defaults: { configured: string | undefined; domainName: string; hosts: string[] } | undefined;

const defaultHostsOf = (event: APIGatewayProxyEventV2): string[] => {
  const configured = defaultShortHostname();
  const { domainName } = event.requestContext;
  if (defaults === undefined || defaults.configured !== configured || defaults.domainName !== domainName) {
    const api = requestHostname(domainName);
    const hosts = [configured, api !== configured ? api : undefined].filter((host): host is string => host !== undefined);
    defaults = { configured, domainName, hosts };
  }
  return defaults.hosts;
};

/**
 * The slug: the route's path parameter through the HTTP API; through the function URL (the CDN's
 * origin, payload 2.0 without routes or path parameters) the path itself. A path of more than one
 * segment is no slug, and `recordClick` answers it as an unknown link.
 */
const slugOf = (event: APIGatewayProxyEventV2): string => event.pathParameters?.slug ?? (event.rawPath ?? '').replace(/^\//, '');

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const answer = await recordClick(
    {
      slug: slugOf(event),
      method: event.requestContext.http.method,
      headers: event.headers ?? {},
      cookies: event.cookies,
      rawQueryString: event.rawQueryString,
      host: hostOf(event),
      defaultHosts: defaultHostsOf(event),
    },
    store,
  );
  if (answer.kind === 'unknown-link') return notFound;
  const headers = { location: answer.location, 'cache-control': 'private, no-store' };
  if (answer.clearCookies) return { statusCode: 302, headers, cookies: CLEARED_COOKIES };
  if (!answer.visitor) return { statusCode: 302, headers };
  // The visitor cookie is set when its id is issued and never renewed: it lives 13 months from
  // the first click. The click memory changes with every click, so it is rewritten.
  const cookies: string[] = [];
  if (answer.visitor.issued) cookies.push(`${VISITOR_COOKIE}=${answer.visitor.visitorId}; ${COOKIE_ATTRIBUTES}`);
  if (answer.visitor.recentClicks) cookies.push(`${RECENT_CLICKS_COOKIE}=${answer.visitor.recentClicks}; ${COOKIE_ATTRIBUTES}`);
  return cookies.length ? { statusCode: 302, headers, cookies } : { statusCode: 302, headers };
};
