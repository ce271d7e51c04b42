/**
 * Multi-touch attribution of one conversion (spec section 6). Pure and deterministic: the same
 * clicks and conversion always give the same credits, bit for bit. No I/O, no AWS.
 *
 * Flow: `attribute(conversion, candidateClicks)`
 *   1. `selectTouchpoints` keeps the human clicks inside each click's OWN campaign lookback
 *      window before `occurredAt`, drops duplicate click ids, and sorts them by (at, clickId).
 *   2. For every model at once, `modelWeights` gives exact integer weights per touch, and
 *      `splitAmount` (largest remainder, ties to the later touch) turns them into
 *        - `credit`: micro-credits (1 conversion = 1_000_000), summing to exactly 1_000_000, and
 *        - `revenueMinor`: integer minor units of the conversion's currency, summing to exactly
 *          the conversion's amount.
 *      Credit and revenue are each the best integer approximation of the SAME exact share in
 *      their own unit (revenue is not derived from the rounded micro-credit).
 *
 * Result shape (`Attribution`):
 *   {
 *     attributed: boolean,                 // false when no touchpoint survived selection
 *     touchpoints: T[],                    // the selected touches, sorted; indexed by touchIndex
 *     value?: { amountMinor: bigint, currency: string },
 *     credits: { last_click: TouchCredit[], first_click: [...], linear: [...],
 *                time_decay: [...], position_based: [...] }
 *   }
 *   TouchCredit = { touchIndex, credit (micro-credits, integer), revenueMinor? (bigint) }
 * A touch that receives neither credit nor revenue under a model is left out of that model's
 * list (e.g. last_click lists one entry), so a roll-up writes only what changes. Lists ascend by
 * touchIndex. An unattributed conversion has empty lists.
 *
 * Model weights (exact ratios):
 *   last_click / first_click  100% to the last / first touch
 *   linear                    1 each
 *   position_based            1 touch: 1; 2 touches: 1, 1; n ≥ 3 touches:
 *                             2(n−2) first, 1 per middle touch, 2(n−2) last — out of 5(n−2),
 *                             i.e. 40% / 20% shared by the middle / 40%
 *   time_decay                2^(−Δt / 7 days), Δt = time from touch to conversion. Only the
 *                             ratios matter, and 2^(−Δt_i/7d) / 2^(−Δt_j/7d) does not depend on
 *                             the conversion time, so weights are measured from the latest touch
 *                             (which gets 1): nothing underflows however old the path is. The
 *                             float weight is scaled by 2^64 into an integer, then apportioned
 *                             exactly; touches whole weeks apart give exact powers of two.
 */
import type { ViewerFacts } from './events.js';
import { MICRO_PER_UNIT, formatAmount, parseAmount, splitAmount } from './money.js';

export const attributionModels = [
  'last_click',
  'first_click',
  'linear',
  'time_decay',
  'position_based',
] as const;

export type AttributionModel = (typeof attributionModels)[number];

export const defaultAttributionModel: AttributionModel = 'last_click';

export const isAttributionModel = (value: unknown): value is AttributionModel =>
  typeof value === 'string' && (attributionModels as readonly string[]).includes(value);

/** A campaign's lookback when its creator gives none. */
export const defaultLookbackDays = 30;

/**
 * A human click that may have led to a conversion, with what it recorded of its viewer, so that
 * credit lands on the click's breakdown rows (country, device, browser, OS, referrer).
 */
export interface Touchpoint extends ViewerFacts {
  clickId: string;
  /** ISO 8601 UTC time of the click. */
  at: string;
  campaignId: string;
  advocateId: string;
  slug: string;
  channel: string;
  department?: string;
  /** The click's campaign lookback window in days (1–90). */
  lookbackDays: number;
}

export interface TouchCredit {
  /** Index into `Attribution.touchpoints`. */
  touchIndex: number;
  /** Micro-credits (integer); all entries of one model sum to exactly 1_000_000. */
  credit: number;
  /** Minor units of the conversion's currency; present when the conversion has a value. */
  revenueMinor?: bigint;
}

export interface Attribution<T extends Touchpoint = Touchpoint> {
  attributed: boolean;
  touchpoints: T[];
  value?: { amountMinor: bigint; currency: string };
  credits: Record<AttributionModel, TouchCredit[]>;
}

export interface ConversionToAttribute {
  occurredAt: string;
  value?: { amount: string; currency: string };
}

export interface SelectionOptions {
  /**
   * `false` for a customer's remembered path (spec section 5: a later conversion of the same
   * customer is credited to the touchpoints fixed by its first attributed conversion, months
   * later): the clicks are taken as they are, only clicks after `latestAt` are still dropped.
   * Default `true`.
   */
  applyLookback?: boolean;
  /**
   * The latest instant a click may have and still count (spec section 6: up to 60 s after
   * `occurredAt`, and never after the conversion reached us). Default: `occurredAt`.
   */
  latestAt?: string;
  /** The click the conversion names by its click id: it always counts (spec section 6). */
  namedClickId?: string;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Float time-decay weights in (0, 1] are scaled by this to become exact integers. */
const TIME_DECAY_SCALE = 2 ** 64;
const MICRO_TOTAL = BigInt(MICRO_PER_UNIT);

function parseInstant(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a valid ISO 8601 time: ${iso}`);
  return ms;
}

/** Code-unit order, independent of locale, so the tie order is the same everywhere. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders two records of the same click that carry the same time, so input order never matters. */
const recordKey = (touch: Touchpoint): string =>
  [touch.campaignId, touch.advocateId, touch.slug, touch.channel, touch.department ?? '', touch.lookbackDays].join('\u0000');

/**
 * The touchpoints of a conversion at `occurredAt`: clicks with
 *   at ≤ latestAt (default occurredAt)  and  at > occurredAt − lookbackDays (each click's own
 *   campaign lookback), and the click named by `namedClickId` whatever its time,
 * one per clickId (if a click was found twice, e.g. via its click id and via its visitor, the
 * earliest record wins, then a fixed order of its fields), sorted ascending by (at, clickId).
 * Times are compared as instants, not as strings, so "…00Z" and "…00.000Z" are the same
 * moment. A click whose time or lookback is unusable is never selected.
 */
export function selectTouchpoints<T extends Touchpoint>(
  candidates: readonly T[],
  occurredAt: string,
  options: SelectionOptions = {},
): T[] {
  const conversionMs = parseInstant(occurredAt, 'occurredAt');
  const latestMs = options.latestAt === undefined ? conversionMs : parseInstant(options.latestAt, 'latestAt');
  const applyLookback = options.applyLookback ?? true;

  const byClickId = new Map<string, { touch: T; ms: number }>();
  for (const touch of candidates) {
    const ms = Date.parse(touch.at);
    if (Number.isNaN(ms)) continue;
    if (touch.clickId !== options.namedClickId) {
      if (ms > latestMs) continue;
      if (applyLookback && !(ms > conversionMs - touch.lookbackDays * DAY_MS)) continue;
    }
    const seen = byClickId.get(touch.clickId);
    const replaces =
      !seen || ms < seen.ms || (ms === seen.ms && compareIds(recordKey(touch), recordKey(seen.touch)) < 0);
    if (replaces) byClickId.set(touch.clickId, { touch, ms });
  }

  return [...byClickId.values()]
    .sort((a, b) => a.ms - b.ms || compareIds(a.touch.clickId, b.touch.clickId))
    .map(({ touch }) => touch);
}

/**
 * Exact integer weights of each touch under `model`; only their ratios matter.
 * `touchpoints` must be sorted as `selectTouchpoints` returns them (oldest first).
 */
export function modelWeights(touchpoints: readonly Touchpoint[], model: AttributionModel): bigint[] {
  const count = touchpoints.length;
  const only = (index: number) => touchpoints.map((_, i) => (i === index ? 1n : 0n));

  switch (model) {
    case 'last_click':
      return only(count - 1);
    case 'first_click':
      return only(0);
    case 'linear':
      return touchpoints.map(() => 1n);
    case 'position_based': {
      if (count <= 2) return touchpoints.map(() => 1n);
      const endWeight = BigInt(2 * (count - 2));
      return touchpoints.map((_, i) => (i === 0 || i === count - 1 ? endWeight : 1n));
    }
    case 'time_decay': {
      const times = touchpoints.map((touch) => parseInstant(touch.at, 'touchpoint time'));
      const latest = Math.max(...times);
      return times.map((ms) => BigInt(Math.round(2 ** (-(latest - ms) / WEEK_MS) * TIME_DECAY_SCALE)));
    }
  }
}

/**
 * Micro-credit shares of each touch under `model` (non-negative integers summing to exactly
 * 1_000_000; empty for no touches). `touchpoints` must be sorted as `selectTouchpoints` returns
 * them. `occurredAt` is accepted for symmetry with the spec's Δt; time-decay ratios do not
 * depend on it (see the file header).
 */
export function creditShares(
  touchpoints: readonly Touchpoint[],
  occurredAt: string,
  model: AttributionModel,
): number[] {
  parseInstant(occurredAt, 'occurredAt');
  if (touchpoints.length === 0) return [];
  return splitAmount(MICRO_TOTAL, modelWeights(touchpoints, model)).map(Number);
}

/**
 * Selects the touchpoints of a conversion and credits them under every model at once.
 * Throws `InvalidAmountError` when the conversion's value cannot be parsed exactly (the
 * webhook schema already refuses such values) and `RangeError` for an invalid `occurredAt`.
 */
export function attribute<T extends Touchpoint>(
  conversion: ConversionToAttribute,
  candidates: readonly T[],
  options: SelectionOptions = {},
): Attribution<T> {
  const touchpoints = selectTouchpoints(candidates, conversion.occurredAt, options);
  const value = conversion.value && {
    amountMinor: parseAmount(conversion.value.amount, conversion.value.currency),
    currency: conversion.value.currency,
  };

  const credits = {} as Record<AttributionModel, TouchCredit[]>;
  for (const model of attributionModels) {
    if (touchpoints.length === 0) {
      credits[model] = [];
      continue;
    }
    const weights = modelWeights(touchpoints, model);
    const microShares = splitAmount(MICRO_TOTAL, weights);
    const revenueShares = value ? splitAmount(value.amountMinor, weights) : undefined;
    credits[model] = [];
    touchpoints.forEach((_, touchIndex) => {
      const credit = Number(microShares[touchIndex]);
      const revenueMinor = revenueShares?.[touchIndex];
      if (credit === 0 && !revenueMinor) return;
      credits[model].push(revenueShares ? { touchIndex, credit, revenueMinor } : { touchIndex, credit });
    });
  }

  return {
    attributed: touchpoints.length > 0,
    touchpoints,
    ...(value ? { value } : {}),
    credits,
  };
}

/**
 * JSON-safe form of an `Attribution`, for storing with the conversion and for API answers:
 * `credit` stays in exact micro-credits (integer), revenue becomes the currency's decimal string.
 * Touchpoints keep only the `Touchpoint` fields (extra click fields are dropped), so a stored
 * record's touchpoints can be fed back to `attribute(…, { applyLookback: false })` as a
 * customer's remembered path.
 */
export interface AttributionRecord {
  attributed: boolean;
  currency?: string;
  touchpoints: Touchpoint[];
  credits: Record<AttributionModel, Array<{ touchIndex: number; credit: number; revenue?: string }>>;
}

export function toAttributionRecord(attribution: Attribution): AttributionRecord {
  const currency = attribution.value?.currency;
  const credits = {} as AttributionRecord['credits'];
  for (const model of attributionModels) {
    credits[model] = attribution.credits[model].map(({ touchIndex, credit, revenueMinor }) =>
      revenueMinor !== undefined && currency
        ? { touchIndex, credit, revenue: formatAmount(revenueMinor, currency) }
        : { touchIndex, credit },
    );
  }
  return {
    attributed: attribution.attributed,
    ...(currency ? { currency } : {}),
    touchpoints: attribution.touchpoints.map(
      ({ clickId, at, campaignId, advocateId, slug, channel, department, lookbackDays, country, device, browser, os, referrerHost }) => ({
        clickId,
        at,
        campaignId,
        advocateId,
        slug,
        channel,
        ...(department !== undefined ? { department } : {}),
        lookbackDays,
        ...(country !== undefined ? { country } : {}),
        ...(device !== undefined ? { device } : {}),
        ...(browser !== undefined ? { browser } : {}),
        ...(os !== undefined ? { os } : {}),
        ...(referrerHost !== undefined ? { referrerHost } : {}),
      }),
    ),
    credits,
  };
}
