/**
 * Plays a plan against the running system as its users would — browsers that keep (or clear)
 * their cookies, bots, a shop that signs its webhooks — on a moved clock, and writes down the
 * ground truth the reference model reads: what was sent, when, by whom, and what came back
 * (`eaclid`). Nothing here looks inside the product; it only speaks HTTP.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import type { TestSystem } from '../support/system.js';
import type { ClickSent, ConversionSent, History, RequestClass } from '../reference/model.js';
import { BROWSERS, DAY_MS, userAgents, type ClickOrigin, type Plan, type Sender } from './plan.js';

/** A history longer than this is compressed (long gaps become an hour), to bound the moved clock. */
const MAX_SPAN_MS = 20 * DAY_MS;

/**
 * The moved clock of one test file. It only moves forward: click ids are time-ordered and the
 * product never issues one earlier than the last (a clock stepping back keeps the last time), so
 * every history starts after the previous one ended. It starts 330 days back: every moment stays
 * in the past (no record is ever "newer than now" to the stream consumer), and a range from any
 * of its days to today stays within the API's 366 days.
 */
export class MovedClock {
  private latest = Date.now() - 330 * DAY_MS;
  /**
   * The moved clock and the roll-up consumer (same process, same Date) take turns: the consumer
   * must see the real time. Its ledger items expire by its clock, and DynamoDB Local deletes
   * expired items within a second — a ledger written 330 days in the past would be gone before a
   * redelivery, which would then count its events again.
   */
  private turn: Promise<unknown> = Promise.resolve();

  /** Runs `action` while no moved-clock window is open (for the consumer). */
  realTime<T>(action: () => Promise<T>): Promise<T> {
    return this.exclusive(action);
  }

  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    const run = this.turn.then(action, action);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** A fresh start for the next history, two days after the last one. */
  nextHistoryStart(): number {
    const start = Math.ceil((this.latest + 2 * DAY_MS) / 1000) * 1000;
    if (start + MAX_SPAN_MS > Date.now() - DAY_MS) throw new Error('The moved clock ran out of past: run fewer histories');
    this.latest = start;
    return start;
  }

  /** Runs `action` with Date (only Date: timers and I/O keep running) at `ms`. */
  async at<T>(ms: number, action: () => Promise<T>): Promise<T> {
    if (ms < this.latest) throw new Error('The moved clock must not go back');
    this.latest = ms;
    return this.exclusive(async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: ms });
      try {
        return await action();
      } finally {
        vi.useRealTimers();
      }
    });
  }
}

class CookieJar {
  private cookies = new Map<string, { value: string; expiresAt: number }>();

  header(now: number): string | undefined {
    const live = [...this.cookies].filter(([, cookie]) => cookie.expiresAt > now);
    return live.length > 0 ? live.map(([name, cookie]) => `${name}=${cookie.value}`).join('; ') : undefined;
  }

  store(setCookies: string[], now: number) {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const maxAge = attributes.find((a) => /^max-age=/i.test(a));
      const expiresAt = maxAge ? now + Number(maxAge.split('=')[1]) * 1000 : Number.POSITIVE_INFINITY;
      this.cookies.set(name, { value, expiresAt });
    }
  }

  value(name: string, now: number): string | undefined {
    const cookie = this.cookies.get(name);
    return cookie && cookie.expiresAt > now ? cookie.value : undefined;
  }

  clear() {
    this.cookies.clear();
  }
}

interface Browser {
  jar: CookieJar;
  /** Bumped when the browser clears its cookies: from then on it is another visitor. */
  generation: number;
}

export interface PlayedHistory {
  orgId: string;
  apiKey: string;
  history: History;
  campaignIds: string[];
  slugs: string[];
  /** UTC days the history's events fall on, ascending. */
  days: string[];
}

/**
 * One request on a connection of its own, sent exactly once. fetch reuses connections and, when
 * a reused one turns out closed, sends an idempotent request again — which would make one click
 * of the history two. A browser may do that too; the ground truth must not.
 */
const requestOnce = (url: string, method: 'GET' | 'HEAD', headers: Record<string, string>) =>
  new Promise<{ status: number; location?: string; setCookies: string[] }>((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers: { ...headers, connection: 'close' }, agent: false }, (incoming) => {
      incoming.resume();
      incoming.on('end', () => {
        const setCookie = incoming.headers['set-cookie'] ?? [];
        resolve({ status: incoming.statusCode ?? 0, location: incoming.headers.location, setCookies: setCookie });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });

const expectStatus = (what: string, actual: number, ...allowed: number[]) => {
  if (!allowed.includes(actual)) throw new Error(`${what}: answered ${actual}, expected ${allowed.join(' or ')}`);
};

export const playHistory = async (system: TestSystem, clock: MovedClock, plan: Plan): Promise<PlayedHistory> => {
  const api = system.client.request;
  const { orgId, apiKey } = await system.createOrganization('Differential');
  const source = await api('POST', '/v1/webhook-sources', { token: apiKey, body: { name: 'Shop' } });
  expectStatus('webhook source', source.status, 201);

  const history: History = { campaigns: [], advocates: [], links: [], events: [] };
  for (const [i, campaign] of plan.campaigns.entries()) {
    const created = await api('POST', '/v1/campaigns', {
      token: apiKey,
      body: { name: `Campaign ${i}`, destinationUrl: 'https://careers.acme.example/jobs', attribution: { lookbackDays: campaign.lookbackDays } },
    });
    expectStatus('campaign', created.status, 201);
    history.campaigns.push({ campaignId: created.body.campaignId, lookbackDays: campaign.lookbackDays });
  }
  for (const [i, advocate] of plan.advocates.entries()) {
    const advocateId = `adv${i}`;
    const body = { displayName: `Advocate ${i}`, ...(advocate.department ? { department: advocate.department } : {}) };
    expectStatus('advocate', (await api('PUT', `/v1/advocates/${advocateId}`, { token: apiKey, body })).status, 200, 201);
    history.advocates.push({ advocateId, ...(advocate.department ? { department: advocate.department } : {}) });
  }
  const linkKeys = new Set<string>();
  for (const link of plan.links) {
    const campaignId = history.campaigns[link.campaign % history.campaigns.length].campaignId;
    const advocateId = history.advocates[link.advocate % history.advocates.length].advocateId;
    const key = `${campaignId}/${advocateId}/${link.channel}`;
    if (linkKeys.has(key)) continue;
    linkKeys.add(key);
    const issued = await api('POST', '/v1/links', { token: apiKey, body: { campaignId, advocateId, channel: link.channel } });
    expectStatus('link', issued.status, 201);
    history.links.push({ slug: issued.body.slug, campaignId, advocateId, channel: link.channel });
  }

  const browsers: Browser[] = Array.from({ length: BROWSERS }, () => ({ jar: new CookieJar(), generation: 0 }));
  const identity = (index: number) => `browser${index}.${browsers[index].generation}`;
  const disabled = new Set<string>();
  const humanClicks: ClickSent[] = [];
  const conversionIds: string[] = [];
  let cookieless = 0;
  let now = clock.nextHistoryStart();
  const start = now;

  const click = async (slug: string, sender: Sender, origin: ClickOrigin) => {
    const browserIndex = sender.kind === 'browser' || sender.kind === 'head' ? sender.browser : undefined;
    const browser = browserIndex === undefined ? undefined : browsers[browserIndex];
    if (sender.kind === 'browser' && sender.clearsCookiesFirst) {
      browser!.jar.clear();
      browser!.generation++;
    }
    const requestClass: RequestClass =
      sender.kind === 'bot' ? sender.requestClass : sender.kind === 'head' ? 'head' : 'human';
    const agents = userAgents[requestClass === 'head' ? 'human' : requestClass];
    const { userAgent, ...labels } = agents[history.events.length % agents.length];
    const cookie = browser?.jar.header(now);
    const response = await clock.at(now, () =>
      requestOnce(`${system.baseUrl}/${slug}`, requestClass === 'head' ? 'HEAD' : 'GET', {
        'user-agent': userAgent,
        // What CloudFront adds on AWS (spec section 3); locally the test sends it itself.
        ...(origin.country ? { 'cloudfront-viewer-country': origin.country } : {}),
        ...(origin.referer ? { referer: origin.referer } : {}),
        ...(cookie ? { cookie } : {}),
      }),
    );
    expectStatus(`redirect of ${slug}`, response.status, 302);
    const clickId = new URL(response.location!).searchParams.get('eaclid') ?? undefined;
    const tracked = !disabled.has(slug);
    const human = requestClass === 'human';
    if (human && tracked && !clickId) throw new Error(`A human click on ${slug} got no click id`);
    if ((!human || !tracked) && clickId) throw new Error(`A ${requestClass} request on ${tracked ? 'a tracked' : 'a disabled'} link got a click id`);
    let visitor: string | undefined;
    if (human) {
      if (browser) {
        if (tracked) browser.jar.store(response.setCookies, now);
        visitor = identity(browserIndex!);
      } else {
        visitor = `cookieless${cookieless++}`;
      }
    }
    const sent: ClickSent = {
      kind: 'click',
      at: now,
      slug,
      requestClass,
      tracked,
      viewer: { ...labels, ...origin },
      ...(visitor ? { visitor } : {}),
      ...(clickId ? { clickId } : {}),
    };
    history.events.push(sent);
    if (human && tracked) humanClicks.push(sent);
  };

  const convert = async (step: Extract<Plan['steps'][number], { kind: 'conversion' }>) => {
    const repeated = step.repeatOf !== undefined && conversionIds.length > 0;
    const conversionId = repeated ? conversionIds[step.repeatOf! % conversionIds.length] : `order-${conversionIds.length}`;
    if (!repeated) conversionIds.push(conversionId);
    let clickId: string | undefined;
    if (step.clickRef.kind === 'earlierClick' && humanClicks.length > 0) {
      clickId = humanClicks[step.clickRef.pick % humanClicks.length].clickId;
    } else if (step.clickRef.kind === 'unknownClickId') {
      // Well-formed when there is a click to imitate: only its last character differs.
      const model = humanClicks.at(-1)?.clickId;
      clickId = model ? `${model.slice(0, -1)}${model.endsWith('A') ? 'B' : 'A'}` : 'no-such-click';
    }
    const visitorId = step.visitorOf === undefined ? undefined : browsers[step.visitorOf].jar.value('eav', now);
    const customerId = step.customer === undefined ? undefined : `crm-${step.customer}`;
    let occurredAt = now + step.occurredOffsetMs;
    if (step.truncateToSecond) occurredAt = Math.floor(occurredAt / 1000) * 1000;
    const data = {
      conversionId,
      kind: 'purchase',
      occurredAt: new Date(occurredAt).toISOString(),
      ...(step.value ? { value: step.value } : {}),
      ...(clickId ? { clickId } : {}),
      ...(visitorId ? { visitorId } : {}),
      ...(customerId ? { customerId } : {}),
    };
    const body = JSON.stringify({ type: 'conversion.created', data });
    const webhookId = `msg_${randomUUID()}`;
    const answer = await clock.at(now, () =>
      api('POST', `/v1/webhooks/conversions/${source.body.sourceId}`, {
        rawBody: body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(now / 1000)),
          'webhook-signature': new Webhook(source.body.secret).sign(webhookId, new Date(now), body),
        },
      }),
    );
    expectStatus(`conversion ${conversionId}${repeated ? ' (again)' : ''}`, answer.status, repeated ? 200 : 202);
    const sent: ConversionSent = {
      kind: 'conversion',
      receivedAt: now,
      occurredAt,
      conversionId,
      ...(clickId ? { clickId } : {}),
      ...(visitorId ? { visitor: identity(step.visitorOf!) } : {}),
      ...(customerId ? { customerId } : {}),
      ...(step.value ? { value: step.value } : {}),
    };
    history.events.push(sent);
  };

  for (const step of plan.steps) {
    now += now - start + step.gapMs > MAX_SPAN_MS ? Math.min(step.gapMs, 3_600_000) : step.gapMs;
    if (step.kind === 'click') {
      await click(history.links[step.link % history.links.length].slug, step.sender, step.origin);
    } else if (step.kind === 'conversion') {
      await convert(step);
    } else if (step.kind === 'share') {
      const campaignId = history.campaigns[step.campaign % history.campaigns.length].campaignId;
      const advocateId = history.advocates[step.advocate % history.advocates.length].advocateId;
      const answer = await clock.at(now, () => api('POST', '/v1/shares', { token: apiKey, body: { campaignId, advocateId, channel: step.channel } }));
      // 429 past the flood cap: the model decides whether that was right.
      expectStatus(`share of ${advocateId}`, answer.status, 202, 429);
      history.events.push({ kind: 'share', at: now, campaignId, advocateId, channel: step.channel, campaignActive: true });
    } else {
      const slug = history.links[step.link % history.links.length].slug;
      const answer = await clock.at(now, () => api('DELETE', `/v1/links/${slug}`, { token: apiKey }));
      expectStatus(`disabling ${slug}`, answer.status, 200);
      disabled.add(slug);
    }
  }

  const days = new Set<string>();
  for (const event of history.events) {
    days.add(new Date(event.kind === 'conversion' ? event.occurredAt : event.at).toISOString().slice(0, 10));
  }
  return {
    orgId,
    apiKey,
    history,
    campaignIds: history.campaigns.map((c) => c.campaignId),
    slugs: history.links.map((l) => l.slug),
    days: [...days].sort(),
  };
};
