/**
 * docs/privacy.md is the record of processing (spec section 16): every attribute the product
 * stores must have its line there, so a new one cannot appear unrecorded. This test writes one of
 * each item kind through the real code paths (the API, the redirect, signed webhooks, the stream
 * consumers, an export) into DynamoDB Local, scans the three tables, and requires every attribute
 * of every item kind — and every column of the archive's Parquet files — to be named in the row of
 * its kind in docs/privacy.md's "Every stored attribute" table. A personal attribute must also be
 * named in the record of processing itself (what, where, why, how long, how erased).
 *
 * An item kind is its table and the leading words of its keys (`entities ORG/CAMPAIGN`,
 * `events V/C`, `rollups R/<period>`): a new kind of item gets a name without touching this test.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { archiveColumns, archivedEventTypes } from '../../shared/domain/archive.js';
import { newVisitorId } from '../../shared/domain/ids.js';
import { tableIds } from '../../shared/settings.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];

/** `ORG#org_1#APIKEYS` → `ORG`; `2026-12-05#alice` or `*#alice` → `<period>`. */
const keyWord = (key: unknown): string => {
  const value = String(key ?? '');
  const word = /^[A-Z][A-Z_]*/.exec(value)?.[0];
  return word ?? (/^(\d|\*)/.test(value) ? '<period>' : '<other>');
};

/** Counter attributes named per currency (`rev_linear_EUR`) are one attribute, `rev_linear_<currency>`. */
const attributeName = (name: string): string => name.replace(/^(rev_[a-z_]+)_[A-Z]{3}$/, '$1_<currency>');

const itemKind = (table: string, item: Record<string, unknown>): string => `${table} ${keyWord(item.pk)}/${keyWord(item.sk)}`;

interface Observed {
  attributes: Set<string>;
  example: string;
}

const scanAll = async (): Promise<Map<string, Observed>> => {
  const kinds = new Map<string, Observed>();
  for (const table of tableIds) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(new ScanCommand({ TableName: system.runtime.tableNames[table], ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const kind = itemKind(table, item);
        const observed = kinds.get(kind) ?? { attributes: new Set<string>(), example: `pk=${String(item.pk)} sk=${String(item.sk)}` };
        for (const name of Object.keys(item)) observed.attributes.add(attributeName(name));
        kinds.set(kind, observed);
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  for (const type of archivedEventTypes) {
    kinds.set(`archive ${type}`, { attributes: new Set(archiveColumns[type].map((column) => column.name)), example: `Parquet column of ${type} files` });
  }
  return kinds;
};

/** docs/privacy.md's "Every stored attribute" rows: item kind → the attributes named personal, and the others. */
const documentedAttributes = (markdown: string) => {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Every stored attribute'));
  if (!section) throw new Error('docs/privacy.md has no "## Every stored attribute" section');
  const rows = new Map<string, { personal: Set<string>; other: Set<string> }>();
  const ticked = (cell: string | undefined) => new Set([...(cell ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const kind = /^`([^`]+)`/.exec(cells[1] ?? '')?.[1];
    if (!kind) continue;
    rows.set(kind, { personal: ticked(cells[2]), other: ticked(cells[3]) });
  }
  const record = markdown.split(/^## /m).find((part) => part.startsWith('Record of processing')) ?? '';
  return { rows, record: ticked(record) };
};

const sendConversion = (source: { sourceId: string; secret: string }, payload: Record<string, unknown>) => {
  const body = JSON.stringify(payload);
  const webhookId = `msg_${randomUUID()}`;
  const now = new Date();
  return api('POST', `/v1/webhooks/conversions/${source.sourceId}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(source.secret).sign(webhookId, now, body),
    },
  });
};

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  const org = await system.createOrganization('Record GmbH');
  const token = org.apiKey;
  const expectOk = (answer: { status: number; text: string }) => expect(answer.status, answer.text).toBeLessThan(300);

  expectOk(await api('PATCH', '/v1/organization', { token, body: { visitorCookies: 'respect-gpc', rankingDefault: 'named', retention: { rawEventDays: 200, archiveDays: 200 } } }));
  expectOk(await api('POST', '/v1/api-keys', { token, body: { name: 'dashboards', scopes: ['analytics:read'] } }));
  const campaign = await api('POST', '/v1/campaigns', { token, body: { name: 'Record', destinationUrl: 'https://record.example/' } });
  expectOk(campaign);
  const { campaignId } = campaign.body;
  expectOk(await api('PUT', '/v1/advocates/alice', { token, body: { displayName: 'Alice Martin', department: 'sales' } }));
  const link = await api('POST', '/v1/links', { token, body: { campaignId, channel: 'linkedin', advocateId: 'alice' } });
  expectOk(link);
  expectOk(await api('POST', '/v1/domains', { token, body: { hostname: 'go.record.example' } }));
  const standard = await api('POST', '/v1/webhook-sources', { token, body: { name: 'Shop' } });
  expectOk(standard);
  expectOk(await api('POST', '/v1/webhook-sources', { token, body: { name: 'Stripe', kind: 'stripe', signingSecret: 'whsec_recordtest0123456789' } }));

  // A human click (with its visitor), a bot's, then a conversion by click id with a customer, and its refund.
  const human = await fetch(`${system.baseUrl}/${link.body.slug}`, {
    redirect: 'manual',
    headers: { 'user-agent': browserUserAgents.chromeDesktop, referer: 'https://www.linkedin.com/feed/', 'cloudfront-viewer-country': 'DE' },
  });
  const clickId = new URL(human.headers.get('location')!).searchParams.get('eaclid');
  await fetch(`${system.baseUrl}/${link.body.slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.linkedInBot } });
  // Alice starts a share (an API key records it on her behalf).
  expectOk(await api('POST', '/v1/shares', { token, body: { campaignId, channel: 'linkedin', advocateId: 'alice' } }));
  const source = { sourceId: standard.body.sourceId, secret: standard.body.secret };
  const occurredAt = new Date().toISOString();
  expectOk(await sendConversion(source, { type: 'conversion.created', data: { conversionId: 'order-1', kind: 'purchase', occurredAt, value: { amount: '100.00', currency: 'EUR' }, clickId, customerId: 'crm-1' } }));
  await system.streamsIdle();
  expectOk(await sendConversion(source, { type: 'conversion.refunded', data: { conversionId: 'order-1', refundId: 're-1', occurredAt: new Date().toISOString(), value: { amount: '10.00', currency: 'EUR' } } }));
  await system.streamsIdle();
  const today = occurredAt.slice(0, 10);
  const exported = await api('POST', '/v1/exports', { token, body: { campaignId, from: today, to: today, type: 'click', format: 'csv' } });
  expectOk(exported);
  await system.runtime.backgroundIdle();

  // A second browser clicks and is erased (the erasure's own items, the erased click's marker).
  const erasedVisitor = newVisitorId();
  await fetch(`${system.baseUrl}/${link.body.slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop, cookie: `eav=${erasedVisitor}` } });
  await system.streamsIdle();
  await system.runtime.pollers.archive!.drain({ timeoutMs: 60_000 });
  const erasure = await api('POST', '/v1/privacy/erasures', { token, body: { visitorId: erasedVisitor } });
  expectOk(erasure);
  await system.runtime.backgroundIdle();
  expect((await api('GET', `/v1/privacy/erasures/${erasure.body.erasureId}`, { token })).body).toMatchObject({ status: 'done', erased: { clicks: 1 } });
});

afterAll(async () => {
  await system?.stop();
});

it('every stored attribute of every item kind has its line in docs/privacy.md', async () => {
  const kinds = await scanAll();
  const { rows, record } = documentedAttributes(await readFile(new URL('../../docs/privacy.md', import.meta.url), 'utf8'));
  const missing: string[] = [];
  for (const [kind, observed] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) {
    const row = rows.get(kind);
    if (!row) {
      missing.push(
        `item kind \`${kind}\` (e.g. ${observed.example}) has no row in docs/privacy.md "Every stored attribute": add \`| \`${kind}\` | <personal attributes> | <other attributes> |\` covering ${[...observed.attributes].sort().map((name) => `\`${name}\``).join(', ')}`,
      );
      continue;
    }
    for (const attribute of [...observed.attributes].sort()) {
      if (!row.personal.has(attribute) && !row.other.has(attribute)) {
        missing.push(`attribute \`${attribute}\` of item kind \`${kind}\` (e.g. ${observed.example}) is in neither column of its row in docs/privacy.md "Every stored attribute"`);
      }
    }
    for (const attribute of row.personal) {
      if (!record.has(attribute)) missing.push(`personal attribute \`${attribute}\` of item kind \`${kind}\` has no line in docs/privacy.md "Record of processing"`);
    }
  }
  expect(missing, `\n${missing.join('\n')}\n`).toEqual([]);
  // The walk reached every layer it should: hot entities, raw events, roll-ups and the archive.
  for (const kind of ['entities ORG/ORG', 'entities ORG/CAMPAIGN', 'entities ORG/ADVOCATE', 'entities LINK/LINK', 'entities ORG/EXPORT', 'entities ORG/ERASURE', 'events V/C', 'events X/C', 'events CONV/CONV', 'events CONV/REFUND', 'events SHARE/SHARE', 'entities SHARECAP/MIN', 'rollups R/<period>', 'rollups CUST/PATH', 'archive click']) {
    expect([...kinds.keys()], kind).toContain(kind);
  }
});

it('documents no item kind that is never stored (no stale rows)', async () => {
  const kinds = await scanAll();
  const { rows } = documentedAttributes(await readFile(new URL('../../docs/privacy.md', import.meta.url), 'utf8'));
  // Kinds written only by paths this walk does not take are named here, with the reason.
  // An erasure's lookup lives only while the erasure runs (deleted when done).
  const notWalked = new Set<string>(['entities ORG/ERASUREOF']);
  expect([...rows.keys()].filter((kind) => !kinds.has(kind) && !notWalked.has(kind))).toEqual([]);
});
