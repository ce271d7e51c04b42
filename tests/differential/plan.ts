/**
 * Random histories for the differential tests, as plans of what a test will do: campaigns with
 * lookbacks, advocates, links, and a timeline of steps (clicks by returning and cookie-less
 * browsers, bots and HEAD requests, conversions named by click id, visitor or customer, duplicates,
 * links disabled) separated by gaps from a second to days, with gaps near the 24-hour and lookback
 * boundaries. The consumer's faults (crashes after part of a batch, batches delivered twice,
 * reordered records) are drawn from `faultSeed`.
 */
import fc from 'fast-check';
import { browserUserAgents } from '../support/client.js';
import type { RequestClass, ViewerSent } from '../reference/model.js';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Few browsers, so visitors come back and their paths cross campaigns. */
export const BROWSERS = 3;

export const channels = ['linkedin', 'x', 'email'] as const;
export const currencies = { EUR: 2, USD: 2, JPY: 0 } as const;
export type Currency = keyof typeof currencies;

/**
 * The user agents the player sends, per request class, with the device class, browser and OS
 * docs/api.md says a click records for each (the parser's names; agents it does not recognise,
 * bots among them, are `Other`). Written down here, not computed by the product's parser, so the
 * breakdown rows are checked against an independent statement.
 */
export const userAgents: Record<Exclude<RequestClass, 'head'>, Array<{ userAgent: string } & Omit<ViewerSent, 'country' | 'referer'>>> = {
  human: [
    { userAgent: browserUserAgents.chromeDesktop, device: 'desktop', browser: 'Chrome', os: 'Windows' },
    { userAgent: browserUserAgents.safariIphone, device: 'mobile', browser: 'Mobile Safari', os: 'iOS' },
  ],
  preview: [
    { userAgent: browserUserAgents.linkedInBot, device: 'other', browser: 'Other', os: 'Other' },
    { userAgent: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', device: 'other', browser: 'Other', os: 'Other' },
  ],
  scanner: [
    { userAgent: 'Barracuda Sentinel (EE)', device: 'other', browser: 'Other', os: 'Other' },
    { userAgent: 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)', device: 'other', browser: 'Other', os: 'Other' },
  ],
  crawler: [
    { userAgent: browserUserAgents.googlebot, device: 'other', browser: 'Other', os: 'Other' },
    { userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', device: 'other', browser: 'Other', os: 'Other' },
  ],
};

/** Who sends a click: a browser that keeps cookies, a cookie-less browser, a bot, or a HEAD request. */
export type Sender =
  | { kind: 'browser'; browser: number; clearsCookiesFirst: boolean }
  | { kind: 'cookieless' }
  | { kind: 'bot'; requestClass: 'preview' | 'scanner' | 'crawler' }
  | { kind: 'head'; browser: number };

export type ClickRef =
  | { kind: 'earlierClick'; pick: number }
  | { kind: 'unknownClickId' }
  | { kind: 'none' };

export interface ConversionStep {
  kind: 'conversion';
  /** A new conversion id, or the id of an earlier conversion sent again (a duplicate). */
  repeatOf?: number;
  clickRef: ClickRef;
  /** The visitor id of this browser (its current cookie), or none. */
  visitorOf?: number;
  customer?: number;
  /** The sender's clock: occurredAt = the moment of sending + this (ms). */
  occurredOffsetMs: number;
  /** Senders often drop milliseconds. */
  truncateToSecond: boolean;
  value?: { amount: string; currency: Currency };
}

/** What a click's request says besides its user agent: the CDN's country header, a `Referer`. */
export interface ClickOrigin {
  country?: string;
  referer?: string;
}

export type Step = { gapMs: number } & (
  | { kind: 'click'; link: number; sender: Sender; origin: ClickOrigin }
  | ConversionStep
  | { kind: 'disableLink'; link: number }
  /** Spec 15: an advocate started a share (recorded on its behalf by the organization's key). */
  | { kind: 'share'; campaign: number; advocate: number; channel: (typeof channels)[number] }
);

export interface Plan {
  campaigns: Array<{ lookbackDays: number }>;
  advocates: Array<{ department?: string }>;
  links: Array<{ campaign: number; advocate: number; channel: (typeof channels)[number] }>;
  steps: Step[];
  faultSeed: number;
}

const gapArbitrary = fc.oneof(
  // Within a minute: clicks right after a conversion, around the senders' 60-second tolerance.
  { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 90_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 90_000, max: 10 * 60_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: HOUR_MS, max: 30 * HOUR_MS }) },
  { weight: 1, arbitrary: fc.integer({ min: DAY_MS, max: 3 * DAY_MS }) },
  // Around the unique-click window and the lookbacks.
  { weight: 1, arbitrary: fc.constantFrom(DAY_MS - 30_000, DAY_MS + 30_000, 2 * DAY_MS - 30_000, 2 * DAY_MS + 30_000) },
);

const senderArbitrary: fc.Arbitrary<Sender> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('browser' as const),
      browser: fc.nat({ max: BROWSERS - 1 }),
      clearsCookiesFirst: fc.constant(false), // decided with the step (below)
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cookieless' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bot' as const), requestClass: fc.constantFrom('preview' as const, 'scanner' as const, 'crawler' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('head' as const), browser: fc.nat({ max: BROWSERS - 1 }) }) },
);

/** Countries and referrers, or none (then the breakdown row is `unknown`). */
const originArbitrary: fc.Arbitrary<ClickOrigin> = fc.record(
  {
    country: fc.constantFrom('FR', 'DE', 'US'),
    referer: fc.constantFrom('https://www.linkedin.com/feed/', 'https://t.co/x1Yz', 'android-app://com.slack/'),
  },
  { requiredKeys: [] },
);

const valueArbitrary = fc.option(
  fc.record({
    currency: fc.constantFrom<Currency>('EUR', 'USD', 'JPY'),
    units: fc.integer({ min: 1, max: 99_999 }),
  }).map(({ currency, units }) => ({
    currency,
    amount: currencies[currency] === 0 ? String(units) : `${Math.floor(units / 100)}.${String(units % 100).padStart(2, '0')}`,
  })),
  { nil: undefined },
);

const conversionArbitrary: fc.Arbitrary<ConversionStep> = fc.record(
  {
    kind: fc.constant('conversion' as const),
    repeatOf: fc.option(fc.nat(), { nil: undefined, freq: 6 }),
    clickRef: fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('earlierClick' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'unknownClickId' as const }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
    ),
    visitorOf: fc.option(fc.nat({ max: BROWSERS - 1 }), { nil: undefined }),
    customer: fc.option(fc.nat({ max: 2 }), { nil: undefined }),
    occurredOffsetMs: fc.constantFrom(
      -3 * DAY_MS,
      -2 * HOUR_MS,
      -61_000,
      -59_000,
      -1_000,
      0,
      30_000,
      59_000,
      61_000,
      4 * 60_000,
    ),
    truncateToSecond: fc.boolean(),
    value: valueArbitrary,
  },
  { requiredKeys: ['kind', 'clickRef', 'occurredOffsetMs', 'truncateToSecond'] },
);

const stepArbitrary: fc.Arbitrary<Step> = fc
  .tuple(
    gapArbitrary,
    fc.oneof(
      { weight: 12, arbitrary: fc.record({ kind: fc.constant('click' as const), link: fc.nat(), sender: senderArbitrary, origin: originArbitrary }) },
      { weight: 4, arbitrary: conversionArbitrary },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('disableLink' as const), link: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('share' as const), campaign: fc.nat(), advocate: fc.nat(), channel: fc.constantFrom(...channels) }) },
    ),
    // A browser sometimes clears its cookies before clicking (and becomes a new visitor).
    fc.nat({ max: 9 }),
  )
  .map(([gapMs, action, dice]): Step => {
    if (action.kind === 'click' && action.sender.kind === 'browser') {
      return { gapMs, ...action, sender: { ...action.sender, clearsCookiesFirst: dice === 0 } };
    }
    return { gapMs, ...action };
  });

export const planArbitrary = (options: { maxSteps: number }): fc.Arbitrary<Plan> =>
  fc.record({
    campaigns: fc.array(fc.record({ lookbackDays: fc.constantFrom(1, 2, 3, 7, 30) }), { minLength: 1, maxLength: 3 }),
    advocates: fc.array(fc.record({ department: fc.option(fc.constantFrom('sales', 'eng'), { nil: undefined }) }, { requiredKeys: [] }), {
      minLength: 1,
      maxLength: 4,
    }),
    links: fc.array(fc.record({ campaign: fc.nat(), advocate: fc.nat(), channel: fc.constantFrom(...channels) }), { minLength: 1, maxLength: 6 }),
    steps: fc.array(stepArbitrary, { minLength: Math.ceil(options.maxSteps / 3), maxLength: options.maxSteps, size: 'max' }),
    faultSeed: fc.integer(),
  });
