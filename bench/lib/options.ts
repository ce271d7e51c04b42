/**
 * `npm run bench -- [flags]`. Defaults are the documented run (under 20 minutes on the 2-core
 * machine); `--full` restores every size the issue names even where that runs longer.
 */
import { parseArgs } from 'node:util';

export const scenarioIds = ['cold-start', 'redirect', 'webhooks', 'queries', 'rollup', 'export', 'program', 'rankings'] as const;
/** Scenarios the default run (no `--only`) leaves out: the program's day runs at real rates, ~10 minutes; rankings seeds 100,000 advocates. */
const onRequestOnly: readonly ScenarioId[] = ['program', 'rankings'];
export type ScenarioId = (typeof scenarioIds)[number];

export interface BenchOptions {
  only: ScenarioId[];
  repeats: number;
  /** Seconds per measured load run (scenarios 1 and 5). */
  loadSeconds: number;
  warmupSeconds: number;
  /** Cold starts per function. */
  coldStarts: number;
  /** Scenario 3: click events and conversions in the backlog. */
  rollupClicks: number;
  rollupConversions: number;
  /** Scenario 3: seconds the naive consumer is given per repeat (its rate is a steady state). */
  naiveSeconds: number;
  /** Scenario 4: events of the big and the small campaign. */
  queryBigEvents: number;
  querySmallEvents: number;
  /** Scenario 7: seconds each phase of the program's day is played. */
  programPhaseSeconds: number;
  /** Scenario 7: stream settings overriding infra/definitions.ts `streamConsumer` (the levers). */
  batchingWindowSeconds?: number;
  batchSize?: number;
  /** Tag in the result file name (`bench/results/<date>-<label>.json`). */
  label?: string;
  /** Do not rewrite docs/benchmarks.md (exploratory runs). */
  noDocs: boolean;
  seed: number;
}

export const parseOptions = (argv = process.argv.slice(2)): BenchOptions => {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      repeats: { type: 'string' },
      'load-seconds': { type: 'string' },
      'rollup-clicks': { type: 'string' },
      'rollup-conversions': { type: 'string' },
      full: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      label: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      seed: { type: 'string' },
      'program-seconds': { type: 'string' },
      'batching-window': { type: 'string' },
      'batch-size': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- [--only cold-start,redirect,webhooks,queries,rollup,export,program,rankings] [--repeats 3] [--load-seconds 10]\n' +
        '                 [--rollup-clicks N --rollup-conversions N | --full] [--quick] [--label name] [--no-docs]\n' +
        '                 [--program-seconds 180] [--batching-window S] [--batch-size N]   (scenario program, run with --only)\n',
    );
    process.exit(0);
  }
  const only = values.only ? (values.only.split(',') as ScenarioId[]) : scenarioIds.filter((id) => !onRequestOnly.includes(id));
  for (const id of only) if (!scenarioIds.includes(id)) throw new Error(`Unknown scenario ${id}; known: ${scenarioIds.join(', ')}`);
  const quick = values.quick;
  const full = values.full;
  const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  const rollupClicks = number(values['rollup-clicks'], full ? 100_000 : quick ? 5_000 : 10_000);
  return {
    only,
    repeats: Math.max(quick ? 1 : 3, number(values.repeats, quick ? 1 : 3)),
    loadSeconds: number(values['load-seconds'], quick ? 4 : 10),
    // DynamoDB Local's JIT keeps warming for tens of seconds (its CPU per PutItem halves).
    warmupSeconds: quick ? 2 : 15,
    coldStarts: quick ? 2 : 5,
    rollupClicks,
    rollupConversions: number(values['rollup-conversions'], Math.round(rollupClicks / 10)),
    // The naive consumer's rate is a steady state within seconds (its per-repeat figures agree).
    naiveSeconds: quick ? 10 : 15,
    queryBigEvents: quick ? 10_000 : 100_000,
    querySmallEvents: 1_000,
    programPhaseSeconds: number(values['program-seconds'], quick ? 40 : 180),
    batchingWindowSeconds: values['batching-window'] === undefined ? undefined : Number(values['batching-window']),
    batchSize: values['batch-size'] === undefined ? undefined : Number(values['batch-size']),
    label: values.label,
    noDocs: values['no-docs'],
    seed: number(values.seed, 20261127),
  };
};
