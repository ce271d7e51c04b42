/**
 * The soak's erasure (spec 16): after the traffic, the busiest browser and the busiest customer are
 * erased through the API while the worker crashes mid-way (its first attempt dies after saving some
 * progress; the runtime's retry resumes it). Then their identifiers must be gone from the tables
 * (but the consumer's ledger, kept ≤ 8 days by design), the archive,
 * exports started afterwards and the logs written since — and reconcile, run after, must still
 * show no difference.
 */
import { join } from 'node:path';
import { decodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { directoryObjectStore } from '../../shared/adapters/object-store.js';
import { ARCHIVE_PREFIX } from '../../shared/domain/archive.js';
import { locateClick } from '../../shared/domain/click-id.js';
import type { TableId } from '../../shared/settings.js';
import type { CheckResult } from './checks.js';
import { scanTable } from './checks.js';
import type { Ledger } from './ledger.js';
import type { SoakSeed } from './seed.js';

export interface ErasureSubjects {
  visitorId?: string;
  customerId?: string;
}

const mostFrequent = (values: Array<string | undefined>): string | undefined => {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
};

/** The browser with the most clicks and the customer with the most conversions the traffic sent. */
export const pickSubjects = (ledger: Ledger): ErasureSubjects => ({
  visitorId: mostFrequent(ledger.clickIds().map((id) => locateClick(id)?.visitorId)),
  customerId: mostFrequent([...ledger.conversionsSent.values()].map((data) => (typeof data.customerId === 'string' ? data.customerId : undefined))),
});

const api = async (baseUrl: string, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
};

/** Asks for the erasures and waits until the background worker (retries included) has finished. */
export const runErasures = async (
  baseUrl: string,
  seed: SoakSeed,
  subjects: ErasureSubjects,
  backgroundIdle: () => Promise<void>,
): Promise<Array<{ subject: string; status: number; answer: Record<string, unknown> }>> => {
  const done = [];
  for (const [field, value] of Object.entries(subjects)) {
    if (!value) continue;
    const created = await api(baseUrl, seed.adminKey, 'POST', '/v1/privacy/erasures', { [field]: value });
    await backgroundIdle();
    const read = created.status === 202 ? await api(baseUrl, seed.adminKey, 'GET', `/v1/privacy/erasures/${String(created.body.erasureId)}`) : created;
    done.push({ subject: field, status: created.status, answer: read.body });
  }
  return done;
};

/** Every campaign's click and conversion export, started now, as text. */
const exportsNow = async (baseUrl: string, seed: SoakSeed, backgroundIdle: () => Promise<void>): Promise<string[]> => {
  const today = new Date().toISOString().slice(0, 10);
  const texts: string[] = [];
  for (const campaignId of seed.campaignIds) {
    for (const type of ['click', 'conversion']) {
      const created = await api(baseUrl, seed.analyticsKey, 'POST', '/v1/exports', { campaignId, from: today, to: today, type, format: 'csv' });
      await backgroundIdle();
      const read = await api(baseUrl, seed.analyticsKey, 'GET', `/v1/exports/${String(created.body.exportId)}`);
      const link = await fetch(String(read.body.downloadUrl), { redirect: 'manual' });
      texts.push(await (await fetch(link.headers.get('location')!)).text());
    }
  }
  return texts;
};

/**
 * Whether `text` holds the identifier: a visitor id anywhere (it also ends every click id of the
 * browser), a customer id as a whole token (`crm-1` is not in `crm-16`).
 */
const holds = (text: string, { what, value }: { what: string; value: string }): boolean =>
  what === 'visitorId' ? text.includes(value) : new RegExp(`(?<![A-Za-z0-9_-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(text);

/** Where identifiers are stored: table items (the consumer's ledger counted apart) and archive files. */
export const whereStored = async (identifiers: Array<{ what: string; value: string }>, dataDir: string) => {
  const places: string[] = [];
  let ledgerEntries = 0;
  let itemsScanned = 0;
  for (const id of ['entities', 'events', 'rollups'] as TableId[]) {
    for (const item of await scanTable(id)) {
      itemsScanned++;
      const text = JSON.stringify(item);
      const found = identifiers.filter((identifier) => holds(text, identifier));
      if (found.length === 0) continue;
      // The consumer's ledger keeps a click id ≤ 8 days: it stops a redelivered record from counting twice.
      if (String(item.pk).startsWith('APPLIED#')) ledgerEntries++;
      else places.push(`${id} item ${String(item.pk)} (${found.map((f) => f.what).join(', ')})`);
    }
  }
  const archive = directoryObjectStore(join(dataDir, 'archive'));
  const files = await archive.list(`${ARCHIVE_PREFIX}/`);
  for (const key of files) {
    const text = JSON.stringify(await decodeArchiveFile((await archive.get(key))!));
    for (const identifier of identifiers) if (holds(text, identifier)) places.push(`archive file ${key} (${identifier.what})`);
  }
  return { places, ledgerEntries, itemsScanned, archiveFiles: files.length };
};

export const identifiersOf = (subjects: ErasureSubjects) => Object.entries(subjects).flatMap(([what, value]) => (typeof value === 'string' ? [{ what, value }] : []));

export const checkErasure = async (options: {
  baseUrl: string;
  seed: SoakSeed;
  subjects: ErasureSubjects;
  outcomes: Awaited<ReturnType<typeof runErasures>>;
  crashesInjected: number;
  dataDir: string;
  /** What the processes logged since the erasures were asked for. */
  logsSince: string;
  backgroundIdle: () => Promise<void>;
  /** Places that held the identifiers before the erasure (whereStored). */
  storedBefore: number;
}): Promise<CheckResult> => {
  const failures: string[] = [];
  const identifiers = identifiersOf(options.subjects);
  if (identifiers.length === 0) failures.push('the traffic gave no browser or customer to erase');
  for (const outcome of options.outcomes) {
    if (outcome.status !== 202 || outcome.answer.status !== 'done') failures.push(`${outcome.subject} erasure: ${outcome.status} ${JSON.stringify(outcome.answer)}`);
  }
  if (options.crashesInjected < 1) failures.push('no erasure worker crash was injected');

  const stored = await whereStored(identifiers, options.dataDir);
  const where = [...stored.places];
  const exports = await exportsNow(options.baseUrl, options.seed, options.backgroundIdle);
  for (const [index, text] of exports.entries()) for (const identifier of identifiers) if (holds(text, identifier)) where.push(`export ${index} (${identifier.what})`);
  for (const identifier of identifiers) if (holds(options.logsSince, identifier)) where.push(`logs (${identifier.what})`);
  if (options.storedBefore === 0) failures.push('the identifiers were stored nowhere before the erasure: the scan proves nothing');
  failures.push(...where.map((place) => `an erased identifier is still in ${place}`));
  return {
    name: 'erasure: done despite a worker crash; the identifiers gone from tables (but the ledger), archive, new exports and logs',
    figures: {
      erased: options.outcomes.map((o) => `${o.subject}:${JSON.stringify(o.answer.erased ?? {})}`).join(' '),
      workerCrashesInjected: options.crashesInjected,
      placesBefore: options.storedBefore,
      itemsScanned: stored.itemsScanned,
      archiveFiles: stored.archiveFiles,
      exportsRead: exports.length,
      ledgerEntriesKept: stored.ledgerEntries,
    },
    failures,
  };
};
