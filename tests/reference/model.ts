/**
 * The reference model: what the attribution tables must say, computed from the ground-truth log
 * of what a test sent, written from `../shared/SPEC.md` sections 4, 6 and 7 alone. It imports
 * nothing from `shared/` or `functions/` (the dependency rule in `.dependency-cruiser.cjs` fails
 * the build if it does), so a bug in the product cannot hide in a shared helper. It is slow and
 * plain on purpose: every rule below is one readable statement of the spec, in floating point,
 * with no rounding, coalescing or sharding. Where the spec leaves a choice open, the choice is the
 * one `docs/api.md` documents, and the comment says so.
 */

export const models = ['last_click', 'first_click', 'linear', 'time_decay', 'position_based'] as const;
export type Model = (typeof models)[number];

export type RequestClass = 'human' | 'preview' | 'scanner' | 'crawler' | 'head';

export interface CampaignTruth {
  campaignId: string;
  lookbackDays: number;
}

export interface AdvocateTruth {
  advocateId: string;
  department?: string;
}

export interface LinkTruth {
  slug: string;
  campaignId: string;
  advocateId: string;
  channel: string;
}

/**
 * What a request to a short link told of its viewer, as the test sent it: the country header the
 * CDN would add, the `Referer`, and the device class, browser and OS of its user agent as
 * docs/api.md spells them (the test plan keeps them in a table of the user agents it sends).
 */
export interface ViewerSent {
  country?: string;
  referer?: string;
  device: string;
  browser: string;
  os: string;
}

/** One request to a short link, as the test sent it. */
export interface ClickSent {
  kind: 'click';
  /** Absent: the request told nothing (every breakdown row `unknown`). */
  viewer?: ViewerSent;
  /** Epoch ms of the request (the test's moved clock). */
  at: number;
  slug: string;
  requestClass: RequestClass;
  /** The browser that sent it: the same value means the same visitor (it kept its cookies). */
  visitor?: string;
  /** The `eaclid` the redirect answered with (humans on tracked links only). */
  clickId?: string;
  /** False when the link was disabled (or its campaign archived) at the time: nothing is recorded. */
  tracked: boolean;
  /**
   * The visitor's recent clicks may have been unreadable (the database was down): the product
   * then counts the click as unique rather than lose a first visit (docs/architecture.md), so
   * the click may count as unique whatever the 24-hour rule says.
   */
  historyUnreadable?: boolean;
}

/** One conversion webhook, as the test sent it. */
export interface ConversionSent {
  kind: 'conversion';
  /** Epoch ms when it reached the system (the moved clock at sending). */
  receivedAt: number;
  /** The sender's own `occurredAt`, epoch ms. */
  occurredAt: number;
  conversionId: string;
  clickId?: string;
  /** The visitor whose `visitorId` the sender named. */
  visitor?: string;
  customerId?: string;
  value?: { amount: string; currency: string };
  /**
   * Spec 13: refunds of this conversion (each counted once, in its currency). The refunded
   * revenue leaves the touches the conversion credited, in the same shares; the count stays.
   */
  refunds?: Array<{ amount: string }>;
}

/**
 * Spec 15: an advocate started a share (POST /v1/shares), as the test sent it: answered with the
 * system's clock at `at`. Counted when its campaign was active (an archived campaign's share is
 * refused) and within the flood cap.
 */
export interface ShareSent {
  kind: 'share';
  /** Epoch ms the system received it (the moved clock). */
  at: number;
  campaignId: string;
  advocateId: string;
  channel: string;
  /** False when the campaign was archived then: refused, nothing recorded. */
  campaignActive: boolean;
}

export type Sent = ClickSent | ConversionSent | ShareSent;

export interface History {
  campaigns: CampaignTruth[];
  advocates: AdvocateTruth[];
  links: LinkTruth[];
  /** In the order the system received them. */
  events: Sent[];
}

export const groupings = ['advocate', 'link', 'channel', 'day', 'department', 'country', 'device', 'browser', 'os', 'referrer'] as const;
export type Grouping = (typeof groupings)[number];

/** The numbers of one attribution row (or of a campaign's totals), exact, in floating point. */
export interface ExpectedNumbers {
  /** Spec 15: shares counted (a share has an advocate, a channel, a department and a day; no link, no viewer). */
  shares: number;
  clicks: number;
  uniqueClicks: number;
  /** `uniqueClicks` counting the clicks whose history may have been unreadable as unique. */
  uniqueClicksAtMost: number;
  botClicks: number;
  conversions: Record<Model, number>;
  /** Per model, per currency, in the currency's major unit. */
  revenue: Record<Model, Record<string, number>>;
  /** Conversion credits that landed here (a bound on the rounding a stored row may carry). */
  creditEntries: number;
  /** Revenue apportionments that landed here: a credit, and each refund of it, rounds once. */
  revenueRoundings: number;
}

export interface DayRange {
  /** `YYYY-MM-DD`, inclusive; undefined: open. */
  from?: string;
  to?: string;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Spec 4: unique when the visitor did not click the same link in the previous 24 hours. */
const UNIQUE_WINDOW_MS = DAY_MS;
/** Spec 6: a click recorded up to 60 s after `occurredAt` still counts. */
const SENDER_CLOCK_TOLERANCE_MS = 60_000;
/**
 * A documented product limit (docs/api.md): a conversion is credited to at most 8 touches — the
 * first, the one its click id names, and the latest ones.
 */
export const MAX_TOUCHES = 8;
/** docs/api.md: clicks of an advocate without a department are grouped under this key. */
export const NO_DEPARTMENT = 'unassigned';
/**
 * docs/api.md (a product limit the spec leaves open): an advocate's shares are counted up to 20
 * per UTC minute; the ones past it are refused and not counted.
 */
export const SHARES_PER_ADVOCATE_MINUTE = 20;
/** Spec 7: the breakdown row of clicks that recorded no country, device, browser, OS or referrer. */
export const UNKNOWN = 'unknown';

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface HumanClick {
  clickId: string;
  at: number;
  visitor: string;
  link: LinkTruth;
  department?: string;
  viewer?: ViewerSent;
  lookbackDays: number;
  unique: boolean;
  /** Unique, or recorded while the visitor's history may have been unreadable. */
  mayCountUnique: boolean;
}

interface Credit {
  touch: HumanClick;
  share: number;
}

interface CreditedConversion {
  occurredAt: number;
  /** What is left of the amount after its refunds. */
  value?: { amount: number; currency: string };
  refunds: number;
  credits: Record<Model, Credit[]>;
}

/** Everything the spec says follows from a history; reports are read from it. */
export interface Expected {
  history: History;
  humanClicks: HumanClick[];
  botClicks: Array<{ at: number; link: LinkTruth; department?: string; viewer?: ViewerSent }>;
  conversions: CreditedConversion[];
  unattributed: number;
  shares: Array<{ at: number; campaignId: string; advocateId: string; channel: string; department?: string }>;
}

const indexBy = <T, K>(items: readonly T[], key: (item: T) => K): Map<K, T> => new Map(items.map((item) => [key(item), item]));

/** Spec 6: the share of each touch (oldest first) under a model; shares sum to 1. */
export const sharesOf = (model: Model, touchTimes: readonly number[], occurredAt: number): number[] => {
  const n = touchTimes.length;
  let weights: number[];
  switch (model) {
    case 'last_click':
      weights = touchTimes.map((_, i) => (i === n - 1 ? 1 : 0));
      break;
    case 'first_click':
      weights = touchTimes.map((_, i) => (i === 0 ? 1 : 0));
      break;
    case 'linear':
      weights = touchTimes.map(() => 1);
      break;
    case 'time_decay':
      weights = touchTimes.map((at) => 2 ** (-(occurredAt - at) / WEEK_MS));
      break;
    case 'position_based':
      if (n === 1) weights = [1];
      else if (n === 2) weights = [0.5, 0.5];
      else weights = touchTimes.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)));
      break;
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
};

/** At most MAX_TOUCHES: the first, the named one, then the latest (touches are oldest first). */
const limitTouches = (touches: HumanClick[], named?: HumanClick): HumanClick[] => {
  if (touches.length <= MAX_TOUCHES) return touches;
  const kept = new Set<HumanClick>([touches[0]]);
  if (named && touches.includes(named)) kept.add(named);
  for (let i = touches.length - 1; kept.size < MAX_TOUCHES; i--) kept.add(touches[i]);
  return touches.filter((touch) => kept.has(touch));
};

export const expectedOf = (history: History): Expected => {
  const campaigns = indexBy(history.campaigns, (c) => c.campaignId);
  const advocates = indexBy(history.advocates, (a) => a.advocateId);
  const links = indexBy(history.links, (l) => l.slug);
  const linkOf = (slug: string) => {
    const link = links.get(slug);
    if (!link) throw new Error(`The history clicks an unknown link ${slug}`);
    return link;
  };

  // Spec 4: only tracked human clicks are clicks; every other tracked request counts apart.
  const humanClicks: HumanClick[] = [];
  const botClicks: Expected['botClicks'] = [];
  for (const event of history.events) {
    if (event.kind !== 'click' || !event.tracked) continue;
    const link = linkOf(event.slug);
    const department = advocates.get(link.advocateId)?.department;
    if (event.requestClass !== 'human') {
      botClicks.push({ at: event.at, link, department, viewer: event.viewer });
      continue;
    }
    if (!event.visitor || !event.clickId) throw new Error('A tracked human click needs its visitor and click id');
    const visitor = event.visitor;
    const unique = !humanClicks.some(
      (earlier) => earlier.visitor === visitor && earlier.link.slug === link.slug && earlier.at > event.at - UNIQUE_WINDOW_MS && earlier.at <= event.at,
    );
    const lookbackDays = campaigns.get(link.campaignId)?.lookbackDays;
    if (!lookbackDays) throw new Error(`The history names an unknown campaign ${link.campaignId}`);
    const mayCountUnique = unique || event.historyUnreadable === true;
    humanClicks.push({ clickId: event.clickId, at: event.at, visitor, link, department, viewer: event.viewer, lookbackDays, unique, mayCountUnique });
  }
  const clickById = indexBy(humanClicks, (c) => c.clickId);

  // Spec 5 and 6, conversion by conversion in the order they arrived.
  const seenConversionIds = new Set<string>();
  const customerPaths = new Map<string, HumanClick[]>();
  const conversions: CreditedConversion[] = [];
  let unattributed = 0;
  for (const event of history.events) {
    if (event.kind !== 'conversion' || seenConversionIds.has(event.conversionId)) continue;
    seenConversionIds.add(event.conversionId);
    /** Recorded no later than 60 s after occurredAt, and never after the conversion reached us. */
    const inTime = (click: HumanClick) =>
      click.at <= event.occurredAt + SENDER_CLOCK_TOLERANCE_MS && click.at <= event.receivedAt;
    const inLookback = (click: HumanClick) => click.at > event.occurredAt - click.lookbackDays * DAY_MS;

    const named = event.clickId ? clickById.get(event.clickId) : undefined;
    let touches: HumanClick[];
    let fixesPath = false;
    if (named) {
      // The click named by clickId always counts; its visitor's other clicks as any other.
      touches = humanClicks.filter((c) => c === named || (c.visitor === named.visitor && inTime(c) && inLookback(c)));
      fixesPath = true;
    } else if (event.customerId && customerPaths.has(event.customerId)) {
      // A later conversion of the customer goes to the remembered touches (no lookback: months later).
      touches = customerPaths.get(event.customerId)!.filter(inTime);
    } else if (event.visitor) {
      touches = humanClicks.filter((c) => c.visitor === event.visitor && inTime(c) && inLookback(c));
      fixesPath = true;
    } else {
      touches = [];
    }
    touches = limitTouches(
      [...touches].sort((a, b) => a.at - b.at || (a.clickId < b.clickId ? -1 : a.clickId > b.clickId ? 1 : 0)),
      named,
    );
    if (touches.length === 0) {
      unattributed++;
      continue;
    }
    if (fixesPath && event.customerId && !customerPaths.has(event.customerId)) customerPaths.set(event.customerId, touches);

    const credits = {} as Record<Model, Credit[]>;
    for (const model of models) {
      const shares = sharesOf(model, touches.map((t) => t.at), event.occurredAt);
      credits[model] = touches.map((touch, i) => ({ touch, share: shares[i] }));
    }
    conversions.push({
      occurredAt: event.occurredAt,
      ...(event.value
        ? { value: { amount: Number(event.value.amount) - (event.refunds ?? []).reduce((sum, refund) => sum + Number(refund.amount), 0), currency: event.value.currency } }
        : {}),
      refunds: event.refunds?.length ?? 0,
      credits,
    });
  }
  // Spec 15: shares of active campaigns, each advocate's first SHARES_PER_ADVOCATE_MINUTE of a UTC minute.
  const sharesInMinute = new Map<string, number>();
  const shares: Expected['shares'] = [];
  for (const event of history.events) {
    if (event.kind !== 'share' || !event.campaignActive) continue;
    const minute = `${event.advocateId}/${Math.floor(event.at / 60_000)}`;
    const taken = sharesInMinute.get(minute) ?? 0;
    if (taken >= SHARES_PER_ADVOCATE_MINUTE) continue;
    sharesInMinute.set(minute, taken + 1);
    shares.push({ at: event.at, campaignId: event.campaignId, advocateId: event.advocateId, channel: event.channel, department: advocates.get(event.advocateId)?.department });
  }
  return { history, humanClicks, botClicks, conversions, unattributed, shares };
};

const emptyNumbers = (): ExpectedNumbers => ({
  shares: 0,
  clicks: 0,
  uniqueClicks: 0,
  uniqueClicksAtMost: 0,
  botClicks: 0,
  conversions: Object.fromEntries(models.map((m) => [m, 0])) as Record<Model, number>,
  revenue: Object.fromEntries(models.map((m) => [m, {}])) as Record<Model, Record<string, number>>,
  creditEntries: 0,
  revenueRoundings: 0,
});

const inRange = (day: string, range: DayRange) => (!range.from || day >= range.from) && (!range.to || day <= range.to);

/**
 * Spec 7: a campaign's totals and its rows grouped by `grouping`, over `range`. Clicks count on
 * their own UTC day; a conversion counts on the UTC day of its `occurredAt` (docs/api.md), in the
 * rows of the clicks it was credited to (advocate, link, channel, department of each touch, and
 * what each touch told of its viewer).
 */
export const report = (
  expected: Expected,
  campaignId: string,
  grouping: Grouping,
  range: DayRange = {},
): { totals: ExpectedNumbers; rows: Map<string, ExpectedNumbers> } => {
  const totals = emptyNumbers();
  const rows = new Map<string, ExpectedNumbers>();
  const rowOf = (key: string) => {
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyNumbers()));
    return row;
  };
  /** Spec 7: the host of the referrer, `unknown` without one (or with one that is no URL). */
  const hostOf = (referer: string | undefined): string => {
    if (!referer) return UNKNOWN;
    try {
      return new URL(referer).hostname || UNKNOWN;
    } catch {
      return UNKNOWN;
    }
  };
  const keyOf = (link: LinkTruth, department: string | undefined, day: string, viewer: ViewerSent | undefined): string => {
    switch (grouping) {
      case 'advocate':
        return link.advocateId;
      case 'link':
        return link.slug;
      case 'channel':
        return link.channel;
      case 'department':
        return department ?? NO_DEPARTMENT;
      case 'day':
        return day;
      case 'country':
        return viewer?.country ?? UNKNOWN;
      case 'device':
        return viewer?.device ?? UNKNOWN;
      case 'browser':
        return viewer?.browser ?? UNKNOWN;
      case 'os':
        return viewer?.os ?? UNKNOWN;
      case 'referrer':
        return hostOf(viewer?.referer);
    }
  };

  for (const click of expected.humanClicks) {
    const day = utcDay(click.at);
    if (click.link.campaignId !== campaignId || !inRange(day, range)) continue;
    for (const numbers of [totals, rowOf(keyOf(click.link, click.department, day, click.viewer))]) {
      numbers.clicks++;
      if (click.unique) numbers.uniqueClicks++;
      if (click.mayCountUnique) numbers.uniqueClicksAtMost++;
    }
  }
  // A share has no link and no viewer: it is in the totals and the advocate, channel, department
  // and day rows only (docs/api.md).
  for (const share of expected.shares) {
    const day = utcDay(share.at);
    if (share.campaignId !== campaignId || !inRange(day, range)) continue;
    totals.shares++;
    const key =
      grouping === 'advocate' ? share.advocateId : grouping === 'channel' ? share.channel : grouping === 'department' ? (share.department ?? NO_DEPARTMENT) : grouping === 'day' ? day : undefined;
    if (key !== undefined) rowOf(key).shares++;
  }
  for (const bot of expected.botClicks) {
    const day = utcDay(bot.at);
    if (bot.link.campaignId !== campaignId || !inRange(day, range)) continue;
    for (const numbers of [totals, rowOf(keyOf(bot.link, bot.department, day, bot.viewer))]) numbers.botClicks++;
  }
  for (const conversion of expected.conversions) {
    const day = utcDay(conversion.occurredAt);
    if (!inRange(day, range)) continue;
    for (const model of models) {
      for (const { touch, share } of conversion.credits[model]) {
        if (touch.link.campaignId !== campaignId) continue;
        for (const numbers of [totals, rowOf(keyOf(touch.link, touch.department, day, touch.viewer))]) {
          numbers.conversions[model] += share;
          // Every touch has an entry under every model: count them once.
          if (model === models[0]) {
            numbers.creditEntries++;
            numbers.revenueRoundings += 1 + conversion.refunds;
          }
          if (conversion.value) {
            const { currency, amount } = conversion.value;
            numbers.revenue[model][currency] = (numbers.revenue[model][currency] ?? 0) + amount * share;
          }
        }
      }
    }
  }
  return { totals, rows };
};

/** Spec 4 and 8: a link's own counters (all time). */
export const linkStats = (expected: Expected, slug: string) => ({
  clicks: expected.humanClicks.filter((c) => c.link.slug === slug).length,
  uniqueClicks: expected.humanClicks.filter((c) => c.link.slug === slug && c.unique).length,
  uniqueClicksAtMost: expected.humanClicks.filter((c) => c.link.slug === slug && c.mayCountUnique).length,
  botClicks: expected.botClicks.filter((b) => b.link.slug === slug).length,
});
