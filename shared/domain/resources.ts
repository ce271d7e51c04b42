/**
 * Request and resource shapes of the management API (spec sections 3 and 8).
 * Write schemas are strict: unknown fields are refused (spec section 9).
 */
import { z } from 'zod';
import { apiScopes } from '../../infra/definitions.js';
import { attributionModels, type AttributionModel } from './attribution.js';
import { channelSchema } from './channels.js';

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

export const campaignCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  destinationUrl: urlSchema,
  allowedHosts: z.array(hostSchema).min(1).max(50).optional(),
  utm: z
    .strictObject({
      medium: z.string().trim().min(1).max(100).optional(),
      campaign: z.string().trim().min(1).max(100).optional(),
    })
    .optional(),
  attribution: z
    .strictObject({
      model: attributionModelSchema.optional(),
      lookbackDays: z.number().int().min(1).max(90).optional(),
    })
    .optional(),
});
export type CampaignCreate = z.infer<typeof campaignCreateSchema>;

export const campaignPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    destinationUrl: urlSchema.optional(),
    allowedHosts: z.array(hostSchema).min(1).max(50).optional(),
    utm: z
      .strictObject({
        medium: z.string().trim().min(1).max(100).optional(),
        campaign: z.string().trim().min(1).max(100).optional(),
      })
      .optional(),
    attribution: z
      .strictObject({
        model: attributionModelSchema.optional(),
        lookbackDays: z.number().int().min(1).max(90).optional(),
      })
      .optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

export interface Campaign {
  campaignId: string;
  name: string;
  destinationUrl: string;
  allowedHosts: string[];
  utm: { medium: string; campaign: string };
  attribution: { model: AttributionModel; lookbackDays: number };
  status: 'active' | 'archived';
  createdAt: string;
  updatedAt: string;
}

export const advocatePutSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(200),
  department: z.string().trim().min(1).max(100).optional(),
});
export type AdvocatePut = z.infer<typeof advocatePutSchema>;

export interface Advocate {
  advocateId: string;
  displayName: string;
  department?: string;
  createdAt: string;
  updatedAt: string;
}

export const linkCreateSchema = z.strictObject({
  campaignId: z.string().min(1).max(64),
  advocateId: externalIdSchema.optional(),
  channel: channelSchema,
  /** Optional deep link inside the campaign's allowed hosts; default the campaign destination. */
  destinationUrl: urlSchema.optional(),
});
export type LinkCreate = z.infer<typeof linkCreateSchema>;

export interface Link {
  slug: string;
  shortUrl: string;
  campaignId: string;
  advocateId: string;
  channel: z.infer<typeof channelSchema>;
  destinationUrl: string;
  createdAt: string;
  disabled: boolean;
}

export const apiKeyCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  scopes: z.array(z.enum(apiScopes)).min(1).max(apiScopes.length),
});
