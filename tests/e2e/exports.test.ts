/**
 * History exports end to end against the local runtime (DynamoDB Local, the export worker run in
 * the background by the runtime's invoker, DuckDB over the archive directory the runtime's archiver
 * writes): every click of the range exactly once whether it is only archived (its hot item deleted as TTL would), both
 * archived and hot, or only hot; never another organization's or another campaign's; CSV and
 * Parquet read back; the refusals (422, 429, 404, a bad or expired link).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { clickItem } from '../../shared/adapters/redirect-store.js';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { archivePartition, archiveRowOf } from '../../shared/domain/archive.js';
import { attributionModels } from '../../shared/domain/attribution.js';
import type { ConversionCampaignRecord } from '../../shared/domain/conversion-credit.js';
import type { ClickEventRecord } from '../../shared/domain/events.js';
import { MAX_EXPORTS_IN_FLIGHT, shiftDay } from '../../shared/domain/exports.js';
import { historyRetentionDays } from '../../shared/settings.js';
import type { Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let acme: { orgId: string; apiKey: string };
let globex: { orgId: string; apiKey: string };
let campaignId: string;
let otherCampaignId: string;
let globexCampaignId: string;

const today = new Date().toISOString().slice(0, 10);
const archivedDay = shiftDay(today, 20);
const boundaryDay = shiftDay(today, 10);
const hotDay = shiftDay(today, 2);

const click = (orgId: string, campaign: string, id: string, at: string): ClickEventRecord => ({
  type: 'click',
  eventId: id,
  clickId: id,
  orgId,
  campaignId: campaign,
  slug: 'abcdefg1',
  advocateId: 'alice',
  channel: 'linkedin',
  at,
  visitorId: `v_${id}`,
  unique: true,
  botClass: 'human',
  device: 'mobile',
  browser: 'Safari',
  os: 'iOS',
  country: 'DE',
  // A cell a spreadsheet would run as a formula: the export neutralises it as the events API does.
  referrerHost: id.endsWith('9') ? '=cmd' : 'linkedin.com',
});

const putHot = (event: ClickEventRecord) => documentClient().send(new PutCommand({ TableName: system.runtime.tableNames.events, Item: clickItem(event) }));
const deleteHot = (event: ClickEventRecord) => {
  const { pk, sk } = clickItem(event);
  return documentClient().send(new DeleteCommand({ TableName: system.runtime.tableNames.events, Key: { pk, sk } }));
};

/** Writes events as one archive file of a partition by hand (rows the archiver would never file there). */
const archive = async (events: ClickEventRecord[], orgId = events[0]!.orgId, day = events[0]!.at.slice(0, 10), name = 'part-0001.parquet') => {
  const directory = join(system.runtime.archiveDir, archivePartition(orgId, 'click', day));
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, name), encodeArchiveFile('click', events.map(archiveRowOf)));
};

const exportNow = async (token: string, body: Record<string, unknown>) => {
  const created = await api('POST', '/v1/exports', { token, body });
  expect(created.status, created.text).toBe(202);
  await system.runtime.backgroundIdle();
  const done = await api('GET', `/v1/exports/${created.body.exportId}`, { token });
  expect(done.status).toBe(200);
  expect(done.body.status, JSON.stringify(done.body)).toBe('succeeded');
  return done.body;
};

/** The signed link answers 302 to the file's own short-lived URL, which streams it (locally). */
const download = async (url: string) => {
  const redirect = await fetch(url, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const response = await fetch(redirect.headers.get('location')!, { redirect: 'manual' });
  expect(response.status).toBe(200);
  return response;
};

/** RFC 4180 rows (quoted cells may hold commas; none of these hold line breaks). */
const csvRows = (text: string): string[][] =>
  text
    .split('\r\n')
    .filter(Boolean)
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')));

const archivedOnly = ['c_arch_1', 'c_arch_2', 'c_arch_9'];
const both = ['c_both_1', 'c_both_2', 'c_both_3'];
const hotOnly = ['c_hot_1', 'c_hot_2'];

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  acme = await system.createOrganization('Acme');
  globex = await system.createOrganization('Globex');
  const newCampaign = async (org: { apiKey: string }, name: string) =>
    (await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name, destinationUrl: 'https://acme.example/' } })).body.campaignId as string;
  campaignId = await newCampaign(acme, 'History');
  otherCampaignId = await newCampaign(acme, 'Other');
  globexCampaignId = await newCampaign(globex, 'Theirs');

  const at = (day: string, n: number) => `${day}T0${n}:00:00.000Z`;
  // Written hot and archived by the runtime's own archiver (the events stream's second consumer).
  const archivedEvents = archivedOnly.map((id, n) => click(acme.orgId, campaignId, id, at(archivedDay, n + 1)));
  const bothEvents = both.map((id, n) => click(acme.orgId, campaignId, id, at(boundaryDay, n + 1)));
  for (const event of [...archivedEvents, ...bothEvents]) await putHot(event);
  await system.runtime.pollers.archive!.drain({ timeoutMs: 60_000 });
  // Only archived: the hot items deleted, as TTL would. The boundary's stay: in both, once in the export.
  for (const event of archivedEvents) await deleteHot(event);
  // Only hot (written after the archiver's drain; its next batch is minutes away).
  for (const [n, id] of hotOnly.entries()) await putHot(click(acme.orgId, campaignId, id, at(hotDay, n + 1)));
  // Not ours: another campaign of the organization, another organization's clicks (hot, and
  // archived naming our campaign id), and a stray row of another organization in our own
  // partition (the query filters on org_id too; the archiver would never file it there).
  await putHot(click(acme.orgId, otherCampaignId, 'c_other_campaign', at(hotDay, 5)));
  await putHot(click(globex.orgId, globexCampaignId, 'c_globex_hot', at(hotDay, 6)));
  await archive([click(globex.orgId, campaignId, 'c_globex_forged', at(archivedDay, 7))]);
  await archive([click(globex.orgId, campaignId, 'c_globex_stray', at(archivedDay, 8))], acme.orgId, archivedDay, 'stray-0001.parquet');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('exports of clicks', () => {
  const expected = [...archivedOnly, ...both, ...hotOnly];

  it('holds every click of the range once — archived only, archived and hot, hot only — in time order, as CSV', async () => {
    const done = await exportNow(acme.apiKey, { campaignId, from: shiftDay(today, 30), to: today, type: 'click', format: 'csv' });
    expect(done).toMatchObject({ rowCount: expected.length, request: { campaignId, type: 'click', format: 'csv' } });
    expect(Date.parse(done.expiresAt)).toBeGreaterThan(Date.now());
    const response = await download(done.downloadUrl);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = csvRows(await response.text());
    expect(header).toEqual(['clickId', 'at', 'slug', 'advocateId', 'channel', 'botClass', 'unique', 'visitorId', 'device', 'browser', 'os', 'country', 'referrerHost']);
    expect(rows.map((row) => row[0])).toEqual(expected);
    const times = rows.map((row) => row[1]!);
    expect([...times].sort()).toEqual(times);
    const formula = rows.find((row) => row[0] === 'c_arch_9')!;
    expect(formula[12]).toBe("'=cmd");
    expect(rows[0]!.slice(2, 12)).toEqual(['abcdefg1', 'alice', 'linkedin', 'human', 'true', 'v_c_arch_1', 'mobile', 'Safari', 'iOS', 'DE']);
  });

  it('writes the same rows as Parquet, and a narrower range holds only its days', async () => {
    const done = await exportNow(acme.apiKey, { campaignId, from: boundaryDay, to: boundaryDay, type: 'click', format: 'parquet' });
    const bytes = await (await download(done.downloadUrl)).arrayBuffer();
    const rows = (await parquetReadObjects({ file: bytes })) as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.clickId)).toEqual(both);
    expect(rows[0]).toMatchObject({ advocateId: 'alice', unique: true, referrerHost: 'linkedin.com' });
    expect(done.rowCount).toBe(both.length);
  });

  it("never holds another organization's clicks, and another organization cannot see or download the export", async () => {
    const done = await exportNow(globex.apiKey, { campaignId: globexCampaignId, from: shiftDay(today, 30), to: today, type: 'click', format: 'csv' });
    const [, ...rows] = csvRows(await (await download(done.downloadUrl)).text());
    expect(rows.map((row) => row[0])).toEqual(['c_globex_hot']);
    expect((await api('GET', `/v1/exports/${done.exportId}`, { token: acme.apiKey })).status).toBe(404);
    expect((await api('POST', '/v1/exports', { token: acme.apiKey, body: { campaignId: globexCampaignId, from: today, to: today, type: 'click', format: 'csv' } })).status).toBe(404);
  });
});

describe('exports of conversions', () => {
  it("holds the campaign's credited conversions of the range, with the events API's conversion columns", async () => {
    const touch = { clickId: 'c_hot_1', at: `${hotDay}T01:00:00.000Z`, advocateId: 'alice', slug: 'abcdefg1', channel: 'linkedin' };
    const record: ConversionCampaignRecord = {
      orgId: acme.orgId,
      campaignId,
      eventId: 'V#order-1',
      conversionId: 'order-1',
      kind: 'purchase',
      occurredAt: `${hotDay}T05:00:00.000Z`,
      value: { amount: '129.90', currency: 'EUR' },
      touches: [touch],
      credits: Object.fromEntries(attributionModels.map((model) => [model, [{ touch: 0, credit: 1_000_000, revenueMinor: '12990' }]])) as ConversionCampaignRecord['credits'],
    };
    const key = rollupKeys.conversionRecord(acme.orgId, campaignId, record.occurredAt, record.eventId);
    await documentClient().send(new PutCommand({ TableName: system.runtime.tableNames.rollups, Item: { ...key, type: 'conversionRecord', ...record } }));

    const done = await exportNow(acme.apiKey, { campaignId, from: hotDay, to: today, type: 'conversion', format: 'csv' });
    const [header, ...rows] = csvRows(await (await download(done.downloadUrl)).text());
    const events = await api('GET', `/v1/campaigns/${campaignId}/events?type=conversion&from=${hotDay}&to=${today}`, {
      token: acme.apiKey,
      headers: { accept: 'text/csv' },
    });
    const [apiHeader, ...apiRows] = csvRows(events.text);
    expect(header).toEqual(apiHeader);
    expect(rows).toEqual(apiRows);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(0, 5)).toEqual(['order-1', 'purchase', `${hotDay}T05:00:00.000Z`, '129.90', 'EUR']);
  });
});

describe('refusals', () => {
  const valid = () => ({ campaignId, from: shiftDay(today, 1), to: today, type: 'click', format: 'csv' });

  it('422 naming the field: a reversed range, one older than the history kept, one in the future, unknown fields', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...valid(), from: today, to: shiftDay(today, 1) }, 'to'],
      [{ ...valid(), from: shiftDay(today, historyRetentionDays + 1) }, 'from'],
      [{ ...valid(), to: shiftDay(today, -1) }, 'to'],
      [{ ...valid(), format: 'xlsx' }, 'format'],
      [{ ...valid(), colour: 'red' }, ''],
    ];
    for (const [body, field] of cases) {
      const response = await api('POST', '/v1/exports', { token: acme.apiKey, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      if (field) expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    // The oldest day kept is accepted.
    await exportNow(acme.apiKey, { ...valid(), from: shiftDay(today, historyRetentionDays) });
  });

  it('404 for an unknown campaign or export id', async () => {
    expect((await api('POST', '/v1/exports', { token: acme.apiKey, body: { ...valid(), campaignId: 'cmp_00000000000000000000' } })).status).toBe(404);
    expect((await api('GET', '/v1/exports/exp_00000000000000000000', { token: acme.apiKey })).status).toBe(404);
    expect((await api('GET', '/v1/exports/nonsense', { token: acme.apiKey })).status).toBe(404);
  });

  it(`429 with Retry-After beyond ${MAX_EXPORTS_IN_FLIGHT} exports queued or running, and a slot again once they finish`, async () => {
    // All requests go out before any worker can finish: the slot count is taken in the request.
    const answers = await Promise.all(Array.from({ length: MAX_EXPORTS_IN_FLIGHT + 2 }, () => api('POST', '/v1/exports', { token: acme.apiKey, body: valid() })));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 202).length).toBeLessThanOrEqual(MAX_EXPORTS_IN_FLIGHT);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const answer of refused) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    await system.runtime.backgroundIdle();
    const { exportsInFlight } = await import('../../shared/adapters/exports.js');
    expect(await exportsInFlight(acme.orgId)).toBe(0);
    await exportNow(acme.apiKey, valid());
  });

  it('403 for a tampered or expired link; the untouched link works', async () => {
    const done = await exportNow(acme.apiKey, valid());
    const url = new URL(done.downloadUrl);
    const withParam = (name: string, value: string) => {
      const copy = new URL(url);
      copy.searchParams.set(name, value);
      return copy.toString();
    };
    const signature = url.searchParams.get('signature')!;
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const expires = Number(url.searchParams.get('expires'));
    const refusals = [
      withParam('signature', flipped),
      withParam('expires', String(expires + 3600)),
      withParam('org', globex.orgId),
      url.toString().replace(done.exportId, 'exp_00000000000000000000'),
      url.toString().split('?')[0]!,
    ];
    for (const refusal of refusals) {
      const response = await fetch(refusal, { redirect: 'manual' });
      expect(response.status, refusal).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // A link signed by this server, but for a moment already past.
    const { signDownload } = await import('../../shared/adapters/download-links.js');
    const past = Math.floor(Date.now() / 1000) - 1;
    const expired = withParam('expires', String(past)).replace(/signature=[^&]+/, `signature=${await signDownload(acme.orgId, done.exportId, past)}`);
    const response = await fetch(expired, { redirect: 'manual' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/expired/);
    expect((await download(done.downloadUrl)).status).toBe(200);
    // The file URL it redirects to is signed too: edited, or for another file, it is refused.
    const fileUrl = new URL((await fetch(done.downloadUrl, { redirect: 'manual' })).headers.get('location')!);
    for (const [name, value] of [['key', `exports/org=${globex.orgId}/${done.exportId}.csv`], ['expires', String(Number(fileUrl.searchParams.get('expires')) + 60)]] as const) {
      const edited = new URL(fileUrl);
      edited.searchParams.set(name, value);
      expect((await fetch(edited, { redirect: 'manual' })).status).toBe(403);
    }
  });
});
