/**
 * Scenario 4 — query cost independent of traffic. Two campaigns of one organization with the same
 * keys (50 advocates, 100 links, the same channels, departments, countries, devices, browsers,
 * OSes, referrers and 7 days), one with 100 000
 * click events and one with 1 000. Raw events are written to the events table (so a query that
 * scanned them would show it); the roll-up rows are computed by the product's own roll-up
 * functions (shared/domain/rollup.ts), as the consumer would write them. The dashboard reads run
 * over HTTP against the local runtime, alternating big and small.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { apiScopes } from '../../shared/domain/scopes.js';
import { createApiKey, createOrganization, issueLink, putAdvocate, putNewCampaign } from '../../shared/adapters/entities.js';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { clickEventSchema } from '../../shared/domain/events.js';
import { clickContributions, coalesce } from '../../shared/domain/rollup.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { formatNumber, formatRange, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { clickItem, type RawItem, type SeededLink } from '../lib/dataset.js';
import { writeEvents } from '../lib/events-writer.js';
import { forEachConcurrently } from '../lib/pool.js';
import { startChild } from '../lib/processes.js';
import { addToTally, capacitySummary, emptyTally, perUnit, type ChildCapacity } from '../lib/capacity.js';
import { seededRandom, weightedSampler, zipfWeights } from '../lib/random.js';
import { median, summarize } from '../lib/stats.js';
import { createTable } from '../lib/tables.js';
import { newCampaign, useTables } from '../lib/world.js';

const RATIO_TARGET = 1.5;
const ADVOCATES = 50;
const CHANNELS = ['linkedin', 'email'] as const;
const DEPARTMENTS = ['Sales', 'Engineering', 'Marketing', 'Support', 'Finance'];
const DAYS = 7;
const REQUESTS_PER_MEASURE = 15;

interface Campaign {
  label: 'big' | 'small';
  campaignId: string;
  links: SeededLink[];
  advocateId: string;
  events: number;
}

/** Clicks over the campaign's links (every link on every day at least once), newest day last. */
const campaignClicks = (campaign: Campaign, count: number, seed: number): RawItem[] => {
  const random = seededRandom(seed);
  const sampler = weightedSampler(random, zipfWeights(campaign.links.length, 1.1));
  const dayMs = 86_400_000;
  const firstDay = Math.floor(Date.now() / dayMs) * dayMs - (DAYS - 1) * dayMs;
  const items: RawItem[] = [];
  for (let i = 0; i < count; i++) {
    const day = i < campaign.links.length * DAYS ? Math.floor(i / campaign.links.length) : Math.floor(random() * DAYS);
    const link = campaign.links[i < campaign.links.length * DAYS ? i % campaign.links.length : sampler()];
    // Today's share ends a minute ago, so no click lies in the future.
    const atMs = Math.min(Date.now() - 60_000, firstDay + day * dayMs + Math.floor(random() * (dayMs - 1000)));
    const visitorId = `q${randomUUID().replace(/-/g, '').slice(0, 20)}A`;
    items.push(clickItem(link, atMs, { visitorId, unique: random() < 0.7, userAgent: Math.floor(random() * 8) }, 'human'));
  }
  return items.sort((a, b) => String(a.at).localeCompare(String(b.at)));
};

/** The roll-up rows the consumer would hold for these clicks. */
const rollupRows = (items: RawItem[]) => {
  const contributions = items.flatMap((item) => clickContributions(clickEventSchema.parse(item)));
  return [...coalesce(contributions).values()].map(({ row, counters }) => ({
    ...rollupKeys.row(row),
    ...counters,
    updatedAt: new Date().toISOString(),
    orgId: row.orgId,
    campaignId: row.campaignId,
    dimension: row.dimension,
    period: row.period,
    key: row.key,
  }));
};

export const queries = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  const eventsTable = await createTable(context.dynamodbEndpoint, 'events', 's4-events');
  const rollupsTable = await createTable(context.dynamodbEndpoint, 'rollups', 's4-rollups');
  useTables(world.entitiesEnv);

  // An organization of its own: its advocates' stats span only these two campaigns.
  const { orgId } = await createOrganization('Query Bench');
  const { apiKey } = await createApiKey(orgId, [...apiScopes], 'bench queries');
  const campaigns: Campaign[] = [];
  for (const [label, events] of [
    ['big', options.queryBigEvents],
    ['small', options.querySmallEvents],
  ] as const) {
    const definition = newCampaign(`Queries ${label}`);
    await putNewCampaign(orgId, definition);
    const advocates = Array.from({ length: ADVOCATES }, (_, i) => ({ advocateId: `${label}-${String(i + 1).padStart(3, '0')}`, department: DEPARTMENTS[i % DEPARTMENTS.length] }));
    await forEachConcurrently(advocates, 8, (a) => putAdvocate(orgId, a.advocateId, { displayName: a.advocateId, department: a.department }));
    const links: SeededLink[] = [];
    await forEachConcurrently(
      advocates.flatMap((a) => CHANNELS.map((channel) => ({ ...a, channel }))),
      8,
      async (spec) => {
        const { link } = await issueLink({ orgId, campaignId: definition.campaignId, advocateId: spec.advocateId, channel: spec.channel, destinationUrl: definition.destinationUrl, department: spec.department });
        links.push({ slug: link.slug, orgId, campaignId: definition.campaignId, advocateId: spec.advocateId, channel: spec.channel, department: spec.department, weight: 1 });
      },
    );
    links.sort((a, b) => a.slug.localeCompare(b.slug));
    campaigns.push({ label, campaignId: definition.campaignId, links, advocateId: advocates[0].advocateId, events });
  }

  for (const [index, campaign] of campaigns.entries()) {
    const items = campaignClicks(campaign, campaign.events, options.seed + 40 + index);
    context.log(`queries: writing ${items.length} raw click events of the ${campaign.label} campaign`);
    await writeEvents(context.client, eventsTable, items, { concurrency: 8 });
    const rows = rollupRows(items);
    for (let i = 0; i < rows.length; i += 25) {
      await context.client.send(new BatchWriteCommand({ RequestItems: { [rollupsTable]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
  }

  const runtime = await startChild<RuntimeChildReady>('runtime', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    tablePrefix: 's4-',
    env: { ...world.entitiesEnv, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY! },
    consumer: 'idle',
    meter: true,
  } satisfies RuntimeChildConfig);

  const paths = (campaign: Campaign): Record<string, string> => ({
    ...Object.fromEntries(
      ['advocate', 'link', 'channel', 'day', 'department', 'country', 'device', 'browser', 'os', 'referrer'].map((groupBy) => [
        `attribution groupBy=${groupBy}`,
        `/v1/campaigns/${campaign.campaignId}/attribution?groupBy=${groupBy}&limit=100`,
      ]),
    ),
    leaderboard: `/v1/campaigns/${campaign.campaignId}/leaderboard?metric=clicks&limit=100`,
    'advocate stats': `/v1/advocates/${campaign.advocateId}/stats`,
  });
  const rowsOf = (name: string, body: any): number =>
    name === 'advocate stats' ? body.campaigns?.[0]?.advocates ?? -1 : (body.rows?.length ?? -1);
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${runtime.ready.baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = await response.json();
    return { ms: performance.now() - started, status: response.status, body };
  };

  try {
    const names = Object.keys(paths(campaigns[0]));
    // Warm-up: every query once per campaign (handler imports, caches, JIT).
    for (const campaign of campaigns) for (const path of Object.values(paths(campaign))) await timed(path);

    const ratios: Record<string, number[]> = {};
    const medians: Record<string, { big: number[]; small: number[] }> = {};
    const resultRows: Record<string, { big: number; small: number }> = {};
    const failures: string[] = [];
    await runtime.call('resetMeter');
    let measuredRequests = 0;
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      context.log(`queries: repeat ${repeat + 1}/${options.repeats}`);
      for (const name of names) {
        const samples = { big: [] as number[], small: [] as number[] };
        for (let i = 0; i < REQUESTS_PER_MEASURE; i++) {
          // Alternate which campaign goes first.
          for (const campaign of i % 2 === 0 ? campaigns : [...campaigns].reverse()) {
            const result = await timed(paths(campaign)[name]);
            measuredRequests++;
            if (result.status !== 200) failures.push(`${name} ${campaign.label}: ${result.status}`);
            samples[campaign.label].push(result.ms);
            resultRows[name] = { ...(resultRows[name] ?? { big: 0, small: 0 }), [campaign.label]: rowsOf(name, result.body) };
          }
        }
        (medians[name] ??= { big: [], small: [] }).big.push(median(samples.big));
        medians[name].small.push(median(samples.small));
        (ratios[name] ??= []).push(median(samples.big) / median(samples.small));
      }
    }

    const capacityOfRuns = capacitySummary(addToTally(emptyTally(), await runtime.call<ChildCapacity>('capacity')), 'analytics', {
      requests: measuredRequests,
      apiRequests: measuredRequests,
    });
    const summaries = Object.fromEntries(names.map((name) => [name, summarize(ratios[name])]));
    const worst = names.reduce((a, b) => (summaries[a].median >= summaries[b].median ? a : b));
    const sameRows = names.every((name) => resultRows[name].big === resultRows[name].small);
    return {
      id: 'queries',
      title: '4. Query cost independent of traffic',
      method:
        `Campaign "big" (${formatNumber(campaigns[0].events, 0)} click events) and "small" (${formatNumber(campaigns[1].events, 0)}), each with ${ADVOCATES} advocates, ` +
        `${ADVOCATES * CHANNELS.length} links, ${CHANNELS.length} channels, ${DEPARTMENTS.length} departments, ${DAYS} days. Per repeat and query: ` +
        `${REQUESTS_PER_MEASURE} requests per campaign over HTTP (API key, authorizer included), alternating; ratio = median big / median small.`,
      targets: [
        {
          name: 'median latency big/small, every query',
          target: `≤ ${RATIO_TARGET}`,
          measured: `worst: ${worst} ${formatRange(summaries[worst], 2, '×')}`,
          met: names.every((name) => summaries[name].median <= RATIO_TARGET),
        },
        { name: 'same result rows big and small', target: 'yes', measured: sameRows ? 'yes' : 'no', met: sameRows },
        { name: 'answers other than 200', target: '0', measured: String(failures.length), met: failures.length === 0 },
      ],
      tables: [
        {
          caption: 'Median latency per query in ms (median, min–max over the repeats) and the ratio',
          headers: ['query', 'rows', 'big (100k events)', 'small (1k events)', 'big / small'],
          rows: names.map((name) => [
            name,
            `${resultRows[name].big} / ${resultRows[name].small}`,
            formatRange(summarize(medians[name].big), 1),
            formatRange(summarize(medians[name].small), 1),
            formatRange(summaries[name], 2, '×'),
          ]),
        },
      ],
      notes: [
        `Capacity per read request (measured requests, both campaigns, ReturnConsumedCapacity on the product's client): ${perUnit(capacityOfRuns, measuredRequests)}; ` +
          `${formatNumber(capacityOfRuns.lambdaInvocations / Math.max(1, measuredRequests), 2)} Lambda invocations per request (authorizer included), median analytics handler ${formatNumber(capacityOfRuns.medianDurationMs, 1)} ms.`,
        ...failures.slice(0, 5),
      ],
      data: { capacity: capacityOfRuns, ratios, medians, resultRows, events: campaigns.map((c) => ({ label: c.label, events: c.events })) },
    };
  } finally {
    await runtime.stop();
  }
};
