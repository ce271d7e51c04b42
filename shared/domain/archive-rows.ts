/**
 * Archive rows back into events (the inverse of `archiveRowOf` in ./archive.ts, for clicks and shares), validated by the
 * event schema: a row that does not make a valid event is not one. Pure.
 */
import { clickEventSchema, shareEventSchema, type ClickEventRecord, type ShareEventRecord } from './events.js';
import type { ArchiveRow } from './archive.js';

const optional = (value: string | boolean | null | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** The click an archived click row holds, or undefined when the row is not a valid click. */
export const clickOfArchiveRow = (row: ArchiveRow): ClickEventRecord | undefined => {
  const parsed = clickEventSchema.safeParse({
    type: 'click',
    eventId: row.event_id,
    clickId: row.click_id,
    orgId: row.org_id,
    campaignId: row.campaign_id,
    slug: row.slug,
    advocateId: row.advocate_id,
    channel: row.channel,
    department: optional(row.department),
    at: row.at,
    visitorId: optional(row.visitor_id),
    unique: row.unique,
    botClass: row.bot_class,
    device: row.device,
    browser: row.browser,
    os: row.os,
    country: optional(row.country),
    referrerHost: optional(row.referrer_host),
  });
  return parsed.success ? parsed.data : undefined;
};

/** The share an archived share row holds, or undefined when the row is not a valid share. */
export const shareOfArchiveRow = (row: ArchiveRow): ShareEventRecord | undefined => {
  const parsed = shareEventSchema.safeParse({
    type: 'share',
    eventId: row.event_id,
    shareId: row.share_id,
    orgId: row.org_id,
    campaignId: row.campaign_id,
    advocateId: row.advocate_id,
    channel: row.channel,
    department: optional(row.department),
    at: row.at,
    recordedBy: row.recorded_by,
  });
  return parsed.success ? parsed.data : undefined;
};
