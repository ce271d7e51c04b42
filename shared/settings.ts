/**
 * Product settings: facts about the data the product keeps, which the code that writes and reads
 * it depends on. Deployment settings (memory, timeouts, throttling, stream batching) live in
 * infra/definitions.ts, which imports these; nothing here imports infra/.
 */
import type { RollupDimension } from './domain/rollup.js';

/** The product's tables. Handlers read a table's physical name from `TABLE_<ID>`. */
export const tableIds = ['entities', 'events', 'rollups'] as const;
export type TableId = (typeof tableIds)[number];
export const tableEnvVar = (id: TableId): string => `TABLE_${id.toUpperCase()}`;

/** A function another starts asynchronously reads its deployed name from `<ID>_FUNCTION_NAME` (`exportWorker` → `EXPORT_WORKER_FUNCTION_NAME`). */
export const invokedFunctionEnvVar = (functionId: string): string => `${functionId.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}_FUNCTION_NAME`;

/**
 * Where the history archive lives (shared/adapters/object-store.ts reads them): on AWS the
 * bucket's name (set by the CDK stack on the functions that read or write it), locally a
 * directory (set by the local runtime). Exactly one is set where the archive is used.
 */
export const archiveBucketEnvVar = 'ARCHIVE_BUCKET';
export const archiveDirEnvVar = 'ARCHIVE_DIR';

/**
 * Hot retention of conversions and refunds: DynamoDB TTL removes them after this many days. They
 * stay hot as long as the history: a conversion's item is its `conversionId` dedupe (a sender
 * may repeat one months later) and refunds look their conversion up by it; they are ~1% of the
 * events, so keeping them costs little. (Clicks: `hotClickRetentionDays`.)
 */
export const rawEventRetentionDays = 400;

/** The longest attribution lookback a campaign may choose (spec section 6). */
export const maxLookbackDays = 90;

/**
 * Hot retention of clicks (spec section 14): DynamoDB TTL removes a click this many days after
 * its `at`. Attribution reads clicks up to `maxLookbackDays` before a conversion's `occurredAt`,
 * and a conversion may reach us (or be processed) after it occurred: a sender retrying its
 * webhook for days (Standard Webhooks senders retry for up to ~5 days), a roll-up batch
 * replayed from the dead-letter queue. The 7-day margin keeps every click a conversion reported
 * within a week of occurring can need. Exports and reconcile read older clicks from the archive,
 * which holds every click from minutes after it was recorded.
 */
export const hotClickRetentionDays = maxLookbackDays + 7;

/**
 * Shares one advocate may record per UTC minute (spec section 15, `POST /v1/shares`). A person
 * sharing by hand starts a few shares a minute at most (one campaign on five networks); past the
 * cap the request is refused with 429 and `Retry-After` (the seconds left in the minute) and
 * nothing is recorded, so a script or a stuck button cannot inflate an advocate's shares.
 * Shares under the cap are all counted. Shares stay hot as long as clicks (`hotClickRetentionDays`),
 * then only in the archive.
 */
export const shareFloodCapPerMinute = 20;

/**
 * Clicks one receipt of the click fold holds at most (shared/domain/click-fold.ts). A receipt is
 * one item (≤ 400 KB): 1,000 clicks take ~16 KB of digests and a few thousand row deltas, ~30–60 KB
 * gzipped at the peak. Beyond it the range is cut and the next receipt goes on from there.
 */
export const clickFoldMaxClicks = 1000;

/**
 * History retention (spec section 14): how long an organization's raw events stay queryable, in
 * the archive (and exports may reach back). 13 months, the span EU programs compare a year with.
 */
export const historyRetentionDays = 400;

/**
 * Retention bounds of the deployment (spec section 16): each organization chooses its own
 * retention within them (`GET/PATCH /v1/organization`, shared/domain/organization-settings.ts).
 *
 * - Raw events: the TTL a conversion or refund gets at write is the organization's
 *   `rawEventDays`, between the hot click retention (a conversion is the dedupe key of its
 *   `conversionId` and refunds look it up, so it must outlive the clicks attribution reads) and
 *   `rawEventRetentionDays`. Clicks always keep `hotClickRetentionDays`: the floor, which
 *   attribution needs, and the archive holds them after it.
 * - Archive: S3 lifecycle rules expire objects by a tag the archiver sets, one rule per class, so
 *   an organization picks one of these classes (the largest is the history retention; every class
 *   outlasts the hot clicks).
 * - Logs: CloudWatch log groups are per function, not per organization; logs carry no personal
 *   data (docs/privacy.md), and every log group keeps `logRetentionDays`.
 */
export const archiveRetentionClassesDays = [100, 200, 300, historyRetentionDays] as const;
export const logRetentionDays = 30;
export const retentionBounds = {
  rawEventDays: { min: hotClickRetentionDays, max: rawEventRetentionDays },
  archiveDays: archiveRetentionClassesDays,
  logDays: logRetentionDays,
} as const;

/**
 * The events table's index of a campaign's clicks by time (keys only: readers fetch the items).
 * `byCampaign` was its name while it projected every attribute; a projection cannot change in
 * place, so the keys-only index has a name of its own (docs/operations.md, "Upgrade: the
 * keys-only campaign index", two deploys). Readers and the table definition both take it from here.
 */
export const campaignIndexName = 'byCampaignKeys';

/**
 * Write shards of the events table's `byCampaign` index. Every click of a campaign lands in
 * that index; on one partition key (`<org>#<campaign>`, time-ordered sort key, so DynamoDB's
 * split-for-heat cannot spread the appends) a campaign above ~1,000 clicks/s would exceed the
 * 1,000 WCU/s of a partition, and a throttled index throttles the redirect's own PutItem (lost
 * click ids). A click goes to shard `hash(clickId) mod campaignIndexShards` (shard 0 is the
 * unsuffixed key of the unsharded layout); readers query every shard and merge by time
 * (shared/adapters/event-reads.ts; shared/adapters/reconcile-reads.ts reads them one after
 * another). 16 shards take ~16,000 clicks/s of one campaign (a click item is ~0.6 KB: 1 WCU);
 * an events page then costs 16 small queries.
 *
 * Only ever raise it: readers query shards 0…n−1, so lowering it would hide the clicks written to
 * the shards above. Raising it invalidates raw-event cursors issued before (400, start again).
 * bench/hotkeys/ measures it: `npm run simulate:hotkeys` (docs/scaling.md).
 */
export const campaignIndexShards = 16;

/**
 * Partitions per roll-up dimension. Every row of a campaign's dimension used to share one
 * partition key (`R#<org>#<campaign>#<dimension>`): each row is written at most once per
 * transaction (≤ ~500 WCU/s per row at 10,000 clicks/s on one campaign), but a viral campaign's
 * `link` and `advocate` rows together took 2,300–7,700 WCU/s — above the 1,000 WCU/s of a
 * partition, and DynamoDB splits a hot key range only after minutes of heat. Now a row's partition
 * is chosen by its key (link slug, advocate id…): shard `hash(key) mod n` (FNV-1a, `shardOf`;
 * channels by their place in the channel list, one channel per shard), shard 0 being the unsuffixed
 * key of the unsharded layout, `#<n>` the others. A key's daily and all-time rows stay together in
 * exactly one item each — no reader sums shards of a row; dimension reads query the n partitions in
 * parallel and merge them (shared/adapters/rollup-reads.ts; a reconciliation reads them one after
 * another, shared/adapters/reconcile-reads.ts).
 *
 * Sharding by key spreads a dimension's keys, not one key: the `campaign` dimension has the single
 * key `all` (its two rows, the campaign totals, take ≤ ~1,000 WCU/s together), so it stays 1.
 *
 * **Do not change a dimension's count once it holds rows.** Lowering it hides the rows of the
 * shards above (readers query shards 0…n−1). Unlike `campaignIndexShards` (a click is written
 * once), raising it is not free either: a row is updated in place, and a key whose shard changes
 * would start a second item beside its old one — dimension reads would still sum them per key,
 * but a link's stats (one `GetItem`) and `reconcileCampaign` (one item per row) would not. Changing
 * it on live data takes a re-aggregation of the roll-ups. bench/hotkeys/ measures it:
 * `npm run simulate:hotkeys` (docs/scaling.md, "Hot keys").
 */
export const rollupPartitionShards = {
  campaign: 1,
  link: 16,
  advocate: 16,
  /** One per channel (`shared/domain/channels.ts`, append-only): two busy channels never share one. */
  channel: 12,
  department: 16,
  /**
   * Breakdowns, by their expected number of keys. Every click adds to one row of each, so each
   * breakdown as a whole is as hot as the campaign's totals; more partitions spread its keys (not
   * one key). `device` has four classes, one partition each (by place in `deviceClasses`, like
   * channels): mobile and desktop never share one. Browsers and OSes are a few dozen names, 4;
   * countries up to ~250 codes, 8; referrer hosts are open-ended, 16 like links. A dimension read
   * queries every partition, so a partition too many costs a small query per dashboard read.
   */
  country: 8,
  device: 4,
  browser: 4,
  os: 4,
  referrer: 16,
} as const satisfies Record<RollupDimension, number>;

