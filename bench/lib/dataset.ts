/**
 * The benchmark's workload, generated from a seed: an organization's campaigns, advocates and
 * links (with a power-law link popularity), and click and conversion events shaped exactly as
 * the product writes them (functions/redirect.ts, shared/adapters/conversions.ts).
 *
 * Pure: no database access. bench/lib/world.ts seeds the entities and fills in the slugs.
 */
import { hotClickRetentionDays, rawEventRetentionDays } from '../../shared/settings.js';
import { conversionEventId } from '../../shared/adapters/conversions.js';
import { eventKeys } from '../../shared/adapters/keys.js';
import type { Channel } from '../../shared/domain/channels.js';
import { visitorClickId } from '../../shared/domain/click-id.js';
import { clickIdTimeMs, newVisitorId } from '../../shared/domain/ids.js';
import { UNIQUE_WINDOW_MS } from '../../shared/domain/unique-click.js';
import { pick, randomInt, seededRandom, shuffle, weightedSampler, zipfWeights, type Random } from './random.js';

// ---------------------------------------------------------------------------------------------
// The organization's structure.

export interface CampaignSpec {
  index: number;
  name: string;
  /** Filled in when seeded. */
  campaignId?: string;
}

export interface AdvocateSpec {
  advocateId: string;
  displayName: string;
  department?: string;
}

export interface LinkSpec {
  campaign: number;
  advocateId: string;
  channel: Channel;
  department?: string;
  /** Relative popularity (Zipf by a random rank). */
  weight: number;
  /** Filled in when seeded. */
  slug?: string;
}

export interface StructureOptions {
  seed: number;
  campaigns: number;
  advocates: number;
  /** Zipf exponent of link popularity. */
  linkPopularityExponent: number;
}

export interface Structure {
  campaigns: CampaignSpec[];
  advocates: AdvocateSpec[];
  links: LinkSpec[];
}

const channelWeights: Array<[Channel, number]> = [
  ['linkedin', 40],
  ['x', 12],
  ['email', 12],
  ['whatsapp', 8],
  ['facebook', 6],
  ['slack', 5],
  ['teams', 5],
  ['xing', 4],
  ['instagram', 3],
  ['sms', 2],
  ['qr', 2],
  ['other', 1],
];

const departments = ['Sales', 'Engineering', 'Marketing', 'Support', 'Finance', 'People'];

/**
 * Advocates join 1–6 campaigns (most join one or two; popular campaigns attract more) and share
 * each on 1–3 channels; every (campaign, advocate, channel) is one link.
 */
export const generateStructure = (options: StructureOptions): Structure => {
  const random = seededRandom(options.seed);
  const campaigns: CampaignSpec[] = Array.from({ length: options.campaigns }, (_, index) => ({
    index,
    name: `Bench campaign ${index + 1}`,
  }));
  const advocates: AdvocateSpec[] = Array.from({ length: options.advocates }, (_, i) => ({
    advocateId: `emp-${String(i + 1).padStart(5, '0')}`,
    displayName: `Employee ${i + 1}`,
    ...(random() < 0.9 ? { department: pick(random, departments) } : {}),
  }));
  const campaignSampler = weightedSampler(random, zipfWeights(options.campaigns, 0.8));
  const channelSampler = weightedSampler(random, channelWeights.map(([, weight]) => weight));
  const membershipSampler = weightedSampler(random, [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6]);

  const links: LinkSpec[] = [];
  for (const advocate of advocates) {
    const wanted = Math.min(options.campaigns, membershipSampler() + 1);
    const joined = new Set<number>();
    while (joined.size < wanted) joined.add(campaignSampler());
    for (const campaign of joined) {
      const channelCount = 1 + (random() < 0.5 ? 1 : 0) + (random() < 0.2 ? 1 : 0);
      const chosen = new Set<Channel>();
      while (chosen.size < channelCount) chosen.add(channelWeights[channelSampler()][0]);
      for (const channel of chosen) {
        links.push({ campaign, advocateId: advocate.advocateId, channel, department: advocate.department, weight: 0 });
      }
    }
  }
  const ranks = shuffle(random, links.map((_, i) => i));
  const weights = zipfWeights(links.length, options.linkPopularityExponent);
  ranks.forEach((linkIndex, rank) => (links[linkIndex].weight = weights[rank]));
  return { campaigns, advocates, links };
};

// ---------------------------------------------------------------------------------------------
// Events.

export interface SeededLink {
  slug: string;
  orgId: string;
  campaignId: string;
  advocateId: string;
  channel: string;
  department?: string;
  weight: number;
}

export const browserUserAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
];

/** Coarse device facts the redirect stores, for the user agents above (same order). */
const browserFacts = [
  { device: 'desktop', browser: 'Chrome', os: 'Windows' },
  { device: 'mobile', browser: 'Mobile Safari', os: 'iOS' },
  { device: 'desktop', browser: 'Safari', os: 'Mac OS' },
  { device: 'mobile', browser: 'Chrome', os: 'Android' },
  { device: 'desktop', browser: 'Firefox', os: 'Windows' },
  { device: 'desktop', browser: 'Edge', os: 'Windows' },
  { device: 'mobile', browser: 'Samsung Internet', os: 'Android' },
  { device: 'tablet', browser: 'Mobile Safari', os: 'iOS' },
];

/**
 * Where clicks come from, as one company's campaign sees it: mostly its home country and LinkedIn,
 * a tail of others, some with none (no CDN header, no `Referer`). Picked by the visitor (a visitor
 * keeps its country) and by the click (referrers vary), from their ids, so a seed gives the same
 * spread every run. The breakdown rows' write amplification depends on how spread these are.
 */
const countries = ['DE', 'DE', 'DE', 'DE', 'DE', 'DE', 'FR', 'FR', 'US', 'US', 'GB', 'NL', 'AT', 'CH', 'ES', 'IT', 'PL', 'SE', 'IN', undefined];
const referrerHosts = [
  'www.linkedin.com', 'www.linkedin.com', 'www.linkedin.com', 'www.linkedin.com', 'lnkd.in', 'lnkd.in', 't.co', 'www.facebook.com',
  'l.instagram.com', 'mail.google.com', 'outlook.office.com', 'teams.microsoft.com', 'www.xing.com', undefined, undefined, undefined,
];
const pickBy = <T>(id: string, list: readonly T[]): T => {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) >>> 0;
  return list[hash % list.length];
};

const botKinds = [
  { botClass: 'preview', share: 0.6 },
  { botClass: 'crawler', share: 0.3 },
  { botClass: 'scanner', share: 0.1 },
];

export interface VisitorClick {
  slugIndex: number;
  visitorId: string;
  /** 0 for the visitor's first click: later ones carry the visitor's cookie. */
  ordinal: number;
  userAgent: number;
}

/**
 * Human visits: each visitor clicks 1–5 times; a later click revisits the same link half of the
 * time, else follows another link drawn by popularity.
 */
export const generateVisits = (seed: number, links: readonly { weight: number }[], clicks: number): VisitorClick[] => {
  const random = seededRandom(seed);
  const linkSampler = weightedSampler(random, links.map((link) => link.weight));
  const visits: VisitorClick[] = [];
  while (visits.length < clicks) {
    const visitorId = newVisitorId();
    const count = Math.min(randomInt(random, 1, 5), clicks - visits.length);
    const userAgent = Math.floor(random() * browserUserAgents.length);
    let slugIndex = linkSampler();
    for (let ordinal = 0; ordinal < count; ordinal++) {
      if (ordinal > 0 && random() >= 0.5) slugIndex = linkSampler();
      visits.push({ slugIndex, visitorId, ordinal, userAgent });
    }
  }
  return visits;
};

export type RawItem = Record<string, unknown> & { pk: string; sk: string; type: 'click' | 'conversion'; eventId: string };

export interface EventsOptions {
  seed: number;
  /** Click events, bots included. */
  clicks: number;
  conversions: number;
  /** Share of clicks from bots (previews, crawlers, scanners). */
  botShare: number;
  /** Events' times spread over this window, ending at `endMs`. */
  spanMs: number;
  endMs: number;
  sourceId: string;
}

export interface GeneratedEvents {
  /** In time order: the order they are written (and so reach the stream). */
  items: RawItem[];
  clicks: number;
  humanClicks: number;
  conversions: number;
}

const retentionSeconds = rawEventRetentionDays * 24 * 60 * 60;
const clickRetentionSeconds = hotClickRetentionDays * 24 * 60 * 60;

const CROCKFORD32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A click id (the product's layout: 10 characters of millisecond time, 16 random, Crockford
 * base32) for any time. The product's generator is monotonic per process, right for a server but
 * not for data spread over past days.
 */
export const clickIdAt = (ms: number): string => {
  let time = '';
  for (let rest = ms, i = 0; i < 10; i++, rest = Math.floor(rest / 32)) time = CROCKFORD32[rest % 32] + time;
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD32[Math.floor(Math.random() * 32)];
  return time + random;
};

/**
 * A click item as functions/redirect.ts writes it. Built with one fixed shape (absent fields are
 * `undefined`, dropped by the marshaller): 110 000 objects built with conditional spreads take
 * seconds and four times the memory.
 */
export const clickItem = (
  link: SeededLink,
  atMs: number,
  visitor: { visitorId: string; unique: boolean; userAgent: number } | undefined,
  botClass: string,
): RawItem => {
  // As the redirect does: the click's time is the one its id encodes.
  const timeId = clickIdAt(atMs);
  const clickId = visitorClickId(timeId, visitor?.visitorId);
  const clickMs = clickIdTimeMs(timeId);
  const at = new Date(clickMs).toISOString();
  const facts = visitor ? browserFacts[visitor.userAgent] : { device: 'other', browser: 'Other', os: 'Other' };
  const keys = visitor ? eventKeys.visitorClick(visitor.visitorId, at, clickId) : eventKeys.anonymousClick(at, clickId);
  return {
    pk: keys.pk,
    sk: keys.sk,
    type: 'click',
    eventId: clickId,
    clickId,
    orgId: link.orgId,
    campaignId: link.campaignId,
    slug: link.slug,
    advocateId: link.advocateId,
    channel: link.channel,
    department: link.department,
    at,
    visitorId: visitor?.visitorId,
    unique: visitor?.unique ?? false,
    botClass,
    device: facts.device,
    browser: facts.browser,
    os: facts.os,
    country: pickBy(visitor?.visitorId ?? clickId, countries),
    referrerHost: visitor ? pickBy(clickId, referrerHosts) : undefined,
    gsi1pk: eventKeys.campaignIndex(link.orgId, link.campaignId, clickId),
    gsi1sk: eventKeys.campaignIndexSort(at, clickId),
    expiresAt: Math.floor(clickMs / 1000) + clickRetentionSeconds,
  };
};

const conversionItem = (
  orgId: string,
  sourceId: string,
  /** Keeps conversion ids of different generations apart (the id is the event's key). */
  seedTag: number,
  n: number,
  occurredMs: number,
  random: Random,
  reference: { clickId?: string; visitorId?: string; customerId?: string },
): RawItem => {
  const conversionId = `order-${seedTag}-${String(n).padStart(6, '0')}`;
  const eventId = conversionEventId(orgId, conversionId);
  const occurredAt = new Date(occurredMs).toISOString();
  const draw = random();
  const kind = draw < 0.4 ? 'lead' : draw < 0.65 ? 'signup' : 'purchase';
  const value =
    kind === 'purchase'
      ? { amount: (randomInt(random, 1000, 50_000) / 100).toFixed(2), currency: random() < 0.7 ? 'EUR' : 'USD' }
      : undefined;
  const keys = eventKeys.conversion(orgId, conversionId);
  return {
    pk: keys.pk,
    sk: keys.sk,
    type: 'conversion',
    eventId,
    orgId,
    sourceId,
    webhookId: `msg_${conversionId}`,
    conversionId,
    kind,
    occurredAt,
    receivedAt: occurredAt,
    value,
    clickId: reference.clickId,
    visitorId: reference.visitorId,
    customerId: reference.customerId,
    gsi1pk: eventKeys.conversionIndex(orgId),
    gsi1sk: eventKeys.campaignIndexSort(occurredAt, eventId),
    expiresAt: Math.floor(occurredMs / 1000) + retentionSeconds,
  };
};

/**
 * Clicks (humans in 1–5-click visits, plus bots) and conversions that reference those visits the
 * ways senders do: by click id, by visitor id, by a customer id (first time with a click id, later
 * alone: a remembered path), or by nothing (unattributed).
 */
export const generateEvents = (links: readonly SeededLink[], options: EventsOptions): GeneratedEvents => {
  const random = seededRandom(options.seed);
  const humanClicks = Math.round(options.clicks * (1 - options.botShare));
  const visits = generateVisits(options.seed + 1, links, humanClicks);
  const start = options.endMs - options.spanMs;

  // Times: a visit starts anywhere in the window; later clicks follow within minutes.
  const timed: Array<{ atMs: number; item?: RawItem; visit?: VisitorClick; botClass?: string; slugIndex: number }> = [];
  let visitStart = 0;
  for (const visit of visits) {
    if (visit.ordinal === 0) visitStart = start + random() * options.spanMs * 0.95;
    else visitStart = Math.min(options.endMs - 1, visitStart + 1000 + random() * 15 * 60_000);
    timed.push({ atMs: Math.floor(visitStart), visit, slugIndex: visit.slugIndex });
  }
  const linkSampler = weightedSampler(random, links.map((link) => link.weight));
  const botSampler = weightedSampler(random, botKinds.map((kind) => kind.share));
  for (let i = humanClicks; i < options.clicks; i++) {
    timed.push({ atMs: Math.floor(start + random() * options.spanMs), botClass: botKinds[botSampler()].botClass, slugIndex: linkSampler() });
  }
  timed.sort((a, b) => a.atMs - b.atMs);

  // Unique: the visitor did not click the same link in the previous 24 hours.
  const lastClickOf = new Map<string, number>();
  const lastVisitClick = new Map<string, { clickId: string; atMs: number }>();
  const items: Array<{ atMs: number; item: RawItem }> = [];
  for (const entry of timed) {
    const link = links[entry.slugIndex];
    if (entry.visit) {
      const key = `${entry.visit.visitorId}\u0000${link.slug}`;
      const previous = lastClickOf.get(key);
      const unique = previous === undefined || entry.atMs - previous >= UNIQUE_WINDOW_MS;
      lastClickOf.set(key, entry.atMs);
      const item = clickItem(link, entry.atMs, { visitorId: entry.visit.visitorId, unique, userAgent: entry.visit.userAgent }, 'human');
      lastVisitClick.set(entry.visit.visitorId, { clickId: String(item.clickId), atMs: entry.atMs });
      items.push({ atMs: entry.atMs, item });
    } else {
      items.push({ atMs: entry.atMs, item: clickItem(link, entry.atMs, undefined, entry.botClass!) });
    }
  }

  // Conversions follow a converting visitor's last click by 1–20 minutes.
  const visitors = shuffle(random, [...lastVisitClick.keys()]);
  const orgId = links[0].orgId;
  const customers: Array<{ customerId: string; atMs: number }> = [];
  for (let n = 0; n < options.conversions; n++) {
    const visitorId = visitors[n % visitors.length];
    const last = lastVisitClick.get(visitorId)!;
    const occurredMs = Math.min(options.endMs, last.atMs + 60_000 + random() * 19 * 60_000);
    const draw = random();
    let reference: { clickId?: string; visitorId?: string; customerId?: string };
    if (draw < 0.55) reference = { clickId: last.clickId };
    else if (draw < 0.8) reference = { visitorId };
    else if (draw < 0.9) {
      const customerId = `crm-${n}`;
      customers.push({ customerId, atMs: occurredMs });
      reference = { clickId: last.clickId, customerId };
    } else if (draw < 0.95 && customers.length > 0) {
      // A later conversion of a known customer, without a click: the remembered path.
      const customer = pick(random, customers);
      reference = { customerId: customer.customerId };
      items.push({ atMs: Math.max(occurredMs, customer.atMs + 1000), item: conversionItem(orgId, options.sourceId, options.seed, n, Math.max(occurredMs, customer.atMs + 1000), random, reference) });
      continue;
    } else reference = {};
    items.push({ atMs: occurredMs, item: conversionItem(orgId, options.sourceId, options.seed, n, occurredMs, random, reference) });
  }
  items.sort((a, b) => a.atMs - b.atMs);
  return {
    items: items.map((entry) => entry.item),
    clicks: options.clicks,
    humanClicks,
    conversions: options.conversions,
  };
};
