/**
 * End to end (spec section 16): the organization's privacy settings through the local runtime —
 * GET/PATCH /v1/organization (admin only, bad input 422 and nothing changed), the redirect's
 * visitor cookies under each setting and the GPC signal (a cookieless click is recorded, keeps
 * its click id, is attributed, and forms no path), and the raw-event retention a conversion gets
 * at write (conversions and refunds; clicks keep the hot retention attribution needs).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableName } from '../../shared/adapters/config.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { eventKeys } from '../../shared/adapters/keys.js';
import { locateClick } from '../../shared/domain/click-id.js';
import { hotClickRetentionDays, logRetentionDays, rawEventRetentionDays, historyRetentionDays } from '../../shared/settings.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let other: { orgId: string; apiKey: string };
let campaignId: string;
let slug: string;
let source: { sourceId: string; secret: string };

const visit = async (headers: Record<string, string> = {}) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop, ...headers } });
  expect(response.status).toBe(302);
  return { clickId: new URL(response.headers.get('location')!).searchParams.get('eaclid'), cookies: response.headers.getSetCookie() };
};

const sendConversion = async (data: Record<string, unknown>, type = 'conversion.created') => {
  const body = JSON.stringify({ type, data });
  const webhookId = `msg_${randomUUID()}`;
  const timestamp = new Date();
  return api('POST', `/v1/webhooks/conversions/${source.sourceId}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(source.secret).sign(webhookId, timestamp, body),
    },
  });
};

const settings = async () => (await api('GET', '/v1/organization', { token: org.apiKey })).body;
const patch = (body: unknown, token = org.apiKey) => api('PATCH', '/v1/organization', { token, body });

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Privacy GmbH');
  other = await system.createOrganization('Other SAS');
  const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Datenschutz', destinationUrl: 'https://privacy.example/' } });
  campaignId = campaign.body.campaignId;
  await api('PUT', '/v1/advocates/anna', { token: org.apiKey, body: { displayName: 'Anna' } });
  slug = (await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId, channel: 'linkedin', advocateId: 'anna' } })).body.slug;
  const created = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'Shop' } });
  source = { sourceId: created.body.sourceId, secret: created.body.secret };
});

afterAll(async () => {
  await system?.stop();
});

describe('GET/PATCH /v1/organization', () => {
  it('answers the defaults to an admin key, and 403 to any other key', async () => {
    expect(await settings()).toEqual({
      visitorCookies: 'respect-gpc',
      rankingDefault: 'named',
      retention: { rawEventDays: rawEventRetentionDays, archiveDays: historyRetentionDays, logDays: logRetentionDays },
    });
    const reader = (await api('POST', '/v1/api-keys', { token: org.apiKey, body: { scopes: ['analytics:read'] } })).body.apiKey;
    expect((await api('GET', '/v1/organization', { token: reader })).status).toBe(403);
    expect((await patch({ visitorCookies: 'always' }, reader)).status).toBe(403);
    expect((await api('GET', '/v1/organization')).status).toBe(401);
  });

  it('refuses bad patches with problem+json naming the field and its bounds, and changes nothing', async () => {
    const before = await settings();
    for (const [body, field] of [
      [{ retention: { rawEventDays: hotClickRetentionDays - 1 } }, 'retention.rawEventDays'],
      [{ retention: { archiveDays: 150 } }, 'retention.archiveDays'],
      [{ retention: { logDays: 7 } }, 'retention.logDays'],
      [{ visitorCookies: 'sometimes', rankingDefault: 'named' }, 'visitorCookies'],
      [{ rankingDefault: 'famous' }, 'rankingDefault'],
    ] as const) {
      const answer = await patch(body);
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect((await patch({})).status).toBe(422);
    expect((await patch({ unknown: true })).status).toBe(422);
    expect(await settings()).toEqual(before);
  });

  it('changes only what a patch names, for this organization only', async () => {
    const changed = await patch({ rankingDefault: 'pseudonymous', retention: { archiveDays: 200 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      visitorCookies: 'respect-gpc',
      rankingDefault: 'pseudonymous',
      retention: { rawEventDays: rawEventRetentionDays, archiveDays: 200, logDays: logRetentionDays },
    });
    expect(await settings()).toEqual(changed.body);
    // Another organization keeps its own.
    expect((await api('GET', '/v1/organization', { token: other.apiKey })).body.rankingDefault).toBe('named');
  });
});

describe('the redirect under visitorCookies', () => {
  it('respect-gpc: a cookie without the signal, none with Sec-GPC: 1 — the click recorded, its own visitor, attributed', async () => {
    await patch({ visitorCookies: 'respect-gpc' });
    const plain = await visit();
    expect(plain.cookies.map((cookie) => cookie.split('=')[0])).toEqual(['eav', 'eac']);
    expect(plain.cookies[0]).toMatch(/Max-Age=33955200;/);
    const visitorCookie = plain.cookies[0]!.split(';')[0]!;

    // The same browser, now sending GPC: its cookie is neither read nor renewed, and expired.
    const optedOut = await visit({ 'sec-gpc': '1', cookie: visitorCookie });
    expect(optedOut.clickId).toBeTruthy();
    expect(optedOut.cookies).toEqual([expect.stringMatching(/^eav=; Max-Age=0;/), expect.stringMatching(/^eac=; Max-Age=0;/)]);
    const optedOutVisitor = locateClick(optedOut.clickId!)!.visitorId;
    expect(`eav=${optedOutVisitor}`).not.toBe(visitorCookie);
    const again = await visit({ 'sec-gpc': '1' });
    expect(again.cookies).toEqual([]);
    expect(locateClick(again.clickId!)!.visitorId).not.toBe(optedOutVisitor);

    // Its click id still finds its click: the conversion is attributed.
    expect((await sendConversion({ conversionId: 'order-gpc', kind: 'purchase', occurredAt: new Date().toISOString(), clickId: optedOut.clickId })).status).toBe(202);
    await system.streamsIdle();
    expect((await api('GET', '/v1/conversions/unattributed', { token: org.apiKey })).body.conversions).toBe(0);
    const stats = (await api('GET', `/v1/links/${slug}`, { token: org.apiKey })).body.stats;
    // Three clicks, each of a visitor of its own: all unique.
    expect(stats).toMatchObject({ clicks: 3, uniqueClicks: 3 });
  });

  it('never: no cookie, whatever the request says; always: a cookie even with the signal', async () => {
    await patch({ visitorCookies: 'never' });
    const never = await visit();
    expect(never.cookies).toEqual([]);
    expect(never.clickId).toBeTruthy();
    await patch({ visitorCookies: 'always' });
    const always = await visit({ 'sec-gpc': '1' });
    expect(always.cookies[0]).toMatch(/^eav=/);
  });

  it('a returning visitor keeps its cookie un-renewed: only the click memory is rewritten', async () => {
    await patch({ visitorCookies: 'respect-gpc' });
    const first = await visit();
    const returning = await visit({ cookie: first.cookies.map((cookie) => cookie.split(';')[0]).join('; ') });
    expect(returning.cookies.map((cookie) => cookie.split('=')[0])).toEqual(['eac']);
    expect(locateClick(returning.clickId!)!.visitorId).toBe(locateClick(first.clickId!)!.visitorId);
  });
});

describe('raw-event retention', () => {
  it("gives a conversion its organization's rawEventDays as TTL at write", async () => {
    const expiresAtOf = async (conversionId: string) => {
      const { Item } = await documentClient().send(new GetCommand({ TableName: tableName('events'), Key: eventKeys.conversion(org.orgId, conversionId) }));
      return (Item!.expiresAt as number) - Math.floor(Date.parse(Item!.receivedAt as string) / 1000);
    };
    await patch({ retention: { rawEventDays: 120 } });
    expect((await sendConversion({ conversionId: 'order-120', kind: 'purchase', occurredAt: new Date().toISOString(), value: { amount: '20.00', currency: 'EUR' } })).status).toBe(202);
    expect(await expiresAtOf('order-120')).toBe(120 * 86_400);
    // A refund of it too: its own TTL from the setting at its write.
    const refund = await sendConversion({ conversionId: 'order-120', refundId: 're-120', occurredAt: new Date().toISOString(), value: { amount: '1.00', currency: 'EUR' } }, 'conversion.refunded');
    expect(refund.status, refund.text).toBe(202);
    const { Item: refundItem } = await documentClient().send(new GetCommand({ TableName: tableName('events'), Key: eventKeys.refund(org.orgId, 'order-120', 're-120') }));
    expect((refundItem!.expiresAt as number) - Math.floor(Date.parse(refundItem!.receivedAt as string) / 1000)).toBe(120 * 86_400);
    // Clicks keep the hot retention attribution needs, whatever the setting.
    const { clickId } = await visit();
    const located = locateClick(clickId!)!;
    const { Items: clicks = [] } = await documentClient().send(
      new QueryCommand({ TableName: tableName('events'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': eventKeys.visitorPartition(located.visitorId) } }),
    );
    expect(clicks).toHaveLength(1);
    expect((clicks[0]!.expiresAt as number) - Math.floor(Date.parse(clicks[0]!.at as string) / 1000)).toBe(hotClickRetentionDays * 86_400);

    await patch({ retention: { rawEventDays: rawEventRetentionDays } });
    expect((await sendConversion({ conversionId: 'order-max', kind: 'purchase', occurredAt: new Date().toISOString() })).status).toBe(202);
    expect(await expiresAtOf('order-max')).toBe(rawEventRetentionDays * 86_400);
  });
});
