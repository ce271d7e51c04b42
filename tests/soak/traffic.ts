/**
 * Mixed traffic on loopback: browsers (with and without their visitor cookie) and bots following
 * short links, a shop sending signed conversions (some twice, some concurrently, retrying what
 * failed as Standard Webhooks senders do), advocates starting shares (now and then a burst past
 * the flood cap), dashboards and advocates reading, and a trickle of
 * hostile requests (bad keys, bad tokens, bad signatures). Everything seen goes to the ledger.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../../shared/domain/webhook-signature.js';
import type { Ledger } from './ledger.js';
import type { SoakSeed } from './seed.js';

export const userAgents = {
  browsers: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  ],
  bots: [
    'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  ],
};

interface Visitor {
  userAgent: string;
  cookie?: string;
  clickIds: string[];
  /**
   * A request or conversion of this visitor is in flight. A browser clicks one link at a time,
   * and a shop converts a visitor after its clicks: with each visitor's steps in sequence, the
   * order of its clicks and conversions is a fact the reference model can rely on.
   */
  busy: boolean;
}

export interface Traffic {
  /** Follows every link once, as a warm container has: links it resolved before keep working. */
  warmUp(): Promise<void>;
  run(deadline: number): Promise<void>;
}

const REDIRECT_CLIENTS = 6;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const createTraffic = (baseUrl: string, seed: SoakSeed, ledger: Ledger): Traffic => {
  const visitors: Visitor[] = Array.from({ length: 150 }, () => ({ userAgent: pick(userAgents.browsers), clickIds: [], busy: false }));
  const customers: string[] = [];
  let conversionSequence = 0;

  const redirect = async () => {
    const roll = Math.random();
    const kind = roll < 0.7 ? 'human' : roll < 0.9 ? 'bot' : 'head';
    const idle = visitors.filter((v) => !v.busy);
    const visitor = kind === 'bot' ? undefined : pick(idle);
    if (kind !== 'bot' && !visitor) return;
    const slug = pick(seed.slugs);
    const headers: Record<string, string> = {
      'user-agent': visitor?.userAgent ?? pick(userAgents.bots),
      referer: 'https://www.linkedin.com/feed/',
      'cloudfront-viewer-country': 'DE',
    };
    if (visitor?.cookie) headers.cookie = visitor.cookie;
    const at = Date.now();
    if (visitor) visitor.busy = true;
    try {
      const response = await fetch(`${baseUrl}/${slug}`, { method: kind === 'head' ? 'HEAD' : 'GET', redirect: 'manual', headers });
      await response.arrayBuffer();
      const location = response.headers.get('location');
      const clickId = location ? new URL(location).searchParams.get('eaclid') ?? undefined : undefined;
      // The visitor cookie is set once (then only the click memory is rewritten): keep it when it comes.
      const cookie = response.headers.getSetCookie().map((set) => set.split(';')[0]!).find((pair) => pair.startsWith('eav='));
      if (visitor && kind === 'human') {
        if (cookie) visitor.cookie = cookie;
        if (clickId) visitor.clickIds.push(clickId);
      }
      ledger.redirects.push({ at, slug, kind, status: response.status, ...(clickId ? { clickId } : {}) });
    } catch {
      ledger.redirects.push({ at, slug, kind, status: 0 });
    } finally {
      if (visitor) visitor.busy = false;
    }
  };

  const deliverOnce = async (conversionId: string, webhookId: string, body: string): Promise<number> => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook({ id: webhookId, timestamp, body, secret: seed.source.secret });
    const at = Date.now();
    try {
      const response = await fetch(`${baseUrl}/v1/webhooks/conversions/${seed.source.sourceId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
        body,
      });
      const json = (await response.json().catch(() => ({}))) as { status?: string };
      ledger.conversions.push({ at, conversionId, webhookId, status: response.status, ...(response.ok ? { outcome: json.status } : {}) });
      return response.status;
    } catch {
      ledger.conversions.push({ at, conversionId, webhookId, status: 0 });
      return 0;
    }
  };

  /** Delivers until a 2xx, as a webhook sender retries (same message id, fresh signature). */
  const deliver = async (conversionId: string, webhookId: string, body: string, giveUpAt: number) => {
    for (let attempt = 0; ; attempt++) {
      const status = await deliverOnce(conversionId, webhookId, body);
      if (status >= 200 && status < 300) return;
      if (Date.now() > giveUpAt) {
        ledger.undelivered.push(conversionId);
        return;
      }
      ledger.retries++;
      await delay(Math.min(2000, 100 * 2 ** attempt));
    }
  };

  const conversion = async (giveUpAt: number) => {
    const conversionId = `soak-order-${++conversionSequence}`;
    const roll = Math.random();
    const withClicks = visitors.filter((v) => v.clickIds.length > 0 && !v.busy);
    const data: Record<string, unknown> = {
      conversionId,
      kind: pick(['purchase', 'signup', 'lead']),
      occurredAt: new Date().toISOString(),
      ...(Math.random() < 0.6 ? { value: { amount: `${1 + Math.floor(Math.random() * 500)}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`, currency: pick(['EUR', 'USD']) } } : {}),
    };
    let converting: Visitor | undefined;
    if (roll < 0.5 && withClicks.length > 0) {
      converting = pick(withClicks);
      data.clickId = converting.clickIds.at(-1);
    } else if (roll < 0.7 && withClicks.length > 0) {
      converting = pick(withClicks);
      data.visitorId = converting.cookie?.slice('eav='.length);
    } else if (roll < 0.8 && customers.length > 0) {
      data.customerId = pick(customers);
    }
    const newCustomer = Math.random() < 0.3 && !data.customerId ? `crm-${conversionSequence}` : undefined;
    if (newCustomer) data.customerId = newCustomer;
    ledger.conversionsSent.set(conversionId, data);
    if (converting) converting.busy = true;
    try {
      await deliverAll(conversionId, JSON.stringify({ type: 'conversion.created', data }), giveUpAt);
    } finally {
      if (converting) converting.busy = false;
    }
    // Known to later conversions once delivered: which conversion of a customer came first is then a fact.
    if (newCustomer) customers.push(newCustomer);
    const value = data.value as { amount: string; currency: string } | undefined;
    if (value && Math.random() < 0.25 && !ledger.undelivered.includes(conversionId)) await refunds(conversionId, value, giveUpAt);
  };

  /** A partial refund of about half the amount, sometimes followed by the rest (spec 13). */
  const refunds = async (conversionId: string, value: { amount: string; currency: string }, giveUpAt: number) => {
    const [units, cents] = value.amount.split('.');
    const minor = Number(units) * 100 + Number(cents ?? 0);
    const half = Math.floor(minor / 2);
    const parts = Math.random() < 0.5 ? [half, minor - half] : [half];
    for (const [index, part] of parts.entries()) {
      if (part === 0) continue;
      const data = {
        conversionId,
        refundId: `re_${index + 1}`,
        occurredAt: new Date().toISOString(),
        value: { amount: `${Math.floor(part / 100)}.${String(part % 100).padStart(2, '0')}`, currency: value.currency },
      };
      // Recorded as its own delivery key, so the once-only checks cover refunds like conversions.
      await deliverAll(`refund:${conversionId}/${data.refundId}`, JSON.stringify({ type: 'conversion.refunded', data }), giveUpAt);
    }
  };

  const deliverAll = async (conversionId: string, body: string, giveUpAt: number) => {
    const webhookId = `msg_${randomUUID()}`;
    const duplicateRoll = Math.random();
    if (duplicateRoll < 0.1) {
      // Three identical deliveries at once.
      ledger.duplicatesSent += 2;
      await Promise.all([0, 1, 2].map(() => deliver(conversionId, webhookId, body, giveUpAt)));
      return;
    }
    await deliver(conversionId, webhookId, body, giveUpAt);
    if (duplicateRoll < 0.25) {
      ledger.duplicatesSent++;
      await deliver(conversionId, webhookId, body, giveUpAt); // a replay of the same message
    } else if (duplicateRoll < 0.4) {
      ledger.duplicatesSent++;
      await deliver(conversionId, `msg_${randomUUID()}`, body, giveUpAt); // same conversion, new message
    }
  };

  /** An advocate starts a share with its own token; one in twenty is a burst of 25 at once (the cap is 20 a minute). */
  const share = async () => {
    const advocateId = pick(seed.advocateIds);
    const campaignId = pick(seed.campaignIds);
    const burst = Math.random() < 0.05 ? 25 : 1;
    await Promise.all(
      Array.from({ length: burst }, async () => {
        const at = Date.now();
        try {
          const response = await fetch(`${baseUrl}/v1/shares`, {
            method: 'POST',
            headers: { authorization: `Bearer ${seed.advocateTokens[advocateId]!}`, 'content-type': 'application/json' },
            body: JSON.stringify({ campaignId, channel: pick(['linkedin', 'x', 'email']) }),
          });
          const json = (await response.json().catch(() => ({}))) as { shareId?: string };
          ledger.shares.push({ at, advocateId, campaignId, status: response.status, ...(json.shareId ? { shareId: json.shareId } : {}) });
        } catch {
          ledger.shares.push({ at, advocateId, campaignId, status: 0 });
        }
      }),
    );
  };

  const read = async () => {
    const advocateId = pick(seed.advocateIds);
    const choices: Array<[string, string, string]> = [
      ['attribution', `/v1/campaigns/${pick(seed.campaignIds)}/attribution?groupBy=${pick(['advocate', 'channel', 'day', 'link', 'department'])}`, seed.analyticsKey],
      ['leaderboard', `/v1/campaigns/${pick(seed.campaignIds)}/leaderboard?metric=${pick(['clicks', 'conversions', 'revenue', 'shares'])}`, seed.analyticsKey],
      ['link', `/v1/links/${pick(seed.slugs)}`, seed.adminKey],
      ['own-stats', `/v1/advocates/${advocateId}/stats`, seed.advocateTokens[advocateId]!],
      ['own-links', '/v1/links', seed.advocateTokens[advocateId]!],
    ];
    const [what, path, token] = pick(choices);
    const at = Date.now();
    try {
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      ledger.reads.push({ at, what, status: response.status });
    } catch {
      ledger.reads.push({ at, what, status: 0 });
    }
  };

  /** Requests that must be refused; they make the handlers log refusals the scans then read. */
  const hostile = async () => {
    ledger.hostile++;
    const body = JSON.stringify({ type: 'conversion.created', data: { conversionId: 'forged', kind: 'purchase', occurredAt: new Date().toISOString() } });
    const attempts = [
      () => fetch(`${baseUrl}/v1/campaigns`, { headers: { authorization: `Bearer ${seed.adminKey.slice(0, -6)}XXXXXX` } }),
      () => fetch(`${baseUrl}/v1/links`, { headers: { authorization: `Bearer ${seed.advocateTokens.ana!.slice(0, -8)}AAAAAAAA` } }),
      () =>
        fetch(`${baseUrl}/v1/webhooks/conversions/${seed.source.sourceId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
          body,
        }),
    ];
    try {
      const response = await pick(attempts)();
      await response.arrayBuffer();
      ledger.reads.push({ at: Date.now(), what: 'hostile', status: response.status });
    } catch {
      ledger.reads.push({ at: Date.now(), what: 'hostile', status: 0 });
    }
  };

  const loop = async (deadline: number, step: () => Promise<void>, pauseMs = 0) => {
    while (Date.now() < deadline) {
      await step();
      if (pauseMs) await delay(pauseMs);
    }
  };

  return {
    async warmUp() {
      for (const slug of seed.slugs) {
        const response = await fetch(`${baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': userAgents.browsers[0]! } });
        await response.arrayBuffer();
        if (response.status !== 302) throw new Error(`warm-up: /${slug} answered ${response.status}`);
      }
    },
    async run(deadline) {
      // Conversions may keep retrying a little after the traffic stops, as real senders do.
      const giveUpAt = deadline + 60_000;
      await Promise.all([
        ...Array.from({ length: REDIRECT_CLIENTS }, () => loop(deadline, redirect)),
        ...Array.from({ length: 2 }, () => loop(deadline, () => conversion(giveUpAt), 50)),
        loop(deadline, read, 20),
        loop(deadline, share, 200),
        loop(deadline, hostile, 500),
      ]);
    },
  };
};
