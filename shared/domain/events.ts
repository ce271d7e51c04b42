/**
 * Raw events: the one definition of a click and of a conversion, for the code that writes them
 * (the redirect, the conversion intake) and the code that reads them (the stream consumer,
 * reconcile). Where they are stored (keys) is shared/adapters/keys.ts's. The consumer validates
 * every record: a record that is not a valid event is a poison record (reported as a batch item
 * failure, then dead-lettered), never silently skipped.
 */
import * as z from 'zod';

const isoInstant = z.iso.datetime();

/** How a request to a short link was classified (spec section 4). */
export const botClasses = ['human', 'preview', 'scanner', 'crawler', 'head'] as const;
export type BotClass = (typeof botClasses)[number];

/**
 * Device classes of a click (spec section 3). Append-only: a class's place in this list is the
 * roll-up partition of its breakdown rows (`rollupPartitionShards.device`, shared/adapters/keys.ts).
 */
export const deviceClasses = ['desktop', 'mobile', 'tablet', 'other'] as const;
export type DeviceClass = (typeof deviceClasses)[number];

/**
 * What a click recorded of its viewer (the breakdowns of spec section 7). Optional: clicks stored
 * before a field existed lack it, and a touchpoint carries them only when its click had them.
 */
export interface ViewerFacts {
  country?: string;
  device?: string;
  browser?: string;
  os?: string;
  referrerHost?: string;
}

export const clickEventSchema = z.object({
  type: z.literal('click'),
  eventId: z.string().min(1),
  clickId: z.string().min(1),
  orgId: z.string().min(1),
  campaignId: z.string().min(1),
  slug: z.string().min(1),
  advocateId: z.string().min(1),
  channel: z.string().min(1),
  department: z.string().min(1).optional(),
  at: isoInstant,
  visitorId: z.string().optional(),
  unique: z.boolean(),
  botClass: z.enum(botClasses),
  device: z.enum(deviceClasses),
  browser: z.string(),
  os: z.string(),
  country: z.string().optional(),
  referrerHost: z.string().optional(),
});
export type ClickEventRecord = z.infer<typeof clickEventSchema>;

export const conversionEventSchema = z.object({
  type: z.literal('conversion'),
  eventId: z.string().min(1),
  orgId: z.string().min(1),
  sourceId: z.string().min(1),
  webhookId: z.string().min(1),
  conversionId: z.string().min(1),
  kind: z.string().min(1),
  occurredAt: isoInstant,
  receivedAt: isoInstant,
  value: z.object({ amount: z.string(), currency: z.string() }).optional(),
  clickId: z.string().optional(),
  visitorId: z.string().optional(),
  customerId: z.string().optional(),
});
export type ConversionEventRecord = z.infer<typeof conversionEventSchema>;

/**
 * A refund of a conversion (spec section 13), stored once per (organization, conversionId,
 * refundId). `conversionEventId` names the conversion's event, whose credit the refund takes back.
 */
export const refundEventSchema = z.object({
  type: z.literal('refund'),
  eventId: z.string().min(1),
  orgId: z.string().min(1),
  sourceId: z.string().min(1),
  webhookId: z.string().min(1),
  conversionId: z.string().min(1),
  conversionEventId: z.string().min(1),
  refundId: z.string().min(1),
  occurredAt: isoInstant,
  receivedAt: isoInstant,
  value: z.object({ amount: z.string(), currency: z.string() }),
});
export type RefundEventRecord = z.infer<typeof refundEventSchema>;

/**
 * An advocate started a share of a campaign on a channel (spec section 15): recorded by
 * `POST /v1/shares`, rolled up like a click (per advocate, campaign, channel, department, day) as
 * the `shares` counter. `recordedBy` says who sent it: the advocate's own token or an API key on
 * its behalf. `department` is the advocate's when the share was recorded, as a link carries it.
 */
export const shareEventSchema = z.object({
  type: z.literal('share'),
  eventId: z.string().min(1),
  shareId: z.string().min(1),
  orgId: z.string().min(1),
  campaignId: z.string().min(1),
  advocateId: z.string().min(1),
  channel: z.string().min(1),
  department: z.string().min(1).optional(),
  at: isoInstant,
  recordedBy: z.enum(['advocate', 'apiKey']),
});
export type ShareEventRecord = z.infer<typeof shareEventSchema>;

export const rawEventSchema = z.discriminatedUnion('type', [clickEventSchema, conversionEventSchema, refundEventSchema, shareEventSchema]);
export type RawEvent = z.infer<typeof rawEventSchema>;
