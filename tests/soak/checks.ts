/**
 * What must hold after the soak, each check returning its figures and its failures (empty when
 * the guarantee held): nothing lost, nothing twice, redirects through the outage, the poison
 * record in the dead-letter store, exact roll-ups, and no secret or personal data in logs or
 * tables.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/definitions.js';
import type { TableId } from '../../shared/settings.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { tableName } from '../../shared/adapters/config.js';
import { reconcileCampaign } from '../../shared/application/reconcile.js';
import { decodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { directoryObjectStore } from '../../shared/adapters/object-store.js';
import { ARCHIVE_PREFIX } from '../../shared/domain/archive.js';
import { rawEventSchema } from '../../shared/domain/events.js';
import type { Ledger } from './ledger.js';
import type { SoakSeed } from './seed.js';
import { userAgents } from './traffic.js';

export interface CheckResult {
  name: string;
  figures: Record<string, number | string>;
  failures: string[];
}

export const scanTable = async (id: TableId): Promise<Array<Record<string, unknown>>> => {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: tableName(id), ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const first = <T>(items: T[], count = 5) => items.slice(0, count);

export const checkClicks = (ledger: Ledger, events: Array<Record<string, unknown>>): CheckResult => {
  const stored = new Set(events.filter((e) => e.type === 'click').map((e) => String(e.clickId)));
  const promised = ledger.clickIds();
  const missing = promised.filter((clickId) => !stored.has(clickId));
  return {
    name: 'every 302 that carried a click id has its click in the raw events',
    figures: { redirectsWithClickId: promised.length, clicksMissing: missing.length },
    failures: missing.length ? [`clicks missing: ${first(missing).join(', ')}`] : [],
  };
};

export const checkConversions = (ledger: Ledger, events: Array<Record<string, unknown>>): CheckResult => {
  const storedTimes = new Map<string, number>();
  // Refunds are delivered under `refund:<conversionId>/<refundId>` (tests/soak/traffic.ts).
  const keyOf = (e: Record<string, unknown>) =>
    e.type === 'conversion' ? String(e.conversionId) : e.type === 'refund' ? `refund:${String(e.conversionId)}/${String(e.refundId)}` : undefined;
  for (const e of events) {
    const key = keyOf(e);
    if (key) storedTimes.set(key, (storedTimes.get(key) ?? 0) + 1);
  }
  const accepted = new Map<string, number>();
  const acknowledged = new Set<string>();
  for (const attempt of ledger.conversions) {
    if (attempt.status === 202) accepted.set(attempt.conversionId, (accepted.get(attempt.conversionId) ?? 0) + 1);
    if (attempt.status >= 200 && attempt.status < 300) acknowledged.add(attempt.conversionId);
  }
  const failures: string[] = [];
  const acceptedTwice = [...accepted].filter(([, n]) => n > 1).map(([id]) => id);
  if (acceptedTwice.length) failures.push(`answered 202 more than once: ${first(acceptedTwice).join(', ')}`);
  const notOnce = [...acknowledged].filter((id) => storedTimes.get(id) !== 1);
  if (notOnce.length) failures.push(`acknowledged but not stored exactly once: ${first(notOnce).join(', ')}`);
  const notAccepted = [...acknowledged].filter((id) => !accepted.has(id) && !ledger.conversions.some((a) => a.conversionId === id && a.status >= 500));
  if (notAccepted.length) failures.push(`only ever duplicates, never accepted and never failed: ${first(notAccepted).join(', ')}`);
  if (ledger.undelivered.length) failures.push(`sender gave up on: ${first(ledger.undelivered).join(', ')}`);
  // While the database is away the intake says so (503 + Retry-After), never a bare 500.
  const answered500 = ledger.conversions.filter((a) => a.status >= 500 && a.status !== 503);
  if (answered500.length) failures.push(`${answered500.length} deliveries answered ${[...new Set(answered500.map((a) => a.status))].join('/')} instead of 503`);
  return {
    name: 'every 202 conversion and refund is stored once; duplicates are never stored again',
    figures: {
      conversions: acknowledged.size,
      deliveries: ledger.conversions.length,
      answered202: [...accepted.values()].reduce((a, b) => a + b, 0),
      answeredDuplicate: ledger.conversions.filter((a) => a.outcome === 'duplicate').length,
      duplicatesSent: ledger.duplicatesSent,
      senderRetries: ledger.retries,
      storedConversions: events.filter((e) => e.type === 'conversion').length,
      storedRefunds: events.filter((e) => e.type === 'refund').length,
      acknowledgedNotStoredOnce: notOnce.length,
      answered503: ledger.conversions.filter((a) => a.status === 503).length,
    },
    failures,
  };
};

/** Sum of ClickNotRecorded in the Powertools metrics (EMF) lines of the captured output. */
export const clickLossMetric = (logs: string): number => {
  let total = 0;
  for (const line of logs.split('\n')) {
    if (!line.includes('"ClickNotRecorded"') || !line.includes('"_aws"')) continue;
    try {
      total += Number((JSON.parse(line.slice(line.indexOf('{'))) as { ClickNotRecorded?: number }).ClickNotRecorded ?? 0);
    } catch {
      /* not a metrics line */
    }
  }
  return total;
};

export const checkOutage = (
  ledger: Ledger,
  events: Array<Record<string, unknown>>,
  outage: { startedAt: number; endedAt: number },
  logs: string,
): CheckResult => {
  const failures: string[] = [];
  const during = ledger.redirects.filter((r) => r.at >= outage.startedAt && r.at <= outage.endedAt);
  const broken = ledger.redirects.filter((r) => r.status !== 302);
  if (broken.length) failures.push(`redirects not answered 302: ${first(broken.map((r) => `${r.status} at +${r.at - outage.startedAt}ms`)).join(', ')}`);
  if (during.length === 0) failures.push('no redirect was sent during the outage');
  const humansWithoutClickId = ledger.redirects.filter((r) => r.kind === 'human' && r.status === 302 && !r.clickId).length;
  // Real clicks only: the poison record poses as a click but has no click id.
  const storedClicks = events.filter((e) => e.type === 'click' && typeof e.clickId === 'string').length;
  const answered = ledger.redirects.filter((r) => r.status === 302).length;
  const lost = answered - storedClicks;
  const counted = clickLossMetric(logs);
  // Every lost click is counted. The count may exceed the losses: a write the database applied
  // as it went down or hung, whose answer never came back in time, is counted too.
  if (counted < lost) failures.push(`ClickNotRecorded counted ${counted}, but ${lost} redirects have no stored click`);
  if (humansWithoutClickId > counted) failures.push(`${humansWithoutClickId} human redirects without click id, only ${counted} losses counted`);
  // The API says the database is away (503 + Retry-After), never a bare 500.
  const reads500 = ledger.reads.filter((r) => r.status >= 500 && r.status !== 503);
  if (reads500.length) failures.push(`${reads500.length} API reads answered ${[...new Set(reads500.map((r) => r.status))].join('/')} instead of 503`);
  return {
    name: 'redirects keep working through the database outage; every lost click is counted; the API answers 503',
    figures: {
      outageMs: outage.endedAt - outage.startedAt,
      redirectsDuringOutage: during.length,
      redirects302: answered,
      humanRedirectsWithoutClickId: humansWithoutClickId,
      clicksStored: storedClicks,
      clickNotRecordedMetric: counted,
      clicksLost: lost,
      reads503: ledger.reads.filter((r) => r.status === 503).length,
      countedButStoredAfterAll: counted - lost,
    },
    failures,
  };
};

export const checkDeadLetters = async (dataDir: string, poisonKeys: string[]): Promise<CheckResult> => {
  let lines: string[] = [];
  try {
    lines = (await readFile(join(dataDir, 'dead-letters.jsonl'), 'utf8')).split('\n').filter(Boolean);
  } catch {
    /* no dead letters at all */
  }
  const keys = lines.flatMap((line) =>
    (JSON.parse(line) as { records: Array<{ dynamodb: { Keys: { pk: { S: string } } } }> }).records.map((r) => r.dynamodb.Keys.pk.S),
  );
  const failures: string[] = [];
  const healthy = keys.filter((key) => !poisonKeys.includes(key));
  if (healthy.length) failures.push(`healthy records dead-lettered: ${first(healthy).join(', ')}`);
  const absent = poisonKeys.filter((key) => !keys.includes(key));
  if (absent.length) failures.push(`poison records not in the dead-letter store: ${absent.join(', ')}`);
  return {
    name: 'the poison record, and only it, is in the dead-letter store',
    figures: { deadLetterEntries: lines.length, deadLetteredRecords: keys.length, poisonRecords: poisonKeys.length, healthyDeadLettered: healthy.length },
    failures,
  };
};

export const checkReconcile = async (seed: SoakSeed, foldCrashesInjected: number): Promise<CheckResult> => {
  const failures: string[] = [];
  // The click fold's own fault: without one, nothing here says a half-applied receipt is mended.
  if (foldCrashesInjected < 1) failures.push('no consumer crash was injected inside the click fold');
  let rows = 0;
  let events = 0;
  let differences = 0;
  for (const campaignId of seed.campaignIds) {
    const report = await reconcileCampaign(seed.orgId, campaignId);
    rows += report.rowsChecked;
    events += report.events;
    differences += report.differences.length;
    if (report.differences.length) failures.push(`${campaignId}: ${JSON.stringify(first(report.differences, 3))}`);
  }
  return {
    name: 'reconcile: roll-ups equal a recount of the raw events, for every campaign (the click fold crashed mid-receipt)',
    figures: { campaigns: seed.campaignIds.length, rowsChecked: rows, clicksRecounted: events, differences, foldCrashesInjected },
    failures,
  };
};

/** Secrets and personal data, as literal strings and as shapes. */
const forbidden = (seed: SoakSeed) => {
  const secretBody = seed.source.secret.slice('whsec_'.length);
  const literals: Array<[string, string]> = [
    ['admin API key', seed.adminKey],
    ['analytics API key', seed.analyticsKey],
    ['webhook secret', seed.source.secret],
    ['webhook secret key', secretBody],
    ...Object.entries(seed.advocateTokens).map(([id, token]): [string, string] => [`JWT of ${id}`, token]),
    ...[...userAgents.browsers, ...userAgents.bots].map((ua): [string, string] => ['full user agent', ua]),
  ];
  const patterns: Array<[string, RegExp]> = [
    ['API key shape', /ak_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{20,}/g],
    ['JWT shape', /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/g],
    ['webhook secret shape', /whsec_[A-Za-z0-9+/]{20,}/g],
    ['client IP', /(?<![\d.])127\.0\.0\.1(?![\d])/g],
    ['IPv6 loopback client', /::ffff:127|(?<![:\w])::1(?![:\w])/g],
  ];
  return { literals, patterns };
};

/** One occurrence of a secret or personal datum. */
interface Leak {
  what: string;
  /** The text that matched. */
  value: string;
  /** Where it sits, for the failure message. */
  excerpt: string;
}

/** Every occurrence of every forbidden literal and shape in `text`. */
const findLeaks = (text: string, seed: SoakSeed): Leak[] => {
  const { literals, patterns } = forbidden(seed);
  const excerpt = (index: number, length: number) => `…${text.slice(Math.max(0, index - 60), index + length + 40).replace(/\s+/g, ' ')}…`;
  const found: Leak[] = [];
  for (const [what, value] of literals) {
    for (let index = text.indexOf(value); index !== -1; index = text.indexOf(value, index + value.length)) {
      found.push({ what, value, excerpt: excerpt(index, value.length) });
    }
  }
  for (const [what, pattern] of patterns) {
    for (const match of text.matchAll(pattern)) found.push({ what, value: match[0], excerpt: excerpt(match.index, match[0].length) });
  }
  return found;
};

/** A planted secret the scans must find before "nothing found" means anything. */
interface Canary {
  name: string;
  value: string;
  /** The attribute of a planted table item (a copy of a real one) that carries it. */
  attribute: string;
  /** A planted log line carrying it, as a careless handler would write it. */
  logLine: string;
}

const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * The seed's own secrets (found as literals and as shapes), and secrets of the same shapes the
 * scans were never told about (found by shape alone).
 */
const canaries = (seed: SoakSeed): Canary[] => {
  const logLine = (fields: Record<string, string>) =>
    JSON.stringify({ level: 'INFO', message: 'canary', service: 'soak-canary', timestamp: new Date().toISOString(), ...fields });
  const jwtOf = (claims: object) => `${Buffer.from('{"alg":"ES256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomToken(64)}`;
  const planted: Array<Omit<Canary, 'logLine'> & { field: string; spelled?: string }> = [
    { name: 'the admin API key', value: seed.adminKey, attribute: 'apiKey', field: 'authorization', spelled: `Bearer ${seed.adminKey}` },
    { name: 'an API key of another organization', value: `ak_${randomBytes(9).toString('hex').slice(0, 12)}_${randomToken(24)}`, attribute: 'apiKey', field: 'apiKey' },
    { name: "an advocate's JWT", value: Object.values(seed.advocateTokens)[0]!, attribute: 'token', field: 'authorization', spelled: `Bearer ${Object.values(seed.advocateTokens)[0]!}` },
    { name: 'a JWT never issued here', value: jwtOf({ sub: 'mallory', org: 'org_canary', exp: 4102444800 }), attribute: 'token', field: 'token' },
    { name: 'the webhook secret', value: seed.source.secret, attribute: 'secret', field: 'secret' },
    { name: 'another webhook secret', value: `whsec_${randomBytes(24).toString('base64')}`, attribute: 'secret', field: 'secret' },
    { name: 'the client IP', value: '127.0.0.1', attribute: 'sourceIp', field: 'sourceIp' },
    { name: 'the client IP (IPv6-mapped)', value: '::ffff:127.0.0.1', attribute: 'sourceIp', field: 'sourceIp' },
    { name: 'a full user agent', value: userAgents.browsers[0]!, attribute: 'userAgent', field: 'userAgent' },
  ];
  return planted.map(({ field, spelled, ...canary }) => ({ ...canary, logLine: logLine({ [field]: spelled ?? canary.value }) }));
};

/** The scan found the canary: some leak it reports is (part of) the planted value. */
const catches = (leaks: Leak[], canary: Canary) => leaks.some((leak) => canary.value.includes(leak.value) || leak.value.includes(canary.value));

/** Leaks in `after` beyond those in `before` (as multisets of what and value). */
const addedLeaks = (before: Leak[], after: Leak[]): Leak[] => {
  const seen = new Map<string, number>();
  for (const leak of before) seen.set(`${leak.what}\u0000${leak.value}`, (seen.get(`${leak.what}\u0000${leak.value}`) ?? 0) + 1);
  return after.filter((leak) => {
    const key = `${leak.what}\u0000${leak.value}`;
    const left = seen.get(key) ?? 0;
    seen.set(key, left - 1);
    return left <= 0;
  });
};

/** Leaks grouped by what was found: one line each, with a count and the first excerpt. */
const summarise = (leaks: Leak[]): string[] => {
  const byWhat = new Map<string, Leak[]>();
  for (const leak of leaks) byWhat.set(leak.what, [...(byWhat.get(leak.what) ?? []), leak]);
  return [...byWhat].map(([what, all]) => `${what} ×${all.length}: ${all[0]!.excerpt}`);
};

/**
 * The log scan: every leak in the captured output. The servers' own host:port (the database's,
 * in its connection errors; the API's) are not a client's address; every other 127.0.0.1 would be.
 */
const scanLogs = (logs: string, seed: SoakSeed, serverAddresses: string[]): Leak[] => {
  let scanned = logs;
  for (const address of serverAddresses) {
    const host = address.slice(0, address.lastIndexOf(':')).replace(/\./g, '\\.');
    const port = address.slice(address.lastIndexOf(':') + 1);
    // host:port as in URLs, and the address/port pairs of serialised network errors.
    const spelled = new RegExp(`${host}(?::|['"],?\\s*['"]?port['"]?\\s*:\\s*)${port}(?!\\d)`, 'g');
    scanned = scanned.replace(spelled, '<server>');
  }
  return findLeaks(scanned, seed);
};

export const checkLogs = (logs: string, seed: SoakSeed, serverAddresses: string[]): CheckResult => {
  const leaks = scanLogs(logs, seed, serverAddresses);
  // Each canary planted in its own copy of the logs: the scan must report it on top of the rest.
  const planted = canaries(seed);
  const missed = planted.filter((canary) => !catches(addedLeaks(leaks, scanLogs(`${logs}\n${canary.logLine}\n`, seed, serverAddresses)), canary));
  return {
    name: 'logs: no API key, JWT, webhook secret, client IP or full user agent (and every planted canary found)',
    figures: { logBytes: Buffer.byteLength(logs), logLines: logs.split('\n').length, canariesFound: `${planted.length - missed.length}/${planted.length}` },
    failures: [
      ...missed.map((canary) => `canary not found in a planted log line: ${canary.name}`),
      ...summarise(leaks).map((f) => `in the logs: ${f}`),
    ],
  };
};

/** A piece of stored material to scan: a table item or the dead-letter store. */
interface StoredPiece {
  where: string;
  text: string;
}

/** The table scan: leaks per piece (so a planted piece's leaks are told apart). */
const scanStored = (pieces: StoredPiece[], seed: SoakSeed): Array<{ where: string; leaks: Leak[] }> =>
  pieces.map((piece) => ({ where: piece.where, leaks: findLeaks(piece.text, seed) })).filter((result) => result.leaks.length > 0);

export const checkStores = async (seed: SoakSeed, dataDir: string): Promise<CheckResult> => {
  const pieces: StoredPiece[] = [];
  let items = 0;
  let sample: Record<string, unknown> | undefined;
  for (const id of Object.keys(tables) as TableId[]) {
    for (const item of await scanTable(id)) {
      items++;
      if (id === 'events' && item.type === 'click') sample ??= item;
      pieces.push({ where: `${id} item ${String(item.pk)}`, text: JSON.stringify(item) });
    }
  }
  let deadLetters = '';
  try {
    deadLetters = await readFile(join(dataDir, 'dead-letters.jsonl'), 'utf8');
  } catch {
    /* none */
  }
  pieces.push({ where: 'dead-letter store', text: deadLetters });
  // The Parquet archive holds every raw event again: it must be as clean as the table.
  const archive = directoryObjectStore(join(dataDir, 'archive'));
  for (const key of await archive.list(`${ARCHIVE_PREFIX}/`)) {
    pieces.push({ where: `archive file ${key}`, text: JSON.stringify(await decodeArchiveFile((await archive.get(key))!)) });
  }
  // Canaries: copies of a stored click, each carrying one planted secret, scanned with the rest.
  const planted = canaries(seed).map((canary, index) => ({
    canary,
    piece: { where: `planted item ${index}`, text: JSON.stringify({ ...(sample ?? { type: 'click' }), pk: `CANARY#${index}`, [canary.attribute]: canary.value }) },
  }));
  const found = scanStored([...pieces, ...planted.map((p) => p.piece)], seed);
  const plantedWhere = new Set(planted.map((p) => p.piece.where));
  const missed = planted.filter(({ canary, piece }) => !catches(found.find((r) => r.where === piece.where)?.leaks ?? [], canary));
  const failures = found.filter((r) => !plantedWhere.has(r.where)).flatMap((r) => summarise(r.leaks).map((f) => `${r.where}: ${f}`));
  return {
    name: 'tables, dead letters and the archive: no raw IP, no full user agent, no secret in clear (and every planted canary found)',
    figures: { itemsScanned: items, canariesFound: `${planted.length - missed.length}/${planted.length}` },
    failures: [...missed.map(({ canary }) => `canary not found in a planted table item: ${canary.name}`), ...first(failures, 10)],
  };
};

/**
 * Every valid raw event in the events table is in the archive exactly once (the archiver crashed
 * after writing part of some batches: the retries must have replaced those files), no archived
 * event is unknown to the table, and the poison record is nowhere in it.
 */
export const checkArchive = async (events: Array<Record<string, unknown>>, archiveDir: string): Promise<CheckResult> => {
  const expected = new Set(events.flatMap((item) => {
    const parsed = rawEventSchema.safeParse(item);
    return parsed.success ? [parsed.data.eventId] : [];
  }));
  const store = directoryObjectStore(archiveDir);
  const seen = new Map<string, number>();
  const files = await store.list(`${ARCHIVE_PREFIX}/`);
  for (const key of files) {
    for (const row of await decodeArchiveFile((await store.get(key))!)) seen.set(String(row.event_id), (seen.get(String(row.event_id)) ?? 0) + 1);
  }
  const missing = [...expected].filter((id) => !seen.has(id));
  const twice = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  const unknown = [...seen.keys()].filter((id) => !expected.has(id));
  return {
    name: 'the archive holds every raw event exactly once, despite archiver crashes mid-batch',
    figures: { events: expected.size, archived: seen.size, files: files.length, missing: missing.length, duplicated: twice.length, unknown: unknown.length },
    failures: [
      ...(missing.length ? [`not archived: ${first(missing).join(', ')}`] : []),
      ...(twice.length ? [`archived more than once: ${first(twice).join(', ')}`] : []),
      ...(unknown.length ? [`archived but not in the table: ${first(unknown).join(', ')}`] : []),
    ],
  };
};
