// @ts-check
/**
 * Mutation score of the pure domain (`npm run mutation`; results in docs/reliability.md,
 * "Mutation score"). shared/application/ (the stream batch use case) is deliberately not mutated: it does I/O and is
 * proven by the integration suites against DynamoDB Local, not by the unit tests run here.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // Unit tests only, without the DynamoDB Local global setup: no Java needed.
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: the bot pattern lists, the currency exponent table,
  // zod schemas) each need every test file reloaded and took ~90% of the run's time; they are
  // reported as Ignored. `npm run mutation -- --ignoreStatic false` tests them too.
  ignoreStatic: true,
  mutate: ['shared/domain/**/*.ts'],
  // The machine has 2 cores shared with other developers.
  concurrency: 2,
  // Re-runs only retest mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
};
