/**
 * The campaign index's projection, measured both ways on a click as the redirect stores it
 * (shared/adapters/redirect-store.ts `clickItem`, every optional field present), sized by
 * DynamoDB's rules (./item-size.ts, + 100 B per stored item): what the index stores and writes per
 * click, and what its readers read — an events page (16 write shards merged, then the page's
 * items fetched by BatchGetItem when the index holds keys only) and a reconciliation (every click
 * of a campaign; strongly consistent item reads).
 *
 * `npx tsx bench/hotkeys/index-projection.ts` prints the figures docs/scaling.md quotes.
 */
import { pathToFileURL } from 'node:url';
import { tables } from '../../infra/definitions.js';
import { representativeClick } from '../../scripts/cost/model.js';
import { campaignIndexShards } from '../../shared/settings.js';
import { itemSize, projectedItem, readUnits, writeUnits } from './item-size.js';

/** DynamoDB adds 100 bytes of overhead to every stored item (storage, not capacity). */
const STORED_ITEM_OVERHEAD_BYTES = 100;
/** An events page (the API's default page). */
const PAGE_CLICKS = 100;

/** The cost model's representative click (every optional field present): one definition of it. */
const sampleClick = (): Record<string, unknown> => representativeClick() as unknown as Record<string, unknown>;

/**
 * INCLUDE with what the events page shows of a click (shared/adapters/event-reads.ts): the
 * reconciliation would rebuild the rest (type, event id, organization, campaign) from the keys.
 */
const EVENTS_PAGE_FIELDS = ['clickId', 'at', 'slug', 'advocateId', 'channel', 'department', 'botClass', 'unique', 'visitorId', 'device', 'browser', 'os', 'country', 'referrerHost'];

type Projection = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';

export interface ProjectionFigures {
  projection: Projection;
  /** Bytes the index stores per click (item + overhead). */
  indexItemBytes: number;
  /** Write units the index takes per click (standard writes, even under a transaction). */
  indexWriteUnits: number;
  /** Read units of one events page of PAGE_CLICKS clicks (eventually consistent). */
  eventsPageReadUnits: number;
  /** Read units per click a reconciliation reads (index eventually consistent, items strongly). */
  reconcileReadUnitsPerClick: number;
}

const figuresFor = (projection: Projection): ProjectionFigures => {
  const events = tables.events;
  const index = { ...events.globalSecondaryIndexes[0], projection, nonKeyAttributes: EVENTS_PAGE_FIELDS };
  const click = sampleClick();
  const tableBytes = itemSize(click);
  const indexBytes = itemSize(projectedItem(click, events, index));
  // A page merges the shards lazily: about 1.5 × page / shards index items from each.
  const perShard = Math.ceil((1.5 * PAGE_CLICKS) / campaignIndexShards);
  const indexReads = campaignIndexShards * readUnits(perShard * indexBytes);
  // BatchGetItem rounds each item up to 4 KB on its own.
  const itemReads = (consistent: boolean) => (projection === 'KEYS_ONLY' ? readUnits(tableBytes, consistent) : 0);
  return {
    projection,
    indexItemBytes: indexBytes + STORED_ITEM_OVERHEAD_BYTES,
    indexWriteUnits: writeUnits(indexBytes),
    eventsPageReadUnits: indexReads + PAGE_CLICKS * itemReads(false),
    // Queries read 1 MB pages: the index's share per click is its bytes over 4 KB, halved.
    reconcileReadUnitsPerClick: (indexBytes / 4096) * 0.5 + itemReads(true),
  };
};

export const campaignIndexProjectionFigures = () => ({
  tableItemBytes: itemSize(sampleClick()) + STORED_ITEM_OVERHEAD_BYTES,
  pageClicks: PAGE_CLICKS,
  all: figuresFor('ALL'),
  include: figuresFor('INCLUDE'),
  keysOnly: figuresFor('KEYS_ONLY'),
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(campaignIndexProjectionFigures(), null, 2));
}
