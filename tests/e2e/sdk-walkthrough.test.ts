/**
 * The README walkthrough, through the typed client (sdk/) against the local system: an
 * organization's key and an advocate's token, a campaign, a link issued by the advocate, a
 * browser's click and a preview bot's, a conversion signed by the client's signer (sent twice:
 * accepted, then duplicate), and the attribution table and reconcile-free counts read back — every
 * call typed by the OpenAPI document, nothing cast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdvocacyClient, signedConversion, type AdvocacyClient } from '../../sdk/src/index.js';
import { browserUserAgents } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let admin: AdvocacyClient;
let alice: AdvocacyClient;

beforeAll(async () => {
  system = await startSystem();
  const org = await system.createOrganization('Acme');
  admin = createAdvocacyClient({ baseUrl: system.baseUrl, credential: org.apiKey });
  alice = createAdvocacyClient({ baseUrl: system.baseUrl, credential: await system.advocateToken(org.orgId, 'alice') });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('the README walkthrough through the typed client', () => {
  it('creates, clicks, converts and reads attribution with typed calls', async () => {
    const health = await createAdvocacyClient({ baseUrl: system.baseUrl }).GET('/healthz');
    expect(health.data).toEqual({ status: 'ok' });

    const campaign = await admin.POST('/v1/campaigns', { body: { name: 'Spring Hiring', destinationUrl: 'https://careers.acme.example/jobs' } });
    expect(campaign.response.status).toBe(201);
    const campaignId = campaign.data!.campaignId;
    expect(campaign.data!.allowedHosts).toEqual(['careers.acme.example']);

    const advocate = await admin.PUT('/v1/advocates/{advocateId}', {
      params: { path: { advocateId: 'alice' } },
      body: { displayName: 'Alice Martin', department: 'sales' },
    });
    expect(advocate.data?.displayName).toBe('Alice Martin');

    const link = await alice.POST('/v1/links', { body: { campaignId, channel: 'linkedin' } });
    expect(link.response.status).toBe(201);
    const { slug, shortUrl } = link.data!;
    const again = await alice.POST('/v1/links', { body: { campaignId, channel: 'linkedin' } });
    expect(again.response.status).toBe(200);
    expect(again.data!.slug).toBe(slug);

    // Alice starts a share of it (spec section 15).
    const share = await alice.POST('/v1/shares', { body: { campaignId, channel: 'linkedin' } });
    expect(share.response.status).toBe(202);
    expect(share.data).toMatchObject({ campaignId, advocateId: 'alice', channel: 'linkedin', status: 'accepted' });

    // A browser and LinkedIn's preview bot follow the link (plain HTTP: browsers do not use the client).
    const click = await fetch(shortUrl, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
    expect(click.status).toBe(302);
    const clickId = new URL(click.headers.get('location')!).searchParams.get('eaclid')!;
    await fetch(shortUrl, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.linkedInBot } });

    const source = await admin.POST('/v1/webhook-sources', { body: { name: 'Shop' } });
    expect(source.response.status).toBe(201);
    const { sourceId, secret } = source.data!;
    const order = signedConversion(secret!, sourceId, {
      type: 'conversion.created',
      data: { conversionId: 'order-1042', kind: 'purchase', occurredAt: new Date().toISOString(), value: { amount: '129.90', currency: 'EUR' }, clickId },
    });
    const accepted = await admin.POST('/v1/webhooks/conversions/{sourceId}', order);
    expect(accepted.response.status).toBe(202);
    expect(accepted.data).toEqual({ conversionId: 'order-1042', status: 'accepted' });
    const repeated = await admin.POST('/v1/webhooks/conversions/{sourceId}', order);
    expect(repeated.response.status).toBe(200);
    expect(repeated.data).toEqual({ conversionId: 'order-1042', status: 'duplicate' });

    // A body altered after signing is refused: the signature covers the exact bytes.
    const tampered = await admin.POST('/v1/webhooks/conversions/{sourceId}', {
      ...order,
      bodySerializer: () => JSON.stringify({ ...order.body, data: { ...order.body.data, conversionId: 'order-9999' } }),
    });
    expect(tampered.response.status).toBe(401);
    expect(tampered.error).toMatchObject({ status: 401, detail: 'No signature matches' });

    await system.streamsIdle();
    const attribution = await admin.GET('/v1/campaigns/{campaignId}/attribution', {
      params: { path: { campaignId }, query: { groupBy: 'advocate', model: 'last_click' } },
    });
    expect(attribution.response.status).toBe(200);
    expect(attribution.data!.totals).toEqual({ shares: 1, clicks: 1, uniqueClicks: 1, botClicks: 1, conversions: 1, revenue: { EUR: '129.90' } });
    expect(attribution.data!.rows).toEqual([
      { key: 'alice', label: 'Alice Martin', shares: 1, clicks: 1, uniqueClicks: 1, conversions: 1, revenue: { EUR: '129.90' } },
    ]);

    const stats = await alice.GET('/v1/links/{slug}', { params: { path: { slug } } });
    expect(stats.data).toMatchObject({ slug, stats: { clicks: 1, uniqueClicks: 1, botClicks: 1 } });

    // Errors are typed too: problem+json with its status.
    const forbidden = await alice.POST('/v1/campaigns', { body: { name: 'Not hers', destinationUrl: 'https://careers.acme.example/' } });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error).toMatchObject({ status: 403, title: 'Forbidden' });
  });
});
