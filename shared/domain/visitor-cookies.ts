/**
 * The organization setting `visitorCookies` (spec section 16) and what it means for one request.
 * Apart from organization-settings.ts (which needs zod) so the redirect's bundle stays small.
 */
export const visitorCookiePolicies = ['always', 'respect-gpc', 'never'] as const;
export type VisitorCookiePolicy = (typeof visitorCookiePolicies)[number];
/** The default honours the browser's Global Privacy Control signal, as EU regulators read it. */
export const defaultVisitorCookiePolicy: VisitorCookiePolicy = 'respect-gpc';
/** The organization item's attribute holding it. */
export const VISITOR_COOKIES_ATTRIBUTE = 'visitorCookies';

/** The stored value if it is a policy, else the default (never set, or written by an older version). */
export const visitorCookiePolicyOf = (stored: unknown): VisitorCookiePolicy =>
  visitorCookiePolicies.includes(stored as VisitorCookiePolicy) ? (stored as VisitorCookiePolicy) : defaultVisitorCookiePolicy;

/** The request header of the Global Privacy Control signal (lower case, as HTTP API gives it). */
export const GPC_HEADER = 'sec-gpc';

/** `Sec-GPC: 1` is the Global Privacy Control opt-out; any other value is no signal. */
export const gpcOptsOut = (gpcHeader: string | undefined): boolean => gpcHeader?.trim() === '1';

/** Whether the redirect may read and set the visitor cookies on this request. */
export const visitorCookiesAllowed = (policy: VisitorCookiePolicy, gpcHeader: string | undefined): boolean =>
  policy === 'always' || (policy === 'respect-gpc' && !gpcOptsOut(gpcHeader));

/**
 * How long the visitor cookies live: 393 days, the shortest span of 13 calendar months (from
 * 1 February to 1 March of the next year, no leap day), so whatever day a cookie is set it
 * expires within 13 months (the CNIL's bound for audience-measurement cookies; browsers cap at 400
 * days). `eav` is set once, when the visitor id is issued, and not renewed by later clicks, so the
 * lifetime is counted from the first click.
 */
export const VISITOR_COOKIE_MAX_AGE_SECONDS = 393 * 24 * 60 * 60;
