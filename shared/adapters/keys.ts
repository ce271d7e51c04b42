/**
 * Key layout of the tables. Every string that becomes part of a key passes through here, so
 * the layout is documented in one place (docs/architecture.md mirrors it).
 */
import { campaignIndexShards, rollupPartitionShards } from '../settings.js';
import { channels } from '../domain/channels.js';
import { deviceClasses, type ClickEventRecord, type ConversionEventRecord, type ShareEventRecord } from '../domain/events.js';

export const entityKeys = {
  org: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  apiKey: (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' }),
  apiKeysOfOrg: (orgId: string) => `ORG#${orgId}#APIKEYS`,
  campaign: (orgId: string, campaignId: string) => ({ pk: `ORG#${orgId}`, sk: `CAMPAIGN#${campaignId}` }),
  advocate: (orgId: string, advocateId: string) => ({ pk: `ORG#${orgId}`, sk: `ADVOCATE#${advocateId}` }),
  /** Links live under their slug: the redirect knows nothing else. */
  link: (slug: string) => ({ pk: `LINK#${slug}`, sk: 'LINK' }),
  /** Idempotent issuance: one item per (campaign, advocate, channel, destination). */
  linkIdentity: (orgId: string, campaignId: string, advocateId: string, channel: string, destinationHash: string) => ({
    pk: `ORG#${orgId}`,
    sk: `LINKID#${campaignId}#${advocateId}#${channel}#${destinationHash}`,
  }),
  /** gsi1: links of a campaign (optionally narrowed to an advocate). */
  linksOfCampaign: (orgId: string, campaignId: string) => `ORG#${orgId}#CAMPAIGN#${campaignId}#LINKS`,
  /** gsi2: links of an advocate across campaigns. */
  linksOfAdvocate: (orgId: string, advocateId: string) => `ORG#${orgId}#ADVOCATE#${advocateId}#LINKS`,
  /**
   * A short domain lives under its hostname: a hostname belongs to at most one organization (the
   * conditional write of this item), and the redirect finds its holder with one read.
   */
  domain: (hostname: string) => ({ pk: `DOMAIN#${hostname}`, sk: 'DOMAIN' }),
  /** gsi1: the domains of an organization. */
  domainsOfOrg: (orgId: string) => `ORG#${orgId}#DOMAINS`,
  webhookSource: (sourceId: string) => ({ pk: `SOURCE#${sourceId}`, sk: 'SOURCE' }),
  webhookSourcesOfOrg: (orgId: string) => `ORG#${orgId}#SOURCES`,
  /** A webhook id already delivered by a source (replay protection, kept 7 days). */
  webhookDelivery: (sourceId: string, webhookId: string) => ({ pk: `WHID#${sourceId}#${webhookId}`, sk: 'WHID' }),
  /** The running total refunded of a conversion (checked against its amount at intake). */
  refundTally: (orgId: string, conversionId: string) => ({ pk: `REFUNDS#${orgId}#${conversionId}`, sk: 'REFUNDS' }),
  /** A history export (spec 14), kept a week (TTL). */
  export: (orgId: string, exportId: string) => ({ pk: `ORG#${orgId}`, sk: `EXPORT#${exportId}` }),
  /** The organization's count of exports queued or running, kept exact by conditional writes. */
  exportSlots: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'EXPORTSLOTS' }),
  /** An erasure request (spec 16): its subject while it runs, its status and progress; kept 30 days (TTL). */
  erasure: (orgId: string, erasureId: string) => ({ pk: `ORG#${orgId}`, sk: `ERASURE#${erasureId}` }),
  /** The unfinished erasure of a subject, under the subject's digest (shared/domain/erasure.ts): a repeat resumes it. */
  erasureOfSubject: (orgId: string, digest: string) => ({ pk: `ORG#${orgId}`, sk: `ERASUREOF#${digest}` }),
  /**
   * Shares an advocate recorded in one UTC minute (`YYYY-MM-DDTHH:MM`): the flood cap's counter,
   * raised by a conditional ADD, gone by TTL shortly after its minute.
   */
  shareMinute: (orgId: string, advocateId: string, minute: string) => ({ pk: `SHARECAP#${orgId}#${advocateId}`, sk: `MIN#${minute}` }),
};

export const eventKeys = {
  /** Human clicks sit in their visitor's partition: unique checks and attribution read one partition. */
  visitorClick: (visitorId: string, at: string, clickId: string) => ({ pk: `V#${visitorId}`, sk: `C#${at}#${clickId}` }),
  /** Clicks without a visitor (bots, previews, HEAD) each get their own partition. */
  anonymousClick: (at: string, clickId: string) => ({ pk: `X#${clickId}`, sk: `C#${at}#${clickId}` }),
  visitorPartition: (visitorId: string) => `V#${visitorId}`,
  /** A conversion's key is its dedupe key: (organization, the sender's conversionId). */
  conversion: (orgId: string, conversionId: string) => ({ pk: `CONV#${orgId}#${conversionId}`, sk: 'CONV' }),
  /** A refund sits in its conversion's partition: once per (organization, conversionId, refundId). */
  refund: (orgId: string, conversionId: string, refundId: string) => ({ pk: `CONV#${orgId}#${conversionId}`, sk: `REFUND#${refundId}` }),
  /** byCampaign index partition of an organization's conversions (reconciliation, audits). */
  conversionIndex: (orgId: string) => `${orgId}#_conversions`,
  clickSortKey: (at: string) => `C#${at}`,
  /** A share is its own partition (nothing reads an advocate's shares together; its id spreads them). */
  share: (shareId: string) => ({ pk: `SHARE#${shareId}`, sk: 'SHARE' }),
  /**
   * byCampaign index partition of a campaign's shares (reconciliation): one, unsharded — shares
   * are started by employees, at most `shareFloodCapPerMinute` per advocate, far below the
   * ~1,000 writes/s of one index partition that the clicks' write shards are for.
   */
  shareIndex: (orgId: string, campaignId: string) => `${orgId}#${campaignId}#shares`,
  /**
   * byCampaign index: the index partition a click of a campaign is written to — one of
   * `campaignIndexShards` write shards, chosen by its id (infra/definitions.ts says why).
   */
  campaignIndex: (orgId: string, campaignId: string, eventId: string) =>
    eventKeys.campaignIndexShard(orgId, campaignId, shardOf(eventId, campaignIndexShards)),
  /** Shard 0 is the key of the unsharded layout, so clicks written before sharding stay readable. */
  campaignIndexShard: (orgId: string, campaignId: string, shard: number) =>
    shard === 0 ? `${orgId}#${campaignId}` : `${orgId}#${campaignId}#${shard}`,
  campaignIndexSort: (at: string, eventId: string) => `${at}#${eventId}`,
};

/** Where a click is stored: its item key and its byCampaign index key. */
export const clickItemKeys = (click: Pick<ClickEventRecord, 'orgId' | 'campaignId' | 'clickId' | 'at' | 'visitorId'>) => ({
  ...(click.visitorId ? eventKeys.visitorClick(click.visitorId, click.at, click.clickId) : eventKeys.anonymousClick(click.at, click.clickId)),
  gsi1pk: eventKeys.campaignIndex(click.orgId, click.campaignId, click.clickId),
  gsi1sk: eventKeys.campaignIndexSort(click.at, click.clickId),
});

/** Where a conversion is stored: its key is its dedupe key; the index lists an organization's conversions. */
export const conversionItemKeys = (conversion: Pick<ConversionEventRecord, 'orgId' | 'conversionId' | 'occurredAt' | 'eventId'>) => ({
  ...eventKeys.conversion(conversion.orgId, conversion.conversionId),
  gsi1pk: eventKeys.conversionIndex(conversion.orgId),
  gsi1sk: eventKeys.campaignIndexSort(conversion.occurredAt, conversion.eventId),
});

/** Where a share is stored: its own item, and its campaign's share partition of the byCampaign index. */
export const shareItemKeys = (share: Pick<ShareEventRecord, 'orgId' | 'campaignId' | 'shareId' | 'at'>) => ({
  ...eventKeys.share(share.shareId),
  gsi1pk: eventKeys.shareIndex(share.orgId, share.campaignId),
  gsi1sk: eventKeys.campaignIndexSort(share.at, share.shareId),
});

/** What a byCampaign sort key (`<ISO time>#<event id>`) looks like: cursors carry them. */
export const campaignIndexSortPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9_-]{1,128}$/;

/**
 * A deterministic shard in 0…shards−1 for an id (FNV-1a, 32 bits): the same click always lands
 * in the same shard, and ids — random in their last characters — spread evenly.
 */
export const shardOf = (id: string, shards: number): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
};

/** Dimensions whose keys are a closed list: a key's partition is its place in the list. */
const listedShard: Readonly<Record<string, ReadonlyMap<string, number>>> = {
  channel: new Map(channels.map((channel, index) => [channel, index])),
  device: new Map(deviceClasses.map((device, index) => [device, index])),
};

/** Partitions of a roll-up dimension (`rollupPartitionShards`; 1 for dimensions it does not name). */
export const rollupShardsOf = (dimension: string): number =>
  (rollupPartitionShards as Readonly<Record<string, number>>)[dimension] ?? 1;

/**
 * The partition (0…shards−1) of a roll-up dimension that holds a key's rows: FNV-1a of the key
 * (`shardOf`), except channels and device classes — closed, append-only lists — which take their
 * place in their list, so no two busy channels (or devices) share a partition; a key off the list
 * (`unknown`) is hashed. Deterministic forever for a given shard count: a row is
 * updated in place, so it must always be found where it was first written.
 */
export const rollupShardOf = (dimension: string, key: string): number => {
  const shards = rollupShardsOf(dimension);
  if (shards <= 1) return 0;
  const listed = listedShard[dimension]?.get(key);
  return listed !== undefined ? listed % shards : shardOf(key, shards);
};

export const rollupKeys = {
  /**
   * A partition of a campaign's dimension: `R#<org>#<campaign>#<dimension>` for shard 0 (the key of
   * the unsharded layout, so rows written before sharding stay where readers look), `…#<shard>`
   * for the others. Rows are `<day>#<key>` (daily) and `*#<key>` (all time).
   */
  partitionShard: (orgId: string, campaignId: string, dimension: string, shard: number) =>
    shard === 0 ? `R#${orgId}#${campaignId}#${dimension}` : `R#${orgId}#${campaignId}#${dimension}#${shard}`,
  /** Every partition of a campaign's dimension, shard 0 first: what a reader of the dimension queries. */
  partitions: (orgId: string, campaignId: string, dimension: string): string[] =>
    Array.from({ length: rollupShardsOf(dimension) }, (_, shard) => rollupKeys.partitionShard(orgId, campaignId, dimension, shard)),
  /** The one partition holding a key's rows (daily and all time) in a campaign's dimension. */
  rowPartition: (orgId: string, campaignId: string, dimension: string, key: string) =>
    rollupKeys.partitionShard(orgId, campaignId, dimension, rollupShardOf(dimension, key)),
  dailyRow: (day: string, key: string) => `${day}#${key}`,
  allTimeRow: (key: string) => `*#${key}`,
  /** The item of a roll-up row (`period`: a day, or `*` for all time). */
  row: (row: { orgId: string; campaignId: string; dimension: string; period: string; key: string }) => ({
    pk: rollupKeys.rowPartition(row.orgId, row.campaignId, row.dimension, row.key),
    sk: row.period === '*' ? rollupKeys.allTimeRow(row.key) : rollupKeys.dailyRow(row.period, row.key),
  }),
  /** A conversion's credit within one campaign, written with its counters (events API, reconciliation). */
  conversionRecord: (orgId: string, campaignId: string, occurredAt: string, eventId: string) => ({
    pk: `CONV#${orgId}#${campaignId}`,
    sk: `${occurredAt}#${eventId}`,
  }),
  conversionRecords: (orgId: string, campaignId: string) => `CONV#${orgId}#${campaignId}`,
  /** A refund's share in one campaign (reconciliation), apart from the conversion records the events API lists. */
  refundRecord: (orgId: string, campaignId: string, occurredAt: string, eventId: string) => ({
    pk: `REFUND#${orgId}#${campaignId}`,
    sk: `${occurredAt}#${eventId}`,
  }),
  refundRecords: (orgId: string, campaignId: string) => `REFUND#${orgId}#${campaignId}`,
  /**
   * A conversion's credit state: written with its counters (which campaigns it credited), and
   * the refunds that arrived before it, parked there until it is applied.
   */
  conversionCredit: (conversionEventId: string) => ({ pk: `CREDITED#${conversionEventId}`, sk: 'CREDITED' }),
  /** The touchpoints a customer's first attributed conversion fixed. */
  customerPath: (orgId: string, customerId: string) => ({ pk: `CUST#${orgId}#${customerId}`, sk: 'PATH' }),
  /** The consumer's ledger: an event id applied to the roll-ups. */
  applied: (eventId: string) => ({ pk: `APPLIED#${eventId}`, sk: 'APPLIED' }),
  /** A campaign's click fold (shared/domain/click-fold.ts): its watermark and its receipts. */
  foldPartition: (orgId: string, campaignId: string) => `FOLD#${orgId}#${campaignId}`,
  foldWatermark: (orgId: string, campaignId: string) => ({ pk: rollupKeys.foldPartition(orgId, campaignId), sk: 'WATERMARK' }),
  /** A receipt, by the exclusive lower bound of its range: `R#<after>` sorts as the ranges do. */
  foldReceipt: (orgId: string, campaignId: string, after: string) => ({ pk: rollupKeys.foldPartition(orgId, campaignId), sk: `R#${after}` }),
  foldReceiptSort: (after: string) => `R#${after}`,
};

/**
 * The ranking index (shared/domain/ranking.ts), beside the roll-ups: spread over the advocate
 * dimension's partitions (`rollupPartitionShards.advocate`), an advocate's items in the shard of its
 * roll-up rows, so one advocate's update touches one shard and a top-N merges the shards' heads.
 */
export const rankingKeys = {
  shards: (): number => rollupShardsOf('advocate'),
  shardOf: (advocateId: string): number => rollupShardOf('advocate', advocateId),
  /** Entries of one ranked counter in one shard: sort key `<value descending>#<advocateId>`. */
  entries: (orgId: string, campaignId: string, counter: string, shard: number) => `RK#${orgId}#${campaignId}#${counter}#${shard}`,
  /** Bucket counts (`B#<counter>#<bucket>`) and the population (`N`) of one shard. */
  counts: (orgId: string, campaignId: string, shard: number) => `RKN#${orgId}#${campaignId}#${shard}`,
  bucket: (counter: string, bucket: string) => `B#${counter}#${bucket}`,
  bucketsOf: (counter: string) => `B#${counter}#`,
  population: 'N',
};

/**
 * Whether a client-supplied start key (from a cursor) can be a key this query returned: exactly
 * the key attributes of the table or index queried, all strings of key size, in the expected
 * partition. Anything else would page through another partition or make DynamoDB refuse the query.
 */
export const isStartKeyOf = (
  startKey: Record<string, unknown>,
  keyAttributes: readonly string[],
  partition: { attribute: string; value: string },
): boolean => {
  const names = Object.keys(startKey);
  return (
    names.length === keyAttributes.length &&
    keyAttributes.every((name) => typeof startKey[name] === 'string' && Buffer.byteLength(startKey[name] as string) <= 1024) &&
    startKey[partition.attribute] === partition.value
  );
};
