/**
 * The cost model: counted capacity (from a benchmark run's `capacity` key) × list prices
 * (scripts/cost/prices.ts) → cost per million clicks, per thousand conversions, and for a month
 * of a program. Pure: no file or network access; scripts/cost-model.ts is the command.
 *
 * What is counted and what is estimated:
 * - requests, Lambda invocations, read and write units and durations are the benchmark's counts;
 *   `transactWriteUnits` are already at AWS's transactional rate (2 per started KB of every item):
 *   DynamoDB Local reports 2 units per TransactWriteItems call and table, however many items, so
 *   the benchmark computes them from the requests (shared/adapters/capacity-meter.ts,
 *   bench/lib/capacity.ts) and they are billed as they are here;
 * - Lambda memory is the configured memory of infra/definitions.ts (billed memory, not used);
 *   compute is invocations × mean duration per function when the run breaks them down, else
 *   invocations × the median duration of the path's main function (an estimate);
 * - storage is an estimate from the item shapes (the product's own key functions and types),
 *   sized with DynamoDB's rules plus its 100 bytes per item, kept `rawEventRetentionDays`;
 * - the CDN (CloudFront in front of the API) bills every counted API request once as an HTTPS
 *   request and once as a viewer-request function run, and the bytes of each answer as data
 *   transfer out (an assumption per path, `program.cdnResponseBytes`); origin fetches from AWS
 *   are free. `redirectOrigin` prices the redirect behind the HTTP API (as deployed) or behind a
 *   Lambda function URL (no API Gateway request), the choice docs/scaling.md shows.
 */
import { itemSize } from '../../bench/hotkeys/item-size.js';
import { edge, functions, streamConsumer, tables } from '../../infra/definitions.js';
import { hotClickRetentionDays, rawEventRetentionDays } from '../../shared/settings.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { clickItem } from '../../shared/adapters/redirect-store.js';
import { conversionItem } from '../../shared/adapters/conversions.js';
import type { ConversionCampaignRecord } from '../../shared/domain/conversion-credit.js';
import { prices as listPrices, type PriceId, type PriceTable } from './prices.js';
import { archiveUsagePerClick, archiver, clicksPerArchiveFile, exportUsage, exportsPerProgramMonth, historyMonths, parquetBytesPerClick } from './archive.js';

// ---------------------------------------------------------------------------------------------
// Counted capacity, as the benchmark writes it (bench/results/<run>.json, key `capacity`).

interface CountedPath {
  lambdaInvocations: number;
  readUnits: number;
  /** Standard (non-transactional) write units, indexes included. */
  writeUnits: number;
  /** Write units of transactional writes, at the transactional rate (2 per started KB of each item). */
  transactWriteUnits: number;
  medianDurationMs: number;
  memoryMb: number;
  /** Per function (the authorizer apart from the handler), when the run breaks invocations down. */
  byFunction?: Record<string, { invocations: number; medianDurationMs: number; meanDurationMs?: number }>;
}

export interface Capacity {
  redirect: CountedPath & { requests: number; apiRequests: number };
  webhook: CountedPath & { requests: number; accepted: number; apiRequests: number };
  rollup: CountedPath & { events: number; clicks: number; conversions: number };
  /** Authorizer invocations are included in `lambdaInvocations`. */
  queries: CountedPath & { requests: number; apiRequests: number };
}

/** Each path's main function: its memory bills the path's compute when the run has no per-function breakdown. */
export const pathFunctions = {
  redirect: 'redirect',
  webhook: 'conversions',
  rollup: streamConsumer.function,
  queries: 'analytics',
} as const satisfies Record<keyof Capacity, FunctionId>;

// ---------------------------------------------------------------------------------------------
// The program the issue prices, and what the model assumes about it.

export const program = {
  advocates: 10_000,
  clicksPerMonth: 2_000_000,
  conversionsPerMonth: 20_000,
  /** Assumption: each advocate opens their stats about 4 times a month; managers run 10,000 dashboard queries. */
  queryRequestsPerMonth: 50_000,
  /**
   * Assumption: new roll-up rows per click. Daily rows are shared by every click of their key
   * that day: 66,000 clicks a day over ~20,000 links and 10,000 advocates make ~0.3 link-day and
   * ~0.15 advocate-day rows per click; channel, department and campaign rows are shared widely.
   */
  rollupRowsPerClick: 0.5,
  /**
   * Assumption: bytes the CDN sends back per answer, headers included. A redirect is a 302 with a
   * Location of ~250 B, two cookies of ~150 B and the usual headers (HSTS, date, CloudFront's
   * own): ~1 KB. A webhook answer is a small JSON; a dashboard query a page of JSON.
   */
  cdnResponseBytes: { redirect: 1_000, webhook: 500, queries: 5_000 },
};

/** Where CloudFront sends the redirect: the HTTP API or a Lambda function URL. */
export type RedirectOrigin = 'httpApi' | 'functionUrl';

/** The redirect's origin as deployed: `edge.redirectOrigin` of infra/definitions.ts. */
export const deployedRedirectOrigin: RedirectOrigin = edge.redirectOrigin;

/** What the byCampaign index projects: every attribute, its keys only, or its keys and the named attributes. */
export type IndexProjection = 'ALL' | 'KEYS_ONLY' | readonly string[];

/** The deployed projection: the index definition's `projection` when it has one, else ALL (CDK's default and the stack's today). */
export const deployedCampaignIndexProjection: IndexProjection =
  (tables.events.globalSecondaryIndexes[0] as { projection?: IndexProjection }).projection ?? 'ALL';

/** Point-in-time recovery per table, as infra/definitions.ts sets it. */
export const deployedPointInTimeRecovery = { events: tables.events.pointInTimeRecovery, rollups: tables.rollups.pointInTimeRecovery };

/** How a profile's traffic shapes what is priced per click: the clicks an archive file holds (from the rate). */
export interface ProfileShape {
  clicksPerArchiveFile: number;
}

/** A profile at the benchmark's peak: the archiver's batches fill up. */
export const peakShape = (): ProfileShape => ({ clicksPerArchiveFile: archiver.batchSize });

/** A profile at the given rates (clicks/s) and shares of the day: each phase's file size, weighted. */
export const shapeAtRates = (phases: ReadonlyArray<{ clicksPerSecond: number; shareOfDay: number }>): ProfileShape => {
  const shares = phases.reduce((sum, phase) => sum + phase.shareOfDay, 0);
  // Files per click add up across phases (not clicks per file): the harmonic mean, weighted.
  const filesPerClick = phases.reduce((sum, phase) => sum + (phase.shareOfDay / shares) / clicksPerArchiveFile(phase.clicksPerSecond), 0);
  return { clicksPerArchiveFile: 1 / filesPerClick };
};

const DAYS_PER_MONTH = 365.25 / 12;
const GIB = 1024 ** 3;
/** DynamoDB bills 100 bytes of overhead per stored item (table and index alike). */
const ITEM_OVERHEAD_BYTES = 100;
/** Ledger entries (`APPLIED#<event>`) live 8 days (shared/adapters/rollup-writer.ts). */
const LEDGER_DAYS = 8;

// ---------------------------------------------------------------------------------------------
// Item sizes, from representative items built with the product's key functions and types.

const ORG = 'org_o4YZMT8VVhjy3uBP3h17';
const CAMPAIGN = 'cmp_9DBKIk7itB1gW1monBZt';
const VISITOR = '9PYdT2tR-t1M6P2nDFtvzA';
const CLICK_ID = `01M8EQF6PMDZRCCCHCKP2GY0ZZ${VISITOR}`;
const AT = '2026-11-27T14:45:06.716Z';
const EXPIRES = 1_799_000_000;

/** A human click as functions/redirect.ts stores it (every optional field present). */
export const representativeClick = () =>
  clickItem({
    type: 'click',
    eventId: CLICK_ID,
    clickId: CLICK_ID,
    orgId: ORG,
    campaignId: CAMPAIGN,
    slug: 'oMdjhGhH',
    advocateId: 'emp-00042',
    channel: 'linkedin',
    department: 'Engineering',
    at: AT,
    visitorId: VISITOR,
    unique: true,
    botClass: 'human',
    device: 'desktop',
    browser: 'Chrome',
    os: 'Windows',
    country: 'DE',
    referrerHost: 'www.linkedin.com',
  });

/** A purchase as shared/adapters/conversions.ts stores it. */
const representativeConversion = () =>
  conversionItem({
    type: 'conversion',
    eventId: 'cvW3Jr0yQ8m1bK2xZ9pLqT5vNc',
    orgId: ORG,
    sourceId: 'src_emQ7CEWZ3XCvZIpHJ3YT',
    webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f1W',
    conversionId: 'order-1042',
    kind: 'purchase',
    occurredAt: AT,
    receivedAt: AT,
    value: { amount: '129.90', currency: 'EUR' },
    clickId: CLICK_ID,
    customerId: 'crm-77',
  });

/** A conversion's credit record in one campaign, with two touches (first and last click). */
const representativeCreditRecord = (): ConversionCampaignRecord & Record<string, unknown> => {
  const touch = { clickId: CLICK_ID, at: AT, advocateId: 'emp-00042', slug: 'oMdjhGhH', channel: 'linkedin', department: 'Engineering' };
  const split = [{ touch: 0, credit: 500_000, revenueMinor: '6495' }, { touch: 1, credit: 500_000, revenueMinor: '6495' }];
  return {
    ...rollupKeys.conversionRecord(ORG, CAMPAIGN, AT, 'cvW3Jr0yQ8m1bK2xZ9pLqT5vNc'),
    type: 'conversionRecord',
    orgId: ORG,
    eventId: 'cvW3Jr0yQ8m1bK2xZ9pLqT5vNc',
    conversionId: 'order-1042',
    kind: 'purchase',
    occurredAt: AT,
    value: { amount: '129.90', currency: 'EUR' },
    customerId: 'crm-77',
    campaignId: CAMPAIGN,
    touches: [touch, touch],
    credits: {
      last_click: [{ touch: 1, credit: 1_000_000, revenueMinor: '12990' }],
      first_click: [{ touch: 0, credit: 1_000_000, revenueMinor: '12990' }],
      linear: split,
      time_decay: split,
      position_based: split,
    },
  };
};

/** A roll-up counter row with the counters a row with conversions in one currency carries. */
const representativeRollupRow = (): Record<string, unknown> => ({
  ...rollupKeys.row({ orgId: ORG, campaignId: CAMPAIGN, dimension: 'advocate', period: '2026-11-27', key: 'emp-00042' }),
  clicks: 1234,
  uniqueClicks: 1100,
  botClicks: 321,
  ...Object.fromEntries(['last_click', 'first_click', 'linear', 'time_decay', 'position_based'].flatMap((model) => [[`conv_${model}`, 2_500_000], [`rev_${model}_EUR`, 32475]])),
  updatedAt: AT,
  // The click fold's fence (shared/adapters/rollup-writer.ts): the number of the last receipt applied.
  foldSequence: 123_456,
  orgId: ORG,
  campaignId: CAMPAIGN,
  dimension: 'advocate',
  period: '2026-11-27',
  key: 'emp-00042',
});

export interface StorageEstimate {
  /** Bytes stored per click in the table, and again in the byCampaign index (as projected). */
  clickTableBytes: number;
  clickIndexBytes: number;
  /** Months a click stays in the hot table (`hotClickRetentionDays`); conversions stay `retentionMonths`. */
  hotClickMonths: number;
  /** Months the archive keeps a click (`historyRetentionDays`). */
  historyMonths: number;
  /** Point-in-time recovery of the events and the roll-ups tables. */
  pointInTimeRecovery: { events: boolean; rollups: boolean };
  conversionTableBytes: number;
  conversionIndexBytes: number;
  creditRecordBytes: number;
  rollupRowBytes: number;
  ledgerBytes: number;
  retentionMonths: number;
}

/** Bytes an index entry of `item` takes under a projection: its table and index keys, plus what is projected. */
export const indexEntryBytes = (item: Record<string, unknown>, projection: IndexProjection): number => {
  if (projection === 'ALL') return itemSize(item) + ITEM_OVERHEAD_BYTES;
  const keys = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
  const kept = projection === 'KEYS_ONLY' ? keys : [...keys, ...projection];
  return itemSize(Object.fromEntries(Object.entries(item).filter(([name]) => kept.includes(name)))) + ITEM_OVERHEAD_BYTES;
};

export interface StorageChoices {
  projection?: IndexProjection;
  pointInTimeRecovery?: { events: boolean; rollups: boolean };
  hotClickDays?: number;
}

export const storageEstimate = (choices: StorageChoices = {}): StorageEstimate => {
  const clickItem = representativeClick() as unknown as Record<string, unknown>;
  const click = itemSize(clickItem) + ITEM_OVERHEAD_BYTES;
  const conversionItem = representativeConversion() as unknown as Record<string, unknown>;
  const conversion = itemSize(conversionItem) + ITEM_OVERHEAD_BYTES;
  return {
    clickTableBytes: click,
    clickIndexBytes: indexEntryBytes(clickItem, choices.projection ?? deployedCampaignIndexProjection),
    hotClickMonths: (choices.hotClickDays ?? hotClickRetentionDays) / DAYS_PER_MONTH,
    historyMonths,
    pointInTimeRecovery: choices.pointInTimeRecovery ?? deployedPointInTimeRecovery,
    conversionTableBytes: conversion,
    // Conversions share the campaign index (an organization's conversions partition), so its projection.
    conversionIndexBytes: indexEntryBytes(conversionItem, choices.projection ?? deployedCampaignIndexProjection),
    creditRecordBytes: itemSize(representativeCreditRecord()) + ITEM_OVERHEAD_BYTES,
    rollupRowBytes: itemSize(representativeRollupRow()) + ITEM_OVERHEAD_BYTES,
    ledgerBytes: itemSize({ ...rollupKeys.applied(CLICK_ID), appliedAt: AT, expiresAt: EXPIRES }) + ITEM_OVERHEAD_BYTES,
    retentionMonths: rawEventRetentionDays / DAYS_PER_MONTH,
  };
};

// ---------------------------------------------------------------------------------------------
// Usage: quantities in each price's unit.

export type Usage = Record<PriceId, number>;

const noUsage = (): Usage => ({
  apiGatewayHttpRequest: 0,
  lambdaRequest: 0,
  lambdaArmGbSecond: 0,
  dynamoWriteRequestUnit: 0,
  dynamoReadRequestUnit: 0,
  dynamoStorageGbMonth: 0,
  dynamoPitrGbMonth: 0,
  dynamoStreamsReadRequest: 0,
  cloudFrontHttpsRequest: 0,
  cloudFrontFunctionInvocation: 0,
  cloudFrontDataTransferGb: 0,
  s3StorageGbMonth: 0,
  s3PutRequest: 0,
  s3GetRequest: 0,
  athenaTbScanned: 0,
  sqsRequest: 0,
});

const add = (...usages: Usage[]): Usage => {
  const total = noUsage();
  for (const usage of usages) for (const id of Object.keys(total) as PriceId[]) total[id] += usage[id];
  return total;
};

const scale = (usage: Usage, factor: number): Usage => {
  const scaled = noUsage();
  for (const id of Object.keys(scaled) as PriceId[]) scaled[id] = usage[id] * factor;
  return scaled;
};

/** Write request units AWS bills: standard and transactional (the latter counted at their rate already). */
export const billedWriteUnits = (path: CountedPath): number => path.writeUnits + path.transactWriteUnits;

/**
 * Billed compute: per function, invocations × mean duration (the mean makes the sum; the median
 * when no mean was recorded) × its configured memory; without a breakdown, every invocation at
 * the path's main function (its median duration and memory).
 */
const gbSeconds = (path: CountedPath, fn: FunctionId): number => {
  const gigabytes = (id: string) => (functions[id as FunctionId]?.memoryMb ?? functions[fn].memoryMb) / 1024;
  if (path.byFunction && Object.keys(path.byFunction).length > 0) {
    return Object.entries(path.byFunction).reduce(
      (sum, [id, entry]) => sum + entry.invocations * ((entry.meanDurationMs ?? entry.medianDurationMs) / 1000) * gigabytes(id),
      0,
    );
  }
  return path.lambdaInvocations * (path.medianDurationMs / 1000) * gigabytes(fn);
};

/** `amount / per`, or 0 when nothing was counted (a run that did not exercise the path). */
const ratio = (amount: number, per: number): number => (per > 0 ? amount / per : 0);

interface PerUnitOptions {
  reads?: boolean;
  /** Bytes the CDN sends back per API request of the path. */
  responseBytes?: number;
  /** The API requests reach their function without API Gateway (a function URL behind the CDN). */
  withoutApiGateway?: boolean;
}

/** Everything a path used, divided by `per` (its requests or events); each API request passes the CDN once. */
const perUnit = (path: CountedPath & { apiRequests?: number }, fn: FunctionId, per: number, options: PerUnitOptions = {}): Usage => {
  const viewerRequests = ratio(path.apiRequests ?? 0, per);
  return {
    ...noUsage(),
    apiGatewayHttpRequest: options.withoutApiGateway ? 0 : viewerRequests,
    lambdaRequest: ratio(path.lambdaInvocations, per),
    lambdaArmGbSecond: ratio(gbSeconds(path, fn), per),
    dynamoWriteRequestUnit: ratio(billedWriteUnits(path), per),
    dynamoReadRequestUnit: options.reads === false ? 0 : ratio(path.readUnits, per),
    cloudFrontHttpsRequest: viewerRequests,
    cloudFrontFunctionInvocation: viewerRequests,
    cloudFrontDataTransferGb: (viewerRequests * (options.responseBytes ?? 0)) / GIB,
  };
};

/**
 * What one click and one conversion cost to take in and roll up, and one read-API request.
 * The roll-up consumer's invocations, compute, writes and reads are shared per event (reads: the
 * click fold reads each click from the campaign index and looks up its ledger item; attribution
 * reads visitor partitions for conversions). Its stream reads (about one GetRecords per invocation)
 * are free for a Lambda trigger.
 */
export const usagePerUnit = (capacity: Capacity, plan = program, redirectOrigin: RedirectOrigin = deployedRedirectOrigin) => {
  const { rollup } = capacity;
  const bytes = plan.cdnResponseBytes;
  const rollupPerEvent = perUnit(rollup, pathFunctions.rollup, rollup.events);
  rollupPerEvent.dynamoStreamsReadRequest = ratio(rollup.lambdaInvocations, rollup.events);
  return {
    click: add(
      perUnit(capacity.redirect, pathFunctions.redirect, capacity.redirect.requests, {
        responseBytes: bytes.redirect,
        withoutApiGateway: redirectOrigin === 'functionUrl',
      }),
      rollupPerEvent,
    ),
    // Every delivery costs the same, duplicates included: a conversion is priced as one delivery.
    conversion: add(
      perUnit(capacity.webhook, pathFunctions.webhook, capacity.webhook.requests, { responseBytes: bytes.webhook }),
      rollupPerEvent,
    ),
    query: perUnit(capacity.queries, pathFunctions.queries, capacity.queries.requests, { responseBytes: bytes.queries }),
  };
};

/** Byte-months kept per table, and what point-in-time recovery backs up of them (table items only, indexes are not backed up). */
interface StoredBytes {
  eventsTable: number;
  eventsIndex: number;
  rollupsTable: number;
}

const storageUsage = (s: StorageEstimate, bytes: StoredBytes): Usage => ({
  ...noUsage(),
  dynamoStorageGbMonth: (bytes.eventsTable + bytes.eventsIndex + bytes.rollupsTable) / GIB,
  dynamoPitrGbMonth: ((s.pointInTimeRecovery.events ? bytes.eventsTable : 0) + (s.pointInTimeRecovery.rollups ? bytes.rollupsTable : 0)) / GIB,
});

/**
 * Keeping a click: the raw event (and its index entry) for its hot months, its share of roll-up
 * rows (kept, like every roll-up row, for the history retention here), its ledger entry.
 */
const clickStorageForLife = (s: StorageEstimate, rowsPerClick: number): Usage =>
  storageUsage(s, {
    eventsTable: s.clickTableBytes * s.hotClickMonths,
    eventsIndex: s.clickIndexBytes * s.hotClickMonths,
    rollupsTable: rowsPerClick * s.rollupRowBytes * s.retentionMonths + s.ledgerBytes * (LEDGER_DAYS / DAYS_PER_MONTH),
  });

const conversionStorageForLife = (s: StorageEstimate): Usage =>
  storageUsage(s, {
    eventsTable: s.conversionTableBytes * s.retentionMonths,
    eventsIndex: s.conversionIndexBytes * s.retentionMonths,
    rollupsTable: s.creditRecordBytes * s.retentionMonths + s.ledgerBytes * (LEDGER_DAYS / DAYS_PER_MONTH),
  });

/** A month's clicks archived: S3 for the history retention, the archiver's PUTs and invocations. */
const archiveUsage = (clicksPerFile: number, clicks: number): Usage =>
  scale({ ...noUsage(), ...archiveUsagePerClick(clicksPerFile) }, clicks);

/**
 * Storage in a month once raw events have reached their retention (month 14 on: the costliest
 * steady state; roll-up rows keep growing, they have no TTL — counted here for that period).
 */
const steadyStateMonthlyStorage = (s: StorageEstimate, clicksPerMonth: number, conversionsPerMonth: number, rowsPerClick: number, clicksPerFile: number): Usage =>
  add(
    storageUsage(s, {
      eventsTable: clicksPerMonth * s.hotClickMonths * s.clickTableBytes + conversionsPerMonth * s.retentionMonths * s.conversionTableBytes,
      eventsIndex: clicksPerMonth * s.hotClickMonths * s.clickIndexBytes + conversionsPerMonth * s.retentionMonths * s.conversionIndexBytes,
      rollupsTable:
        clicksPerMonth * s.retentionMonths * rowsPerClick * s.rollupRowBytes +
        conversionsPerMonth * s.retentionMonths * s.creditRecordBytes +
        (clicksPerMonth + conversionsPerMonth) * (LEDGER_DAYS / DAYS_PER_MONTH) * s.ledgerBytes,
    }),
    { ...noUsage(), s3StorageGbMonth: (clicksPerMonth * s.historyMonths * parquetBytesPerClick(clicksPerFile)) / GIB },
  );

// ---------------------------------------------------------------------------------------------
// Cost.

export interface CostColumns {
  perMillionClicks: Usage;
  perThousandConversions: Usage;
  programMonth: Usage;
}

export const usageColumns = (
  capacity: Capacity,
  storage = storageEstimate(),
  plan = program,
  redirectOrigin: RedirectOrigin = deployedRedirectOrigin,
  shape: ProfileShape = peakShape(),
): CostColumns => {
  const unit = usagePerUnit(capacity, plan, redirectOrigin);
  const files = shape.clicksPerArchiveFile;
  // Exports: the program's monthly exports of a month of clicks each, spread over its clicks.
  const monthlyExports = scale({ ...noUsage(), ...exportUsage(plan.clicksPerMonth, files) }, exportsPerProgramMonth);
  const archiveMonth = archiveUsage(files, plan.clicksPerMonth);
  const archiveRequests = (usage: Usage): Usage => ({ ...usage, s3StorageGbMonth: 0 });
  return {
    perMillionClicks: add(
      scale(unit.click, 1_000_000),
      scale(clickStorageForLife(storage, plan.rollupRowsPerClick), 1_000_000),
      archiveUsage(files, 1_000_000),
      scale(monthlyExports, 1_000_000 / plan.clicksPerMonth),
    ),
    perThousandConversions: add(scale(unit.conversion, 1_000), scale(conversionStorageForLife(storage), 1_000)),
    programMonth: add(
      scale(unit.click, plan.clicksPerMonth),
      scale(unit.conversion, plan.conversionsPerMonth),
      scale(unit.query, plan.queryRequestsPerMonth),
      steadyStateMonthlyStorage(storage, plan.clicksPerMonth, plan.conversionsPerMonth, plan.rollupRowsPerClick, files),
      archiveRequests(archiveMonth),
      monthlyExports,
    ),
  };
};

export interface CostLine {
  id: PriceId;
  perMillionClicks: number;
  perThousandConversions: number;
  programMonth: number;
}

export const costLines = (
  capacity: Capacity,
  priceTable: PriceTable = listPrices,
  storage = storageEstimate(),
  plan = program,
  redirectOrigin: RedirectOrigin = deployedRedirectOrigin,
  shape: ProfileShape = peakShape(),
): CostLine[] => {
  const usage = usageColumns(capacity, storage, plan, redirectOrigin, shape);
  return (Object.keys(priceTable) as PriceId[]).map((id) => ({
    id,
    perMillionClicks: usage.perMillionClicks[id] * priceTable[id].usd,
    perThousandConversions: usage.perThousandConversions[id] * priceTable[id].usd,
    programMonth: usage.programMonth[id] * priceTable[id].usd,
  }));
};

export const totals = (lines: CostLine[]): Omit<CostLine, 'id'> => ({
  perMillionClicks: lines.reduce((sum, line) => sum + line.perMillionClicks, 0),
  perThousandConversions: lines.reduce((sum, line) => sum + line.perThousandConversions, 0),
  programMonth: lines.reduce((sum, line) => sum + line.programMonth, 0),
});

/**
 * The redirect's origin behind the CDN, priced both ways on the same counts: what a million
 * clicks and a program month cost, and the share of a click's cost the choice moves.
 */
export const redirectOriginComparison = (capacity: Capacity, priceTable: PriceTable = listPrices, storage = storageEstimate(), plan = program, shape: ProfileShape = peakShape()) => {
  const priced = (origin: RedirectOrigin) => totals(costLines(capacity, priceTable, storage, plan, origin, shape));
  const httpApi = priced('httpApi');
  const functionUrl = priced('functionUrl');
  return {
    httpApi,
    functionUrl,
    savedPerMillionClicks: httpApi.perMillionClicks - functionUrl.perMillionClicks,
    savedPerProgramMonth: httpApi.programMonth - functionUrl.programMonth,
    savedShareOfClickCost: (httpApi.perMillionClicks - functionUrl.perMillionClicks) / httpApi.perMillionClicks,
  };
};
