/**
 * The soak against the reference model (tests/reference/model.ts): every attribution answer of
 * every campaign, under every model and grouping, every link's stats and the unattributed count
 * must equal what the model computes from the soak's own record of what it did.
 *
 * The history fed to the model: conversions as the shop sent them (the ledger keeps each body),
 * each at the moment the system stored it; and the requests to short links that the system
 * recorded. Which requests were recorded is partly unknowable from outside — during the outage a
 * redirect answers without a click id whether or not its write went through, and a bot never sees
 * a click id — so clicks are taken from the raw events table and checked against the ledger:
 * every click id the traffic received is there with its link, and no link has more recorded
 * requests of a kind than the traffic sent. Unique flags, classes' counts, attribution, credit and
 * every sum are the model's own, from nothing but those facts — except that a click recorded
 * around the outage may count as unique (the redirect could not read the visitor's history and,
 * as documented, counts it unique rather than lose a first visit).
 */
import type { CheckResult } from './checks.js';
import type { Ledger } from './ledger.js';
import type { SoakSeed } from './seed.js';
import { expectedOf, type ClickSent, type ConversionSent, type History, type RequestClass, type ShareSent } from '../reference/model.js';
import { differencesFromModel, type Request } from '../differential/compare.js';

const requestOf =
  (baseUrl: string): Request =>
  async (method, path, options) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    });
    const text = await response.text();
    const body = /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body, text };
  };

const ledgerKind = (requestClass: RequestClass): 'human' | 'bot' | 'head' =>
  requestClass === 'human' ? 'human' : requestClass === 'head' ? 'head' : 'bot';

/** Around the outage, a redirect's read of the visitor's recent clicks may fail or time out. */
const OUTAGE_MARGIN_MS = 5_000;

export const checkAgainstModel = async (
  baseUrl: string,
  seed: SoakSeed,
  ledger: Ledger,
  events: Array<Record<string, unknown>>,
  outage: { startedAt: number; endedAt: number },
): Promise<CheckResult> => {
  const duringOutage = (at: number) => at >= outage.startedAt - OUTAGE_MARGIN_MS && at <= outage.endedAt + OUTAGE_MARGIN_MS;
  const request = requestOf(baseUrl);
  const failures: string[] = [];
  const get = async (path: string) => {
    const answer = await request('GET', path, { token: seed.adminKey });
    if (answer.status !== 200) throw new Error(`model check: GET ${path} answered ${answer.status}`);
    return answer.body;
  };

  const history: History = { campaigns: [], advocates: [], links: [], events: [] };
  for (const campaignId of seed.campaignIds) {
    history.campaigns.push({ campaignId, lookbackDays: (await get(`/v1/campaigns/${campaignId}`)).attribution.lookbackDays });
  }
  for (const advocateId of seed.advocateIds) {
    const { department } = await get(`/v1/advocates/${advocateId}`);
    history.advocates.push({ advocateId, ...(department ? { department } : {}) });
  }
  for (const slug of seed.slugs) {
    const { campaignId, advocateId, channel } = await get(`/v1/links/${slug}`);
    history.links.push({ slug, campaignId, advocateId, channel });
  }

  // Clicks the system recorded, checked against what the traffic saw.
  const known = new Set(seed.slugs);
  const clicks: ClickSent[] = events
    .filter((item) => item.type === 'click' && item.orgId === seed.orgId && known.has(String(item.slug)) && !Number.isNaN(Date.parse(String(item.at))))
    .map((item) => ({
      kind: 'click',
      at: Date.parse(String(item.at)),
      slug: String(item.slug),
      requestClass: item.botClass as RequestClass,
      tracked: true,
      ...(duringOutage(Date.parse(String(item.at))) ? { historyUnreadable: true } : {}),
      ...(item.visitorId ? { visitor: String(item.visitorId) } : {}),
      ...(item.botClass === 'human' ? { clickId: String(item.clickId) } : {}),
      // The breakdowns as the click recorded them (the traffic's own headers are not logged per click).
      viewer: {
        device: String(item.device ?? 'unknown'),
        browser: String(item.browser ?? 'unknown'),
        os: String(item.os ?? 'unknown'),
        ...(item.country ? { country: String(item.country) } : {}),
        ...(item.referrerHost ? { referer: `https://${String(item.referrerHost)}/` } : {}),
      },
    }));
  const storedIds = new Map(clicks.map((click) => [click.clickId, click]));
  for (const redirect of ledger.redirects) {
    if (!redirect.clickId) continue;
    const stored = storedIds.get(redirect.clickId);
    if (!stored || stored.slug !== redirect.slug) failures.push(`click ${redirect.clickId} of /${redirect.slug} is not recorded as the traffic saw it`);
  }
  const count = (items: Array<{ slug: string; kind: string }>) => {
    const counts = new Map<string, number>();
    for (const { slug, kind } of items) counts.set(`${slug} ${kind}`, (counts.get(`${slug} ${kind}`) ?? 0) + 1);
    return counts;
  };
  const sent = count(ledger.redirects);
  for (const [key, recorded] of count(clicks.map((c) => ({ slug: c.slug, kind: ledgerKind(c.requestClass) })))) {
    if (recorded > (sent.get(key) ?? 0)) failures.push(`${key}: ${recorded} recorded, only ${sent.get(key) ?? 0} sent`);
  }

  // Refunds as stored (each once), by conversion.
  const refundsOf = new Map<string, Array<{ amount: string }>>();
  for (const item of events) {
    if (item.type !== 'refund' || item.orgId !== seed.orgId) continue;
    const list = refundsOf.get(String(item.conversionId)) ?? [];
    list.push({ amount: String((item.value as { amount: string }).amount) });
    refundsOf.set(String(item.conversionId), list);
  }

  // Conversions as the shop sent them, at the moment the system stored them.
  const conversions: ConversionSent[] = [];
  for (const item of events) {
    if (item.type !== 'conversion' || item.orgId !== seed.orgId) continue;
    const data = ledger.conversionsSent.get(String(item.conversionId));
    if (!data) {
      failures.push(`conversion ${String(item.conversionId)} is stored but was never sent`);
      continue;
    }
    const value = data.value as ConversionSent['value'];
    conversions.push({
      kind: 'conversion',
      receivedAt: Date.parse(String(item.receivedAt)),
      occurredAt: Date.parse(String(data.occurredAt)),
      conversionId: String(data.conversionId),
      ...(data.clickId ? { clickId: String(data.clickId) } : {}),
      ...(data.visitorId ? { visitor: String(data.visitorId) } : {}),
      ...(data.customerId ? { customerId: String(data.customerId) } : {}),
      ...(value ? { value } : {}),
      ...(refundsOf.has(String(data.conversionId)) ? { refunds: refundsOf.get(String(data.conversionId)) } : {}),
    });
  }
  // Every share accepted (202 with its id) is stored; a stored share not known as accepted is one
  // whose answer was lost or failed (5xx or no answer, around the outage: the write may have
  // landed), never one refused with a 4xx (429 past the cap) — per advocate, at most as many.
  const shares: ShareSent[] = events
    .filter((item) => item.type === 'share' && item.orgId === seed.orgId)
    .map((item) => ({ kind: 'share', at: Date.parse(String(item.at)), campaignId: String(item.campaignId), advocateId: String(item.advocateId), channel: String(item.channel), campaignActive: true }));
  const storedShareIds = new Set(events.filter((item) => item.type === 'share' && item.orgId === seed.orgId).map((item) => String(item.shareId)));
  const acceptedShareIds = new Set(ledger.shares.flatMap((record) => (record.status === 202 && record.shareId ? [record.shareId] : [])));
  for (const shareId of acceptedShareIds) if (!storedShareIds.has(shareId)) failures.push(`share ${shareId} was accepted but is not stored`);
  const unknownOutcomes = new Map<string, number>();
  for (const record of ledger.shares) {
    if (record.status === 0 || record.status >= 500) unknownOutcomes.set(record.advocateId, (unknownOutcomes.get(record.advocateId) ?? 0) + 1);
  }
  const storedNotAccepted = new Map<string, number>();
  for (const item of events) {
    if (item.type !== 'share' || item.orgId !== seed.orgId || acceptedShareIds.has(String(item.shareId))) continue;
    storedNotAccepted.set(String(item.advocateId), (storedNotAccepted.get(String(item.advocateId)) ?? 0) + 1);
  }
  for (const [advocateId, stored] of storedNotAccepted) {
    const unknown = unknownOutcomes.get(advocateId) ?? 0;
    if (stored > unknown) failures.push(`${advocateId}: ${stored} shares stored without a 202, only ${unknown} answered 5xx or not at all`);
  }
  const momentOf = (event: ClickSent | ConversionSent | ShareSent) => (event.kind === 'conversion' ? event.receivedAt : event.at);
  history.events = [...clicks, ...conversions, ...shares].sort((a, b) => momentOf(a) - momentOf(b));

  const expected = expectedOf(history);
  if (expected.shares.length !== shares.length) failures.push(`${shares.length - expected.shares.length} stored shares are past the flood cap of the model`);
  const days = [...new Set(history.events.map((e) => new Date(e.kind === 'conversion' ? e.occurredAt : e.at).toISOString().slice(0, 10)))].sort();
  const differences = await differencesFromModel(request, { apiKey: seed.adminKey, campaignIds: seed.campaignIds, slugs: seed.slugs, days }, expected);
  failures.push(...differences.slice(0, 20));
  if (differences.length > 20) failures.push(`(${differences.length - 20} more differences)`);
  if (expected.humanClicks.length === 0 || expected.conversions.length === 0) failures.push('the model had nothing to compare: no clicks or no attributed conversions');

  return {
    name: 'reference model: every attribution answer equals the model computed from the traffic',
    figures: {
      humanClicks: expected.humanClicks.length,
      uniqueClicks: expected.humanClicks.filter((c) => c.unique).length,
      botClicks: expected.botClicks.length,
      attributedConversions: expected.conversions.length,
      shares: expected.shares.length,
      sharesRefusedPastCap: ledger.shares.filter((record) => record.status === 429).length,
      unattributedConversions: expected.unattributed,
      differences: differences.length,
    },
    failures,
  };
};
