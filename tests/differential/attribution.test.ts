/**
 * Differential test: random histories — returning and cookie-less browsers, bots, HEAD requests,
 * disabled links, shares (spec 15), conversions by click id, visitor id and customer, duplicates, senders' clocks
 * ahead and behind, gaps from a second to days — are played through the real local runtime on a
 * moved clock, while the roll-up consumer crashes mid-batch, gets batches twice and out of order.
 * Every attribution answer (every campaign, grouping — breakdowns by country, device, browser, OS
 * and referrer included —, model, several day ranges), every link's
 * stats and the unattributed count must equal what the reference model (tests/reference/model.ts,
 * written from the spec alone) computes from the ground-truth log.
 *
 * One seed per run, printed; replay with DIFFERENTIAL_SEED=<seed>. DIFFERENTIAL_RUNS sets the
 * number of histories (default 12).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedOf } from '../reference/model.js';
import { startSystem, type TestSystem } from '../support/system.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describeHistory, differencesFromModel, unexplainedClicks } from './compare.js';
import { faultyConsumer } from './faulty-consumer.js';
import { planArbitrary } from './plan.js';
import { MovedClock, playHistory } from './player.js';

const seed = Number(process.env.DIFFERENTIAL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = Number(process.env.DIFFERENTIAL_RUNS ?? 12);
console.log(`differential: seed ${seed}, ${runs} histories (replay: DIFFERENTIAL_SEED=${seed} npx vitest run tests/differential)`);

const clock = new MovedClock();
const consumer = faultyConsumer((work) => clock.realTime(work));
let system: TestSystem;

beforeAll(async () => {
  system = await startSystem({ handlers: { rollup: consumer.handler }, quiet: true });
  // The moved clock plays histories up to 330 days back, past the clicks' 97-day hot retention:
  // their TTL would have DynamoDB Local delete them within seconds, before the conversions that
  // need them arrive. This test is about attribution; expiry is tested by reconcile-archive.
  await documentClient().send(
    new UpdateTimeToLiveCommand({ TableName: system.runtime.tableNames.events, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: false } }),
  );
});

afterAll(async () => {
  await system?.stop();
});

describe('the system against the reference model', () => {
  it('answers what the spec says for random histories, through crashes, duplicated and reordered batches', async () => {
    const seen = { humanClicks: 0, botClicks: 0, conversions: 0, unattributed: 0, uniqueClicks: 0, withCountry: 0, withReferrer: 0, shares: 0 };
    await fc.assert(
      fc.asyncProperty(planArbitrary({ maxSteps: 30 }), async (plan) => {
        consumer.reseed(plan.faultSeed);
        const played = await playHistory(system, clock, plan);
        await system.streamsIdle();
        const expected = expectedOf(played.history);
        seen.humanClicks += expected.humanClicks.length;
        seen.uniqueClicks += expected.humanClicks.filter((c) => c.unique).length;
        seen.botClicks += expected.botClicks.length;
        seen.conversions += expected.conversions.length;
        seen.unattributed += expected.unattributed;
        seen.withCountry += expected.humanClicks.filter((c) => c.viewer?.country).length;
        seen.withReferrer += expected.humanClicks.filter((c) => c.viewer?.referer).length;
        seen.shares += expected.shares.length;
        const differences = await differencesFromModel(system.client.request, played, expected);
        if (differences.length > 0) {
          const shown = differences.slice(0, 25).join('\n');
          const more = differences.length > 25 ? `\n(${differences.length - 25} more)` : '';
          const clicks = (await unexplainedClicks(system.client.request, played)).join('\n') || 'every recorded click was sent, every tracked click recorded';
          throw new Error(`The system differs from the reference model:\n${shown}${more}\n\nRecorded clicks:\n${clicks}\n\nHistory:\n${describeHistory(played)}`);
        }
      }),
      // A failing history is printed whole; shrinking would replay many histories through the system.
      { seed, numRuns: runs, endOnFailure: true },
    );
    // The histories and the faults were not empty: the comparison above had something to compare.
    expect(seen.humanClicks).toBeGreaterThan(seen.uniqueClicks);
    expect(seen.uniqueClicks).toBeGreaterThan(0);
    expect(seen.botClicks).toBeGreaterThan(0);
    expect(seen.conversions).toBeGreaterThan(0);
    expect(seen.unattributed).toBeGreaterThan(0);
    expect(seen.shares).toBeGreaterThan(0);
    // The breakdowns had both known and `unknown` rows to compare.
    expect(seen.withCountry).toBeGreaterThan(0);
    expect(seen.withCountry).toBeLessThan(seen.humanClicks);
    expect(seen.withReferrer).toBeGreaterThan(0);
    expect(seen.withReferrer).toBeLessThan(seen.humanClicks);
    const faults = consumer.counters();
    console.log(`differential: ${JSON.stringify(seen)}; consumer faults ${JSON.stringify(faults)}`);
    expect(faults.crashes).toBeGreaterThan(0);
    expect(faults.doubleDeliveries).toBeGreaterThan(0);
    expect(faults.reorders).toBeGreaterThan(0);
    // Crashes were retried, never exhausted: nothing went to the dead-letter store.
    expect(system.runtime.poller.deadLetters()).toEqual([]);
  }, 600_000);
});
