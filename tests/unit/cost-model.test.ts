/**
 * The cost model's arithmetic (scripts/cost/model.ts) on the sample capacity fixture: hand-computed
 * lines, prices scale their own line only, write units billed as counted, and the program month
 * composed of the per-click, per-conversion and per-query costs plus storage.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/definitions.js';
import { rawEventRetentionDays } from '../../shared/settings.js';
import {
  billedWriteUnits,
  costLines,
  program,
  redirectOriginComparison,
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
    // API Gateway: one API request per redirect request.
    close(line(lines, 'apiGatewayHttpRequest').perMillionClicks, (1_000_000 * redirect.apiRequests) / redirect.requests * prices.apiGatewayHttpRequest.usd);
    // Lambda requests: the redirect's invocations plus the roll-up consumer's share per event.
    const invocationsPerClick = redirect.lambdaInvocations / redirect.requests + rollup.lambdaInvocations / rollup.events;
    close(line(lines, 'lambdaRequest').perMillionClicks, 1_000_000 * invocationsPerClick * prices.lambdaRequest.usd);
    // Compute: invocations × median duration × memory of infra/definitions.ts.
    const gbSecondsPerClick =
      (redirect.lambdaInvocations * (redirect.medianDurationMs / 1000) * (functions.redirect.memoryMb / 1024)) / redirect.requests +
      (rollup.lambdaInvocations * (rollup.medianDurationMs / 1000) * (functions.rollup.memoryMb / 1024)) / rollup.events;
    close(line(lines, 'lambdaArmGbSecond').perMillionClicks, 1_000_000 * gbSecondsPerClick * prices.lambdaArmGbSecond.usd);
    // Writes: standard and transactional units (the benchmark counts the latter at 2 per KB already).
    const writesPerClick =
      (redirect.writeUnits + redirect.transactWriteUnits) / redirect.requests + (rollup.writeUnits + rollup.transactWriteUnits) / rollup.events;
    close(line(lines, 'dynamoWriteRequestUnit').perMillionClicks, 1_000_000 * writesPerClick * prices.dynamoWriteRequestUnit.usd);
    // Reads: the redirect's only; the consumer reads for conversions, not for clicks.
    close(line(lines, 'dynamoReadRequestUnit').perMillionClicks, (1_000_000 * redirect.readUnits) / redirect.requests * prices.dynamoReadRequestUnit.usd);
    // Streams reads by a Lambda trigger are free.
    expect(line(lines, 'dynamoStreamsReadRequest').perMillionClicks).toBe(0);
  });

  it('prices a thousand conversions: one webhook delivery each, the consumer’s share, and its reads', () => {
    const lines = costLines(capacity);
    const { webhook, rollup } = capacity;
    close(line(lines, 'apiGatewayHttpRequest').perThousandConversions, (1_000 * webhook.apiRequests) / webhook.requests * prices.apiGatewayHttpRequest.usd);
    const readsPerConversion = webhook.readUnits / webhook.requests + rollup.readUnits / rollup.conversions;
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
    for (const id of ['apiGatewayHttpRequest', 'lambdaRequest', 'lambdaArmGbSecond', 'dynamoWriteRequestUnit', 'dynamoReadRequestUnit'] as const) {
      const expected =
        (unit.click[id] * program.clicksPerMonth + unit.conversion[id] * program.conversionsPerMonth + unit.query[id] * program.queryRequestsPerMonth) *
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
    close(c.httpApi.perMillionClicks, totals(costLines(capacity)).perMillionClicks);
    close(c.savedShareOfClickCost, c.savedPerMillionClicks / c.httpApi.perMillionClicks);
    // Conversions and queries keep their API Gateway requests whatever the redirect's origin.
    close(c.httpApi.perThousandConversions, c.functionUrl.perThousandConversions);
    const viaFunctionUrl = costLines(capacity, prices, storageEstimate(), program, 'functionUrl');
    close(line(viaFunctionUrl, 'apiGatewayHttpRequest').perMillionClicks, 0);
    close(line(viaFunctionUrl, 'cloudFrontHttpsRequest').perMillionClicks, line(costLines(capacity), 'cloudFrontHttpsRequest').perMillionClicks);
  });

  it('stores a click for the raw-event retention, in the table and again in the byCampaign index', () => {
    const s = storageEstimate();
    expect(s.retentionMonths).toBeCloseTo(rawEventRetentionDays / (365.25 / 12), 9);
    // A click item is a few hundred bytes (+100 B overhead): one write unit, not two.
    expect(s.clickTableBytes).toBeGreaterThan(400);
    expect(s.clickTableBytes - 100).toBeLessThanOrEqual(1024);
    const perClickGbMonths =
      ((s.clickTableBytes + s.clickIndexBytes + program.rollupRowsPerClick * s.rollupRowBytes) * s.retentionMonths + s.ledgerBytes * (8 / (365.25 / 12))) /
      1024 ** 3;
    close(line(costLines(capacity), 'dynamoStorageGbMonth').perMillionClicks, 1_000_000 * perClickGbMonths * prices.dynamoStorageGbMonth.usd);
  });
});
