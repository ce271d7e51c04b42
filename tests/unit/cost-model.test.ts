/**
 * The cost model's arithmetic (scripts/cost/model.ts) on the sample capacity fixture: hand-computed
 * lines, prices scale their own line only, write units billed as counted, and the program month
 * composed of the per-click, per-conversion and per-query costs plus storage.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/definitions.js';
import { historyRetentionDays, hotClickRetentionDays, rawEventRetentionDays } from '../../shared/settings.js';
import { archiveUsagePerClick, clicksPerArchiveFile, exportUsage, measuredParquetClickFiles, parquetBytesPerClick } from '../../scripts/cost/archive.js';
import { floorPerMillionClicks, floorUsage, perMillionClicksJson, priceProfiles, programProfileCapacity, type ProgramCapacity } from '../../scripts/cost/profiles.js';
import { batchesByWindow, countPlans, programReplayLinks, writeUnitsPerClick } from '../../scripts/cost/levers.js';
import { generateEvents } from '../../bench/lib/dataset.js';
import { clickEventSchema } from '../../shared/domain/events.js';
import { clickContributions } from '../../shared/domain/rollup.js';
import {
  billedWriteUnits,
  deployedRedirectOrigin,
  costLines,
  peakShape,
  program,
  redirectOriginComparison,
  shapeAtRates,
  storageEstimate,
  totals,
  usagePerUnit,
  type Capacity,
  type CostLine,
} from '../../scripts/cost/model.js';
import { prices, type PriceId, type PriceTable } from '../../scripts/cost/prices.js';

const capacity = (JSON.parse(readFileSync(new URL('../fixtures/capacity-sample.json', import.meta.url), 'utf8')) as { capacity: Capacity }).capacity;
const line = (lines: CostLine[], id: PriceId) => lines.find((l) => l.id === id)!;
const withPrice = (id: PriceId, usd: number): PriceTable => ({ ...prices, [id]: { ...prices[id], usd } });
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 9);

describe('cost model', () => {
  it('prices one million clicks by hand: API requests, Lambda requests and compute, write and read units', () => {
    const lines = costLines(capacity);
    const { redirect, rollup } = capacity;
    // API Gateway: one API request per redirect request, unless the redirect's origin is its function URL (as deployed).
    const viaApiGateway = deployedRedirectOrigin === 'httpApi' ? 1 : 0;
    close(line(lines, 'apiGatewayHttpRequest').perMillionClicks, viaApiGateway * (1_000_000 * redirect.apiRequests) / redirect.requests * prices.apiGatewayHttpRequest.usd);
    // Lambda requests: the redirect's invocations plus the roll-up consumer's share per event.
    // …and the archiver's invocation, shared by the clicks of one archive file.
    const archive = archiveUsagePerClick(peakShape().clicksPerArchiveFile);
    const invocationsPerClick = redirect.lambdaInvocations / redirect.requests + rollup.lambdaInvocations / rollup.events + archive.lambdaRequest;
    close(line(lines, 'lambdaRequest').perMillionClicks, 1_000_000 * invocationsPerClick * prices.lambdaRequest.usd);
    // Compute: invocations × median duration × memory of infra/definitions.ts.
    const gbSecondsPerClick =
      (redirect.lambdaInvocations * (redirect.medianDurationMs / 1000) * (functions.redirect.memoryMb / 1024)) / redirect.requests +
      (rollup.lambdaInvocations * (rollup.medianDurationMs / 1000) * (functions.rollup.memoryMb / 1024)) / rollup.events +
      archive.lambdaArmGbSecond;
    close(line(lines, 'lambdaArmGbSecond').perMillionClicks, 1_000_000 * gbSecondsPerClick * prices.lambdaArmGbSecond.usd);
    // Writes: standard and transactional units (the benchmark counts the latter at 2 per KB already).
    const writesPerClick =
      (redirect.writeUnits + redirect.transactWriteUnits) / redirect.requests + (rollup.writeUnits + rollup.transactWriteUnits) / rollup.events;
    close(line(lines, 'dynamoWriteRequestUnit').perMillionClicks, 1_000_000 * writesPerClick * prices.dynamoWriteRequestUnit.usd);
    // Reads: the redirect's, and the consumer's share per event (the click fold reads each click; attribution reads for conversions).
    const readsPerClick = redirect.readUnits / redirect.requests + rollup.readUnits / rollup.events;
    close(line(lines, 'dynamoReadRequestUnit').perMillionClicks, 1_000_000 * readsPerClick * prices.dynamoReadRequestUnit.usd);
    // Streams reads by a Lambda trigger are free.
    expect(line(lines, 'dynamoStreamsReadRequest').perMillionClicks).toBe(0);
  });

  it('prices a thousand conversions: one webhook delivery each, the consumer’s share, and its reads', () => {
    const lines = costLines(capacity);
    const { webhook, rollup } = capacity;
    close(line(lines, 'apiGatewayHttpRequest').perThousandConversions, (1_000 * webhook.apiRequests) / webhook.requests * prices.apiGatewayHttpRequest.usd);
    const readsPerConversion = webhook.readUnits / webhook.requests + rollup.readUnits / rollup.events;
    close(line(lines, 'dynamoReadRequestUnit').perThousandConversions, 1_000 * readsPerConversion * prices.dynamoReadRequestUnit.usd);
    const writesPerConversion = billedWriteUnits(webhook) / webhook.requests + billedWriteUnits(rollup) / rollup.events;
    close(line(lines, 'dynamoWriteRequestUnit').perThousandConversions, 1_000 * writesPerConversion * prices.dynamoWriteRequestUnit.usd);
  });

  it('bills compute per function when the run breaks invocations down (the authorizer at its own memory)', () => {
    const queries = {
      ...capacity.queries,
      byFunction: {
        analytics: { invocations: 1000, medianDurationMs: 50, meanDurationMs: 60 },
        authorizer: { invocations: 1000, medianDurationMs: 8, meanDurationMs: 10 },
      },
    };
    const perQuery = usagePerUnit({ ...capacity, queries }).query.lambdaArmGbSecond;
    const expected = (1000 * 0.06 * (functions.analytics.memoryMb / 1024) + 1000 * 0.01 * (functions.authorizer.memoryMb / 1024)) / queries.requests;
    close(perQuery, expected);
  });

  it('bills standard and transactional write units as counted (transactional ones are at their rate already)', () => {
    expect(billedWriteUnits({ ...capacity.rollup, writeUnits: 3, transactWriteUnits: 10 })).toBe(13);
    const more = { ...capacity, rollup: { ...capacity.rollup, transactWriteUnits: capacity.rollup.transactWriteUnits + capacity.rollup.events } };
    const before = line(costLines(capacity), 'dynamoWriteRequestUnit').perMillionClicks;
    const after = line(costLines(more), 'dynamoWriteRequestUnit').perMillionClicks;
    // One more unit per event: one more unit per click, a million more per million clicks.
    close(after - before, 1_000_000 * prices.dynamoWriteRequestUnit.usd);
  });

  it.each(Object.keys(prices).filter((id) => prices[id as PriceId].usd > 0) as PriceId[])('doubling the price of %s doubles its line and nothing else', (id) => {
    const base = costLines(capacity);
    const doubled = costLines(capacity, withPrice(id, prices[id].usd * 2));
    for (const column of ['perMillionClicks', 'perThousandConversions', 'programMonth'] as const) {
      for (const other of base) {
        const expected = other.id === id ? other[column] * 2 : other[column];
        close(line(doubled, other.id)[column], expected);
      }
      close(totals(doubled)[column] - totals(base)[column], line(base, id)[column]);
    }
  });

  it('a program month is its clicks, conversions and read-API requests at the per-unit costs, plus steady-state storage', () => {
    const lines = costLines(capacity);
    const unit = usagePerUnit(capacity);
    const archive = archiveUsagePerClick(peakShape().clicksPerArchiveFile);
    for (const id of ['apiGatewayHttpRequest', 'lambdaRequest', 'lambdaArmGbSecond', 'dynamoWriteRequestUnit', 'dynamoReadRequestUnit'] as const) {
      const archived = id === 'lambdaRequest' || id === 'lambdaArmGbSecond' ? archive[id] * program.clicksPerMonth : 0;
      const expected =
        (unit.click[id] * program.clicksPerMonth + archived + unit.conversion[id] * program.conversionsPerMonth + unit.query[id] * program.queryRequestsPerMonth) *
        prices[id].usd;
      close(line(lines, id).programMonth, expected);
      // Without storage, 2 million clicks cost twice a million, 20,000 conversions 20 times a thousand.
      close(
        line(lines, id).programMonth,
        2 * line(lines, id).perMillionClicks + 20 * line(lines, id).perThousandConversions + unit.query[id] * program.queryRequestsPerMonth * prices[id].usd,
      );
    }
    expect(program).toMatchObject({ advocates: 10_000, clicksPerMonth: 2_000_000, conversionsPerMonth: 20_000 });
  });

  it('prices the CDN per click: one HTTPS request and one viewer-request function run per API request, the answer as data transfer', () => {
    const lines = costLines(capacity);
    const { redirect } = capacity;
    const viewerRequestsPerClick = redirect.apiRequests / redirect.requests;
    close(line(lines, 'cloudFrontHttpsRequest').perMillionClicks, 1_000_000 * viewerRequestsPerClick * prices.cloudFrontHttpsRequest.usd);
    close(line(lines, 'cloudFrontFunctionInvocation').perMillionClicks, 1_000_000 * viewerRequestsPerClick * prices.cloudFrontFunctionInvocation.usd);
    close(
      line(lines, 'cloudFrontDataTransferGb').perMillionClicks,
      ((1_000_000 * viewerRequestsPerClick * program.cdnResponseBytes.redirect) / 1024 ** 3) * prices.cloudFrontDataTransferGb.usd,
    );
    // $0.01 per 10,000 HTTPS requests: a dollar per million clicks, as much as API Gateway.
    expect(prices.cloudFrontHttpsRequest.usd * 1_000_000).toBeCloseTo(1, 9);
    // The consumer serves no viewer: conversions pay the CDN for their webhook deliveries only.
    close(line(lines, 'cloudFrontHttpsRequest').perThousandConversions, (1_000 * capacity.webhook.apiRequests) / capacity.webhook.requests * prices.cloudFrontHttpsRequest.usd);
  });

  it('a function URL origin for the redirect saves exactly its API Gateway requests, nothing else', () => {
    const c = redirectOriginComparison(capacity);
    const apiGatewayPerClick = (capacity.redirect.apiRequests / capacity.redirect.requests) * prices.apiGatewayHttpRequest.usd;
    close(c.savedPerMillionClicks, 1_000_000 * apiGatewayPerClick);
    close(c.savedPerProgramMonth, program.clicksPerMonth * apiGatewayPerClick);
    close(c.httpApi.perMillionClicks, totals(costLines(capacity, prices, storageEstimate(), program, 'httpApi')).perMillionClicks);
    // The default prices the origin as deployed.
    close(totals(costLines(capacity)).perMillionClicks, c[deployedRedirectOrigin].perMillionClicks);
    close(c.savedShareOfClickCost, c.savedPerMillionClicks / c.httpApi.perMillionClicks);
    // Conversions and queries keep their API Gateway requests whatever the redirect's origin.
    close(c.httpApi.perThousandConversions, c.functionUrl.perThousandConversions);
    const viaFunctionUrl = costLines(capacity, prices, storageEstimate(), program, 'functionUrl');
    close(line(viaFunctionUrl, 'apiGatewayHttpRequest').perMillionClicks, 0);
    close(line(viaFunctionUrl, 'cloudFrontHttpsRequest').perMillionClicks, line(costLines(capacity), 'cloudFrontHttpsRequest').perMillionClicks);
  });

  it('stores a click in the hot table (and its index entry) for its hot months, its Parquet row in S3 for the history retention', () => {
    const s = storageEstimate();
    expect(s.retentionMonths).toBeCloseTo(rawEventRetentionDays / (365.25 / 12), 9);
    expect(s.hotClickMonths).toBeCloseTo(hotClickRetentionDays / (365.25 / 12), 9);
    expect(s.historyMonths).toBeCloseTo(historyRetentionDays / (365.25 / 12), 9);
    // A click item is a few hundred bytes (+100 B overhead): one write unit, not two.
    expect(s.clickTableBytes).toBeGreaterThan(400);
    expect(s.clickTableBytes - 100).toBeLessThanOrEqual(1024);
    const perClickGbMonths =
      ((s.clickTableBytes + s.clickIndexBytes) * s.hotClickMonths + program.rollupRowsPerClick * s.rollupRowBytes * s.retentionMonths + s.ledgerBytes * (8 / (365.25 / 12))) /
      1024 ** 3;
    close(line(costLines(capacity), 'dynamoStorageGbMonth').perMillionClicks, 1_000_000 * perClickGbMonths * prices.dynamoStorageGbMonth.usd);
    const files = peakShape().clicksPerArchiveFile;
    close(
      line(costLines(capacity), 's3StorageGbMonth').perMillionClicks,
      ((1_000_000 * parquetBytesPerClick(files) * s.historyMonths) / 1024 ** 3) * prices.s3StorageGbMonth.usd,
    );
  });
});

describe('cost model: point-in-time recovery, the index projection, the archive', () => {
  const pitrLine = (storage: ReturnType<typeof storageEstimate>) => line(costLines(capacity, prices, storage), 'dynamoPitrGbMonth').perMillionClicks;

  it('backs up per table: turning it off for events saves exactly the events table\'s click bytes over their hot months', () => {
    const on = storageEstimate({ pointInTimeRecovery: { events: true, rollups: true } });
    const off = storageEstimate({ pointInTimeRecovery: { events: false, rollups: true } });
    close(pitrLine(on) - pitrLine(off), ((1_000_000 * on.clickTableBytes * on.hotClickMonths) / 1024 ** 3) * prices.dynamoPitrGbMonth.usd);
    // Indexes are never backed up; nothing at all without PITR anywhere.
    expect(pitrLine(storageEstimate({ pointInTimeRecovery: { events: false, rollups: false } }))).toBe(0);
  });

  it('sizes the byCampaign index by its projection: keys only is smaller, and the storage line moves by the difference alone', () => {
    const all = storageEstimate({ projection: 'ALL' });
    const keys = storageEstimate({ projection: 'KEYS_ONLY' });
    const some = storageEstimate({ projection: ['advocateId', 'channel'] });
    expect(all.clickIndexBytes).toBe(all.clickTableBytes);
    expect(keys.clickIndexBytes).toBeLessThan(some.clickIndexBytes);
    expect(some.clickIndexBytes).toBeLessThan(all.clickIndexBytes);
    const storageLine = (storage: ReturnType<typeof storageEstimate>) => line(costLines(capacity, prices, storage), 'dynamoStorageGbMonth').perMillionClicks;
    close(storageLine(all) - storageLine(keys), ((1_000_000 * (all.clickIndexBytes - keys.clickIndexBytes) * all.hotClickMonths) / 1024 ** 3) * prices.dynamoStorageGbMonth.usd);
  });

  it('reads Parquet bytes per click from the measured files, and fewer clicks per file cost more bytes and more PUTs', () => {
    for (const file of measuredParquetClickFiles) close(parquetBytesPerClick(file.rows), file.bytes / file.rows);
    const sizes = [1, 5, 50, 500, 5_000, 50_000, 500_000].map((rows) => parquetBytesPerClick(rows));
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
    const slow = shapeAtRates([{ clicksPerSecond: 0.5, shareOfDay: 1 }]);
    expect(slow.clicksPerArchiveFile).toBeCloseTo(clicksPerArchiveFile(0.5), 9);
    const putsPerMillion = (shape: ReturnType<typeof peakShape>) => line(costLines(capacity, prices, storageEstimate(), program, undefined, shape), 's3PutRequest').perMillionClicks;
    close(putsPerMillion(slow), (1_000_000 / slow.clicksPerArchiveFile) * prices.s3PutRequest.usd);
    expect(putsPerMillion(slow)).toBeGreaterThan(putsPerMillion(peakShape()));
  });

  it('weights phases of a day by files per click (a slow phase makes many small files)', () => {
    const phases = [{ clicksPerSecond: 4, shareOfDay: 0.25 }, { clicksPerSecond: 0.25, shareOfDay: 0.75 }];
    const filesPerClick = 0.25 / clicksPerArchiveFile(4) + 0.75 / clicksPerArchiveFile(0.25);
    close(shapeAtRates(phases).clicksPerArchiveFile, 1 / filesPerClick);
  });

  it('prices an export by Athena\'s bytes scanned, at least its 10 MB minimum', () => {
    const files = 1_000;
    close(exportUsage(1_000_000, files).athenaTbScanned, (1_000_000 * parquetBytesPerClick(files)) / 1024 ** 4);
    close(exportUsage(10, files).athenaTbScanned, (10 * 1024 ** 2) / 1024 ** 4);
    expect(exportUsage(1_000_000, files).s3GetRequest).toBe(1_000);
  });
});

describe('cost at two profiles and the floor', () => {
  const { program: measured, ...peak } = (JSON.parse(readFileSync(new URL('../fixtures/capacity-sample.json', import.meta.url), 'utf8')) as {
    capacity: Capacity & { program: ProgramCapacity };
  }).capacity;

  it('prices the program profile from its own redirect, webhook and roll-up counts, read APIs from the peak', () => {
    const profiles = priceProfiles(peak, measured);
    const writesPerClick = billedWriteUnits(measured.redirect) / measured.redirect.requests + billedWriteUnits(measured.rollup) / measured.rollup.events;
    close(line(profiles.program.lines, 'dynamoWriteRequestUnit').perMillionClicks, 1_000_000 * writesPerClick * prices.dynamoWriteRequestUnit.usd);
    const peakWritesPerClick = billedWriteUnits(peak.redirect) / peak.redirect.requests + billedWriteUnits(peak.rollup) / peak.rollup.events;
    close(line(profiles.peak.lines, 'dynamoWriteRequestUnit').perMillionClicks, 1_000_000 * peakWritesPerClick * prices.dynamoWriteRequestUnit.usd);
    expect(programProfileCapacity(peak, measured).queries).toBe(peak.queries);
    // The same capacity at both profiles differs only by the archive's file sizes (the rates).
    const same = priceProfiles(peak, { ...measured, redirect: peak.redirect, webhook: peak.webhook, rollup: peak.rollup });
    for (const id of ['dynamoWriteRequestUnit', 'lambdaRequest', 'dynamoStorageGbMonth', 'cloudFrontHttpsRequest'] as const) {
      const archiveInvocations = id === 'lambdaRequest' ? (1_000_000 / shapeAtRates(measured.phases).clicksPerArchiveFile - 1_000_000 / peakShape().clicksPerArchiveFile) * prices.lambdaRequest.usd : 0;
      close(line(same.program.lines, id).perMillionClicks - line(same.peak.lines, id).perMillionClicks, archiveInvocations);
    }
  });

  it('prints per million clicks at both profiles and the floor, each total the sum of its parts', () => {
    const json = perMillionClicksJson(priceProfiles(peak, measured));
    expect(Object.keys(json.perMillionClicks)).toEqual(['peak', 'program']);
    for (const profile of [json.perMillionClicks.peak, json.perMillionClicks.program, json.floor]) {
      const sum = Object.values(profile.parts).reduce((total: number, usd) => total + Number(usd), 0);
      // Parts and total are each rounded to 1/100 of a cent.
      expect(Math.abs(profile.total - sum)).toBeLessThanOrEqual(0.0001 * (Object.keys(profile.parts).length + 1));
    }
    expect(json.perMillionClicks.program.parts).toHaveProperty('s3StorageGbMonth');
  });

  it('puts the floor at one API request, one invocation and one 1 KB write per click', () => {
    const floor = floorPerMillionClicks();
    const expected = 1_000_000 * (prices.apiGatewayHttpRequest.usd + prices.lambdaRequest.usd + prices.dynamoWriteRequestUnit.usd + floorUsage.lambdaArmGbSecond! * prices.lambdaArmGbSecond.usd);
    close(floor.total, expected);
    close(floor.parts.dynamoWriteRequestUnit!, 1_000_000 * prices.dynamoWriteRequestUnit.usd);
  });
});

describe('planner levers', () => {
  const at = (seconds: number) => ({ atMs: seconds * 1000 });

  it('cuts a stream into batches the way a batching window does: opened by the first record, closed after the window or at the batch size', () => {
    const stream = [0, 1, 1.9, 2.1, 5, 5.5, 30].map(at);
    expect(batchesByWindow(stream, 2, 100).map((batch) => batch.length)).toEqual([3, 1, 2, 1]);
    expect(batchesByWindow(stream, 30, 100).map((batch) => batch.length)).toEqual([6, 1]);
    expect(batchesByWindow(stream, 30, 4).map((batch) => batch.length)).toEqual([4, 3]);
  });

  it('counts the rows the planner writes with and without the all-time rows: for one click, a daily row per dimension and five all-time rows more', () => {
    const links = programReplayLinks();
    const { items } = generateEvents(links, { seed: 5, clicks: 40, conversions: 0, botShare: 0.1, spanMs: 60_000, endMs: Date.parse('2026-11-27T12:00:00.000Z'), sourceId: 'src_x' });
    const planned = items.map((item) => {
      const event = clickEventSchema.parse(item);
      return { event: null, eventId: event.eventId, contributions: clickContributions(event) };
    });
    const single = countPlans([[planned[0]]], true);
    // Ten dimensions' daily rows; all-time rows for the five that are not breakdowns.
    expect(countPlans([[planned[0]]], false).rows).toBe(10);
    expect(single.rows).toBe(10 + 5);
    // One batch of all coalesces at least as well as one batch per click.
    const together = countPlans([planned], true);
    const apart = countPlans(planned.map((p) => [p]), true);
    expect(together.rows).toBeLessThanOrEqual(apart.rows);
    expect(apart.rows).toBe(planned.reduce((sum, p) => sum + new Set(p.contributions.map((c) => JSON.stringify(c.row))).size, 0));
  });

  it('bills a transaction 2 units per row and per ledger entry, conditional updates 1 per row', () => {
    expect(writeUnitsPerClick(10)).toEqual({ transactional: 22, conditional: 10 });
  });
});
