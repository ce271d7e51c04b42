/**
 * Raw events as the stream consumer reads them. The consumer validates every record: a record
 * that is not a valid event is a poison record (reported as a batch item failure, then
 * dead-lettered), never silently skipped.
 */
import * as z from 'zod';

const isoInstant = z.iso.datetime();

export const botClasses = ['human', 'preview', 'scanner', 'crawler', 'head'] as const;

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
});
export type ClickEventRecord = z.infer<typeof clickEventSchema>;

export const conversionEventSchema = z.object({
  type: z.literal('conversion'),
  eventId: z.string().min(1),
  orgId: z.string().min(1),
  sourceId: z.string().min(1),
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

export const rawEventSchema = z.discriminatedUnion('type', [clickEventSchema, conversionEventSchema]);
export type RawEvent = z.infer<typeof rawEventSchema>;
