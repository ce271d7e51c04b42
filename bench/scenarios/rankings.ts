/**
 * Scenario 8 — recognition at a big employer's scale (issue 16, item 5): one campaign with
 * 100,000 advocates (~1.1 clicks each; 5% with conversions credited under every model, half of
 * them with revenue) beside one with 100, and the top 10 of every metric and model and one
 * advocate's rank, over HTTP through the local runtime.
 *
 * The roll-up rows are not made by 110,000 HTTP clicks: the advocates' all-time rows and their
 * ranking index are written directly with BatchWriteItem, built by the product's adapter
 * (`indexItemsOf`, shared/adapters/ranking-index.ts: the items syncs from nothing leave) with keys
 * from shared/adapters/keys.ts. Every answer is checked against a ranking of the generated rows in
 * memory (exact, no sampling). Then 200 advocates get one more click each and the consumer's index
 * sync runs over them: its writes per click are the index's write cost.
 */
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { apiScopes } from '../../shared/domain/scopes.js';
import { attributionModels } from '../../shared/domain/attribution.js';
import { createApiKey, createOrganization, issueLink, putAdvocate, putNewCampaign } from '../../shared/adapters/entities.js';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { indexItemsOf, syncRankings } from '../../shared/adapters/ranking-index.js';
import { rankAdvocates } from '../../shared/application/rankings.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { formatNumber, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { forEachConcurrently } from '../lib/pool.js';
import { startChild } from '../lib/processes.js';
import { seededRandom } from '../lib/random.js';
import { median } from '../lib/stats.js';
import { createTable } from '../lib/tables.js';
import { newCampaign, useTables } from '../lib/world.js';

const TARGET_MS = 300;
const REQUESTS_PER_QUERY = 9;
/** Advocates whose stats are read: the first, one at the median, one at 0 conversions, the last id. */
const QUERIED = 4;

type Rows = Map<string, Record<string, number>>;

/** All-time advocate rows: ~1.1 human clicks each, 5% with conversions (fractional credit), half of those with revenue. */
const generateRows = (advocates: number, seed: number, prefix: string): Rows => {
  const random = seededRandom(seed);
  const rows: Rows = new Map();
  for (let i = 0; i < advocates; i++) {
    const advocateId = `${prefix}${String(i).padStart(6, '0')}`;
    const clicks = random() < 0.35 ? 0 : 1 + Math.floor(-Math.log(1 - random()) * 0.7);
    const counters: Record<string, number> = { clicks, uniqueClicks: Math.max(0, clicks - (random() < 0.2 ? 1 : 0)), botClicks: random() < 0.3 ? 1 : 0 };
    if (clicks === 0 && counters.botClicks === 0) counters.botClicks = 1;
    if (random() < 0.05) {
      const whole = 1 + Math.floor(random() * 3);
      const revenue = random() < 0.5 ? Math.floor(random() * 50_000) : 0;
      for (const model of attributionModels) {
        const share = model === 'last_click' || model === 'first_click' ? 1 : 0.2 + random() * 0.8;
        counters[`conv_${model}`] = Math.round(whole * 1_000_000 * share);
        if (revenue) counters[`rev_${model}_EUR`] = Math.round(revenue * share);
      }
    }
    for (const [name, value] of Object.entries(counters)) if (value === 0) delete counters[name];
    rows.set(advocateId, counters);
  }
  return rows;
};

const writeItems = async (context: BenchContext, table: string, items: Record<string, unknown>[]) => {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await forEachConcurrently(batches, 8, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await context.client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  });
};

export const rankings = async (context: BenchContext): Promise<ScenarioResult> => {
  const { options, world } = context;
  const rollupsTable = await createTable(context.dynamodbEndpoint, 'rollups', 's8-rollups');
  await createTable(context.dynamodbEndpoint, 'events', 's8-events');
  useTables({ ...world.entitiesEnv, TABLE_ROLLUPS: rollupsTable });
  const { orgId } = await createOrganization('Rankings Bench');
  const { apiKey } = await createApiKey(orgId, [...apiScopes], 'bench rankings');

  const sizes = [
    { label: 'big', advocates: 100_000 },
    { label: 'small', advocates: 100 },
  ] as const;
  const campaigns: Array<{ label: string; campaignId: string; rows: Rows; queried: string[]; advocates: number }> = [];
  for (const [index, size] of sizes.entries()) {
    const definition = newCampaign(`Rankings ${size.label}`);
    await putNewCampaign(orgId, definition);
    const rows = generateRows(size.advocates, options.seed + 80 + index, `${size.label}-`);
    const items = indexItemsOf(orgId, definition.campaignId, rows);
    context.log(`rankings: writing ${formatNumber(items.length, 0)} roll-up and index items for ${formatNumber(size.advocates, 0)} advocates (${size.label})`);
    const started = performance.now();
    await writeItems(context, rollupsTable, items);
    context.log(`rankings: written in ${formatNumber((performance.now() - started) / 1000, 0)} s`);
    const byConversions = rankAdvocates(rows, 'conversions', 'last_click', undefined);
    const queried = [byConversions[0], byConversions[Math.floor(byConversions.length / 2)], byConversions.find((row) => row.score === 0), byConversions.at(-1)]
      .filter((row): row is NonNullable<typeof row> => row !== undefined)
      .map((row) => row.advocateId)
      .slice(0, QUERIED);
    // Stats find an advocate's campaigns through its links: the queried advocates get one each.
    for (const advocateId of queried) {
      await putAdvocate(orgId, advocateId, { displayName: `Advocate ${advocateId}` });
      await issueLink({ orgId, campaignId: definition.campaignId, advocateId, channel: 'linkedin', destinationUrl: definition.destinationUrl });
    }
    campaigns.push({ label: size.label, campaignId: definition.campaignId, rows, queried, advocates: size.advocates });
  }

  const runtime = await startChild<RuntimeChildReady>('runtime', {
    dynamodbEndpoint: context.dynamodbEndpoint,
    tablePrefix: 's8-',
    env: { ...world.entitiesEnv, TABLE_ROLLUPS: rollupsTable, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY! },
    consumer: 'idle',
  } satisfies RuntimeChildConfig);
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${runtime.ready.baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await response.json()) as any;
    return { ms: performance.now() - started, status: response.status, body };
  };

  const queries = [
    { name: 'leaderboard clicks', metric: 'clicks' as const, model: 'last_click' as const },
    ...attributionModels.flatMap((model) => [
      { name: `leaderboard conversions ${model}`, metric: 'conversions' as const, model },
      { name: `leaderboard revenue ${model}`, metric: 'revenue' as const, model },
    ]),
  ];
  const results: Array<{ name: string; big: number; small: number }> = [];
  const mismatches: string[] = [];
  try {
    for (const query of queries) {
      const medians: Record<string, number> = {};
      for (const campaign of campaigns) {
        const path = `/v1/campaigns/${campaign.campaignId}/leaderboard?metric=${query.metric}&model=${query.model}&limit=10${query.metric === 'revenue' ? '&currency=EUR' : ''}`;
        const expected = rankAdvocates(campaign.rows, query.metric, query.model, 'EUR').slice(0, 10).map(({ advocateId, rank }) => ({ advocateId, rank }));
        await timed(path);
        const samples: number[] = [];
        for (let i = 0; i < REQUESTS_PER_QUERY; i++) {
          const { ms, status, body } = await timed(path);
          samples.push(ms);
          const got = (body.rows ?? []).map((row: { advocateId: string; rank: number }) => ({ advocateId: row.advocateId, rank: row.rank }));
          if (status !== 200 || JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push(`${query.name} ${campaign.label}: ${status}`);
        }
        medians[campaign.label] = median(samples);
      }
      results.push({ name: query.name, big: medians.big!, small: medians.small! });
      context.log(`rankings: ${query.name}: big ${formatNumber(medians.big!, 1)} ms, small ${formatNumber(medians.small!, 1)} ms`);
    }
    for (const model of attributionModels) {
      const medians: Record<string, number> = {};
      for (const campaign of campaigns) {
        const ranked = rankAdvocates(campaign.rows, 'conversions', model, undefined);
        const samples: number[] = [];
        for (const advocateId of campaign.queried) {
          const path = `/v1/advocates/${advocateId}/stats?model=${model}`;
          const expected = { rank: ranked.find((row) => row.advocateId === advocateId)!.rank, advocates: campaign.advocates };
          await timed(path);
          for (let i = 0; i < Math.ceil(REQUESTS_PER_QUERY / 2); i++) {
            const { ms, status, body } = await timed(path);
            samples.push(ms);
            const got = { rank: body.campaigns?.[0]?.rank, advocates: body.campaigns?.[0]?.advocates };
            if (status !== 200 || JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push(`stats ${model} ${advocateId}: ${status} ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`);
          }
        }
        medians[campaign.label] = median(samples);
      }
      results.push({ name: `advocate stats (rank) ${model}`, big: medians.big!, small: medians.small! });
      context.log(`rankings: stats ${model}: big ${formatNumber(medians.big!, 1)} ms, small ${formatNumber(medians.small!, 1)} ms`);
    }
  } finally {
    await runtime.stop();
  }

  // The index's write cost: one more click for 200 advocates of the big campaign, then the consumer's sync.
  const big = campaigns[0]!;
  const clicked = [...big.rows.keys()].filter((_, i) => i % Math.floor(big.advocates / 200) === 0).slice(0, 200);
  for (const advocateId of clicked) {
    await context.client.send(
      new UpdateCommand({
        TableName: rollupsTable,
        Key: rollupKeys.row({ orgId, campaignId: big.campaignId, dimension: 'advocate', period: '*', key: advocateId }),
        UpdateExpression: 'ADD clicks :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }
  const sync = await syncRankings(orgId, big.campaignId, clicked);
  const oneBySync = await Promise.all(clicked.slice(0, 20).map(async (advocateId) => {
    await context.client.send(new UpdateCommand({ TableName: rollupsTable, Key: rollupKeys.row({ orgId, campaignId: big.campaignId, dimension: 'advocate', period: '*', key: advocateId }), UpdateExpression: 'ADD clicks :one', ExpressionAttributeValues: { ':one': 1 } }));
    return syncRankings(orgId, big.campaignId, [advocateId]);
  }));
  const aloneWrites = oneBySync.reduce((sum, outcome) => sum + outcome.writes, 0) / oneBySync.length;

  const worst = results.reduce((a, b) => (a.big >= b.big ? a : b));
  return {
    id: 'rankings',
    title: '8. Rankings at 100,000 advocates',
    method:
      `One campaign with ${formatNumber(big.advocates, 0)} advocates and one with 100 (generated all-time rows: ~1.1 clicks each, 5% with conversions under every model, half with EUR revenue), ` +
      'written with BatchWriteItem as the ranking index adapter builds them (`indexItemsOf`), not through HTTP clicks. Over HTTP through the local runtime (API key, authorizer included): ' +
      `${REQUESTS_PER_QUERY} requests per leaderboard query (limit=10) and ${Math.ceil(REQUESTS_PER_QUERY / 2)} per advocate and model for stats (${QUERIED} advocates: first, median, first at 0 conversions, last), after one warm-up each; ` +
      'every answer checked against a ranking of the generated rows in memory.',
    targets: [
      { name: 'median latency, every leaderboard and stats query, 100k advocates', target: `≤ ${TARGET_MS} ms`, measured: `worst: ${worst.name} ${formatNumber(worst.big, 1)} ms`, met: worst.big <= TARGET_MS },
      { name: 'answers equal to an exact ranking of every row', target: 'all', measured: mismatches.length === 0 ? 'all' : `${mismatches.length} differ`, met: mismatches.length === 0 },
    ],
    tables: [
      {
        caption: 'Median latency per query in ms',
        headers: ['query', `big (${formatNumber(big.advocates, 0)} advocates)`, 'small (100)'],
        rows: results.map((row) => [row.name, formatNumber(row.big, 1), formatNumber(row.small, 1)]),
      },
    ],
    notes: [
      `Index upkeep for one more click of 200 advocates synced together: ${sync.transactions} transactions, ${formatNumber(sync.writes / clicked.length, 2)} item writes per click; ` +
        `one click synced alone: ${formatNumber(aloneWrites, 2)} item writes (the advocate's row, the entry out and in, its bucket rows).`,
      ...mismatches.slice(0, 5),
    ],
    data: { results, mismatches, indexWritesPerClick: { together: sync.writes / clicked.length, alone: aloneWrites, transactions: sync.transactions }, advocates: big.advocates },
  };
};
