/**
 * Query-string and path-parameter schemas of the HTTP API. The handlers validate with these
 * exact instances, and shared/contract/openapi.ts turns the same instances into the published
 * parameters, so the document cannot promise what the handlers refuse (or the reverse).
 *
 * Query values arrive as strings (API Gateway joins repeated keys with commas); `limit` stays a
 * string here because `pageLimit()` gives its own problem detail for it.
 */
import * as z from 'zod';
import { attributionModels } from '../domain/attribution.js';
import { externalIdSchema } from '../domain/resources.js';

const dateSchema = z.iso.date();

const rangeFields = {
  from: dateSchema.optional().meta({ description: 'First UTC day, inclusive (YYYY-MM-DD)', examples: ['2026-11-01'] }),
  to: dateSchema.optional().meta({ description: 'Last UTC day, inclusive (YYYY-MM-DD); at most 366 days after `from`', examples: ['2026-11-30'] }),
};

const limitField = z.string().optional().meta({ description: 'Page size: an integer from 1 to 100', examples: ['50'] });
const cursorField = z.string().optional().meta({ description: 'Opaque cursor: the `nextCursor` of the previous page' });
const modelField = z
  .enum(attributionModels)
  .optional()
  .meta({ description: "Attribution model; default: the campaign's model" });

export const pageQuerySchema = z.object({ limit: limitField, cursor: cursorField });

export const linkListQuerySchema = z.object({
  campaignId: z.string().min(1).max(64).optional().meta({ description: "Only this campaign's links" }),
  advocateId: externalIdSchema.optional().meta({ description: "Only this advocate's links (advocates always see only their own)" }),
  limit: limitField,
  cursor: cursorField,
});

export const groupBys = ['advocate', 'link', 'channel', 'day', 'department', 'country', 'device', 'browser', 'os', 'referrer'] as const;

export const attributionQuerySchema = z.object({
  model: modelField,
  groupBy: z
    .enum(groupBys)
    .optional()
    .meta({
      description:
        "Row dimension (default `advocate`). `country`, `device`, `browser`, `os` and `referrer` break the clicks down by what each recorded of its viewer (country code, device class, browser, OS, referrer host; `unknown` where it recorded none); a conversion's credit goes to the rows of the clicks it was credited to",
    }),
  limit: limitField,
  cursor: cursorField,
  ...rangeFields,
});

/** What the leaderboard ranks by (spec sections 7 and 15). */
export const leaderboardMetrics = ['clicks', 'conversions', 'revenue', 'shares'] as const;

export const leaderboardQuerySchema = z.object({
  metric: z.enum(leaderboardMetrics).optional().meta({ description: 'Ranking metric (default `conversions`); `shares`: shares started (POST /v1/shares)' }),
  model: modelField,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .meta({ description: 'Currency ranked by `metric=revenue`; default the largest', examples: ['EUR'] }),
  limit: z.string().optional().meta({ description: 'Number of advocates: an integer from 1 to 100 (default 10)', examples: ['10'] }),
  ...rangeFields,
});

export const advocateStatsQuerySchema = z.object({ model: modelField, ...rangeFields });

export const eventsQuerySchema = z.object({
  type: z.enum(['click', 'conversion']).optional().meta({ description: 'Event type (default `click`)' }),
  limit: limitField,
  cursor: cursorField,
  ...rangeFields,
});

export const unattributedQuerySchema = z.object({ ...rangeFields });

export const qrQuerySchema = z.object({
  format: z.enum(['svg', 'png']).optional().meta({ description: 'Image format (default `svg`)' }),
});

/** Path parameters, as documented; handlers answer 404 for values that cannot exist. */
export const pathParameterSchemas = {
  campaignId: z.string().min(1).meta({ description: 'Campaign id', examples: ['cmp_01JD8Y3N5QK2W7X9ZB4C'] }),
  advocateId: externalIdSchema.meta({ description: "The organization's own advocate (employee) id", examples: ['alice'] }),
  slug: z.string().meta({ description: 'Short-link slug (base62, 7–32 characters)', examples: ['aB3dE5gH'] }),
  keyId: z.string().min(1).meta({ description: 'API key id (the part after `ak_`)' }),
  sourceId: z.string().min(1).meta({ description: 'Webhook source id', examples: ['src_01JD8Y3N5QK2W7X9ZB4C'] }),
  file: z.string().min(1).meta({ description: 'Asset file name', examples: ['dashboard.js'] }),
  hostname: z.string().min(1).meta({ description: 'A short domain of the organization (any case, Unicode or punycode)', examples: ['go.acme.example'] }),
  exportId: z.string().min(1).meta({ description: 'Export id', examples: ['exp_4fK9sQ2mX7pL1vB8nR3c'] }),
  erasureId: z.string().min(1).meta({ description: 'Erasure id', examples: ['era_4fK9sQ2mX7pL1vB8nR3c'] }),
} as const;

/** The signed download link's parameters; the handler checks them (a bad one is 403, not 400). */
export const exportDownloadQuerySchema = z.object({
  org: z.string().max(64).optional().meta({ description: 'The organization (signed)' }),
  expires: z.string().max(16).optional().meta({ description: 'Epoch seconds after which the link is refused (signed)' }),
  signature: z.string().max(128).optional().meta({ description: 'base64url HMAC-SHA256 of organization, export and expiry' }),
});
