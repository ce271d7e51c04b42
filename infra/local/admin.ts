/**
 * `npm run admin -- <command>`: administration of a running local system (usage below, or
 * `npm run admin -- --help`).
 *
 * It finds the running system through `<DATA_DIR>/runtime.json`, written by `npm start`; with
 * TABLE_ENTITIES, TABLE_EVENTS and TABLE_ROLLUPS set (the stack's outputs) it works on AWS.
 * Exit codes: 0 done, 1 failed (or reconcile found differences), 2 usage error.
 */
import { parseArgs } from 'node:util';
import { apiScopes } from '../../shared/domain/scopes.js';
import type { ReconcileProgress } from '../../shared/application/reconcile.js';
import { loadOrCreateIssuer } from './issuer.js';
import { findRunningSystem } from './runtime-info.js';

const usage = `usage: npm run admin -- <command> [options]

commands:
  org create --name <name>
      create an organization; prints {"orgId","apiKey"} (its admin key, every scope)
  token --org <orgId> --advocate <advocateId> [--ttl <seconds>]
      print an advocate JWT signed by the local issuer (default ttl 3600)
  reconcile --campaign <campaignId> [--org <orgId>]
      recount a campaign from its raw events and compare with the roll-ups; progress on stderr,
      the report on stdout; exit 1 on any difference
  help, --help, -h
      print this help

environment:
  DATA_DIR            where npm start keeps runtime.json and the issuer key (default .data)
  TABLE_ENTITIES, TABLE_EVENTS, TABLE_ROLLUPS
                      work on a deployed stack's tables (default AWS credentials) instead
exit codes: 0 done, 1 failed or differences found, 2 usage error`;

class UsageError extends Error {}

const usageError = (message: string): never => {
  throw new UsageError(message);
};

const dataDir = process.env.DATA_DIR ?? '.data';

/**
 * Points the adapters at the tables: those named in the environment (TABLE_ENTITIES etc.: a
 * deployed stack, with the default AWS credentials), else the running local system.
 */
const connectToRunningSystem = async () => {
  if (process.env.TABLE_ENTITIES && !process.env.DYNAMODB_ENDPOINT) return;
  const found = await findRunningSystem(dataDir);
  if (!found.running) throw new Error(found.reason);
  process.env.DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT || found.info.dynamodbEndpoint;
  process.env.AWS_REGION ??= 'eu-central-1';
  Object.assign(process.env, found.info.tableEnv);
  // Reconcile counts clicks older than the hot window from the archive.
  if (found.info.archiveDir) process.env.ARCHIVE_DIR ??= found.info.archiveDir;
};

const parse = () => {
  try {
    return parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        org: { type: 'string' },
        advocate: { type: 'string' },
        ttl: { type: 'string' },
        campaign: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs names the unknown option or the missing value; the usage follows it.
    return usageError((error as Error).message);
  }
};

/** One stderr line when a phase starts and then at most one a second, so long recounts show life. */
const progressPrinter = (campaignId: string) => {
  let lastPhase: ReconcileProgress['phase'] | undefined;
  let lastAt = 0;
  return {
    onProgress(progress: ReconcileProgress) {
      const now = Date.now();
      if (progress.phase === lastPhase && now - lastAt < 1000) return;
      lastPhase = progress.phase;
      lastAt = now;
      process.stderr.write(`reconcile ${campaignId}: ${describe(progress)}\n`);
    },
  };
};

const describe = (p: ReconcileProgress) =>
  p.phase === 'rows'
    ? `${p.events} clicks and ${p.conversions} conversions read; ${p.rowsRead} stored rows compared with ${p.rowsChecked} expected, ${p.differences} differences so far`
    : `reading ${p.phase}: ${p.events} clicks, ${p.conversions} conversions read`;

const run = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { positionals, values } = parse();
  const [command, subcommand, ...extra] = positionals;

  if (values.help || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (!command) usageError('no command given');

  if (command === 'org' && subcommand === 'create' && extra.length === 0) {
    if (!values.name) usageError('--name is required');
    await connectToRunningSystem();
    const { createOrganization, createApiKey } = await import('../../shared/adapters/entities.js');
    const { orgId } = await createOrganization(values.name!);
    const { apiKey } = await createApiKey(orgId, [...apiScopes], 'initial admin key');
    process.stdout.write(`${JSON.stringify({ orgId, apiKey })}\n`);
    return;
  }

  if (command === 'token' && subcommand === undefined) {
    if (!values.org || !values.advocate) usageError('--org and --advocate are required');
    const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) usageError('--ttl must be a positive number of seconds');
    const issuer = await loadOrCreateIssuer(dataDir);
    process.stdout.write(`${await issuer.sign({ orgId: values.org!, advocateId: values.advocate!, ttlSeconds })}\n`);
    return;
  }

  if (command === 'reconcile' && subcommand === undefined) {
    if (!values.campaign) usageError('--campaign is required');
    await connectToRunningSystem();
    const { findCampaignOrganization } = await import('../../shared/adapters/entities.js');
    const orgId = values.org ?? (await findCampaignOrganization(values.campaign!));
    if (!orgId) throw new Error(`No campaign ${values.campaign}`);
    const { reconcileCampaign } = await import('../../shared/application/reconcile.js');
    const report = await reconcileCampaign(orgId, values.campaign!, progressPrinter(values.campaign!));
    process.stderr.write(`reconcile ${values.campaign}: done, ${report.events} clicks, ${report.conversions} conversions, ${report.rowsChecked} rows checked, ${report.differences.length} differences\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.differences.length === 0 ? 0 : 1;
    return;
  }

  usageError(`unknown command: ${positionals.join(' ')}`);
};

run().catch((error: Error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${usage}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
