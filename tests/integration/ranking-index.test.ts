/**
 * The ranking index against DynamoDB Local: after any number of (concurrent) syncs, its top-N and
 * every advocate's rank equal a ranking of every advocate's all-time row — for clicks, every
 * model's conversions and revenue — through ties, zeros, negative values and values that move
 * across buckets.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { tableName } from '../../shared/adapters/config.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { rollupKeys } from '../../shared/adapters/keys.js';
import { readRankingIndex, syncRankings } from '../../shared/adapters/ranking-index.js';
import { readDimension } from '../../shared/adapters/rollup-reads.js';
import { campaignStanding, leaderboardRows, rankAdvocates, type LeaderboardMetric } from '../../shared/application/rankings.js';
import { attributionModels } from '../../shared/domain/attribution.js';
import { useIsolatedTables } from '../support/tables.js';

const ORG = 'org_rank';
const CAMPAIGN = 'cmp_rank';
const ADVOCATES = Array.from({ length: 70 }, (_, i) => `adv-${String(i).padStart(3, '0')}`);

/** Values with ties, zeros, small exact ones and large ones spread over many buckets. */
const countersFor = (i: number): Record<string, number> => {
  const counters: Record<string, number> = { botClicks: i % 3 };
  const clicks = i % 10 === 0 ? 0 : [1, 1, 2, 3, 5, 31, 32, 33, 1000, 1017][i % 10] + (i % 4);
  if (clicks) counters.clicks = clicks;
  if (i % 2 === 0) {
    for (const [m, model] of attributionModels.entries()) {
      counters[`conv_${model}`] = ((i * 7919 + m * 104729) % 5_000_000) + (i % 6 === 0 ? 1_000_000 : 0);
      counters[`rev_${model}_EUR`] = i % 14 === 0 ? 0 : (i * 997) % 40_000;
    }
  }
  // A refund larger than a row's credit by a rounding unit can leave a revenue below zero.
  if (i === 5) counters.rev_last_click_EUR = -1;
  if (counters.botClicks === 0 && !counters.clicks && !counters.conv_last_click) counters.botClicks = 1;
  return counters;
};

const putRow = (advocateId: string, counters: Record<string, number>) =>
  documentClient().send(
    new PutCommand({
      TableName: tableName('rollups'),
      Item: { ...rollupKeys.row({ orgId: ORG, campaignId: CAMPAIGN, dimension: 'advocate', period: '*', key: advocateId }), key: advocateId, dimension: 'advocate', period: '*', ...counters },
    }),
  );

const addToRow = (advocateId: string, counter: string, delta: number) =>
  documentClient().send(
    new UpdateCommand({
      TableName: tableName('rollups'),
      Key: rollupKeys.row({ orgId: ORG, campaignId: CAMPAIGN, dimension: 'advocate', period: '*', key: advocateId }),
      UpdateExpression: 'ADD #c :d',
      ExpressionAttributeNames: { '#c': counter },
      ExpressionAttributeValues: { ':d': delta },
    }),
  );

const metrics: Array<{ metric: LeaderboardMetric; model: (typeof attributionModels)[number]; currency?: string }> = [
  { metric: 'clicks', model: 'last_click' },
  ...attributionModels.flatMap((model) => [
    { metric: 'conversions' as const, model },
    { metric: 'revenue' as const, model, currency: 'EUR' },
  ]),
];

const expectIndexMatchesEveryRow = async () => {
  const rows = await readDimension(ORG, CAMPAIGN, 'advocate');
  for (const { metric, model, currency } of metrics) {
    const expected = rankAdvocates(rows, metric, model, currency).map(({ advocateId, score, rank }) => ({ advocateId, score, rank }));
    for (const limit of [1, 10, 100]) {
      const got = await leaderboardRows(ORG, CAMPAIGN, metric, model, currency, undefined, limit);
      expect(got.map(({ advocateId, score, rank }) => ({ advocateId, score, rank })), `${metric} ${model} limit ${limit}`).toEqual(expected.slice(0, limit));
    }
  }
  for (const [m, model] of attributionModels.entries()) {
    const expected = rankAdvocates(rows, 'conversions', model, undefined);
    // Every advocate under one model, every fifth (and the last) under the others: the machine is shared.
    for (const { advocateId, rank } of expected.filter((_, i) => m === 0 || i % 5 === 0 || i === expected.length - 1)) {
      const standing = await campaignStanding(ORG, CAMPAIGN, advocateId, model, undefined);
      expect({ advocateId, rank: standing.rank, advocates: standing.advocates }).toEqual({ advocateId, rank, advocates: rows.size });
    }
  }
};

describe('ranking index', () => {
  useIsolatedTables();

  it('answers every top-N and rank exactly as a ranking of every row, after concurrent syncs and moves', { timeout: 240_000 }, async () => {
    await Promise.all(ADVOCATES.map((advocateId, i) => putRow(advocateId, countersFor(i))));
    // Three syncs at once over overlapping advocates: each move is conditioned on the held value.
    await Promise.all([syncRankings(ORG, CAMPAIGN, ADVOCATES), syncRankings(ORG, CAMPAIGN, ADVOCATES.slice(20)), syncRankings(ORG, CAMPAIGN, ADVOCATES.slice(0, 50))]);
    const again = await syncRankings(ORG, CAMPAIGN, ADVOCATES);
    expect(again.transactions).toBe(0);
    await expectIndexMatchesEveryRow();

    // Moves: up across buckets, down to zero, a new advocate, a tie broken.
    await addToRow('adv-001', 'clicks', 5000);
    await addToRow('adv-002', 'conv_linear', -Number((await readDimension(ORG, CAMPAIGN, 'advocate')).get('adv-002')!.conv_linear));
    await addToRow('adv-004', 'rev_time_decay_EUR', 123_456);
    await putRow('adv-new', { clicks: 2, conv_first_click: 3_000_000 });
    await Promise.all([syncRankings(ORG, CAMPAIGN, ['adv-001', 'adv-002', 'adv-004', 'adv-new']), syncRankings(ORG, CAMPAIGN, ['adv-new', 'adv-004'])]);
    await expectIndexMatchesEveryRow();

    // An advocate without a row is not ranked; the population is every advocate with one.
    const stranger = await campaignStanding(ORG, CAMPAIGN, 'nobody', 'last_click', undefined);
    expect(stranger).toEqual({ counters: {}, rank: null, advocates: ADVOCATES.length + 1 });
    const index = await readRankingIndex(ORG, CAMPAIGN, []);
    expect(index.counts.filter((c) => c.sk === 'N').reduce((sum, c) => sum + c.n, 0)).toBe(ADVOCATES.length + 1);
  });
});
