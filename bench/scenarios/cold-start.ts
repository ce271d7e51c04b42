/**
 * Scenario 2 — cold start. Every function is bundled as `cdk synth` bundles it; then, in a fresh
 * Node process each time (flags as on Lambda: --enable-source-maps from the stack's NODE_OPTIONS),
 * the bundle is imported and its first invocation served against DynamoDB Local. Baseline: a
 * handler importing only the DynamoDB document client, doing one PutItem, bundled the same way,
 * probed in the same rounds.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { functions } from '../../infra/definitions.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import { lambdaBundling } from '../../infra/constructs/bundling-options.js';
import { buildBundle, bundleDirectory, externalModules, type BuiltBundle } from '../lib/bundles.js';
import { formatNumber, formatRange, kilobytes, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { firstInvocationEvent } from '../lib/lambda-events.js';
import { repositoryRoot } from '../lib/processes.js';
import { summarize, type Summary } from '../lib/stats.js';
import { createTable } from '../lib/tables.js';

const run = promisify(execFile);

const REDIRECT_MAX_BYTES = 150 * 1024;
const OTHER_MAX_BYTES = 400 * 1024;
const REDIRECT_MAX_INIT_RATIO = 1.5;

/** Runs in the fresh process: import, then one invocation; prints one result line. */
const probeSource = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile, handlerName] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  functionName: 'bench-cold-start', functionVersion: '$LATEST', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:bench-cold-start',
  awsRequestId: 'cold-start', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000,
};
const started = performance.now();
const module = await import(pathToFileURL(bundle).href);
const imported = performance.now();
let outcome;
try {
  const result = await module[handlerName](event, context);
  outcome = result?.statusCode ?? (result?.batchItemFailures ? 'failures:' + result.batchItemFailures.length : result?.isAuthorized !== undefined ? 'authorized:' + result.isAuthorized : typeof result);
} catch (error) {
  outcome = 'error: ' + error.message;
}
const served = performance.now();
console.log('BENCH_RESULT ' + JSON.stringify({ importMs: imported - started, invokeMs: served - imported, totalMs: served - started, outcome }));
process.exit(0);
`;

interface Probe {
  importMs: number;
  invokeMs: number;
  totalMs: number;
  outcome: string | number;
}

export const coldStart = async (context: BenchContext): Promise<ScenarioResult> => {
  const { world, options } = context;
  const eventsTable = await createTable(context.dynamodbEndpoint, 'events', 's2-events');
  const rollupsTable = await createTable(context.dynamodbEndpoint, 'rollups', 's2-rollups');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DYNAMODB_ENDPOINT: context.dynamodbEndpoint,
    TABLE_ENTITIES: world.entitiesEnv.TABLE_ENTITIES,
    TABLE_EVENTS: eventsTable,
    TABLE_ROLLUPS: rollupsTable,
    LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY,
    POWERTOOLS_SERVICE_NAME: 'advocacy',
    POWERTOOLS_METRICS_NAMESPACE: 'advocacy',
    // Lambda's defaults would print INFO logs and EMF metrics; the cost of writing them is not init.
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_TRACE_ENABLED: 'false',
    LAMBDA_TASK_ROOT: repositoryRoot,
  };

  const names = [...(Object.keys(functions) as FunctionId[])];
  context.log(`bundling ${names.length} functions and the baseline`);
  const bundles = new Map<string, BuiltBundle>();
  bundles.set('baseline', await buildBundle('baseline', 'bench/children/baseline-handler.ts'));
  for (const name of names) bundles.set(name, await buildBundle(name, functions[name].entry));

  mkdirSync(bundleDirectory, { recursive: true });
  const probeFile = join(bundleDirectory, 'probe.mjs');
  writeFileSync(probeFile, probeSource);
  const probe = async (name: FunctionId | 'baseline'): Promise<Probe> => {
    const eventFile = join(bundleDirectory, name, 'event.json');
    writeFileSync(eventFile, JSON.stringify(firstInvocationEvent(name, world)));
    const handlerName = name === 'baseline' ? 'handler' : functions[name].handler;
    const { stdout } = await run(process.execPath, ['--enable-source-maps', probeFile, bundles.get(name)!.file, eventFile, handlerName], {
      env,
      cwd: repositoryRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
    if (!line) throw new Error(`${name}: no probe result:\n${stdout.slice(-2000)}`);
    return JSON.parse(line.slice('BENCH_RESULT '.length)) as Probe;
  };

  // Rounds: the baseline, then every function, each in a fresh process; repeated.
  const probes = new Map<string, Probe[]>();
  for (let round = 0; round < options.coldStarts; round++) {
    context.log(`cold starts, round ${round + 1}/${options.coldStarts}`);
    for (const name of ['baseline', ...names] as Array<FunctionId | 'baseline'>) {
      if (process.env.BENCH_DEBUG) context.log(`probe ${name}`);
      const result = await probe(name);
      probes.set(name, [...(probes.get(name) ?? []), result]);
    }
  }

  const summaries = new Map<string, { total: Summary; imported: Summary; invoked: Summary; outcomes: string[] }>();
  for (const [name, results] of probes) {
    summaries.set(name, {
      total: summarize(results.map((r) => r.totalMs)),
      imported: summarize(results.map((r) => r.importMs)),
      invoked: summarize(results.map((r) => r.invokeMs)),
      outcomes: [...new Set(results.map((r) => String(r.outcome)))],
    });
  }
  const baseline = summaries.get('baseline')!;
  const redirect = summaries.get('redirect')!;
  const redirectBytes = bundles.get('redirect')!.bytes;
  const initRatio = redirect.total.median / baseline.total.median;
  const others = names.filter((name) => name !== 'redirect');
  const largestOther = others.reduce((a, b) => (bundles.get(a)!.bytes >= bundles.get(b)!.bytes ? a : b));

  const topPackages = (bundle: BuiltBundle) =>
    Object.entries(bundle.byPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, bytes]) => `${name} ${kilobytes(bytes)}`)
      .join(', ');

  return {
    id: 'cold-start',
    title: '2. Cold start per function',
    method:
      `esbuild with the options of infra/constructs/bundling-options.ts (format ${lambdaBundling.format}, target ${lambdaBundling.target}, ` +
      `minified, external: ${externalModules().join(', ') || 'none (AWS SDK bundled)'}); sizes are index.mjs without its source map. ` +
      `Init = import of the bundle + first invocation (real DynamoDB Local calls) in a fresh \`node --enable-source-maps\` process; ` +
      `${options.coldStarts} rounds, each round probing the baseline and then every function.`,
    targets: [
      { name: 'redirect bundle', target: '≤ 150 KB', measured: kilobytes(redirectBytes), met: redirectBytes <= REDIRECT_MAX_BYTES },
      {
        name: 'redirect init vs baseline',
        target: `≤ ${REDIRECT_MAX_INIT_RATIO}×`,
        measured: `${formatNumber(initRatio, 2)}× (${formatNumber(redirect.total.median, 0)} ms vs ${formatNumber(baseline.total.median, 0)} ms)`,
        met: initRatio <= REDIRECT_MAX_INIT_RATIO,
      },
      {
        name: 'every other bundle',
        target: '≤ 400 KB',
        measured: `largest: ${largestOther} ${kilobytes(bundles.get(largestOther)!.bytes)}`,
        met: others.every((name) => bundles.get(name)!.bytes <= OTHER_MAX_BYTES),
      },
    ],
    tables: [
      {
        caption: 'Bundle size and init time (median, min–max in ms)',
        headers: ['function', 'bundle', 'largest parts', 'import', 'first invocation', 'init total', 'vs baseline', 'answer'],
        rows: ['baseline', ...names].map((name) => {
          const summary = summaries.get(name)!;
          const bundle = bundles.get(name)!;
          return [
            name,
            kilobytes(bundle.bytes),
            topPackages(bundle),
            formatRange(summary.imported, 0),
            formatRange(summary.invoked, 0),
            formatRange(summary.total, 0),
            `${formatNumber(summary.total.median / baseline.total.median, 2)}×`,
            summary.outcomes.join(', '),
          ];
        }),
      },
    ],
    notes: [],
    data: {
      external: externalModules(),
      bundles: Object.fromEntries([...bundles].map(([name, bundle]) => [name, { bytes: bundle.bytes, byPackage: bundle.byPackage }])),
      probes: Object.fromEntries(probes),
      initRatio,
    },
  };
};
