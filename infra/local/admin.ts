/**
 * `npm run admin -- <command>`: administration of a running local system.
 *
 *   org create --name <name>                         → {"orgId","apiKey"} (admin key, every scope)
 *   token --org <orgId> --advocate <id> [--ttl <s>]  → an advocate JWT from the local issuer
 *   reconcile --campaign <campaignId> [--org <orgId>] → recount from raw events; exit 1 on a difference
 *
 * It finds the running system through `<DATA_DIR>/runtime.json`, written by `npm start`; with
 * TABLE_ENTITIES, TABLE_EVENTS and TABLE_ROLLUPS set (the stack's outputs) it works on AWS.
 */
import { parseArgs } from 'node:util';
import { apiScopes } from '../../shared/domain/scopes.js';
import { loadOrCreateIssuer } from './issuer.js';
import { readRuntimeInfo } from './runtime-info.js';

const usage = `usage:
  npm run admin -- org create --name <name>
  npm run admin -- token --org <orgId> --advocate <advocateId> [--ttl <seconds>]
  npm run admin -- reconcile --campaign <campaignId> [--org <orgId>]`;

const fail = (message: string): never => {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
};

const dataDir = process.env.DATA_DIR ?? '.data';

/**
 * Points the adapters at the tables: those named in the environment (TABLE_ENTITIES etc.: a
 * deployed stack, with the default AWS credentials), else the running local system.
 */
const connectToRunningSystem = () => {
  if (process.env.TABLE_ENTITIES && !process.env.DYNAMODB_ENDPOINT) return;
  const info = readRuntimeInfo(dataDir);
  const endpoint = process.env.DYNAMODB_ENDPOINT || info?.dynamodbEndpoint;
  if (!endpoint || !info) fail(`No running local system found (${dataDir}/runtime.json). Start one with: npm start`);
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.AWS_REGION ??= 'eu-central-1';
  Object.assign(process.env, info!.tableEnv);
};

const main = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      org: { type: 'string' },
      advocate: { type: 'string' },
      ttl: { type: 'string' },
      campaign: { type: 'string' },
    },
  });
  const [command, subcommand] = positionals;

  if (command === 'org' && subcommand === 'create') {
    if (!values.name) fail('--name is required');
    connectToRunningSystem();
    const { createOrganization, createApiKey } = await import('../../shared/adapters/entities.js');
    const { orgId } = await createOrganization(values.name!);
    const { apiKey } = await createApiKey(orgId, [...apiScopes], 'initial admin key');
    process.stdout.write(`${JSON.stringify({ orgId, apiKey })}\n`);
    return;
  }

  if (command === 'token') {
    if (!values.org || !values.advocate) fail('--org and --advocate are required');
    const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail('--ttl must be a positive number of seconds');
    const issuer = await loadOrCreateIssuer(dataDir);
    process.stdout.write(`${await issuer.sign({ orgId: values.org!, advocateId: values.advocate!, ttlSeconds })}\n`);
    return;
  }

  if (command === 'reconcile') {
    if (!values.campaign) fail('--campaign is required');
    connectToRunningSystem();
    const { findCampaignOrganization } = await import('../../shared/adapters/entities.js');
    const orgId = values.org ?? (await findCampaignOrganization(values.campaign!));
    if (!orgId) fail(`No campaign ${values.campaign}`);
    const { reconcileCampaign } = await import('../../shared/reconcile.js');
    const report = await reconcileCampaign(orgId!, values.campaign!);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.differences.length === 0 ? 0 : 1;
    return;
  }

  fail(`unknown command: ${positionals.join(' ') || '(none)'}`);
};

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
