/**
 * Shapes of the API's answers that are not resources of shared/domain/resources.ts: errors,
 * pages, reports and raw events. Each `.meta({ id })` becomes a component of GET /openapi.json,
 * and the end-to-end tests check every answer they receive against that document.
 */
import * as z from 'zod';
import { rankingVisibilitySchema } from '../domain/ranking-visibility.js';
import { attributionModels } from '../domain/attribution.js';
import { channelSchema } from '../domain/channels.js';
import { advocateSchema, campaignSchema, domainSchema, linkSchema, webhookSourceKinds } from '../domain/resources.js';
import { groupBys, leaderboardMetrics } from './queries.js';
import { exportCreateSchema, exportStatuses } from '../domain/exports.js';
import { erasureStatuses } from '../domain/erasure.js';

const day = z.iso.date().meta({ description: 'UTC date (YYYY-MM-DD)' });
const timestamp = z.iso.datetime();
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` to get the next page; null on the last page' });

// ---------------------------------------------------------------------------------------------
// Errors

export const fieldErrorSchema = z
  .object({
    field: z.string().meta({ description: 'Dotted path of the failing field, e.g. `data.value.amount`' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'URI identifying the problem type' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    errors: z.array(fieldErrorSchema).optional().meta({ description: 'The failing fields, on validation problems' }),
  })
  .meta({ id: 'Problem', description: 'An error (RFC 9457 problem details, `application/problem+json`)' });

export const domainChallengeProblemSchema = problemSchema
  .extend({
    expected: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }).meta({ description: 'The record verification looks for' }),
    found: z.array(z.string()).meta({ description: 'The TXT values DNS answered for that name (empty: none)' }),
  })
  .meta({ id: 'DomainChallengeProblem', description: 'Verification failed: what DNS answered instead of the challenge record' });

export const gatewayErrorSchema = z
  .object({ message: z.string() })
  .meta({
    id: 'GatewayError',
    description: 'An error answered by API Gateway itself before any handler ran (throttling, integration failure)',
  });

// ---------------------------------------------------------------------------------------------
// Management

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const campaignPageSchema = z
  .object({ items: z.array(campaignSchema), nextCursor })
  .meta({ id: 'CampaignPage', description: 'A page of campaigns (advocates see active ones only)' });

export const linkPageSchema = z.object({ items: z.array(linkSchema), nextCursor }).meta({ id: 'LinkPage' });

export const domainPageSchema = z.object({ items: z.array(domainSchema), nextCursor }).meta({ id: 'DomainPage' });

export const webhookSourceCreatedSchema = z
  .object({
    sourceId: z.string(),
    name: z.string(),
    kind: z.enum(webhookSourceKinds),
    createdAt: timestamp,
    secret: z.string().optional().meta({ description: 'Signing secret `whsec_…` of a standard source: shown once (a vendor source has the vendor\'s, never shown)', examples: ['whsec_…'] }),
    webhookUrl: z.string().meta({ description: 'Path the sender POSTs to: the Standard Webhooks route, or the vendor\'s receiver' }),
  })
  .meta({ id: 'WebhookSourceCreated' });

export const webhookSourceRotatedSchema = z
  .object({
    sourceId: z.string(),
    secret: z.string().optional().meta({ description: 'The new signing secret of a standard source: shown once' }),
    previousSecretValidUntil: timestamp.meta({ description: 'The old secret is accepted until then (24 h)' }),
    rotatedAt: timestamp,
  })
  .meta({ id: 'WebhookSourceRotated' });

export const shareAcceptedSchema = z
  .object({
    shareId: z.string(),
    campaignId: z.string(),
    advocateId: z.string(),
    channel: channelSchema,
    at: timestamp,
    status: z.literal('accepted'),
  })
  .meta({ id: 'ShareAccepted', description: 'Recorded; it reaches the roll-ups (`shares`) asynchronously, like a click' });

export const conversionAcceptedSchema = z
  .object({ conversionId: z.string(), refundId: z.string().optional(), status: z.literal('accepted') })
  .meta({ id: 'ConversionAccepted', description: 'Recorded once; attribution follows asynchronously' });

/** A vendor's webhook body: validated by the receiver's own mapping, not by a schema of ours. */
export const vendorEventBodySchema = z.unknown().meta({ description: "The vendor's event, exactly as the vendor sends it" });

/** A vendor receiver's 200: a duplicate, or an event type it does not use. */
export const vendorAnswerSchema = z
  .object({
    status: z.enum(['duplicate', 'ignored']),
    conversionId: z.string().optional(),
    refundId: z.string().optional(),
    eventType: z.string().optional().meta({ description: 'The vendor event type not used (`ignored`)' }),
  })
  .meta({ id: 'VendorWebhookAnswer' });

export const conversionDuplicateSchema = z
  .object({ conversionId: z.string(), refundId: z.string().optional(), status: z.literal('duplicate') })
  .meta({ id: 'ConversionDuplicate', description: 'Already received (same conversionId or webhook-id); nothing counted twice' });

// ---------------------------------------------------------------------------------------------
// Reports (spec section 7)

export const revenueSchema = z
  .record(z.string().regex(/^[A-Z]{3}$/), decimal)
  .meta({
    id: 'Revenue',
    description: 'Credited revenue per ISO 4217 currency, as decimal strings; never summed across currencies',
    examples: [{ EUR: '129.90' }],
  });

const counts = {
  shares: z
    .number()
    .int()
    .min(0)
    .meta({ description: 'Shares advocates started (POST /v1/shares); 0 on link and breakdown rows (country, device, browser, OS, referrer), which shares have no key in' }),
  clicks: z.number().int().min(0).meta({ description: 'Human clicks' }),
  uniqueClicks: z.number().int().min(0).meta({ description: 'Human clicks not preceded by the same visitor on the same link within 24 h' }),
  conversions: z.number().min(0).meta({ description: 'Conversions credited under the model (fractional, 6 decimals)' }),
  revenue: revenueSchema,
};

export const reportTotalsSchema = z
  .object({
    ...counts,
    botClicks: z.number().int().min(0).meta({ description: 'Requests by previews, scanners, crawlers and HEAD: redirected, not counted as clicks' }),
  })
  .meta({ id: 'ReportTotals' });

export const attributionReportSchema = z
  .object({
    campaignId: z.string(),
    model: z.enum(attributionModels),
    groupBy: z.enum(groupBys),
    from: day.nullable(),
    to: day.nullable(),
    totals: reportTotalsSchema,
    rows: z.array(
      z.object({
        key: z.string().meta({
          description:
            "Advocate id, slug, channel, UTC date, department, or the click's country code, device class, browser, OS or referrer host (`unknown` where the click recorded none)",
        }),
        label: z.string().meta({ description: "Display name, short URL, country name (English) or the key itself" }),
        ...counts,
      }),
    ),
    nextCursor,
  })
  .meta({ id: 'AttributionReport', description: '`day` rows ascend by date; other rows descend by conversions, then clicks' });

export const leaderboardSchema = z
  .object({
    campaignId: z.string(),
    metric: z.enum(leaderboardMetrics),
    model: z.enum(attributionModels),
    currency: z.string().nullable().optional().meta({ description: 'With `metric=revenue`: the currency ranked' }),
    from: day.nullable(),
    to: day.nullable(),
    rows: z.array(
      z.object({
        rank: z.number().int().min(1).meta({ description: 'Competition rank: equal scores share a rank' }),
        advocateId: z.string().meta({ description: 'The advocate id; for an advocate shown under a pseudonym, the pseudonym\'s stable key (`anon-…`). Hidden advocates are not listed (their rank is not given to another).' }),
        displayName: z.string(),
        department: z.string().optional(),
        ...counts,
      }),
    ),
  })
  .meta({ id: 'Leaderboard' });

export const advocateStatsSchema = z
  .object({
    advocateId: advocateSchema.shape.advocateId,
    displayName: z.string(),
    rankingVisibility: rankingVisibilitySchema.meta({
      description: "How others see the advocate in rankings now: its own choice, else the organization's default (an offboarded advocate: `pseudonymous` unless it chose `hidden`)",
    }),
    from: day.nullable(),
    to: day.nullable(),
    campaigns: z.array(
      z.object({
        campaignId: z.string(),
        campaignName: z.string(),
        status: z.enum(['active', 'archived']),
        model: z.enum(attributionModels),
        ...counts,
        rank: z.number().int().min(1).nullable().meta({ description: "Rank by conversions among the campaign's advocates; null without activity" }),
        advocates: z.number().int().min(0).meta({ description: 'Advocates with activity in the campaign' }),
      }),
    ),
  })
  .meta({ id: 'AdvocateStats', description: "An advocate's own totals and rank per campaign" });

export const unattributedSchema = z
  .object({ from: day.nullable(), to: day.nullable(), conversions: z.number().int().min(0) })
  .meta({ id: 'UnattributedConversions', description: 'Conversions of the organization no click could be found for' });

// ---------------------------------------------------------------------------------------------
// Raw events

export const clickEventSchema = z
  .object({
    clickId: z.string(),
    at: timestamp,
    slug: z.string(),
    advocateId: z.string(),
    channel: channelSchema,
    department: z.string().optional(),
    botClass: z.enum(['human', 'preview', 'scanner', 'crawler', 'head']),
    unique: z.boolean(),
    visitorId: z.string().optional().meta({ description: 'Human clicks only' }),
    device: z.enum(['desktop', 'mobile', 'tablet', 'other']),
    browser: z.string(),
    os: z.string(),
    country: z.string().regex(/^[A-Z]{2}$/).optional(),
    referrerHost: z.string().optional(),
  })
  .meta({ id: 'ClickEvent', description: 'One request to a short link. No IP address or user agent is stored.' });

const touchpointSchema = z.object({
  clickId: z.string(),
  at: timestamp,
  advocateId: z.string(),
  slug: z.string(),
  channel: z.string(),
  department: z.string().optional(),
  // What the click recorded of its viewer: the breakdown rows its credit went to (absent: `unknown`).
  device: z.string().optional(),
  browser: z.string().optional(),
  os: z.string().optional(),
  country: z.string().optional(),
  referrerHost: z.string().optional(),
});

const modelCredits = z.array(
  z.object({ clickId: z.string(), advocateId: z.string(), credit: decimal, revenue: decimal.optional() }),
);

export const conversionEventSchema = z
  .object({
    conversionId: z.string(),
    kind: z.string(),
    occurredAt: timestamp,
    value: z.object({ amount: decimal, currency: z.string() }).optional(),
    amount: decimal.optional(),
    currency: z.string().optional(),
    customerId: z.string().optional(),
    touches: z.number().int().min(0).meta({ description: "This campaign's touchpoints of the conversion" }),
    touchpoints: z.array(touchpointSchema),
    credits: z.object(Object.fromEntries(attributionModels.map((model) => [model, modelCredits])) as Record<
      (typeof attributionModels)[number],
      typeof modelCredits
    >),
    lastClickAdvocateId: z.string().optional(),
    ...(Object.fromEntries(attributionModels.map((model) => [`credit_${model}`, decimal])) as Record<string, typeof decimal>),
  })
  .meta({ id: 'ConversionEvent', description: "A conversion credited to this campaign, with this campaign's share under every model" });

export const eventPageSchema = z
  .discriminatedUnion('type', [
    z.object({ campaignId: z.string(), type: z.literal('click'), items: z.array(clickEventSchema), nextCursor }),
    z.object({ campaignId: z.string(), type: z.literal('conversion'), items: z.array(conversionEventSchema), nextCursor }),
  ])
  .meta({ id: 'EventPage' });

// ---------------------------------------------------------------------------------------------
// Exports (spec section 14)

export const exportAcceptedSchema = z
  .object({ exportId: z.string(), status: z.enum(exportStatuses) })
  .meta({ id: 'ExportAccepted', description: 'The export is queued; follow it with GET /v1/exports/{exportId}' });

export const exportSchema = z
  .object({
    exportId: z.string(),
    status: z.enum(exportStatuses),
    request: exportCreateSchema,
    rowCount: z.number().int().min(0).nullable().meta({ description: 'Rows in the file, once succeeded' }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    downloadUrl: z.string().optional().meta({ description: 'When succeeded: a signed link to the file, valid until `expiresAt`' }),
    expiresAt: timestamp.optional().meta({ description: 'When the download link stops working (ask again for a fresh one)' }),
    error: z.string().optional().meta({ description: 'When failed: why' }),
  })
  .meta({ id: 'Export', description: 'A history export and, when done, where to download it' });

export const erasureAcceptedSchema = z
  .object({ erasureId: z.string(), status: z.enum(erasureStatuses) })
  .meta({ id: 'ErasureAccepted', description: 'The erasure is recorded; follow it with GET /v1/privacy/erasures/{erasureId}' });

export const erasureSchema = z
  .object({
    erasureId: z.string(),
    status: z.enum(erasureStatuses).meta({ description: '`done`: the identifiers are gone from the hot tables, customer paths and the archive' }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    erased: z
      .object({
        clicks: z.number().int().min(0),
        conversions: z.number().int().min(0),
        records: z.number().int().min(0).meta({ description: 'Credit and refund records' }),
        customerPaths: z.number().int().min(0),
        archiveFiles: z.number().int().min(0).meta({ description: 'Archive files rewritten' }),
      })
      .optional()
      .meta({ description: 'When done: how many items of each kind lost identifiers (all 0 for an identifier never seen)' }),
    lastError: z.string().optional().meta({ description: 'While running: why the last attempt stopped (it is resumed)' }),
  })
  .meta({ id: 'Erasure', description: 'An erasure request and how far it went. The subject is not shown, and is forgotten once done.' });
