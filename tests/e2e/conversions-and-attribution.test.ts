/**
 * End to end: signed conversions through attribution to the dashboard APIs, against the local
 * runtime. Two advocates, links on three channels, two cookie-carried browsers, a preview bot,
 * conversions found by click id, by visitor id, by a customer's remembered path, and one that
 * cannot be attributed. Every number below is computed by hand from that path.
 *
 * Where time is the data (time_decay, date ranges) the clock of the whole in-process runtime is
 * moved: `vi.setSystemTime` fakes only Date, so timers and I/O keep running.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let campaignId: string;
let source: { sourceId: string; secret: string };
const links: Record<'aliceLinkedin' | 'bobX' | 'aliceEmail', string> = { aliceLinkedin: '', bobX: '', aliceEmail: '' };
const clicks: { v1First: string; v1Second: string; v2: string; v2Visitor: string; times: string[] } = {
  v1First: '',
  v1Second: '',
  v2: '',
  v2Visitor: '',
  times: [],
};

const sendConversion = async (
  data: Record<string, unknown>,
  options: { webhookId?: string; secret?: string; timestamp?: Date; rawBody?: string; source?: { sourceId: string; secret: string } } = {},
) => {
  const from = options.source ?? source;
  const body = options.rawBody ?? JSON.stringify({ type: 'conversion.created', data });
  const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
  // The sender's clock: moved with the server's where a test moves it.
  const timestamp = options.timestamp ?? new Date();
  const signature = new Webhook(options.secret ?? from.secret).sign(webhookId, timestamp, body);
  return api('POST', `/v1/webhooks/conversions/${from.sourceId}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
  });
};

const visit = async (slug: string, cookie?: string) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, {
    redirect: 'manual',
    headers: { 'user-agent': browserUserAgents.chromeDesktop, ...(cookie ? { cookie } : {}) },
  });
  expect(response.status).toBe(302);
  const clickId = new URL(response.headers.get('location')!).searchParams.get('eaclid')!;
  expect(clickId).toBeTruthy();
  return { clickId, cookie: response.headers.get('set-cookie')!.split(';')[0] };
};

/** Conversions happen after the clicks that led to them: take the time when sending. */
const occurredAt = () => new Date().toISOString();

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  const campaign = await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: 'Hiring 2027', destinationUrl: 'https://careers.acme.example/', attribution: { lookbackDays: 30 } },
  });
  campaignId = campaign.body.campaignId;
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice Martin', department: 'sales' } });
  await api('PUT', '/v1/advocates/bob', { token: org.apiKey, body: { displayName: 'Bob Stone', department: 'eng' } });
  const issue = async (advocateId: string, channel: string) =>
    (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, advocateId, channel } })).body.slug as string;
  links.aliceLinkedin = await issue('alice', 'linkedin');
  links.bobX = await issue('bob', 'x');
  links.aliceEmail = await issue('alice', 'email');

  const created = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'Shop' } });
  expect(created.status).toBe(201);
  source = { sourceId: created.body.sourceId, secret: created.body.secret };

});

afterAll(async () => {
  await system?.stop();
});

afterEach(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------
// Clicks and conversions days apart, on a moved clock. These run first: the runtime's click ids
// are monotonic per process (a clock stepping back keeps the latest millisecond seen), so a
// moved clock may only move forward, like a real one. All moved times lie weeks before the real
// now: DynamoDB Local stamps stream records with the real time, and the local poller dead-letters
// records older than maxRecordAgeSeconds by the clock it reads, so a clock far ahead would drop
// them.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Day 0 of the moved-clock scenarios: midnight UTC, 60 days before the real today. */
const DAY0 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 60 * DAY_MS;
const at = (day: number, hours = 0, ms = 0) => DAY0 + day * DAY_MS + hours * HOUR_MS + ms;
const utcDate = (day: number) => new Date(at(day)).toISOString().slice(0, 10);

/** Moves the clock of the whole in-process runtime and of this sender (Date only). */
const travelTo = (instant: number) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(instant);
};

/** An organization of its own, so the Acme numbers below stay as they are. */
const setUpOrganization = async (name: string, advocates: string[]) => {
  const owner = await system.createOrganization(name);
  const created = await api('POST', '/v1/webhook-sources', { token: owner.apiKey, body: { name: `${name} shop` } });
  expect(created.status).toBe(201);
  for (const advocateId of advocates) {
    expect((await api('PUT', `/v1/advocates/${advocateId}`, { token: owner.apiKey, body: { displayName: advocateId } })).status).toBe(201);
  }
  return { ...owner, source: { sourceId: created.body.sourceId as string, secret: created.body.secret as string } };
};

const createCampaignWithLinks = async (token: string, name: string, advocates: string[]) => {
  const campaign = await api('POST', '/v1/campaigns', {
    token,
    body: { name, destinationUrl: 'https://careers.umbrella.example/', attribution: { lookbackDays: 30 } },
  });
  expect(campaign.status).toBe(201);
  const slugs: Record<string, string> = {};
  for (const advocateId of advocates) {
    const link = await api('POST', '/v1/links', { token, body: { campaignId: campaign.body.campaignId, advocateId, channel: 'linkedin' } });
    expect(link.status).toBe(201);
    slugs[advocateId] = link.body.slug;
  }
  return { campaignId: campaign.body.campaignId as string, slugs };
};

const rowsByKey = (report: { body: { rows: Array<{ key: string }> } }) =>
  Object.fromEntries(report.body.rows.map((row) => [row.key, row])) as Record<string, any>;

describe('time_decay, with clicks a week apart (moved clock)', () => {
  let umbrella: Awaited<ReturnType<typeof setUpOrganization>>;
  let decay: Awaited<ReturnType<typeof createCampaignWithLinks>>;

  beforeAll(async () => {
    umbrella = await setUpOrganization('Umbrella', ['alice', 'bob', 'carol']);
    decay = await createCampaignWithLinks(umbrella.apiKey, 'Decay', ['alice', 'bob', 'carol']);
    try {
      // One browser: Alice's link on day 0, Bob's on day 7, Carol's on day 14; the order follows
      // on day 14, half an hour after the last click.
      travelTo(at(0, 12));
      const first = await visit(decay.slugs.alice!);
      travelTo(at(7, 12));
      await visit(decay.slugs.bob!, first.cookie);
      travelTo(at(14, 12));
      const last = await visit(decay.slugs.carol!, first.cookie);
      travelTo(at(14, 13));
      const order = await sendConversion(
        { conversionId: 'decay-1', kind: 'purchase', occurredAt: new Date(at(14, 12.5)).toISOString(), value: { amount: '70.00', currency: 'EUR' }, clickId: last.clickId },
        { source: umbrella.source },
      );
      expect(order.status, order.text).toBe(202);
      await system.streamsIdle();
      expect(system.runtime.poller.deadLetters()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('records each click at the moved time', async () => {
    const events = await api('GET', `/v1/campaigns/${decay.campaignId}/events?type=click`, { token: umbrella.apiKey });
    expect(events.body.items.map((click: { advocateId: string; at: string }) => [click.advocateId, click.at])).toEqual([
      ['alice', new Date(at(0, 12)).toISOString()],
      ['bob', new Date(at(7, 12)).toISOString()],
      ['carol', new Date(at(14, 12)).toISOString()],
    ]);
  });

  it('weighs touches 14, 7 and 0 days old 1/4 : 1/2 : 1, shares 1/7, 2/7, 4/7', async () => {
    // 2^(−Δt / 7 days) from each click to the conversion; only the ratios matter, so measured from
    // the last click (Δt 14, 7 and 0 days): 1/4, 1/2, 1, summing to 7/4.
    const report = await api('GET', `/v1/campaigns/${decay.campaignId}/attribution?model=time_decay&groupBy=advocate`, { token: umbrella.apiKey });
    expect(report.status).toBe(200);
    const rows = rowsByKey(report);
    // To 6 decimals: 0.142857, 0.285714, 0.571429 (summing to exactly 1).
    expect([rows.alice.conversions, rows.bob.conversions, rows.carol.conversions]).toEqual([round6(1 / 7), round6(2 / 7), round6(4 / 7)]);
    // 70.00 EUR in the same shares.
    expect([rows.alice.revenue, rows.bob.revenue, rows.carol.revenue]).toEqual([{ EUR: '10.00' }, { EUR: '20.00' }, { EUR: '40.00' }]);
    expect(report.body.rows.map((row: { key: string }) => row.key)).toEqual(['carol', 'bob', 'alice']);

    // A model blind to time would split evenly: linear does, and time_decay must not.
    const linear = rowsByKey(await api('GET', `/v1/campaigns/${decay.campaignId}/attribution?model=linear&groupBy=advocate`, { token: umbrella.apiKey }));
    for (const advocate of ['alice', 'bob', 'carol']) {
      // 1/3 to 6 decimals, one of them rounded up so that the three sum to exactly 1.
      expect(Math.abs(linear[advocate].conversions - 1 / 3), advocate).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(rows[advocate].conversions - linear[advocate].conversions), advocate).toBeGreaterThan(0.04);
    }
    expect(round6(linear.alice.conversions + linear.bob.conversions + linear.carol.conversions)).toBe(1);
  });

  it('credits the same path by position and by first and last touch', async () => {
    const credit = async (model: string) => {
      const rows = rowsByKey(await api('GET', `/v1/campaigns/${decay.campaignId}/attribution?model=${model}&groupBy=advocate`, { token: umbrella.apiKey }));
      return ['alice', 'bob', 'carol'].map((advocate) => round6(rows[advocate]?.conversions ?? 0));
    };
    expect(await credit('first_click')).toEqual([1, 0, 0]);
    expect(await credit('last_click')).toEqual([0, 0, 1]);
    expect(await credit('position_based')).toEqual([0.4, 0.2, 0.4]);
  });
});

describe('from/to over clicks and conversions on several UTC days (moved clock)', () => {
  let token: string;
  let days: Awaited<ReturnType<typeof createCampaignWithLinks>>;
  const report = (query: string) => api('GET', `/v1/campaigns/${days.campaignId}/attribution?${query}`, { token });
  /** The per-day numbers of a `groupBy=day` answer. */
  const dayRows = (answer: { body: { rows: Array<Record<string, unknown>> } }) =>
    answer.body.rows.map(({ key, clicks, uniqueClicks, conversions, revenue }) => ({ key, clicks, uniqueClicks, conversions, revenue }));
  const zero = { shares: 0, clicks: 0, uniqueClicks: 0, botClicks: 0, conversions: 0, revenue: {} };

  // By hand, from the history below (days after the time_decay scenario's):
  //   day 20: A clicks Alice 09:00 (unique), B clicks Bob 10:00 (unique), A converts 11:00, 20 EUR → Alice
  //   day 22: A clicks Alice 09:00 (unique: 48 h later); LinkedIn's preview bot fetches Alice's link
  //   day 25: B clicks Bob 15:00 (unique: 5 days later), B converts 16:00 by that click, 50 EUR → Bob;
  //           B clicks Bob 23:59:59.999 (not unique: 9 h after the last)
  //   day 26: A clicks Alice 00:00:00.000 (unique)
  // Each conversion has touches of one advocate only, so every model gives the same numbers.
  const day20 = { key: utcDate(20), clicks: 2, uniqueClicks: 2, conversions: 1, revenue: { EUR: '20.00' } };
  const day22 = { key: utcDate(22), clicks: 1, uniqueClicks: 1, conversions: 0, revenue: {} };
  const day25 = { key: utcDate(25), clicks: 2, uniqueClicks: 1, conversions: 1, revenue: { EUR: '50.00' } };
  const day26 = { key: utcDate(26), clicks: 1, uniqueClicks: 1, conversions: 0, revenue: {} };

  beforeAll(async () => {
    const initrode = await setUpOrganization('Initrode', ['alice', 'bob']);
    token = initrode.apiKey;
    days = await createCampaignWithLinks(token, 'Days', ['alice', 'bob']);
    const send = (data: Record<string, unknown>) => sendConversion(data, { source: initrode.source });
    try {
      travelTo(at(20, 9));
      const browserA = await visit(days.slugs.alice!);
      travelTo(at(20, 10));
      const browserB = await visit(days.slugs.bob!);
      travelTo(at(20, 11));
      const lead = await send({ conversionId: 'days-lead', kind: 'lead', occurredAt: new Date(at(20, 11)).toISOString(), value: { amount: '20.00', currency: 'EUR' }, visitorId: browserA.cookie.slice('eav='.length) });
      expect(lead.status, lead.text).toBe(202);
      travelTo(at(22, 9));
      await visit(days.slugs.alice!, browserA.cookie);
      travelTo(at(22, 9.5));
      const preview = await fetch(`${system.baseUrl}/${days.slugs.alice}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.linkedInBot } });
      expect(preview.status).toBe(302);
      travelTo(at(25, 15));
      const purchaseClick = await visit(days.slugs.bob!, browserB.cookie);
      travelTo(at(25, 16));
      const purchase = await send({ conversionId: 'days-purchase', kind: 'purchase', occurredAt: new Date(at(25, 16)).toISOString(), value: { amount: '50.00', currency: 'EUR' }, clickId: purchaseClick.clickId });
      expect(purchase.status, purchase.text).toBe(202);
      travelTo(at(26, 0, -1));
      await visit(days.slugs.bob!, browserB.cookie);
      travelTo(at(26));
      await visit(days.slugs.alice!, browserA.cookie);
      await system.streamsIdle();
      expect(system.runtime.poller.deadLetters()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('has one row per day with traffic, ascending, adding up to the totals', async () => {
    const all = await report('groupBy=day');
    expect(dayRows(all)).toEqual([day20, day22, day25, day26]);
    expect(all.body.totals).toEqual({ shares: 0, clicks: 6, uniqueClicks: 5, botClicks: 1, conversions: 2, revenue: { EUR: '70.00' } });
  });

  it('a single day: from = to', async () => {
    const day = await report(`groupBy=advocate&from=${utcDate(25)}&to=${utcDate(25)}`);
    expect([day.body.from, day.body.to]).toEqual([utcDate(25), utcDate(25)]);
    expect(day.body.totals).toEqual({ shares: 0, clicks: 2, uniqueClicks: 1, botClicks: 0, conversions: 1, revenue: { EUR: '50.00' } });
    expect(day.body.rows).toEqual([expect.objectContaining({ key: 'bob', clicks: 2, uniqueClicks: 1, conversions: 1, revenue: { EUR: '50.00' } })]);
    // The day's last millisecond and the next day's first fall on either side of midnight UTC.
    const next = await report(`groupBy=advocate&from=${utcDate(26)}&to=${utcDate(26)}`);
    expect(next.body.totals).toEqual({ ...zero, clicks: 1, uniqueClicks: 1 });
    expect(next.body.rows).toEqual([expect.objectContaining({ key: 'alice', clicks: 1, conversions: 0 })]);
    // A day with a bot fetch counts it apart.
    const withBot = await report(`groupBy=advocate&from=${utcDate(22)}&to=${utcDate(22)}`);
    expect(withBot.body.totals).toEqual({ ...zero, clicks: 1, uniqueClicks: 1, botClicks: 1 });
  });

  it('a range covering two of the days (and an empty one between)', async () => {
    const byDay = await report(`groupBy=day&from=${utcDate(20)}&to=${utcDate(22)}`);
    expect(dayRows(byDay)).toEqual([day20, day22]);
    expect(byDay.body.totals).toEqual({ shares: 0, clicks: 3, uniqueClicks: 3, botClicks: 1, conversions: 1, revenue: { EUR: '20.00' } });
    const byAdvocate = rowsByKey(await report(`groupBy=advocate&from=${utcDate(20)}&to=${utcDate(22)}`));
    expect(byAdvocate.alice).toMatchObject({ clicks: 2, uniqueClicks: 2, conversions: 1, revenue: { EUR: '20.00' } });
    expect(byAdvocate.bob).toMatchObject({ clicks: 1, uniqueClicks: 1, conversions: 0, revenue: {} });
  });

  it('a range covering none of the days', async () => {
    const none = await report(`groupBy=day&from=${utcDate(23)}&to=${utcDate(24)}`);
    expect(none.body.rows).toEqual([]);
    expect(none.body.totals).toEqual(zero);
  });

  it('from alone runs to the server’s today', async () => {
    travelTo(at(26, 12));
    const toDay26 = await report(`groupBy=day&from=${utcDate(25)}`);
    expect([toDay26.body.from, toDay26.body.to]).toEqual([utcDate(25), utcDate(26)]);
    expect(dayRows(toDay26)).toEqual([day25, day26]);
    // On day 25 the same `from` ends that day: day 26's click is outside.
    travelTo(at(25, 12));
    const toDay25 = await report(`groupBy=day&from=${utcDate(22)}`);
    expect(toDay25.body.to).toBe(utcDate(25));
    expect(dayRows(toDay25)).toEqual([day22, day25]);
    expect(toDay25.body.totals).toEqual({ shares: 0, clicks: 3, uniqueClicks: 2, botClicks: 1, conversions: 1, revenue: { EUR: '50.00' } });
  });

  it('to alone covers everything up to that day', async () => {
    const upTo22 = await report(`groupBy=day&to=${utcDate(22)}`);
    expect(upTo22.body.to).toBe(utcDate(22));
    expect(dayRows(upTo22)).toEqual([day20, day22]);
    expect(upTo22.body.totals).toEqual({ shares: 0, clicks: 3, uniqueClicks: 3, botClicks: 1, conversions: 1, revenue: { EUR: '20.00' } });
  });
});


describe('conversion webhooks', () => {
  beforeAll(async () => {
    // Browser 1 clicks Alice's LinkedIn link, then (same cookie) Bob's X link; browser 2 clicks
    // Alice's e-mail link. LinkedIn's preview bot unfurls Alice's link: not a touchpoint.
    const first = await visit(links.aliceLinkedin);
    const second = await visit(links.bobX, first.cookie);
    const third = await visit(links.aliceEmail);
    clicks.v1First = first.clickId;
    clicks.v1Second = second.clickId;
    clicks.v2 = third.clickId;
    clicks.v2Visitor = third.cookie.slice('eav='.length);
    const preview = await fetch(`${system.baseUrl}/${links.aliceLinkedin}`, {
      redirect: 'manual',
      headers: { 'user-agent': browserUserAgents.linkedInBot },
    });
    expect(preview.status).toBe(302);
  });

  it('accepts signed conversions once and attributes them by click id, visitor id and customer path', async () => {
    // C1: found by the click id of browser 1's second click → path [alice/linkedin, bob/x].
    const c1 = await sendConversion({
      conversionId: 'order-1',
      kind: 'purchase',
      occurredAt: occurredAt(),
      value: { amount: '100.00', currency: 'EUR' },
      clickId: clicks.v1Second,
      customerId: 'crm-77',
    });
    expect(c1.status).toBe(202);
    expect(c1.body).toEqual({ conversionId: 'order-1', status: 'accepted' });
    await system.streamsIdle();

    // C2: found by browser 2's visitor id → [alice/email].
    const c2 = await sendConversion({
      conversionId: 'lead-2',
      kind: 'lead',
      occurredAt: occurredAt(),
      value: { amount: '30.00', currency: 'EUR' },
      visitorId: clicks.v2Visitor,
    });
    expect(c2.status).toBe(202);
    // C3: the same customer later, no click id → the path C1 fixed, in another currency.
    const c3 = await sendConversion({
      conversionId: 'order-3',
      kind: 'purchase',
      occurredAt: occurredAt(),
      value: { amount: '20.00', currency: 'USD' },
      customerId: 'crm-77',
    });
    expect(c3.status).toBe(202);
    // C4: a click id nobody issued → stored, unattributed.
    const c4 = await sendConversion({ conversionId: 'signup-4', kind: 'signup', occurredAt: occurredAt(), clickId: 'not-a-click-id' });
    expect(c4.status).toBe(202);
  });

  it('answers 200 duplicate for the same conversionId and for a replayed webhook-id', async () => {
    const again = await sendConversion({ conversionId: 'lead-2', kind: 'lead', occurredAt: occurredAt() });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    const webhookId = `msg_${randomUUID()}`;
    const fresh = await sendConversion({ conversionId: 'newsletter-9', kind: 'signup', occurredAt: occurredAt() }, { webhookId });
    expect(fresh.status).toBe(202);
    const replay = await sendConversion({ conversionId: 'newsletter-10', kind: 'signup', occurredAt: occurredAt() }, { webhookId });
    expect(replay.status).toBe(200);
    expect(replay.body.status).toBe('duplicate');
  });

  it('counts the same conversion sent 20 times concurrently once', async () => {
    const body = { conversionId: 'race-1', kind: 'lead', occurredAt: occurredAt() };
    const answers = await Promise.all(Array.from({ length: 20 }, () => sendConversion(body)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200 && a.body.status === 'duplicate')).toHaveLength(19);
  });

  it('refuses bad signatures, stale timestamps and unknown sources with 401, bad bodies with 400/422, big ones with 413', async () => {
    const data = { conversionId: 'x-1', kind: 'lead', occurredAt: occurredAt() };
    const wrongSecret = `whsec_${Buffer.from('another-secret-of-enough-length!').toString('base64')}`;
    expect((await sendConversion(data, { secret: wrongSecret })).status).toBe(401);
    expect((await sendConversion(data, { timestamp: new Date(Date.now() - 6 * 60_000) })).status).toBe(401);
    expect((await sendConversion(data, { timestamp: new Date(Date.now() + 6 * 60_000) })).status).toBe(401);
    const unsigned = await api('POST', `/v1/webhooks/conversions/${source.sourceId}`, { body: { type: 'conversion.created', data } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toMatch(/problem\+json/);
    const unknownSource = await api('POST', '/v1/webhooks/conversions/src_AAAAAAAAAAAAAAAAAAAA', { body: { type: 'conversion.created', data } });
    expect(unknownSource.status).toBe(401);

    expect((await sendConversion(data, { rawBody: '{"type":' })).status).toBe(400);
    const invalid = await sendConversion({ ...data, value: { amount: '12,50', currency: 'EUR' }, extra: true });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['data.value.amount', 'data.extra']));
    const huge = await sendConversion(data, { rawBody: JSON.stringify({ type: 'conversion.created', data, pad: 'x'.repeat(65 * 1024) }) });
    expect(huge.status).toBe(413);
    const future = await sendConversion({ ...data, occurredAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.status).toBe(422);
  });

  it('keeps the old secret valid after a rotation, and the new one works at once', async () => {
    const rotated = await api('POST', `/v1/webhook-sources/${source.sourceId}/rotate`, { token: org.apiKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(Date.parse(rotated.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const oldSecret = source.secret;
    const withOld = await sendConversion({ conversionId: 'rot-old', kind: 'lead', occurredAt: occurredAt() }, { secret: oldSecret });
    expect(withOld.status).toBe(202);
    const withNew = await sendConversion({ conversionId: 'rot-new', kind: 'lead', occurredAt: occurredAt() }, { secret: rotated.body.secret });
    expect(withNew.status).toBe(202);
    source.secret = rotated.body.secret;
    const other = await system.createOrganization('Globex');
    expect((await api('POST', `/v1/webhook-sources/${source.sourceId}/rotate`, { token: other.apiKey })).status).toBe(404);
  });
});

/** Expected numbers, by hand, per model and advocate, for C1 (100 EUR), C2 (30 EUR), C3 (20 USD). */
const expectedByModel = {
  last_click: {
    alice: { conversions: 1, revenue: { EUR: '30.00' } },
    bob: { conversions: 2, revenue: { EUR: '100.00', USD: '20.00' } },
  },
  first_click: {
    alice: { conversions: 3, revenue: { EUR: '130.00', USD: '20.00' } },
    bob: { conversions: 0, revenue: {} },
  },
  linear: {
    alice: { conversions: 2, revenue: { EUR: '80.00', USD: '10.00' } },
    bob: { conversions: 1, revenue: { EUR: '50.00', USD: '10.00' } },
  },
  position_based: {
    alice: { conversions: 2, revenue: { EUR: '80.00', USD: '10.00' } },
    bob: { conversions: 1, revenue: { EUR: '50.00', USD: '10.00' } },
  },
  // Browser 1's two clicks are milliseconds apart: 2^(−Δt / 7 days) weighs them the same to far
  // below 6 decimals, so time_decay splits like linear here. Time itself is tested with clicks
  // days apart (above).
  time_decay: {
    alice: { conversions: 2, revenue: { EUR: '80.00', USD: '10.00' } },
    bob: { conversions: 1, revenue: { EUR: '50.00', USD: '10.00' } },
  },
};

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

describe('attribution reports', () => {
  beforeAll(async () => {
    await system.streamsIdle();
  });

  it('matches the hand-computed advocate table under all five models', async () => {
    const expected = expectedByModel;
    for (const model of ['last_click', 'first_click', 'linear', 'time_decay', 'position_based'] as const) {
      const report = await api('GET', `/v1/campaigns/${campaignId}/attribution?model=${model}&groupBy=advocate`, { token: org.apiKey });
      expect(report.status).toBe(200);
      expect(report.body.model).toBe(model);
      const rows = Object.fromEntries(report.body.rows.map((r: { key: string }) => [r.key, r]));
      for (const advocate of ['alice', 'bob'] as const) {
        const want = expected[model][advocate] as { conversions: number; revenue?: Record<string, string> };
        expect(rows[advocate].conversions, `${model} ${advocate}`).toBeCloseTo(want.conversions, 6);
        if (want.revenue) expect(rows[advocate].revenue, `${model} ${advocate}`).toEqual(want.revenue);
      }
      expect(rows.alice).toMatchObject({ label: 'Alice Martin', clicks: 2, uniqueClicks: 2 });
      expect(rows.bob).toMatchObject({ label: 'Bob Stone', clicks: 1, uniqueClicks: 1 });
      // Credit sums to exactly one per attributed conversion: three conversions.
      expect(round6(rows.alice.conversions + rows.bob.conversions)).toBe(3);
      expect(report.body.totals).toMatchObject({ clicks: 3, uniqueClicks: 3, botClicks: 1, conversions: 3 });
      expect(report.body.totals.revenue).toEqual({ EUR: '130.00', USD: '20.00' });
      // Rows descend by conversions, then clicks.
      const order = report.body.rows.map((r: { conversions: number; clicks: number }) => [r.conversions, r.clicks]);
      expect(order).toEqual([...order].sort((a: number[], b: number[]) => b[0] - a[0] || b[1] - a[1]));
    }
  });

  it('matches by link, channel and department', async () => {
    const get = async (groupBy: string, model: string) => {
      const report = await api('GET', `/v1/campaigns/${campaignId}/attribution?model=${model}&groupBy=${groupBy}`, { token: org.apiKey });
      return Object.fromEntries(report.body.rows.map((r: { key: string }) => [r.key, r])) as Record<string, any>;
    };
    const byLink = await get('link', 'last_click');
    expect(byLink[links.bobX]).toMatchObject({ conversions: 2, clicks: 1, revenue: { EUR: '100.00', USD: '20.00' } });
    expect(byLink[links.aliceEmail]).toMatchObject({ conversions: 1, clicks: 1, revenue: { EUR: '30.00' } });
    expect(byLink[links.aliceLinkedin]).toMatchObject({ conversions: 0, clicks: 1 });
    expect(byLink[links.aliceLinkedin].label).toBe(`${system.publicBaseUrl}/${links.aliceLinkedin}`);

    const byChannel = await get('channel', 'first_click');
    expect(byChannel.linkedin).toMatchObject({ conversions: 2, revenue: { EUR: '100.00', USD: '20.00' } });
    expect(byChannel.email).toMatchObject({ conversions: 1, revenue: { EUR: '30.00' } });
    expect(byChannel.x).toMatchObject({ conversions: 0, clicks: 1 });

    const byDepartment = await get('department', 'linear');
    expect(byDepartment.sales).toMatchObject({ conversions: 2, clicks: 2, revenue: { EUR: '80.00', USD: '10.00' } });
    expect(byDepartment.eng).toMatchObject({ conversions: 1, clicks: 1, revenue: { EUR: '50.00', USD: '10.00' } });
  });

  it('pages rows with limit and cursor', async () => {
    const first = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=link&limit=2`, { token: org.apiKey });
    expect(first.body.rows).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=link&limit=2&cursor=${first.body.nextCursor}`, { token: org.apiKey });
    expect(second.body.rows).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const keys = [...first.body.rows, ...second.body.rows].map((r: { key: string }) => r.key);
    expect(new Set(keys)).toEqual(new Set(Object.values(links)));
  });

  it('ranks advocates on the leaderboard', async () => {
    const byConversions = await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=conversions&model=last_click`, { token: org.apiKey });
    expect(byConversions.body.rows.map((r: { advocateId: string; rank: number }) => [r.rank, r.advocateId])).toEqual([
      [1, 'bob'],
      [2, 'alice'],
    ]);
    const byClicks = await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=clicks`, { token: org.apiKey });
    expect(byClicks.body.rows[0]).toMatchObject({ rank: 1, advocateId: 'alice', displayName: 'Alice Martin', clicks: 2 });
    const byRevenue = await api('GET', `/v1/campaigns/${campaignId}/leaderboard?metric=revenue&currency=EUR&model=first_click`, { token: org.apiKey });
    expect(byRevenue.body.rows[0]).toMatchObject({ advocateId: 'alice', revenue: { EUR: '130.00', USD: '20.00' } });
  });

  it("gives an advocate its own stats and rank, and nobody else's", async () => {
    const token = await system.advocateToken(org.orgId, 'bob');
    const own = await api('GET', '/v1/advocates/bob/stats', { token });
    expect(own.status).toBe(200);
    expect(own.body.campaigns).toHaveLength(1);
    expect(own.body.campaigns[0]).toMatchObject({ campaignId, model: 'last_click', conversions: 2, clicks: 1, rank: 1, advocates: 2 });
    expect((await api('GET', '/v1/advocates/alice/stats', { token })).status).toBe(404);
    const viaKey = await api('GET', '/v1/advocates/alice/stats?model=first_click', { token: org.apiKey });
    expect(viaKey.body.campaigns[0]).toMatchObject({ conversions: 3, rank: 1 });
  });

  it('lists raw events as JSON pages and as CSV', async () => {
    const page = await api('GET', `/v1/campaigns/${campaignId}/events?type=click&limit=2`, { token: org.apiKey });
    expect(page.body.items).toHaveLength(2);
    const rest = await api('GET', `/v1/campaigns/${campaignId}/events?type=click&limit=10&cursor=${page.body.nextCursor}`, { token: org.apiKey });
    expect(page.body.items.length + rest.body.items.length).toBe(4);
    // Clicks are spread over the byCampaign index's write shards; pages merge them back in time order.
    const clicks = [...page.body.items, ...rest.body.items];
    expect(new Set(clicks.map((c: { clickId: string }) => c.clickId)).size).toBe(4);
    expect(clicks.map((c: { at: string }) => c.at)).toEqual(clicks.map((c: { at: string }) => c.at).sort());
    expect(rest.body.nextCursor).toBeNull();
    for (const item of [...page.body.items, ...rest.body.items]) {
      expect(item).not.toHaveProperty('ip');
      expect(item).not.toHaveProperty('userAgent');
    }
    const conversions = await api('GET', `/v1/campaigns/${campaignId}/events?type=conversion`, { token: org.apiKey });
    const ids = conversions.body.items.map((c: { conversionId: string }) => c.conversionId).sort();
    expect(ids).toEqual(expect.arrayContaining(['lead-2', 'order-1', 'order-3']));
    expect(ids).not.toContain('signup-4');

    const csv = await fetch(`${system.baseUrl}/v1/campaigns/${campaignId}/events?type=click`, {
      headers: { authorization: `Bearer ${org.apiKey}`, accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^clickId,at,slug,advocateId,channel,botClass,unique/);
    expect(lines).toHaveLength(5);
  });

  it('keeps roll-ups equal to a recount of the raw events', async () => {
    const report = await reconcileCampaign(org.orgId, campaignId);
    expect(report.events).toBe(4);
    expect(report.conversions).toBe(3);
    expect(report.differences).toEqual([]);
  });

  it('counts unattributed conversions for the organization', async () => {
    const unattributed = await api('GET', '/v1/conversions/unattributed', { token: org.apiKey });
    expect(unattributed.status).toBe(200);
    // signup-4 (unknown click id), newsletter-9, race-1, rot-old, rot-new: no click, visitor or customer.
    expect(unattributed.body.conversions).toBe(5);
  });

  it('refuses reports without analytics:read and for other organizations', async () => {
    const writer = await api('POST', '/v1/api-keys', { token: org.apiKey, body: { scopes: ['links:write'] } });
    expect((await api('GET', `/v1/campaigns/${campaignId}/attribution`, { token: writer.body.apiKey })).status).toBe(403);
    const other = await system.createOrganization('Initech');
    for (const path of ['attribution', 'leaderboard', 'events']) {
      expect((await api('GET', `/v1/campaigns/${campaignId}/${path}`, { token: other.apiKey })).status).toBe(404);
    }
    expect((await api('GET', '/v1/advocates/alice/stats', { token: other.apiKey })).status).toBe(404);
    const bad = await api('GET', `/v1/campaigns/${campaignId}/attribution?groupBy=planet`, { token: org.apiKey });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('groupBy');
  });
});

describe('clock skew between the sender and us', () => {
  it('credits a click recorded moments after the conversion time the sender stamped (to the second)', async () => {
    const campaign = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Skew', destinationUrl: 'https://careers.acme.example/skew' },
    });
    const slug = (await api('POST', '/v1/links', {
      token: org.apiKey,
      body: { campaignId: campaign.body.campaignId, advocateId: 'bob', channel: 'whatsapp' },
    })).body.slug;
    const { clickId } = await visit(slug);
    // The shop's clock runs a little behind and drops milliseconds.
    const stamped = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000).toISOString().replace('.000Z', 'Z');
    expect((await sendConversion({ conversionId: 'skew-1', kind: 'signup', occurredAt: stamped, clickId })).status).toBe(202);
    await system.streamsIdle();
    const report = await api('GET', `/v1/campaigns/${campaign.body.campaignId}/attribution?groupBy=advocate`, { token: org.apiKey });
    expect(report.body.rows).toEqual([expect.objectContaining({ key: 'bob', conversions: 1, clicks: 1 })]);
  });
});
