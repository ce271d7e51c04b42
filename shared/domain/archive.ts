/**
 * The history archive's layout (spec section 14): raw events as Parquet files in object storage,
 * partitioned Hive-style by organization, event type and UTC date, so a query engine (DuckDB
 * locally, Athena on AWS) reads only the partitions a range names. The archiver writes it, exports
 * read it; this file is the one place both take the layout from. Pure: no I/O.
 *
 *   <prefix>/org=<orgId>/type=<click|conversion|refund|share>/date=<YYYY-MM-DD>/<fileName>.parquet
 *
 * The date is the event's own time: a click's or share's `at`, a conversion's or refund's `occurredAt`
 * (the time exports filter on). Columns are snake_case (SQL engines fold case); times are
 * ISO-8601 UTC strings with milliseconds, exactly as stored in the hot table, so an event reads
 * the same from either side of the hot/archive boundary.
 */
import type { ClickEventRecord, ConversionEventRecord, RawEvent, RefundEventRecord, ShareEventRecord } from './events.js';

export const archivedEventTypes = ['click', 'conversion', 'refund', 'share'] as const;
export type ArchivedEventType = (typeof archivedEventTypes)[number];

/** Key prefix of the archive inside its bucket (or directory). */
export const ARCHIVE_PREFIX = 'events';

/** A column of an archive file: all are strings or booleans, optional ones nullable. */
export interface ArchiveColumn {
  name: string;
  type: 'string' | 'boolean';
  nullable: boolean;
}

const text = (name: string, nullable = false): ArchiveColumn => ({ name, type: 'string', nullable });
const flag = (name: string): ArchiveColumn => ({ name, type: 'boolean', nullable: false });

/** Columns per event type, in file order. `event_id` is first everywhere: exports deduplicate on it. */
export const archiveColumns = {
  click: [
    text('event_id'),
    text('click_id'),
    text('org_id'),
    text('campaign_id'),
    text('slug'),
    text('advocate_id'),
    text('channel'),
    text('department', true),
    text('at'),
    text('visitor_id', true),
    flag('unique'),
    text('bot_class'),
    text('device'),
    text('browser'),
    text('os'),
    text('country', true),
    text('referrer_host', true),
  ],
  conversion: [
    text('event_id'),
    text('org_id'),
    text('source_id'),
    text('webhook_id'),
    text('conversion_id'),
    text('kind'),
    text('occurred_at'),
    text('received_at'),
    text('amount', true),
    text('currency', true),
    text('click_id', true),
    text('visitor_id', true),
    text('customer_id', true),
  ],
  refund: [
    text('event_id'),
    text('org_id'),
    text('source_id'),
    text('webhook_id'),
    text('conversion_id'),
    text('conversion_event_id'),
    text('refund_id'),
    text('occurred_at'),
    text('received_at'),
    text('amount'),
    text('currency'),
  ],
  // Shares leave the hot table as clicks do (`hotClickRetentionDays`); reconcile counts older
  // ones from here, so the roll-ups' `shares` stay checkable for the whole history.
  share: [
    text('event_id'),
    text('share_id'),
    text('org_id'),
    text('campaign_id'),
    text('advocate_id'),
    text('channel'),
    text('department', true),
    text('at'),
    text('recorded_by'),
  ],
} as const satisfies Record<ArchivedEventType, readonly ArchiveColumn[]>;

export type ArchiveRow = Record<string, string | boolean | null>;

const clickRow = (e: ClickEventRecord): ArchiveRow => ({
  event_id: e.eventId,
  click_id: e.clickId,
  org_id: e.orgId,
  campaign_id: e.campaignId,
  slug: e.slug,
  advocate_id: e.advocateId,
  channel: e.channel,
  department: e.department ?? null,
  at: e.at,
  visitor_id: e.visitorId ?? null,
  unique: e.unique,
  bot_class: e.botClass,
  device: e.device,
  browser: e.browser,
  os: e.os,
  country: e.country ?? null,
  referrer_host: e.referrerHost ?? null,
});

const conversionRow = (e: ConversionEventRecord): ArchiveRow => ({
  event_id: e.eventId,
  org_id: e.orgId,
  source_id: e.sourceId,
  webhook_id: e.webhookId,
  conversion_id: e.conversionId,
  kind: e.kind,
  occurred_at: e.occurredAt,
  received_at: e.receivedAt,
  amount: e.value?.amount ?? null,
  currency: e.value?.currency ?? null,
  click_id: e.clickId ?? null,
  visitor_id: e.visitorId ?? null,
  customer_id: e.customerId ?? null,
});

const refundRow = (e: RefundEventRecord): ArchiveRow => ({
  event_id: e.eventId,
  org_id: e.orgId,
  source_id: e.sourceId,
  webhook_id: e.webhookId,
  conversion_id: e.conversionId,
  conversion_event_id: e.conversionEventId,
  refund_id: e.refundId,
  occurred_at: e.occurredAt,
  received_at: e.receivedAt,
  amount: e.value.amount,
  currency: e.value.currency,
});

const shareRow = (e: ShareEventRecord): ArchiveRow => ({
  event_id: e.eventId,
  share_id: e.shareId,
  org_id: e.orgId,
  campaign_id: e.campaignId,
  advocate_id: e.advocateId,
  channel: e.channel,
  department: e.department ?? null,
  at: e.at,
  recorded_by: e.recordedBy,
});

/** An event as its archive row. */
export const archiveRowOf = (event: RawEvent): ArchiveRow => {
  switch (event.type) {
    case 'click':
      return clickRow(event);
    case 'conversion':
      return conversionRow(event);
    case 'refund':
      return refundRow(event);
    case 'share':
      return shareRow(event);
  }
};

/** The UTC date an event is filed under. */
export const archiveDateOf = (event: RawEvent): string => (event.type === 'click' || event.type === 'share' ? event.at : event.occurredAt).slice(0, 10);

/** The partition (directory) of an organization's events of one type and day. */
export const archivePartition = (orgId: string, type: ArchivedEventType, date: string): string =>
  `${ARCHIVE_PREFIX}/org=${orgId}/type=${type}/date=${date}`;

/** Events grouped by the partition they are filed under (insertion order kept within a group). */
export const groupByPartition = (events: readonly RawEvent[]): Map<string, RawEvent[]> => {
  const groups = new Map<string, RawEvent[]>();
  for (const event of events) {
    const partition = archivePartition(event.orgId, event.type, archiveDateOf(event));
    const group = groups.get(partition);
    if (group) group.push(event);
    else groups.set(partition, [event]);
  }
  return groups;
};
