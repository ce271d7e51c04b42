/**
 * From an attribution to roll-up contributions. A conversion's credit is persisted per campaign
 * it touched (a "conversion record", written in the same transaction as the counters), and the
 * counters are a pure function of those records — so reconciliation recounts from the records
 * and the raw clicks, and never has to re-run attribution against data that moved on since.
 *
 * Counters: `conv_<model>` in micro-conversions (1 conversion = 1 000 000), and
 * `rev_<model>_<CURRENCY>` in the currency's minor units, both integers: sums never drift.
 */
import { attributionModels, type Attribution, type AttributionModel } from './attribution.js';
import { CAMPAIGN_TOTAL_KEY, dimensionKeys, periodsOf, utcDay, type Contribution, type Counters, type RollupDimension } from './rollup.js';
import type { ViewerFacts } from './events.js';

export const ORG_LEVEL_CAMPAIGN = '_org';

/** A credited click: where it was (link, advocate…) and what it recorded of its viewer (breakdowns). */
export interface RecordedTouch extends ViewerFacts {
  clickId: string;
  at: string;
  advocateId: string;
  slug: string;
  channel: string;
  department?: string;
}

const viewerFactsOf = (touch: ViewerFacts): ViewerFacts => ({
  ...(touch.country ? { country: touch.country } : {}),
  ...(touch.device ? { device: touch.device } : {}),
  ...(touch.browser ? { browser: touch.browser } : {}),
  ...(touch.os ? { os: touch.os } : {}),
  ...(touch.referrerHost ? { referrerHost: touch.referrerHost } : {}),
});

export interface ConversionFacts {
  orgId: string;
  eventId: string;
  conversionId: string;
  kind: string;
  occurredAt: string;
  value?: { amount: string; currency: string };
  customerId?: string;
}

export interface ConversionCampaignRecord extends ConversionFacts {
  campaignId: string;
  /** This campaign's touches of the conversion, oldest first. */
  touches: RecordedTouch[];
  /** Per model: credit (micro) and revenue (minor units, as a string) per touch index. */
  credits: Record<AttributionModel, Array<{ touch: number; credit: number; revenueMinor?: string }>>;
}

export const conversionCounter = (model: AttributionModel) => `conv_${model}`;
export const revenueCounter = (model: AttributionModel, currency: string) => `rev_${model}_${currency}`;

/** Splits an attribution into one record per campaign its touchpoints belong to. */
export const conversionRecords = (conversion: ConversionFacts, attribution: Attribution): ConversionCampaignRecord[] => {
  const byCampaign = new Map<string, { touches: RecordedTouch[]; indexOf: Map<number, number> }>();
  attribution.touchpoints.forEach((touch, index) => {
    let group = byCampaign.get(touch.campaignId);
    if (!group) {
      group = { touches: [], indexOf: new Map() };
      byCampaign.set(touch.campaignId, group);
    }
    group.indexOf.set(index, group.touches.length);
    group.touches.push({
      clickId: touch.clickId,
      at: touch.at,
      advocateId: touch.advocateId,
      slug: touch.slug,
      channel: touch.channel,
      ...(touch.department ? { department: touch.department } : {}),
      ...viewerFactsOf(touch),
    });
  });
  return [...byCampaign].map(([campaignId, group]) => {
    const credits = {} as ConversionCampaignRecord['credits'];
    for (const model of attributionModels) {
      credits[model] = attribution.credits[model]
        .filter((entry) => group.indexOf.has(entry.touchIndex))
        .map((entry) => ({
          touch: group.indexOf.get(entry.touchIndex)!,
          credit: entry.credit,
          ...(entry.revenueMinor !== undefined ? { revenueMinor: entry.revenueMinor.toString() } : {}),
        }));
    }
    return {
      orgId: conversion.orgId,
      campaignId,
      eventId: conversion.eventId,
      conversionId: conversion.conversionId,
      kind: conversion.kind,
      occurredAt: conversion.occurredAt,
      ...(conversion.value ? { value: conversion.value } : {}),
      ...(conversion.customerId ? { customerId: conversion.customerId } : {}),
      touches: group.touches,
      credits,
    };
  });
};

/** The counters a conversion record adds, on the conversion's day and all time (`periodsOf`). */
export const contributionsOfConversionRecord = (record: ConversionCampaignRecord): Contribution[] => {
  const day = utcDay(record.occurredAt);
  const rows = new Map<string, Contribution>();
  for (const model of attributionModels) {
    for (const entry of record.credits[model]) {
      const keys = dimensionKeys(record.touches[entry.touch]);
      for (const dimension of Object.keys(keys) as RollupDimension[]) {
        for (const period of periodsOf(dimension, day)) {
          const id = `${dimension}\u0000${period}\u0000${keys[dimension]}`;
          let row = rows.get(id);
          if (!row) {
            row = { row: { orgId: record.orgId, campaignId: record.campaignId, dimension, period, key: keys[dimension] }, counters: {} };
            rows.set(id, row);
          }
          const counters: Counters = row.counters;
          counters[conversionCounter(model)] = (counters[conversionCounter(model)] ?? 0) + entry.credit;
          if (entry.revenueMinor !== undefined && record.value) {
            const name = revenueCounter(model, record.value.currency);
            counters[name] = (counters[name] ?? 0) + Number(entry.revenueMinor);
          }
        }
      }
    }
  }
  return [...rows.values()];
};

/** An unattributed conversion counts once on its organization's `unattributed` rows. */
export const unattributedContributions = (conversion: ConversionFacts): Contribution[] =>
  [utcDay(conversion.occurredAt), '*'].map((period) => ({
    row: { orgId: conversion.orgId, campaignId: ORG_LEVEL_CAMPAIGN, dimension: 'unattributed' as RollupDimension, period, key: CAMPAIGN_TOTAL_KEY },
    counters: { conversions: 1 },
  }));
