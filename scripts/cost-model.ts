/**
 * `npm run cost [-- --results <file>] [--write]`: what a million tracked clicks, a thousand
 * conversions and a month of a 10,000-advocate program cost on AWS, from counted capacity
 * (scripts/cost/model.ts) and cited list prices (scripts/cost/prices.ts).
 *
 * Counts come from `--results <file>`, else from the newest bench/results/*.json (by the run's
 * `startedAt`, then name) that has a top-level `capacity` key (`npm run bench` writes it). Without one, the sample
 * fixture (tests/fixtures/capacity-sample.json, plausible numbers, not a measurement) is printed
 * with a warning, and `--write` refuses to put it into the docs.
 *
 * `--write` replaces the generated sections of docs/scaling.md (`<!-- cost:start -->` …
 * `<!-- cost:end -->`) and README.md (`<!-- cost-summary:start -->` … `<!-- cost-summary:end -->`).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { functions } from '../infra/definitions.js';
import {
  billedWriteUnits,
  deployedCampaignIndexProjection,
  pathFunctions,
  program,
  redirectOriginComparison,
  storageEstimate,
  totals,
  type Capacity,
  type CostLine,
  type IndexProjection,
} from './cost/model.js';
import { prices, region, type PriceId } from './cost/prices.js';
import { floorPerMillionClicks, perMillionClicksJson, priceProfiles, programProfileCapacity, type ProgramCapacity } from './cost/profiles.js';
import { renderLevers, renderProfiles } from './cost/render-levers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'tests', 'fixtures', 'capacity-sample.json');

/** What a results file counts: the peak's paths, and the program profile (scenario 7). */
type Counted = Capacity & { program: ProgramCapacity };

const paths = ['redirect', 'webhook', 'rollup', 'queries', 'program'] as const satisfies ReadonlyArray<keyof Counted>;

interface CountsSource {
  capacity: Counted;
  /** Per path, the file its counts come from (and its run). */
  origins: Record<keyof Counted, string>;
  /** Paths whose counts are the fixture's: no result file counted them. */
  fromFixture: Array<keyof Counted>;
}

const describeRun = (file: string, document: { startedAt?: string; command?: string }) =>
  `\`${relative(root, file)}\`${document.startedAt ? ` (run ${document.startedAt.slice(0, 16).replace('T', ' ')} UTC${document.command ? `, \`${document.command}\`` : ''})` : ''}`;

/**
 * Counts per path: from `--results <file>` alone, else from the newest bench/results/*.json (by
 * the run's start, then name) whose `capacity` has that path — a run of one scenario (`--only`) counts only
 * its own path — and the fixture for paths no run has counted.
 */
/** When a results file's run started (its `startedAt`), else its mtime: checkouts reset mtimes. */
const runStartedAt = (file: string): number => {
  try {
    const started = Date.parse((JSON.parse(readFileSync(file, 'utf8')) as { startedAt?: string }).startedAt ?? '');
    if (Number.isFinite(started)) return started;
  } catch {
    // not JSON, or being written
  }
  return statSync(file).mtimeMs;
};

/** bench/results/*.json, newest run first (by the run's start, then name). */
const listResultFiles = (): string[] => {
  const directory = join(root, 'bench', 'results');
  let names: string[] = [];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.json'));
  } catch {
    // No results yet.
  }
  return names
    .map((name) => ({ file: join(directory, name), name, started: runStartedAt(join(directory, name)) }))
    .sort((a, b) => b.started - a.started || b.name.localeCompare(a.name))
    .map(({ file }) => file);
};

const loadCounts = (resultsFile: string | undefined): CountsSource => {
  const files = resultsFile ? [resultsFile] : listResultFiles();
  const capacity: Partial<Counted> = {};
  const origins: Partial<Record<keyof Counted, string>> = {};
  for (const file of files) {
    let document: { capacity?: Partial<Counted>; startedAt?: string; command?: string };
    try {
      document = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue; // not JSON, or being written
    }
    for (const path of paths) {
      if (capacity[path] || !document.capacity?.[path]) continue;
      (capacity as Record<string, unknown>)[path] = document.capacity[path];
      origins[path] = describeRun(file, document);
    }
  }
  // A run of the peak's scenarios has no program profile: that comes from the newest run of scenario 7.
  if (resultsFile && !capacity.program) {
    for (const file of listResultFiles()) {
      try {
        const document = JSON.parse(readFileSync(file, 'utf8')) as { capacity?: Partial<Counted>; startedAt?: string; command?: string };
        if (!document.capacity?.program) continue;
        capacity.program = document.capacity.program;
        origins.program = describeRun(file, document);
        break;
      } catch {
        // not JSON, or being written
      }
    }
  }
  const peakPaths = paths.filter((path) => path !== 'program');
  if (resultsFile && peakPaths.some((path) => !capacity[path])) {
    throw new Error(`${relative(root, resultsFile)} lacks counts for: ${peakPaths.filter((path) => !capacity[path]).join(', ')}`);
  }
  const sample = JSON.parse(readFileSync(fixture, 'utf8')) as { capacity: Counted };
  const fromFixture = resultsFile && resolve(resultsFile) === fixture ? [...paths] : paths.filter((path) => !capacity[path]);
  for (const path of fromFixture) {
    (capacity as Record<string, unknown>)[path] = sample.capacity[path];
    origins[path] = `\`${relative(root, fixture)}\` (sample, not measured)`;
  }
  return { capacity: capacity as Counted, origins: origins as Record<keyof Counted, string>, fromFixture };
};

const usd = (value: number): string =>
  value === 0 ? '$0' : value < 1 ? `$${value.toFixed(4)}` : `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const number = (value: number, digits = 2): string => value.toLocaleString('en-US', { maximumFractionDigits: digits });

const lineNames: Record<PriceId, string> = {
  apiGatewayHttpRequest: 'API Gateway HTTP API requests',
  lambdaRequest: 'Lambda requests',
  lambdaArmGbSecond: 'Lambda compute (arm64 GB-s)',
  dynamoWriteRequestUnit: 'DynamoDB write request units',
  dynamoReadRequestUnit: 'DynamoDB read request units',
  dynamoStorageGbMonth: 'DynamoDB storage (tables + byCampaign index)',
  dynamoPitrGbMonth: 'DynamoDB point-in-time recovery',
  dynamoStreamsReadRequest: 'DynamoDB Streams reads (Lambda trigger: free)',
  cloudFrontHttpsRequest: 'CloudFront HTTPS requests (the CDN)',
  cloudFrontFunctionInvocation: 'CloudFront Functions (viewer Host → x-forwarded-host)',
  cloudFrontDataTransferGb: 'CloudFront data transfer out',
  s3StorageGbMonth: 'S3 storage (the Parquet archive, history retention)',
  s3PutRequest: 'S3 PUT requests (archive files)',
  s3GetRequest: 'S3 GET requests (exports reading the archive)',
  athenaTbScanned: 'Athena (exports: TB scanned)',
  sqsRequest: 'SQS dead-letter queue (none in a healthy month)',
};

const unitPrice = (id: PriceId): string => {
  const { usd: price } = prices[id];
  if (price === 0) return '$0';
  if (id === 'lambdaArmGbSecond') return `$${price} per GB-s`;
  if (id === 'dynamoStorageGbMonth' || id === 'dynamoPitrGbMonth' || id === 's3StorageGbMonth') return `$${price.toFixed(3).replace(/0$/, '')} per GB-month`;
  if (id === 'athenaTbScanned') return `$${price.toFixed(2)} per TB`;
  if (id === 's3PutRequest' || id === 's3GetRequest') return `$${(price * 1_000).toFixed(4).replace(/0+$/, '')} per 1,000`;
  if (id === 'cloudFrontDataTransferGb') return `$${price.toFixed(3)} per GB`;
  return `$${(price * 1_000_000).toFixed(3).replace(/0$/, '')} per million`;
};

const renderCostTable = (lines: CostLine[]): string => {
  const total = totals(lines);
  return [
    `| ${region} list prices | unit price | per million clicks | per 1,000 conversions | program month: ${number(program.advocates, 0)} advocates, ${number(program.clicksPerMonth, 0)} clicks, ${number(program.conversionsPerMonth, 0)} conversions |`,
    '|---|---|---|---|---|',
    ...lines.map((line) => `| ${lineNames[line.id]} | ${unitPrice(line.id)} | ${usd(line.perMillionClicks)} | ${usd(line.perThousandConversions)} | ${usd(line.programMonth)} |`),
    `| **total** | | **${usd(total.perMillionClicks)}** | **${usd(total.perThousandConversions)}** | **${usd(total.programMonth)}** |`,
  ].join('\n');
};

const renderCounts = (capacity: Capacity): string => {
  const row = (name: string, per: number, perName: string, path: Capacity[keyof Capacity], fn: keyof typeof pathFunctions) => {
    const memory = functions[pathFunctions[fn]].memoryMb;
    const each = (value: number) => (per > 0 ? value / per : 0);
    const apiRequests = 'apiRequests' in path ? each(path.apiRequests) : 0;
    return `| ${name} | ${number(per, 0)} ${perName} | ${number(apiRequests, 3)} | ${number(each(path.lambdaInvocations), 4)} | ${number(each(path.readUnits), 3)} | ${number(each(path.writeUnits), 3)} | ${number(each(path.transactWriteUnits), 3)} | ${number(each(billedWriteUnits(path)), 3)} | ${number(path.medianDurationMs, 1)} ms | ${memory} MB${path.memoryMb !== memory ? ` (run: ${path.memoryMb})` : ''} |`;
  };
  return [
    '| path | counted | API requests each | Lambda invocations each | read units each | write units each (standard) | write units each (transactional, 2 per KB) | write units each, billed | median duration | memory (definitions) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row('redirect', capacity.redirect.requests, 'requests', capacity.redirect, 'redirect'),
    row('conversion webhook', capacity.webhook.requests, `requests (${number(capacity.webhook.accepted, 0)} accepted)`, capacity.webhook, 'webhook'),
    row('roll-up consumer', capacity.rollup.events, `events (${number(capacity.rollup.clicks, 0)} clicks, ${number(capacity.rollup.conversions, 0)} conversions)`, capacity.rollup, 'rollup'),
    row('read APIs (authorizer included)', capacity.queries.requests, 'requests', capacity.queries, 'queries'),
  ].join('\n');
};

/** The redirect's origin behind the CDN, both ways (docs/scaling.md, "The CDN and the redirect's origin"). */
const renderOriginChoice = (capacity: Capacity): string => {
  const c = redirectOriginComparison(capacity);
  return [
    '| redirect origin behind CloudFront | per million clicks | program month |',
    '|---|---|---|',
    `| HTTP API (deployed) | ${usd(c.httpApi.perMillionClicks)} | ${usd(c.httpApi.programMonth)} |`,
    `| Lambda function URL | ${usd(c.functionUrl.perMillionClicks)} | ${usd(c.functionUrl.programMonth)} |`,
    `| difference | ${usd(c.savedPerMillionClicks)} (${number(100 * c.savedShareOfClickCost, 1)}% of a click's cost) | ${usd(c.savedPerProgramMonth)} |`,
  ].join('\n');
};

const projectionName = (projection: IndexProjection): string => (typeof projection === 'string' ? projection.replace('_', ' ').toLowerCase() : `${projection.length} attributes`);

const renderStorage = (): string => {
  const s = storageEstimate();
  return (
    `Storage is an **estimate** from the item shapes (representative items built with \`shared/adapters/keys.ts\` and the redirect's \`ClickEvent\`, sized with DynamoDB's rules + 100 B per item): ` +
    `a click ${number(s.clickTableBytes, 0)} B in the events table and again ${number(s.clickIndexBytes, 0)} B in the campaign index (projection: ${projectionName(deployedCampaignIndexProjection)}), ` +
    `a conversion ${number(s.conversionTableBytes, 0)} B + ${number(s.conversionIndexBytes, 0)} B plus a ${number(s.creditRecordBytes, 0)} B credit record, ` +
    `a roll-up row ${number(s.rollupRowBytes, 0)} B (${program.rollupRowsPerClick} new rows per click assumed), a ledger entry ${number(s.ledgerBytes, 0)} B for 8 days; ` +
    `clicks stay in the hot table ${number(s.hotClickMonths, 1)} months (\`hotClickRetentionDays\`, TTL) and in the Parquet archive ${number(s.historyMonths, 1)} months (\`historyRetentionDays\`), conversions ${number(s.retentionMonths, 1)} months (\`rawEventRetentionDays\`). Per million clicks and per thousand conversions: storage for that whole retention. ` +
    `Program month: the steady state once the retention is reached (month 14 on, the costliest; month 1 stores ~1/13 of it).`
  );
};

const renderCitations = (): string =>
  [
    '| price | unit | source (taken on) | where the number was read |',
    '|---|---|---|---|',
    ...(Object.keys(prices) as PriceId[]).map((id) => {
      const price = prices[id];
      return `| ${unitPrice(id)} | ${price.unit} | ${price.source} (${price.takenOn}) | ${price.evidence} |`;
    }),
  ].join('\n');

const main = () => {
  const { values } = parseArgs({
    options: { results: { type: 'string' }, write: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const { capacity: counted, origins, fromFixture } = loadCounts(values.results);
  if (fromFixture.length > 0 && values.write) {
    throw new Error(
      `the counts for ${fromFixture.join(', ')} are the sample fixture's, not a benchmark run's: run \`npm run bench\` first (or \`npm run bench -- --only program\` for the program profile; or pass --results <bench result>); the fixture is never written into the docs.`,
    );
  }
  const { program: measuredProgram, ...capacity } = counted;
  const profiles = priceProfiles(capacity, measuredProgram);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(perMillionClicksJson(profiles), null, 2)}\n`);
    return;
  }
  const lines = profiles.peak.lines;
  const distinctOrigins = [...new Set(Object.values(origins))];
  const origin =
    distinctOrigins.length === 1 ? distinctOrigins[0] : paths.map((path) => `${path} ${origins[path]}`).join('; ');
  const warning =
    fromFixture.length > 0
      ? `> **Sample numbers** for ${fromFixture.join(', ')} (test fixture, not a measurement): no benchmark result has counted ${fromFixture.length === 1 ? 'it' : 'them'} yet.\n\n`
      : '';

  const full = [
    `${warning}Reproduce: \`npm run cost\` — counts from ${origin}; prices: ${region}, list prices, no free tier.`,
    '',
    renderProfiles(profiles, floorPerMillionClicks(), measuredProgram, (id) => lineNames[id]),
    '',
    '**Counted per request / event at the peak** (on DynamoDB Local, in AWS billing units; transactional writes at 2 units per KB of each item):',
    '',
    renderCounts(capacity),
    '',
    `**Counted at the program profile** (scenario 7, the phases weighted by their share of the day's clicks; stream window ${measuredProgram.settings.maxBatchingWindowSeconds} s, batch ${measuredProgram.settings.batchSize}; read APIs as at the peak):`,
    '',
    renderCounts(programProfileCapacity(capacity, measuredProgram)),
    '',
    '**Cost at the peak**:',
    '',
    renderCostTable(lines),
    '',
    '**Cost at the program profile**:',
    '',
    renderCostTable(profiles.program.lines),
    '',
    `**The redirect's origin** (CloudFront in front either way; the peak's counts; each answer ~${number(program.cdnResponseBytes.redirect, 0)} B out, an assumption):`,
    '',
    renderOriginChoice(capacity),
    '',
    renderStorage(),
    '',
    `Read APIs in the program month: ${number(program.queryRequestsPerMonth, 0)} requests (assumed: advocates open their stats ~4 times a month, managers run 10,000 dashboard queries). ` +
      'Lambda compute is, per function, invocations × mean duration × configured memory (`infra/definitions.ts`) when the run breaks invocations down by function; otherwise all of a path\'s invocations (authorizer included) at its main function\'s median duration and memory. ' +
      'Every counted API request passes the CDN: one CloudFront HTTPS request and one viewer-request function run each, and its answer as data transfer out ' +
      `(assumed ${number(program.cdnResponseBytes.redirect, 0)} B per redirect, ${number(program.cdnResponseBytes.webhook, 0)} B per webhook answer, ${number(program.cdnResponseBytes.queries, 0)} B per dashboard query); the origin fetch from API Gateway is free. ` +
      'Not in the table: CloudWatch Logs (API access logs, WARN-level function logs, one EMF metrics line per conversion delivery and per roll-up batch), CloudWatch alarms and the dashboard (fixed monthly fees), X-Ray traces (tracing is active), KMS (webhook secret decryption), cached pages, the Glue catalog (free tier), S3 lifecycle transitions.',
    '',
    renderLevers(capacity, measuredProgram, listResultFiles()),
    '',
    '**Prices** (one table: `scripts/cost/prices.ts`):',
    '',
    renderCitations(),
  ].join('\n');
  process.stdout.write(`${full}\n`);

  if (values.write) {
    const replaceBetween = (path: string, start: string, end: string, content: string) => {
      const text = readFileSync(path, 'utf8');
      const from = text.indexOf(start);
      const to = text.indexOf(end);
      if (from < 0 || to < from) throw new Error(`${relative(root, path)} lacks the markers ${start} … ${end}`);
      writeFileSync(path, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
      process.stderr.write(`updated ${relative(root, path)}\n`);
    };
    replaceBetween(join(root, 'docs', 'scaling.md'), '<!-- cost:start (generated by npm run cost -- --write) -->', '<!-- cost:end -->', full);
    const summary = `${renderProfiles(profiles, floorPerMillionClicks(), measuredProgram, (id) => lineNames[id])}\n\nCounts from ${origin}; storage estimated, prices cited in [docs/scaling.md](docs/scaling.md#cost).`;
    replaceBetween(join(root, 'README.md'), '<!-- cost-summary:start (generated by npm run cost -- --write) -->', '<!-- cost-summary:end -->', summary);
  }
};

try {
  main();
} catch (error) {
  process.stderr.write(`npm run cost: ${(error as Error).message}\n`);
  process.exit(1);
}
