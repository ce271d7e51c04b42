/**
 * Erasure requests (spec 16) against the local runtime: DynamoDB Local, both stream consumers,
 * the archive directory and the background worker. A visitor and a customer of one organization
 * are erased, with clicks hot and archived (one only archived, as after the hot TTL) and
 * conversions credited to them; then nothing of theirs is left in the tables (but the consumer's
 * ledger, kept ≤ 8 days by design), the archive, a new export or the logs; counts, credits and
 * reconcile are as before; the other organization, which saw the same browser and the same
 * customer id, keeps everything. A crash mid-erasure leaves it `running`, and it is resumed.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { createOrResumeErasure, getErasure, startErasure } from '../../shared/adapters/erasures.js';
import { archiveStore } from '../../shared/adapters/object-store.js';
import { clickItem } from '../../shared/adapters/redirect-store.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { runErasure } from '../../shared/application/run-erasure.js';
import { shiftDay } from '../../shared/domain/exports.js';
import { newClickId, newVisitorId } from '../../shared/domain/ids.js';
import type { ClickEventRecord } from '../../shared/domain/events.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';
import { captureProcessOutput } from '../soak/log-capture.js';

let system: TestSystem;
let api: Client['request'];

interface Org {
  orgId: string;
  apiKey: string;
  campaignId: string;
  slug: string;
  source: { sourceId: string; secret: string };
}
let acme: Org;
let globex: Org;

const today = new Date().toISOString().slice(0, 10);
const erasedVisitor = newVisitorId();
const keptVisitor = newVisitorId();
const crashVisitor = newVisitorId();
const erasedCustomer = `cus-erase-${randomUUID()}`;

const setUp = async (name: string): Promise<Org> => {
  const org = await system.createOrganization(name);
  const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name, destinationUrl: 'https://shop.example/', attribution: { lookbackDays: 30 } } });
  await api('PUT', '/v1/advocates/alice', { token: org.apiKey, body: { displayName: 'Alice', department: 'sales' } });
  const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId: campaign.body.campaignId, advocateId: 'alice', channel: 'linkedin' } });
  const source = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: `${name} shop` } });
  expect(source.status).toBe(201);
  return { ...org, campaignId: campaign.body.campaignId, slug: link.body.slug, source: { sourceId: source.body.sourceId, secret: source.body.secret } };
};

const visit = async (slug: string, visitorId: string) => {
  const response = await fetch(`${system.baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop, cookie: `eav=${visitorId}` } });
  expect(response.status).toBe(302);
  const clickId = new URL(response.headers.get('location')!).searchParams.get('eaclid')!;
  expect(clickId.endsWith(visitorId)).toBe(true);
  return clickId;
};

const convert = async (org: Org, data: Record<string, unknown>) => {
  const body = JSON.stringify({ type: 'conversion.created', data: { kind: 'purchase', occurredAt: new Date().toISOString(), value: { amount: '30.00', currency: 'EUR' }, ...data } });
  const webhookId = `msg_${randomUUID()}`;
  const now = new Date();
  const answer = await api('POST', `/v1/webhooks/conversions/${org.source.sourceId}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(org.source.secret).sign(webhookId, now, body),
    },
  });
  expect(answer.status, answer.text).toBe(202);
};

/** A click 100 days old, past the hot TTL: archived by the runtime's archiver, then its hot item deleted as TTL would. */
const archivedOnlyClick = async (org: Org, visitorId: string) => {
  const atMs = Date.now() - 100 * 86_400_000;
  const clickId = `${newClickId(atMs)}${visitorId}`;
  const click: ClickEventRecord = {
    type: 'click', eventId: clickId, clickId, orgId: org.orgId, campaignId: org.campaignId, slug: org.slug, advocateId: 'alice', channel: 'linkedin',
    at: new Date(atMs).toISOString(), visitorId, unique: true, botClass: 'human', device: 'desktop', browser: 'Chrome', os: 'Windows', country: 'FR',
  };
  await documentClient().send(new PutCommand({ TableName: system.runtime.tableNames.events, Item: clickItem(click) }));
  return click;
};

const settle = async () => {
  await system.streamsIdle();
  await system.runtime.pollers.archive!.drain({ timeoutMs: 60_000 });
};

const scanAll = async () => {
  const items: Array<Record<string, unknown>> = [];
  for (const table of Object.values(system.runtime.tableNames)) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return items;
};

const archivedRows = async (orgId: string) => {
  const store = archiveStore();
  const rows: Array<Record<string, unknown>> = [];
  for (const key of await store.list(`events/org=${orgId}/`)) rows.push(...(await decodeArchiveFile((await store.get(key))!)));
  return rows;
};

/** Where an identifier is still stored: table items (but the consumer's ledger) and archive rows, by organization. */
const whereStored = async (identifier: string) => {
  const items = (await scanAll()).filter((item) => JSON.stringify(item).includes(identifier));
  const ledger = items.filter((item) => String(item.pk).startsWith('APPLIED#'));
  const other = items.filter((item) => !ledger.includes(item));
  const archive = { acme: (await archivedRows(acme.orgId)).filter((row) => JSON.stringify(row).includes(identifier)), globex: (await archivedRows(globex.orgId)).filter((row) => JSON.stringify(row).includes(identifier)) };
  return { items: other, ledger, archive };
};

const orgOf = (item: Record<string, unknown>) => (typeof item.orgId === 'string' ? item.orgId : /(org_[0-9A-Za-z]{20})/.exec(`${String(item.pk)}`)?.[1]);

const exportCsv = async (org: Org, type: 'click' | 'conversion') => {
  const created = await api('POST', '/v1/exports', { token: org.apiKey, body: { campaignId: org.campaignId, from: shiftDay(today, 120), to: today, type, format: 'csv' } });
  expect(created.status, created.text).toBe(202);
  await system.runtime.backgroundIdle();
  const done = await api('GET', `/v1/exports/${created.body.exportId}`, { token: org.apiKey });
  expect(done.body.status).toBe('succeeded');
  const redirect = await fetch(done.body.downloadUrl, { redirect: 'manual' });
  return (await fetch(redirect.headers.get('location')!)).text();
};

const totals = async (org: Org) => (await api('GET', `/v1/campaigns/${org.campaignId}/attribution?groupBy=advocate`, { token: org.apiKey })).body;

const erase = async (org: Org, body: Record<string, unknown>) => {
  const created = await api('POST', '/v1/privacy/erasures', { token: org.apiKey, body });
  expect(created.status, created.text).toBe(202);
  expect(created.body.erasureId).toMatch(/^era_/);
  await system.runtime.backgroundIdle();
  const done = await api('GET', `/v1/privacy/erasures/${created.body.erasureId}`, { token: org.apiKey });
  expect(done.status).toBe(200);
  return done.body;
};

let before: { acme: unknown; globex: unknown; reconcileEvents: number; globexStored: number; exportLines: number };

beforeAll(async () => {
  // Handlers log at INFO, as on AWS: the erasure's lines are scanned for the identifiers.
  system = await startSystem({ env: { ERASURE_SETTLE_BUDGET_MS: '30000', ERASURE_SETTLE_POLL_MS: '200', POWERTOOLS_LOG_LEVEL: 'INFO' } });
  api = system.client.request;
  acme = await setUp('Acme');
  globex = await setUp('Globex');

  // The same browser clicks both organizations' links; another browser clicks Acme's.
  const erasedClicks = [await visit(acme.slug, erasedVisitor), await visit(acme.slug, erasedVisitor)];
  await visit(globex.slug, erasedVisitor);
  const keptClick = await visit(acme.slug, keptVisitor);
  await archivedOnlyClick(acme, erasedVisitor);
  await archivedOnlyClick(globex, erasedVisitor);
  await settle();
  // Conversions: found by click id and visitor id, with the customer id to erase (in both
  // organizations), and one of another customer on another browser. The customer's path is fixed.
  await convert(acme, { conversionId: 'order-1', clickId: erasedClicks[1], visitorId: erasedVisitor, customerId: erasedCustomer });
  await convert(acme, { conversionId: 'order-2', clickId: keptClick, visitorId: keptVisitor, customerId: 'cus-keep' });
  await convert(globex, { conversionId: 'order-1', visitorId: erasedVisitor, customerId: erasedCustomer });
  await settle();
  // The archived-only clicks leave the hot table, as the TTL would make them.
  for (const item of (await scanAll()).filter((item) => String(item.pk) === `V#${erasedVisitor}` && Date.parse(String(item.at)) < Date.now() - 90 * 86_400_000)) {
    await documentClient().send(new DeleteCommand({ TableName: system.runtime.tableNames.events, Key: { pk: item.pk, sk: item.sk } }));
  }

  const reconciled = await reconcileCampaign(acme.orgId, acme.campaignId);
  expect(reconciled.differences).toEqual([]);
  const stored = await whereStored(erasedVisitor);
  expect(stored.items.filter((item) => orgOf(item) === acme.orgId).length).toBeGreaterThan(3);
  expect(stored.archive.acme.length).toBeGreaterThanOrEqual(3);
  before = {
    acme: await totals(acme),
    globex: await totals(globex),
    reconcileEvents: reconciled.events,
    globexStored: stored.items.filter((item) => orgOf(item) === globex.orgId).length + stored.archive.globex.length,
    exportLines: (await exportCsv(acme, 'click')).split('\r\n').length,
  };
  expect((await exportCsv(acme, 'click')).includes(erasedVisitor)).toBe(true);
}, 240_000);

afterAll(async () => {
  await system?.stop();
});

describe('erasing a visitor and a customer', () => {
  it('answers 202 and is done, with counts and no identifier in the answer or the logs', async () => {
    // Under vitest (POWERTOOLS_DEV) the logger writes through the global console: read it as well as the process's output.
    const output = captureProcessOutput();
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    let visitorDone;
    let customerDone;
    try {
      visitorDone = await erase(acme, { visitorId: erasedVisitor });
      customerDone = await erase(acme, { customerId: erasedCustomer });
    } finally {
      output.stop();
      for (const spy of spies) spy.mockRestore();
    }
    const logged = `${output.text()}${lines.join('\n')}`;
    expect(visitorDone).toMatchObject({ status: 'done', erased: { clicks: 2, conversions: 1 } });
    expect(visitorDone.erased.records).toBeGreaterThanOrEqual(1);
    expect(visitorDone.erased.customerPaths).toBe(1);
    expect(visitorDone.erased.archiveFiles).toBeGreaterThanOrEqual(2);
    expect(Date.parse(visitorDone.finishedAt)).toBeGreaterThanOrEqual(Date.parse(visitorDone.startedAt));
    expect(customerDone).toMatchObject({ status: 'done', erased: { conversions: 1, customerPaths: 1 } });
    expect(customerDone.erased.records).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify([visitorDone, customerDone])).not.toMatch(new RegExp(`${erasedVisitor}|${erasedCustomer}`));
    expect(logged).toContain(visitorDone.erasureId);
    expect(logged).not.toContain(erasedVisitor);
    expect(logged).not.toContain(erasedCustomer);
  });

  it("leaves nothing of them in this organization's tables (but the ledger) or archive, and everything in the other's", async () => {
    await settle();
    for (const identifier of [erasedVisitor, erasedCustomer]) {
      const stored = await whereStored(identifier);
      expect(stored.items.filter((item) => orgOf(item) !== globex.orgId), identifier).toEqual([]);
      expect(stored.archive.acme).toEqual([]);
      // The consumer's ledger holds click ids (≤ 8 days, TTL): it keeps redelivered records from counting twice.
      for (const entry of stored.ledger) expect(Number(entry.expiresAt) * 1000).toBeLessThan(Date.now() + 8 * 86_400_000 + 60_000);
    }
    const globexStill = await whereStored(erasedVisitor);
    expect(globexStill.items.filter((item) => orgOf(item) === globex.orgId).length + globexStill.archive.globex.length).toBe(before.globexStored);
    expect((await whereStored(erasedCustomer)).archive.globex.length).toBeGreaterThan(0);
  });

  it('keeps every count and credit: the same totals, reconcile 0 differences over as many events, no click archived twice', async () => {
    // Whatever the erasure wrote has been through both stream consumers.
    await settle();
    expect(await totals(acme)).toEqual(before.acme);
    expect(await totals(globex)).toEqual(before.globex);
    const reconciled = await reconcileCampaign(acme.orgId, acme.campaignId);
    expect(reconciled.differences).toEqual([]);
    expect(reconciled.events).toBe(before.reconcileEvents);
    const ids = (await archivedRows(acme.orgId)).filter((row) => row.click_id !== undefined && row.at !== undefined).map((row) => row.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('exports started afterwards hold neither identifier, and as many rows', async () => {
    const clicks = await exportCsv(acme, 'click');
    expect(clicks.split('\r\n').length).toBe(before.exportLines);
    expect(clicks).not.toContain(erasedVisitor);
    const conversions = await exportCsv(acme, 'conversion');
    expect(conversions).toContain('order-1');
    expect(conversions).not.toContain(erasedCustomer);
    expect(conversions).toContain('cus-keep');
  });

  it('answers the same for an identifier never seen: 202, done, nothing erased', async () => {
    const done = await erase(acme, { visitorId: newVisitorId() });
    expect(done).toMatchObject({ status: 'done', erased: { clicks: 0, conversions: 0, records: 0, customerPaths: 0, archiveFiles: 0 } });
    const again = await erase(acme, { visitorId: erasedVisitor });
    expect(again).toMatchObject({ status: 'done', erased: { clicks: 0, conversions: 0, archiveFiles: 0 } });
  });

  it('refuses malformed requests with 422 and changes nothing; another organization reads 404', async () => {
    for (const body of [{}, { visitorId: 'short' }, { customerId: ' x' }, { visitorId: newVisitorId(), customerId: 'c' }]) {
      const answer = await api('POST', '/v1/privacy/erasures', { token: acme.apiKey, body });
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await api('POST', '/v1/privacy/erasures', { token: acme.apiKey, body: { visitorId: newVisitorId(), extra: 1 } })).status).toBe(422);
    const created = await api('POST', '/v1/privacy/erasures', { token: acme.apiKey, body: { customerId: 'nobody' } });
    await system.runtime.backgroundIdle();
    expect((await api('GET', `/v1/privacy/erasures/${created.body.erasureId}`, { token: globex.apiKey })).status).toBe(404);
    expect((await api('GET', '/v1/privacy/erasures/era_00000000000000000000', { token: acme.apiKey })).status).toBe(404);
    expect((await api('GET', '/v1/privacy/erasures/nonsense', { token: acme.apiKey })).status).toBe(404);
  });
});

describe('a crash mid-erasure', () => {
  it('leaves the erasure running, half done, and a repeated request resumes the same erasure to the end', async () => {
    await visit(acme.slug, crashVisitor);
    await visit(acme.slug, crashVisitor);
    await archivedOnlyClick(acme, crashVisitor);
    await settle();
    const before = await totals(acme);
    const reconciledBefore = await reconcileCampaign(acme.orgId, acme.campaignId);

    const { record } = await createOrResumeErasure(acme.orgId, { kind: 'visitor', visitorId: crashVisitor });
    const started = (await startErasure(acme.orgId, record.erasureId))!;
    const crash = new Error('crash in the archive step');
    await expect(
      runErasure(started, {
        store: archiveStore(),
        settleBudgetMs: 0,
        settlePollMs: 10,
        afterSave: (saved) => {
          if (saved.step === 'archive') throw crash;
        },
      }),
    ).rejects.toBe(crash);
    // The hot clicks are re-keyed, the archive not yet rewritten: running, never reported done.
    const halfway = await getErasure(acme.orgId, record.erasureId);
    expect(halfway).toMatchObject({ status: 'running', step: 'archive' });
    expect(halfway!.progress.awaitingArchive).toHaveLength(3);
    expect((await whereStored(crashVisitor)).archive.acme.length).toBe(3);
    expect((await api('GET', `/v1/privacy/erasures/${record.erasureId}`, { token: acme.apiKey })).body.status).toBe('running');

    const resumed = await api('POST', '/v1/privacy/erasures', { token: acme.apiKey, body: { visitorId: crashVisitor } });
    expect(resumed.status).toBe(202);
    expect(resumed.body.erasureId).toBe(record.erasureId);
    await system.runtime.backgroundIdle();
    const done = await api('GET', `/v1/privacy/erasures/${record.erasureId}`, { token: acme.apiKey });
    expect(done.body).toMatchObject({ status: 'done', erased: { clicks: 3 } });
    await settle();
    const stored = await whereStored(crashVisitor);
    expect(stored.items).toEqual([]);
    expect(stored.archive.acme).toEqual([]);
    expect(await totals(acme)).toEqual(before);
    const reconciled = await reconcileCampaign(acme.orgId, acme.campaignId);
    expect(reconciled.differences).toEqual([]);
    expect(reconciled.events).toBe(reconciledBefore.events);
  });
});
