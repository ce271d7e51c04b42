/**
 * The intake use cases behind their seams: in-memory stores instead of DynamoDB, so each
 * decision is checked without a database (the integration and e2e suites run them for real).
 */
import { describe, expect, it } from 'vitest';
import { CLICK_REQUEST_HEADERS, recordClick, type ClickRequest, type ClickStore } from '../../shared/application/record-click.js';
import Stripe from 'stripe';
import { takeConversion, type ConversionIntakeStore } from '../../shared/application/take-conversion.js';
import { takeVendorEvent } from '../../shared/application/take-vendor-event.js';
import type { RedirectTarget } from '../../shared/adapters/redirect-store.js';
import type { ClickEventRecord } from '../../shared/domain/events.js';
import { newId } from '../../shared/domain/ids.js';
import { generateWebhookSecret, signWebhook } from '../../shared/domain/webhook-signature.js';

const target: RedirectTarget = {
  slug: 'abcdefgh',
  orgId: 'org_1',
  campaignId: 'cmp_1',
  advocateId: 'alice',
  channel: 'linkedin',
  destinationUrl: 'https://shop.example/landing',
  tracking: true,
  utmMedium: 'employee-advocacy',
  utmCampaign: 'launch',
  visitorCookies: 'respect-gpc',
};

const browser = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

const clickStore = (options: { failWrite?: boolean; link?: RedirectTarget | null; domains?: Record<string, string> } = {}) => {
  const stored: ClickEventRecord[] = [];
  const losses: string[] = [];
  const domainReads: string[] = [];
  const historyReads: string[] = [];
  const store: ClickStore = {
    resolveTarget: async (slug) => (options.link === undefined ? (slug === target.slug ? target : null) : options.link),
    domainHolder: async (hostname) => {
      domainReads.push(hostname);
      return options.domains?.[hostname] ?? null;
    },
    recentClicksOfVisitor: async (visitorId) => {
      historyReads.push(visitorId);
      return [];
    },
    putClick: async (click) => {
      if (options.failWrite) throw new Error('database away');
      stored.push(click);
    },
    reportLoss: async (_error, botClass) => {
      losses.push(botClass);
    },
  };
  return { store, stored, losses, domainReads, historyReads };
};

const request = (overrides: Partial<ClickRequest> = {}): ClickRequest => ({
  slug: target.slug,
  method: 'GET',
  headers: { 'user-agent': browser },
  rawQueryString: '',
  host: 'go.default.test',
  defaultHosts: ['go.default.test', 'api.default.test'],
  ...overrides,
});

describe('recordClick on a host', () => {
  const onAcme: RedirectTarget = { ...target, hostname: 'go.acme.test' };

  it('serves a link issued on the default domain on every default host, and on no other', async () => {
    const { store, stored, domainReads } = clickStore({ domains: { 'go.acme.test': 'org_1' } });
    expect(await recordClick(request({ host: 'go.default.test' }), store)).toMatchObject({ kind: 'redirect' });
    expect(await recordClick(request({ host: 'api.default.test' }), store)).toMatchObject({ kind: 'redirect' });
    // Even its own organization's domain does not serve a default-domain link.
    for (const host of ['go.acme.test', 'unknown.test', undefined]) {
      expect(await recordClick(request({ host }), store)).toEqual({ kind: 'unknown-link' });
    }
    expect(stored).toHaveLength(2);
    // A link that names no custom host never costs a domain read.
    expect(domainReads).toEqual([]);
  });

  it("serves a link issued on an organization's domain there only, while that organization holds it verified", async () => {
    const held = clickStore({ link: onAcme, domains: { 'go.acme.test': 'org_1' } });
    expect(await recordClick(request({ host: 'go.acme.test' }), held.store)).toMatchObject({ kind: 'redirect' });
    expect(held.stored[0]).toMatchObject({ orgId: 'org_1', slug: target.slug });
    for (const host of ['go.default.test', 'api.default.test', 'go.globex.test', 'evil.test']) {
      expect(await recordClick(request({ host }), held.store)).toEqual({ kind: 'unknown-link' });
    }
    expect(held.stored).toHaveLength(1);
    // Released, or taken over by another organization: the link no longer answers there.
    const released = clickStore({ link: onAcme, domains: {} });
    expect(await recordClick(request({ host: 'go.acme.test' }), released.store)).toEqual({ kind: 'unknown-link' });
    const takenOver = clickStore({ link: onAcme, domains: { 'go.acme.test': 'org_2' } });
    expect(await recordClick(request({ host: 'go.acme.test' }), takenOver.store)).toEqual({ kind: 'unknown-link' });
    expect([...released.stored, ...takenOver.stored]).toEqual([]);
  });
});

describe('recordClick', () => {
  it('answers unknown-link for a malformed or unknown slug and stores nothing', async () => {
    const { store, stored } = clickStore();
    expect(await recordClick(request({ slug: '../etc' }), store)).toEqual({ kind: 'unknown-link' });
    expect(await recordClick(request({ slug: 'zzzzzzzz' }), store)).toEqual({ kind: 'unknown-link' });
    expect(stored).toHaveLength(0);
  });

  it('gives a new human visitor an id, a unique click and the click id in the destination', async () => {
    const { store, stored } = clickStore();
    const answer = await recordClick(request(), store);
    expect(answer.kind).toBe('redirect');
    if (answer.kind !== 'redirect') return;
    expect(stored).toHaveLength(1);
    const [click] = stored;
    expect(click).toMatchObject({ botClass: 'human', unique: true, visitorId: answer.visitor?.visitorId, advocateId: 'alice' });
    expect(new URL(answer.location).searchParams.get('eaclid')).toBe(click.clickId);
    expect(answer.visitor?.recentClicks).toBeTruthy();
  });

  it('records a bot without a visitor, and its destination carries no click id', async () => {
    const { store, stored } = clickStore();
    const answer = await recordClick(request({ headers: { 'user-agent': 'curl/8.5.0' } }), store);
    expect(answer).toMatchObject({ kind: 'redirect' });
    expect(answer.kind === 'redirect' && answer.visitor).toBeFalsy();
    expect(answer.kind === 'redirect' && new URL(answer.location).searchParams.has('eaclid')).toBe(false);
    expect(stored[0]).toMatchObject({ unique: false });
    expect(stored[0].botClass).not.toBe('human');
    expect(stored[0].visitorId).toBeUndefined();
  });

  it('still redirects when the click cannot be stored: no click id, the loss reported', async () => {
    const { store, losses } = clickStore({ failWrite: true });
    const answer = await recordClick(request(), store);
    expect(answer.kind).toBe('redirect');
    if (answer.kind !== 'redirect') return;
    expect(new URL(answer.location).searchParams.has('eaclid')).toBe(false);
    expect(losses).toEqual(['human']);
  });

  it('follows a link that no longer tracks without recording', async () => {
    const { store, stored } = clickStore({ link: { ...target, tracking: false } });
    const answer = await recordClick(request(), store);
    expect(answer).toMatchObject({ kind: 'redirect' });
    expect(answer.kind === 'redirect' && answer.visitor).toBeFalsy();
    expect(stored).toHaveLength(0);
  });
});

describe('the headers a click is decided by', () => {
  /** The click a request records, without what differs per call (ids and time). */
  const clickOf = async (headers: Record<string, string>) => {
    const { store, stored } = clickStore();
    await recordClick(request({ headers }), store);
    const { eventId: _eventId, clickId: _clickId, at: _at, visitorId: _visitorId, ...click } = stored[0]!;
    return click;
  };

  it('are all in CLICK_REQUEST_HEADERS, the list the CDN forwards: dropping every other header changes no click', async () => {
    const requests: Record<string, string>[] = [
      { 'user-agent': browser, referer: 'https://www.linkedin.com/feed/', 'cloudfront-viewer-country': 'FR' },
      { 'user-agent': browser, 'sec-purpose': 'prefetch;prerender' },
      { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', referer: 'https://example.org/' },
      { 'user-agent': browser, purpose: 'prefetch', 'cloudfront-viewer-country': 'DE' },
    ];
    const noise = { accept: 'text/html', 'accept-language': 'fr-FR', 'x-amzn-trace-id': 'Root=1-abc', via: '2.0 cloudfront', dnt: '1' };
    for (const headers of requests) {
      const listed = Object.fromEntries(Object.entries(headers).filter(([name]) => (CLICK_REQUEST_HEADERS as readonly string[]).includes(name)));
      expect(listed).toEqual(headers);
      expect(await clickOf({ ...headers, ...noise })).toEqual(await clickOf(listed));
    }
    // And each listed header does matter to some click: the list is not padded.
    expect(await clickOf({ 'user-agent': browser, 'cloudfront-viewer-country': 'FR' })).toMatchObject({ country: 'FR' });
    expect(await clickOf({ 'user-agent': browser, referer: 'https://www.linkedin.com/' })).toMatchObject({ referrerHost: 'www.linkedin.com' });
    expect(await clickOf({ 'user-agent': browser, 'x-purpose': 'preview' })).not.toMatchObject({ botClass: 'human' });
    // Sec-GPC decides the answer (no cookie), not the click's facts.
    const { store } = clickStore();
    expect(await recordClick(request({ headers: { 'user-agent': browser, 'sec-gpc': '1' } }), store)).not.toHaveProperty('visitor');
    expect(await recordClick(request({ headers: { 'user-agent': browser } }), store)).toHaveProperty('visitor');
  });
});

describe("recordClick under the organization's visitorCookies setting", () => {
  const returning = 'AbCdEfGhIjKlMnOpQrStUA';
  const withCookie = { cookies: [`eav=${returning}`, 'eac=-'] };
  const gpc = { 'user-agent': browser, 'sec-gpc': '1' };

  it('respect-gpc without the signal: a new visitor gets its id once; a returning one keeps it and its cookie is not renewed', async () => {
    const { store, stored } = clickStore();
    const first = await recordClick(request(), store);
    expect(first).toMatchObject({ kind: 'redirect', visitor: { issued: true } });
    const again = await recordClick(request(withCookie), store);
    expect(again).toMatchObject({ kind: 'redirect', visitor: { visitorId: returning, issued: false } });
    expect(stored[1]).toMatchObject({ visitorId: returning });
  });

  for (const [policy, headers] of [
    ['respect-gpc', gpc],
    ['never', { 'user-agent': browser }],
    ['never', gpc],
  ] as const) {
    it(`${policy}${headers === gpc ? ' with Sec-GPC: 1' : ''}: the click is recorded with its click id, under a visitor no cookie carries, and the old cookies are expired`, async () => {
      const { store, stored, historyReads } = clickStore({ link: { ...target, visitorCookies: policy } });
      const answers = [await recordClick(request({ headers, ...withCookie }), store), await recordClick(request({ headers, ...withCookie }), store)];
      expect(stored).toHaveLength(2);
      for (const [index, answer] of answers.entries()) {
        expect(answer).toMatchObject({ kind: 'redirect', clearCookies: true });
        expect(answer).not.toHaveProperty('visitor');
        expect(answer.kind === 'redirect' && new URL(answer.location).searchParams.get('eaclid')).toBe(stored[index]!.clickId);
        // Counted as a unique click of a visitor of its own: no path with any other click.
        expect(stored[index]).toMatchObject({ botClass: 'human', unique: true });
        expect(stored[index]!.visitorId).not.toBe(returning);
      }
      expect(stored[0]!.visitorId).not.toBe(stored[1]!.visitorId);
      // The opted-out browser's history is never read.
      expect(historyReads).toEqual([]);
      // Without cookies to expire, the answer sets none.
      const fresh = await recordClick(request({ headers }), store);
      expect(fresh).not.toHaveProperty('clearCookies');
      expect(fresh).not.toHaveProperty('visitor');
    });
  }

  it('always: the visitor cookie is used and set whatever the signal', async () => {
    const { store, stored, historyReads } = clickStore({ link: { ...target, visitorCookies: 'always' } });
    expect(await recordClick(request({ headers: gpc, cookies: [`eav=${returning}`] }), store)).toMatchObject({ visitor: { visitorId: returning, issued: false } });
    expect(stored[0]).toMatchObject({ visitorId: returning });
    // Its click memory was missing: read once the setting allowed it.
    expect(historyReads).toEqual([returning]);
    expect(await recordClick(request({ headers: gpc }), store)).toMatchObject({ visitor: { issued: true } });
  });
});

describe('takeConversion', () => {
  const sourceId = newId('src');
  const secret = generateWebhookSecret();
  const body = (data: Record<string, unknown>) => Buffer.from(JSON.stringify({ type: 'conversion.created', data }));
  const delivery = (raw: Buffer, signingSecret = secret) => {
    const id = `msg_${Math.random().toString(36).slice(2)}`;
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      sourceId,
      rawBody: raw,
      headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook({ id, timestamp, body: raw, secret: signingSecret }) },
    };
  };
  const intake = (secrets: { cached: string[]; fresh: string[] }) => {
    const stored: string[] = [];
    const asked: boolean[] = [];
    const store: ConversionIntakeStore = {
      verificationSecrets: async (id, options) => {
        asked.push(Boolean(options?.fresh));
        if (id !== sourceId) return undefined;
        return { orgId: 'org_1', cached: !options?.fresh, secrets: options?.fresh ? secrets.fresh : secrets.cached };
      },
      storeConversion: async ({ data }) => {
        if (stored.includes(data.conversionId)) return 'duplicate';
        stored.push(data.conversionId);
        return 'accepted';
      },
      storeRefund: async ({ data }) => {
        stored.push(`${data.conversionId}/${data.refundId}`);
        return 'accepted';
      },
    };
    return { store, stored, asked };
  };
  const order = { conversionId: 'order-1', kind: 'purchase', occurredAt: new Date().toISOString() };

  it('accepts a signed conversion once, then calls the repeat a duplicate', async () => {
    const { store, stored } = intake({ cached: [secret], fresh: [secret] });
    expect(await takeConversion(delivery(body(order)), store)).toEqual({ kind: 'accepted', conversionId: 'order-1' });
    expect(await takeConversion(delivery(body(order)), store)).toEqual({ kind: 'duplicate', conversionId: 'order-1' });
    expect(stored).toEqual(['order-1']);
  });

  it('asks for fresh secrets once when a cached set does not verify (a rotation just happened)', async () => {
    const rotated = generateWebhookSecret();
    const { store, asked } = intake({ cached: [secret], fresh: [rotated, secret] });
    expect(await takeConversion(delivery(body(order), rotated), store)).toMatchObject({ kind: 'accepted' });
    expect(asked).toEqual([false, true]);
  });

  it('refuses unknown sources and bad signatures, and stores nothing', async () => {
    const { store, stored } = intake({ cached: [secret], fresh: [secret] });
    expect(await takeConversion({ ...delivery(body(order)), sourceId: 'not-a-source' }, store)).toEqual({ kind: 'refused', reason: 'unknown_source' });
    expect(await takeConversion({ ...delivery(body(order)), sourceId: newId('src') }, store)).toEqual({ kind: 'refused', reason: 'unknown_source' });
    expect(await takeConversion(delivery(body(order), generateWebhookSecret()), store)).toEqual({ kind: 'refused', reason: 'invalid_signature' });
    expect(stored).toEqual([]);
  });

  it('refuses a signed body that is not JSON, fails the schema, or happened in the future', async () => {
    const { store, stored } = intake({ cached: [secret], fresh: [secret] });
    expect(await takeConversion(delivery(Buffer.from('{nope')), store)).toMatchObject({ kind: 'invalid', status: 400 });
    expect(await takeConversion(delivery(body({ ...order, kind: 'Purchase!' })), store)).toMatchObject({ kind: 'invalid', status: 422 });
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    expect(await takeConversion(delivery(body({ ...order, occurredAt: future })), store)).toEqual({
      kind: 'invalid',
      status: 422,
      errors: [{ field: 'data.occurredAt', message: 'must not be in the future' }],
    });
    expect(stored).toEqual([]);
  });
});

describe('takeVendorEvent', () => {
  const sourceId = newId('src');
  const stripe = new Stripe('sk_test_unused');
  const event = (type: string, object: Record<string, unknown>) => JSON.stringify({ id: `evt_${Math.random().toString(36).slice(2)}`, type, created: Math.floor(Date.now() / 1000), data: { object } });
  const checkout = (paymentIntent: string) => event('checkout.session.completed', { id: 'cs_1', payment_intent: paymentIntent, amount_total: 1000, currency: 'eur' });
  const signed = (body: string, secret: string) => ({
    sourceId,
    rawBody: Buffer.from(body),
    method: 'POST',
    url: `https://api.example/v1/integrations/stripe/${sourceId}`,
    headers: { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret }) },
  });
  const intake = (source: { kind: string; cached: string[]; fresh: string[] }, refund: 'accepted' | { refused: Array<{ field: string; message: string }> } = 'accepted') => {
    const stored: string[] = [];
    const store: ConversionIntakeStore = {
      verificationSecrets: async (id, options) =>
        id === sourceId ? { orgId: 'org_1', kind: source.kind, cached: !options?.fresh, secrets: options?.fresh ? source.fresh : source.cached } : undefined,
      storeConversion: async ({ data, webhookId }) => {
        if (stored.includes(data.conversionId)) return 'duplicate';
        stored.push(data.conversionId, webhookId);
        return 'accepted';
      },
      storeRefund: async ({ data }) => {
        if (typeof refund === 'string') stored.push(`${data.conversionId}/${data.refundId}`);
        return refund;
      },
    };
    return { store, stored };
  };

  it('stores a Stripe purchase once under the vendor-prefixed event id; the retry is a duplicate', async () => {
    const { store, stored } = intake({ kind: 'stripe', cached: ['whsec_a'], fresh: ['whsec_a'] });
    const body = checkout('pi_1');
    expect(await takeVendorEvent('stripe', signed(body, 'whsec_a'), store)).toEqual({ kind: 'accepted', conversionId: 'pi_1' });
    expect(await takeVendorEvent('stripe', signed(body, 'whsec_a'), store)).toEqual({ kind: 'duplicate', conversionId: 'pi_1' });
    expect(stored).toEqual(['pi_1', `stripe:${JSON.parse(body).id}`]);
  });

  it('asks for fresh secrets once when the cached ones do not verify (a rotation just happened)', async () => {
    const { store } = intake({ kind: 'stripe', cached: ['whsec_old'], fresh: ['whsec_new', 'whsec_old'] });
    expect((await takeVendorEvent('stripe', signed(checkout('pi_2'), 'whsec_new'), store)).kind).toBe('accepted');
  });

  it('refuses a source of another kind, and stores nothing for ignored types or refused refunds', async () => {
    const shopifySource = intake({ kind: 'shopify', cached: ['whsec_a'], fresh: ['whsec_a'] });
    expect(await takeVendorEvent('stripe', signed(checkout('pi_3'), 'whsec_a'), shopifySource.store)).toEqual({ kind: 'refused', reason: 'unknown_source' });
    const refusing = intake({ kind: 'stripe', cached: ['whsec_a'], fresh: ['whsec_a'] }, { refused: [{ field: 'data.value.amount', message: 'too much' }] });
    expect(await takeVendorEvent('stripe', signed(event('customer.created', { id: 'cus_1' }), 'whsec_a'), refusing.store)).toEqual({ kind: 'ignored', eventType: 'customer.created' });
    const refund = event('refund.created', { id: 're_1', payment_intent: 'pi_1', amount: 100, currency: 'eur', created: 1764237600, status: 'succeeded' });
    expect(await takeVendorEvent('stripe', signed(refund, 'whsec_a'), refusing.store)).toEqual({ kind: 'invalid', status: 422, errors: [{ field: 'data.value.amount', message: 'too much' }] });
    expect([...shopifySource.stored, ...refusing.stored]).toEqual([]);
  });
});
