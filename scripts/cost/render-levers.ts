/**
 * The generated parts of docs/scaling.md that compare: the two profiles beside the floor and the
 * $6 target, and the levers of issue 15 — each priced before and after on the same counts.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { prices, type PriceId } from './prices.js';
import { billedWriteUnits, program, storageEstimate, type Capacity } from './model.js';
import { priceProfiles, profileIds, type PricedProfile, type ProfileId, type ProgramCapacity } from './profiles.js';
import { derivedAllTimeReads, extraReadUnitsPerQuery, replayProgram, writeUnitsPerClick } from './levers.js';

/** The target, all-in, per million clicks. */
export const TARGET_PER_MILLION_CLICKS = 6;

const usd = (value: number): string =>
  value === 0 ? '$0' : Math.abs(value) < 1 ? `$${value.toFixed(4)}` : `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const number = (value: number, digits = 2): string => value.toLocaleString('en-US', { maximumFractionDigits: digits });
const lineOf = (profile: PricedProfile, id: PriceId) => profile.lines.find((line) => line.id === id)?.perMillionClicks ?? 0;

export const renderProfiles = (
  profiles: Record<ProfileId, PricedProfile>,
  floor: { total: number; parts: Partial<Record<PriceId, number>> },
  measured: ProgramCapacity,
  name: (id: PriceId) => string,
): string => {
  const ids = profiles.peak.lines.map((line) => line.id).filter((id) => profileIds.some((profile) => lineOf(profiles[profile], id) > 0) || (floor.parts[id] ?? 0) > 0);
  const gap = (profile: ProfileId) => profiles[profile].total.perMillionClicks - TARGET_PER_MILLION_CLICKS;
  /** What the gap is made of: the lines above the floor's, largest first. */
  const madeOf = (profile: ProfileId) =>
    ids
      .map((id) => ({ id, over: lineOf(profiles[profile], id) - (floor.parts[id] ?? 0) }))
      .filter((entry) => entry.over > 0.005)
      .sort((a, b) => b.over - a.over)
      .slice(0, 4)
      .map((entry) => `${name(entry.id)} ${usd(entry.over)}`)
      .join(', ');
  const phases = measured.phases.map((phase) => `${phase.name} ${number(phase.clicksPerSecond)}/s (${number(100 * phase.shareOfDay, 0)}%)`).join('; ');
  return [
    `**Per million clicks, all-in, at two profiles** — *peak*: the benchmark's counts (stream batches full); *program*: a ${number(program.advocates, 0)}-advocate program's day played at its real rates (${phases}); *floor*: one request, one invocation (10 ms at 128 MB), one 1 KB write:`,
    '',
    '| per million clicks | peak | program | floor |',
    '|---|---|---|---|',
    ...ids.map((id) => `| ${name(id)} | ${usd(lineOf(profiles.peak, id))} | ${usd(lineOf(profiles.program, id))} | ${usd(floor.parts[id] ?? 0)} |`),
    `| **total** | **${usd(profiles.peak.total.perMillionClicks)}** | **${usd(profiles.program.total.perMillionClicks)}** | **${usd(floor.total)}** |`,
    `| target | ${usd(TARGET_PER_MILLION_CLICKS)} | ${usd(TARGET_PER_MILLION_CLICKS)} | |`,
    `| gap to the target | ${gap('peak') > 0 ? usd(gap('peak')) : 'met'} | ${gap('program') > 0 ? usd(gap('program')) : 'met'} | |`,
    '',
    `Above the floor, the largest lines — peak: ${madeOf('peak')}; program: ${madeOf('program')}.`,
  ].join('\n');
};

interface ProgramRun {
  file: string;
  startedAt: string;
  load: string;
  program: ProgramCapacity;
  day?: { rollupUnitsPerClick: number; lagP50Ms: number; lagP95Ms: number };
}

/** The newest run of scenario 7 per batching window. */
const programRuns = (files: readonly string[]): ProgramRun[] => {
  const byWindow = new Map<number, ProgramRun>();
  for (const file of files) {
    try {
      const document = JSON.parse(readFileSync(file, 'utf8')) as {
        startedAt: string;
        machine?: { loadAverageAtStart?: number[]; loadAverageAtEnd?: number[] };
        capacity?: { program?: ProgramCapacity };
        scenarios?: Array<{ id: string; data: { day?: ProgramRun['day'] } }>;
      };
      const measured = document.capacity?.program;
      if (!measured || byWindow.has(measured.settings.maxBatchingWindowSeconds)) continue;
      byWindow.set(measured.settings.maxBatchingWindowSeconds, {
        file: basename(file),
        startedAt: document.startedAt,
        load: `${document.machine?.loadAverageAtStart?.[0] ?? '?'} → ${document.machine?.loadAverageAtEnd?.[0] ?? '?'}`,
        program: measured,
        day: document.scenarios?.find((scenario) => scenario.id === 'program')?.data.day,
      });
    } catch {
      // not JSON, or being written
    }
  }
  return [...byWindow.values()].sort((a, b) => a.program.settings.maxBatchingWindowSeconds - b.program.settings.maxBatchingWindowSeconds);
};

const renderWindowLever = (peak: Capacity, files: readonly string[]): string => {
  const runs = programRuns(files);
  if (runs.length === 0) return '_No run of scenario 7 yet: `npm run bench -- --only program [--batching-window S]`._';
  const price = prices.dynamoWriteRequestUnit.usd * 1_000_000;
  return [
    '| stream window | run (load average 1 min, start → end) | roll-up write units per click | roll-up writes per million clicks | lag p50 | lag p95 (target ≤ 60 s) | program total per million clicks |',
    '|---|---|---|---|---|---|---|',
    ...runs.map((run) => {
      const unitsPerClick = billedWriteUnits(run.program.rollup) / Math.max(1, run.program.rollup.clicks);
      const total = priceProfiles(peak, run.program).program.total.perMillionClicks;
      const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${number(ms / 1000, 1)} s`);
      return `| ${run.program.settings.maxBatchingWindowSeconds} s | \`${run.file}\` (${run.load}) | ${number(unitsPerClick)} | ${usd(unitsPerClick * price)} | ${seconds(run.day?.lagP50Ms)} | ${seconds(run.day?.lagP95Ms)} | ${usd(total)} |`;
    }),
  ].join('\n');
};

const renderPlannerLevers = (): string => {
  const replays = [2, 10, 30].map((window) => replayProgram(window));
  const price = prices.dynamoWriteRequestUnit.usd * 1_000_000;
  const rows = replays.map((replay) => {
    const withAll = writeUnitsPerClick(replay.rowsPerClick.withAllTime);
    const daily = writeUnitsPerClick(replay.rowsPerClick.dailyOnly);
    return `| ${replay.windowSeconds} s | ${number(replay.meanBatchClicks, 1)} | ${number(replay.rowsPerClick.withAllTime)} | ${number(replay.rowsPerClick.dailyOnly)} | ${number(withAll.transactional)} (${usd(withAll.transactional * price)}) | ${number(withAll.conditional)} (${usd(withAll.conditional * price)}) | ${number(daily.transactional)} (${usd(daily.transactional * price)}) | ${number(daily.conditional)} (${usd(daily.conditional * price)}) |`;
  });
  const rowBytes = storageEstimate().rollupRowBytes;
  const r = derivedAllTimeReads;
  const readPrice = prices.dynamoReadRequestUnit.usd;
  const extraReadsMonth =
    r.advocateQueries * extraReadUnitsPerQuery(r.advocateKeys, r.campaignAgeDays, rowBytes) + r.dashboardQueries * extraReadUnitsPerQuery(r.dashboardKeys, r.campaignAgeDays, rowBytes);
  const at30 = replays[replays.length - 1];
  const savedWritesMonth =
    (writeUnitsPerClick(at30.rowsPerClick.withAllTime).transactional - writeUnitsPerClick(at30.rowsPerClick.dailyOnly).transactional) * program.clicksPerMonth * prices.dynamoWriteRequestUnit.usd;
  return [
    '| window | clicks per batch | rows per click, with all-time rows | rows per click, daily only | write units per click (per million clicks): transactions, with all-time | conditional, with all-time | transactions, daily only | conditional, daily only |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Deriving all-time figures from daily rows instead, at the ${at30.windowSeconds} s window, saves ${usd(savedWritesMonth)} of writes in the program month and costs ${usd(extraReadsMonth * readPrice)} of reads ` +
      `(${number(r.advocateQueries, 0)} advocate stats of ~${r.advocateKeys} keys and ${number(r.dashboardQueries, 0)} leaderboards of ~${number(r.dashboardKeys, 0)} keys a month, each reading ${r.campaignAgeDays} daily rows per key of ${number(rowBytes, 0)} B instead of one, eventually consistent: ` +
      `${number(extraReadUnitsPerQuery(r.dashboardKeys, r.campaignAgeDays, rowBytes), 0)} read units per leaderboard instead of ${number(extraReadUnitsPerQuery(r.dashboardKeys, 2, rowBytes), 1)}).`,
  ].join('\n');
};

/** Price of the profiles with one setting changed, against the deployed settings. */
const renderStackLevers = (peak: Capacity, measured: ProgramCapacity): string => {
  const deployed = priceProfiles(peak, measured);
  const variants: Array<{ name: string; profiles: Record<ProfileId, PricedProfile> }> = [
    { name: 'byCampaign index projects its keys only (KEYS_ONLY; an events page then fetches its items: ~50 read units a page of 100, not in the per-click price)', profiles: priceProfiles(peak, measured, prices, storageEstimate({ projection: 'KEYS_ONLY' })) },
    { name: 'byCampaign index projects every attribute (ALL)', profiles: priceProfiles(peak, measured, prices, storageEstimate({ projection: 'ALL' })) },
    { name: 'point-in-time recovery off for the events table', profiles: priceProfiles(peak, measured, prices, storageEstimate({ pointInTimeRecovery: { events: false, rollups: true } })) },
    { name: 'point-in-time recovery on for every table', profiles: priceProfiles(peak, measured, prices, storageEstimate({ pointInTimeRecovery: { events: true, rollups: true } })) },
    { name: 'redirect behind a Lambda function URL', profiles: priceProfiles(peak, measured, prices, storageEstimate(), 'functionUrl') },
    { name: 'redirect behind the HTTP API', profiles: priceProfiles(peak, measured, prices, storageEstimate(), 'httpApi') },
    { name: 'clicks kept 400 days in the hot table (no archive)', profiles: priceProfiles(peak, measured, prices, storageEstimate({ hotClickDays: 400 })) },
    {
      name: '**every lever of issue 15**: KEYS_ONLY, PITR off for events, function URL, clicks hot 97 days',
      profiles: priceProfiles(peak, measured, prices, storageEstimate({ projection: 'KEYS_ONLY', pointInTimeRecovery: { events: false, rollups: true } }), 'functionUrl'),
    },
  ];
  const delta = (value: number) => (Math.abs(value) < 0.005 ? '±0' : `${value > 0 ? '+' : '−'}${usd(Math.abs(value))}`);
  return [
    '| setting (else as deployed) | peak per million clicks | change | program per million clicks | change |',
    '|---|---|---|---|---|',
    `| as deployed | ${usd(deployed.peak.total.perMillionClicks)} | | ${usd(deployed.program.total.perMillionClicks)} | |`,
    ...variants.map(
      (variant) =>
        `| ${variant.name} | ${usd(variant.profiles.peak.total.perMillionClicks)} | ${delta(variant.profiles.peak.total.perMillionClicks - deployed.peak.total.perMillionClicks)} | ${usd(variant.profiles.program.total.perMillionClicks)} | ${delta(variant.profiles.program.total.perMillionClicks - deployed.program.total.perMillionClicks)} |`,
    ),
  ].join('\n');
};

export const renderLevers = (peak: Capacity, measured: ProgramCapacity, files: readonly string[]): string =>
  [
    '**Lever: the stream batching window** (scenario 7 at each window, side by side on the same machine; the newest run per window):',
    '',
    renderWindowLever(peak, files),
    '',
    '**Levers: all-time rows, and transactions against conditional writes** (the program\'s click stream replayed through the planner, `scripts/cost/levers.ts`; transactions bill 2 units per KB of each row update plus a ledger entry per click, conditional updates 1 per row and no ledger; visitor and click ids are random, so the rows per click move by a few hundredths between runs):',
    '',
    renderPlannerLevers(),
    '',
    '**Levers: the stack** (the same counts priced with one setting changed; storage from item sizes):',
    '',
    renderStackLevers(peak, measured),
  ].join('\n');
