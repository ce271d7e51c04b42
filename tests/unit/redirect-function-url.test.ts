/**
 * The redirect behind the CDN is invoked through its function URL (infra/constructs/edge-distribution.ts):
 * payload 2.0 without `pathParameters` and with `routeKey` `$default`. The handler takes the slug
 * from `rawPath`, the short domain from CloudFront's `x-forwarded-host` and the country from
 * `CloudFront-Viewer-Country`. The store is replaced: what is asserted is what the handler reads
 * from such an event and what it answers.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClickEventRecord } from '../../shared/domain/events.js';
import { VISITOR_COOKIE } from '../../shared/application/record-click.js';

const SLUG = 'abcD3fgH';
const SHORT_DOMAIN = 'go.example.com';
const URL_DOMAIN = 'x7hq2k4nqz3ivd2ksd5d3c7bqe0wzzpd.lambda-url.us-east-1.on.aws';

const store = vi.hoisted(() => ({
  resolveRedirectTarget: vi.fn(),
  resolveDomainHolder: vi.fn(async () => null),
  recentClicksOfVisitor: vi.fn(async () => []),
  putClick: vi.fn(async () => undefined),
}));
vi.mock('../../shared/adapters/redirect-store.js', () => store);

let handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

beforeAll(async () => {
  process.env.PUBLIC_BASE_URL = `https://${SHORT_DOMAIN}`;
  handler = (await import('../../functions/redirect.js')).handler as typeof handler;
});

beforeEach(() => {
  vi.clearAllMocks();
  store.resolveRedirectTarget.mockImplementation(async (slug: string) =>
    slug === SLUG
      ? {
          slug,
          orgId: 'org_1',
          campaignId: 'cmp_1',
          advocateId: 'adv_1',
          channel: 'linkedin',
          destinationUrl: 'https://shop.example/spring',
          tracking: true,
          utmMedium: 'advocacy',
          utmCampaign: 'spring',
          visitorCookies: 'respect-gpc',
        }
      : null,
  );
});

/** An event as a Lambda function URL delivers it when CloudFront (origin access control) calls it. */
const functionUrlEvent = (rawPath: string, headers: Record<string, string>, method = 'GET'): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: 'ref=feed',
    cookies: undefined,
    headers: {
      host: URL_DOMAIN,
      'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'x-amz-cf-id': 'cf-request-1',
      ...headers,
    },
    queryStringParameters: { ref: 'feed' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'x7hq2k4nqz3ivd2ksd5d3c7bqe0wzzpd',
      domainName: URL_DOMAIN,
      domainPrefix: 'x7hq2k4nqz3ivd2ksd5d3c7bqe0wzzpd',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '130.176.0.1', userAgent: 'Amazon CloudFront' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '05/Dec/2026:05:40:00 +0000',
      timeEpoch: 1_796_449_200_000,
    },
    isBase64Encoded: false,
  }) as APIGatewayProxyEventV2;

const viewer = { 'x-forwarded-host': SHORT_DOMAIN, 'cloudfront-viewer-country': 'DE' };

describe('the redirect invoked through its function URL', () => {
  it('takes the slug from rawPath, the host from x-forwarded-host, and records the click with the viewer country', async () => {
    const answer = await handler(functionUrlEvent(`/${SLUG}`, viewer));
    expect(answer.statusCode).toBe(302);
    expect(String(answer.headers?.location)).toMatch(/^https:\/\/shop\.example\/spring\?/);
    expect(String(answer.headers?.location)).toContain('ref=feed');
    expect(store.resolveRedirectTarget).toHaveBeenCalledWith(SLUG);
    expect(store.putClick).toHaveBeenCalledTimes(1);
    const [click] = store.putClick.mock.calls[0] as unknown as [ClickEventRecord];
    expect(click).toMatchObject({ slug: SLUG, orgId: 'org_1', country: 'DE', botClass: 'human' });
    // A human visitor gets the visitor cookie, in the payload's cookies as with the HTTP API.
    expect(answer.cookies?.some((cookie) => cookie.startsWith(`${VISITOR_COOKIE}=`))).toBe(true);
  });

  it('a HEAD through the function URL redirects too', async () => {
    const answer = await handler(functionUrlEvent(`/${SLUG}`, viewer, 'HEAD'));
    expect(answer.statusCode).toBe(302);
  });

  it('a path of more than one segment, or the root, is no slug: 404 problem+json, nothing recorded', async () => {
    for (const path of [`/${SLUG}/more`, '/', `//${SLUG}`]) {
      const answer = await handler(functionUrlEvent(path, viewer));
      expect(answer.statusCode, path).toBe(404);
      expect(answer.headers?.['content-type'], path).toBe('application/problem+json');
    }
    expect(store.putClick).not.toHaveBeenCalled();
  });

  it('a link issued on the default domain is not served on a host the CDN did not name as such', async () => {
    const answer = await handler(functionUrlEvent(`/${SLUG}`, { 'x-forwarded-host': 'other.example.net', 'cloudfront-viewer-country': 'DE' }));
    expect(answer.statusCode).toBe(404);
    expect(store.putClick).not.toHaveBeenCalled();
  });

  it('an HTTP API event still takes the slug from its path parameter', async () => {
    const event = functionUrlEvent('/ignored-by-the-router', viewer);
    const viaApi = { ...event, routeKey: 'GET /{slug}', pathParameters: { slug: SLUG } } as APIGatewayProxyEventV2;
    const answer = await handler(viaApi);
    expect(answer.statusCode).toBe(302);
    expect(store.resolveRedirectTarget).toHaveBeenCalledWith(SLUG);
  });

  it('sets the visitor cookies for 393 days; with Sec-GPC: 1 sets none and expires those the browser sent (the forwarded header decides)', async () => {
    const plain = await handler(functionUrlEvent(`/${SLUG}`, viewer));
    expect(plain.cookies).toEqual([
      expect.stringMatching(/^eav=[A-Za-z0-9_-]{22}; Max-Age=33955200; Path=\/; HttpOnly; Secure; SameSite=Lax$/),
      expect.stringMatching(/^eac=[^;]+; Max-Age=33955200; /),
    ]);
    const optedOut = await handler(functionUrlEvent(`/${SLUG}`, { ...viewer, 'sec-gpc': '1' }));
    expect(optedOut.statusCode).toBe(302);
    expect(optedOut.cookies).toBeUndefined();
    expect(String(optedOut.headers?.location)).toContain('eaclid=');
    const withCookies = { ...functionUrlEvent(`/${SLUG}`, { ...viewer, 'sec-gpc': '1' }), cookies: ['eav=AbCdEfGhIjKlMnOpQrStUA', 'eac=-'] };
    expect((await handler(withCookies)).cookies).toEqual(['eav=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax', 'eac=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax']);
    expect(store.putClick).toHaveBeenCalledTimes(3);
  });
});
