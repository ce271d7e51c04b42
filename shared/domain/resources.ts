/**
 * Request and resource shapes of the management API (spec sections 3 and 8).
 * Write schemas are strict: unknown fields are refused (spec section 9).
 * Resource schemas (`campaignSchema`…) describe what the API answers; the TypeScript types are
 * inferred from them, and shared/contract/openapi.ts publishes them in GET /openapi.json.
 */
import * as z from 'zod';
import { rankingVisibilitySchema } from './ranking-visibility.js';
import { apiScopes } from './scopes.js';
import { attributionModels } from './attribution.js';
import { channelSchema } from './channels.js';
import { shareTemplatesSchema } from './share-template.js';

/** Organisation-chosen ids (employee ids, e-mails): printable, no `#` or `/` (key separators). */
export const externalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,127}$/, 'must be 1–128 characters: letters, digits and . _ @ + : -');

const urlSchema = z.string().min(1).max(2048);
const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[^\s/\\@:?#]+$/, 'must be a host name, optionally starting with *.');

export const attributionModelSchema = z.enum(attributionModels);

const utmSchema = z.strictObject({
  medium: z.string().trim().min(1).max(100).optional(),
  campaign: z.string().trim().min(1).max(100).optional(),
});

const attributionSettingsSchema = z.strictObject({
  model: attributionModelSchema.optional(),
  lookbackDays: z.number().int().min(1).max(90).optional(),
});

export const campaignCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  destinationUrl: urlSchema,
  allowedHosts: z.array(hostSchema).min(1).max(50).optional(),
  utm: utmSchema.optional(),
  attribution: attributionSettingsSchema.optional(),
  shareTemplates: shareTemplatesSchema.optional(),
});

export const campaignPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    destinationUrl: urlSchema.optional(),
    allowedHosts: z.array(hostSchema).min(1).max(50).optional(),
    utm: utmSchema.optional(),
    attribution: attributionSettingsSchema.optional(),
    status: z.enum(['active', 'archived']).optional(),
    shareTemplates: shareTemplatesSchema
      .nullable()
      .optional()
      .meta({ description: 'Replaces every suggested post of the campaign; `null` or `{}` removes them all' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

const timestampSchema = z.iso.datetime().meta({ description: 'ISO 8601 UTC time', examples: ['2026-11-27T10:00:00.000Z'] });

export const campaignSchema = z
  .object({
    campaignId: z.string().meta({ examples: ['cmp_01JD8Y3N5QK2W7X9ZB4C'] }),
    name: z.string(),
    destinationUrl: z.string().meta({ description: 'Absolute http(s) URL visitors are sent to' }),
    allowedHosts: z.array(z.string()).meta({ description: 'Hosts links of this campaign may point at (no open redirect)' }),
    utm: z.object({ medium: z.string(), campaign: z.string() }),
    attribution: z.object({ model: attributionModelSchema, lookbackDays: z.number().int().min(1).max(90) }),
    status: z.enum(['active', 'archived']),
    shareTemplates: shareTemplatesSchema.optional().meta({ description: 'Suggested posts per channel; absent when the campaign has none' }),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Campaign', description: 'A campaign: where its links lead and how conversions are credited' });
export type Campaign = z.infer<typeof campaignSchema>;

export const advocatePutSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(200),
  department: z.string().trim().min(1).max(100).optional(),
});
export type AdvocatePut = z.infer<typeof advocatePutSchema>;

export const advocateSchema = z
  .object({
    advocateId: externalIdSchema.meta({ description: "The organization's own employee id", examples: ['alice'] }),
    displayName: z.string(),
    department: z.string().optional(),
    rankingVisibility: rankingVisibilitySchema.optional().meta({
      description: "The advocate's own choice of how others see them in rankings; absent: the organization's default (`rankingDefault`) applies",
    }),
    offboardedAt: timestampSchema.optional().meta({ description: 'When the advocate was offboarded: name and department erased, links record nothing' }),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Advocate', description: 'An employee who shares tracked links' });

export const advocatePatchSchema = z.strictObject({
  rankingVisibility: rankingVisibilitySchema.nullable().meta({
    description: 'How others see the advocate in rankings: `named`, `pseudonymous`, `hidden`; `null` returns to the organization\'s default',
  }),
});
export type Advocate = z.infer<typeof advocateSchema>;

export const linkCreateSchema = z.strictObject({
  campaignId: z.string().min(1).max(64),
  advocateId: externalIdSchema.optional(),
  channel: channelSchema,
  /** Optional deep link inside the campaign's allowed hosts; default the campaign destination. */
  destinationUrl: urlSchema.optional(),
});

/**
 * `POST /v1/shares` (spec section 15): an advocate started a share of a campaign on a channel. An
 * advocate token records its own (`advocateId` absent or its own); an API key with `links:write`
 * records on an advocate's behalf and names it.
 */
export const shareCreateSchema = z
  .strictObject({
    campaignId: z.string().min(1).max(64),
    channel: channelSchema,
    advocateId: externalIdSchema.optional().meta({ description: 'Required with an API key (on behalf); an advocate token may omit it or name itself' }),
  })
  .meta({ id: 'ShareCreate' });

export const linkSchema = z
  .object({
    slug: z.string().regex(/^[0-9A-Za-z]{7,32}$/).meta({ examples: ['aB3dE5gH'] }),
    shortUrl: z.string().meta({ examples: ['https://go.acme.example/aB3dE5gH'] }),
    campaignId: z.string(),
    advocateId: z.string(),
    channel: channelSchema,
    destinationUrl: z.string(),
    createdAt: timestampSchema,
    disabled: z.boolean().meta({ description: 'A disabled link still redirects but records nothing' }),
  })
  .meta({ id: 'Link', description: "A tracked short link of one advocate, campaign and channel" });
export type Link = z.infer<typeof linkSchema>;

export const linkStatsSchema = z
  .object({ clicks: z.number().int(), uniqueClicks: z.number().int(), botClicks: z.number().int() })
  .meta({ id: 'LinkStats', description: 'All-time counts of the link, from the roll-ups (eventually consistent)' });

export const linkWithStatsSchema = linkSchema
  .extend({ stats: linkStatsSchema })
  .meta({ id: 'LinkWithStats', description: 'A link with its click counts' });

export const apiKeyCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  scopes: z.array(z.enum(apiScopes)).min(1).max(apiScopes.length),
});

export const apiKeySchema = z
  .object({
    keyId: z.string(),
    orgId: z.string(),
    name: z.string().optional(),
    scopes: z.array(z.enum(apiScopes)),
    createdAt: timestampSchema,
    revokedAt: timestampSchema.optional(),
  })
  .meta({ id: 'ApiKey', description: 'An API key as stored: never the key itself' });

export const apiKeyCreatedSchema = apiKeySchema
  .extend({ apiKey: z.string().meta({ description: 'The key: shown once, store it now', examples: ['ak_…'] }) })
  .meta({ id: 'ApiKeyCreated', description: 'A new API key, with the key itself (shown only in this answer)' });

/** Who signs a source's conversions (spec 13): we (Standard Webhooks) or a vendor with its own scheme. */
export const webhookSourceKinds = ['standard', 'stripe', 'shopify', 'hubspot'] as const;
export type WebhookSourceKind = (typeof webhookSourceKinds)[number];

/** A vendor's signing secret, as the vendor shows it (Stripe `whsec_…`, Shopify and HubSpot app secrets). */
const vendorSecretSchema = z
  .string()
  .regex(/^[\x21-\x7e]{8,256}$/, { error: 'signingSecret must be the secret the vendor shows: 8–256 printable characters, no spaces' })
  .meta({ description: "The vendor's signing secret; stored sealed, never returned" });

/** A standard source's secret is ours to generate; a vendor's source needs the vendor's. */
const secretFitsKind = (input: { kind: WebhookSourceKind; signingSecret?: string }, context: z.RefinementCtx) => {
  if (input.kind === 'standard' && input.signingSecret !== undefined) {
    context.addIssue({ code: 'custom', path: ['signingSecret'], message: 'a standard source signs with a secret we generate; leave signingSecret out' });
  }
  if (input.kind !== 'standard' && input.signingSecret === undefined) {
    context.addIssue({ code: 'custom', path: ['signingSecret'], message: `a ${input.kind} source needs the signing secret ${input.kind} shows` });
  }
};

export const webhookSourceCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(webhookSourceKinds).default('standard').meta({ description: 'Who signs: `standard` (Standard Webhooks, our secret) or a vendor' }),
    signingSecret: vendorSecretSchema.optional(),
  })
  .superRefine(secretFitsKind);

/** Rotation body: a vendor source takes the vendor's new secret; a standard source none (we generate it). */
export const webhookSourceRotateSchema = z.strictObject({ signingSecret: vendorSecretSchema.optional() });

/** `hostname` is checked and normalised by shared/domain/hostname.ts (its errors are specific). */
export const domainCreateSchema = z.strictObject({ hostname: z.string().min(1).max(1012) });

export const domainPatchSchema = z.strictObject({
  primary: z.boolean().meta({ description: '`true`: links are issued on this (verified) domain from now on; `false`: back to the default domain' }),
});

export const domainStatuses = ['pending', 'verified'] as const;

export const domainSchema = z
  .object({
    hostname: z.string().meta({ examples: ['go.acme.example'] }),
    status: z.enum(domainStatuses),
    verification: z
      .object({
        type: z.literal('TXT'),
        name: z.string().meta({ examples: ['_advocacy-challenge.go.acme.example'] }),
        value: z.string(),
      })
      .meta({ description: 'The DNS TXT record that proves control of the hostname' }),
    primary: z.boolean(),
    createdAt: timestampSchema,
    verifiedAt: timestampSchema.optional(),
  })
  .meta({ id: 'Domain', description: "A short domain of the organization: links are issued on its primary verified domain" });
export type Domain = z.infer<typeof domainSchema>;
