/**
 * The synthesized CloudFormation template against infra/definitions.ts: every table, function,
 * route, the authorizer, throttling, the stream mapping, IAM and alarms come from the definitions,
 * so the expectations below are computed from them too.
 *
 * Synthesizes ONCE (beforeAll) with real esbuild bundling when every handler entry exists, and
 * with stub code otherwise (the template is the same except for each function's Code).
 * INFRA_TEST_STUB_CODE=1 forces stub code (fast iteration on the stack alone).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveConsumer, authorizerSettings, functions, scaling, streamConsumer, streamConsumers, tables, throttling } from '../../infra/definitions.js';
import { archiveRetentionClassesDays, historyRetentionDays, logRetentionDays } from '../../shared/settings.js';
import { routeKey, routes, type FunctionId } from '../../shared/contract/routes.js';
import { campaignIndexName, tableEnvVar, type TableId } from '../../shared/settings.js';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/api-function.js';
import { AdvocacyStack } from '../../infra/stack.js';
import { cdkJsonContext, recommendedFeatureFlags } from '../support/cdk-context.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const allEntriesExist =
  process.env.INFRA_TEST_STUB_CODE !== '1' &&
  Object.values(functions).every((f) => fs.existsSync(path.join(ROOT, f.entry)));

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

let outdir: string;
let template: Template;
let resources: Record<string, Resource>;
/** Logical id of each function / table, found through what the definitions say about them. */
const fnLogicalId = {} as Record<FunctionId, string>;
const tableLogicalId = {} as Record<TableId, string>;
let synthMs = 0;

/** Violations in the built-in validation report of a synthesized app; throws if there is no report. */
const validationViolations = (assemblyDir: string): Array<{ ruleName: string; description: string }> => {
  const report = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'validation-report.json'), 'utf8'));
  expect(Array.isArray(report.pluginReports), 'pluginReports').toBe(true);
  return report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? []);
};

const ofType = (type: string): Array<[string, Resource]> =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** Every logical id a JSON value refers to (Ref / Fn::GetAtt). */
const referencedIds = (value: unknown): Set<string> => {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k === 'Ref' && typeof inner === 'string') ids.add(inner);
        else if (k === 'Fn::GetAtt' && Array.isArray(inner)) ids.add(String(inner[0]));
        else walk(inner);
      }
    }
  };
  walk(value);
  return ids;
};

beforeAll(() => {
  const started = performance.now();
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'advocacy-cdk-'));
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new AdvocacyStack(app, 'AdvocacyStack', { skipBundling: !allEntriesExist });
  template = Template.fromStack(stack);
  synthMs = performance.now() - started;
  resources = template.toJSON().Resources;

  for (const [fnId, def] of Object.entries(functions) as Array<[FunctionId, { description: string }]>) {
    const match = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === def.description);
    expect(match, `function ${fnId}`).toHaveLength(1);
    fnLogicalId[fnId] = match[0][0];
  }
  for (const tableId of Object.keys(tables) as TableId[]) {
    const envVar = tableEnvVar(tableId);
    // The table a function's env var points at is the table of that definition.
    const ids = new Set<string>();
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const ref = fn.Properties.Environment?.Variables?.[envVar];
      if (ref) ids.add(ref.Ref);
    }
    expect([...ids], `table ${tableId}`).toHaveLength(1);
    tableLogicalId[tableId] = [...ids][0];
  }
  // Bundling ~10 handlers takes 10-50 s depending on machine load.
}, 300_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

describe('synthesis', () => {
  it(`synthesizes (${allEntriesExist ? 'bundled handlers' : 'stub code: handler entries missing'})`, () => {
    console.info(`AdvocacyStack synthesized in ${Math.round(synthMs)} ms, bundling=${allEntriesExist}`);
    expect(resources).toBeDefined();
  });

  it('passes the built-in CloudFormation schema validation (its report exists: the validator ran)', () => {
    // A plugin that found nothing is left out of the report, so an empty list is the clean result;
    // a missing report means no validation ran, and fails here.
    expect(validationViolations(outdir)).toEqual([]);
  });

  it('canary: the same validation reports a template that breaks the schema', () => {
    const canaryOutdir = fs.mkdtempSync(path.join(os.tmpdir(), 'advocacy-cdk-canary-'));
    try {
      const canary = new Stack(new App({ outdir: canaryOutdir }), 'ValidationCanary');
      new CfnResource(canary, 'Queue', { type: 'AWS::SQS::Queue', properties: { NoSuchProperty: 1 } });
      Template.fromStack(canary);
      expect(validationViolations(canaryOutdir).map((v) => v.description).join('\n')).toMatch(/NoSuchProperty/);
    } finally {
      fs.rmSync(canaryOutdir, { recursive: true, force: true });
    }
  });

  it('is environment-agnostic and needs no lookups', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/\b\d{12}\b/); // no account id baked in
    expect(json).not.toMatch(/(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central|northeast|southeast)-\d/);
  });

  it.runIf(allEntriesExist)('bundles each handler as minified ESM with the require banner and a source map', () => {
    for (const fnId of Object.keys(functions) as FunctionId[]) {
      const code = resources[fnLogicalId[fnId]].Properties.Code;
      const hash = String(code.S3Key).replace(/\.zip$/, '');
      const dir = path.join(outdir, `asset.${hash}`);
      const bundle = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith(ESM_REQUIRE_BANNER), fnId).toBe(true);
      expect(fs.existsSync(path.join(dir, 'index.mjs.map')), fnId).toBe(true);
    }
  });

  it.runIf(allEntriesExist)('leaves the AWS SDK to the Lambda runtime (bundling-options.ts; bench scenario 2)', () => {
    for (const fnId of Object.keys(functions) as FunctionId[]) {
      const hash = String(resources[fnLogicalId[fnId]].Properties.Code.S3Key).replace(/\.zip$/, '');
      const bundle = fs.readFileSync(path.join(outdir, `asset.${hash}`, 'index.mjs'), 'utf8');
      // Imported by name from the runtime, never inlined: no SDK client code in the bundle.
      expect(bundle, fnId).not.toMatch(/DynamoDB_20120810/);
      if (Object.keys(functions[fnId].tables).length > 0) expect(bundle, fnId).toMatch(/from\s*"@aws-sdk\/lib-dynamodb"/);
    }
  });

  it.runIf(allEntriesExist)('bundles the X-Ray SDK (Powertools Tracer) only into the consumer and the webhook intake', () => {
    // docs/benchmarks.md, "Tracing": +120 KB and ~+10 % init, paid only off the redirect path.
    const traced = Object.fromEntries(
      (Object.keys(functions) as FunctionId[]).map((fnId) => {
        const hash = String(resources[fnLogicalId[fnId]].Properties.Code.S3Key).replace(/\.zip$/, '');
        return [fnId, fs.readFileSync(path.join(outdir, `asset.${hash}`, 'index.mjs'), 'utf8').includes('AWS_XRAY_DAEMON_ADDRESS')];
      }),
    );
    expect(Object.keys(traced).filter((fnId) => traced[fnId]).sort()).toEqual(['conversions', streamConsumer.function].sort());
  });

  it.runIf(allEntriesExist)('each bundle loads as ESM in plain Node and exports its handler', () => {
    const bundles = (Object.keys(functions) as FunctionId[]).map((fnId) => {
      const hash = String(resources[fnLogicalId[fnId]].Properties.Code.S3Key).replace(/\.zip$/, '');
      return { fnId, file: path.join(outdir, `asset.${hash}`, 'index.mjs'), handler: functions[fnId].handler };
    });
    // As the Lambda runtime does, provide the AWS SDK (and only it) where the bundles resolve it.
    fs.mkdirSync(path.join(outdir, 'node_modules'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', '@aws-sdk'), path.join(outdir, 'node_modules', '@aws-sdk'), 'dir');
    // A separate Node process: no test-runner module transforms between us and the bundle.
    const script = `
      const bundles = ${JSON.stringify(bundles)};
      const out = {};
      for (const b of bundles) {
        try { out[b.fnId] = typeof (await import(b.file))[b.handler]; }
        catch (e) { out[b.fnId] = 'error: ' + e.message; }
      }
      console.log(JSON.stringify(out));`;
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-west-1', POWERTOOLS_DEV: 'true' };
    for (const t of Object.values(tables)) env[tableEnvVar(t.id)] = t.localName;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual(Object.fromEntries(bundles.map((b) => [b.fnId, 'function'])));
  });
});

describe('tables', () => {
  it('creates exactly the defined tables', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(tables).length);
  });

  it.each(Object.keys(tables) as TableId[])('%s: keys, GSIs and their projection, TTL, billing, PITR, encryption, protection', (tableId) => {
    const def = tables[tableId];
    const table = resources[tableLogicalId[tableId]];
    const p = table.Properties;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: def.pointInTimeRecovery });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(p.TableName).toBeUndefined(); // CloudFormation names it; handlers read the env var

    const sk = 'sortKey' in def ? def.sortKey : undefined;
    expect(p.KeySchema).toEqual([
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
    ]);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });

    const gsis = (p.GlobalSecondaryIndexes ?? []).map((g: any) => ({ name: g.IndexName, keys: g.KeySchema, projection: g.Projection }));
    expect(gsis).toEqual(
      def.globalSecondaryIndexes.map((g) => ({
        name: g.indexName,
        keys: [
          { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
          ...(g.sortKey ? [{ AttributeName: g.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        projection: { ProjectionType: g.projection },
      })),
    );

    if ('stream' in def) expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    else expect(p.StreamSpecification).toBeUndefined();
  });

  it('point-in-time recovery: on for entities and roll-ups (their only copy), off for raw events (archived to S3)', () => {
    const pitr = (tableId: TableId) => resources[tableLogicalId[tableId]].Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled;
    expect(pitr('entities')).toBe(true);
    expect(pitr('rollups')).toBe(true);
    expect(pitr('events')).toBe(false);
  });

  it("the campaign index of raw events holds keys only: a click is stored once (readers fetch the items)", () => {
    const events = resources[tableLogicalId.events].Properties;
    expect(events.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({ IndexName: campaignIndexName, Projection: { ProjectionType: 'KEYS_ONLY' } }),
    ]);
    // The entities table's indexes serve listings that show the whole item: they keep every attribute.
    for (const index of resources[tableLogicalId.entities].Properties.GlobalSecondaryIndexes) {
      expect(index.Projection, index.IndexName).toEqual({ ProjectionType: 'ALL' });
    }
  });

  it('only the events table has a stream', () => {
    const withStream = ofType('AWS::DynamoDB::Table').filter(([, t]) => t.Properties.StreamSpecification);
    expect(withStream.map(([id]) => id)).toEqual([tableLogicalId.events]);
  });

  it('context deletionProtection=false drops protection and destroys on delete', () => {
    const app = new App({
      outdir: path.join(outdir, 'dev'),
      context: { ...cdkJsonContext(), deletionProtection: 'false' },
      builtinCloudFormationValidation: false,
    });
    const stack = new AdvocacyStack(app, 'DevStack', { skipBundling: true });
    const dev = Template.fromStack(stack);
    const devTables = Object.values(dev.findResources('AWS::DynamoDB::Table'));
    expect(devTables).toHaveLength(Object.keys(tables).length);
    for (const t of devTables) {
      expect(t.Properties.DeletionProtectionEnabled).toBe(false);
      expect(t.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('stateful resources and feature flags', () => {
  // A changed logical id makes CloudFormation create a new resource and drop the old one: a new,
  // empty table (the old one retained but orphaned), a new key (secrets sealed with the old one
  // unreadable), a new queue (failed batches left behind). These ids change only on purpose:
  // infra/logical-ids.ts pins them, and this list must be edited with it.
  it('the tables, the secrets key and the dead-letter queue keep their logical ids', () => {
    expect(tableLogicalId).toEqual({
      entities: 'TablesEntitiesBC6B9C5A',
      events: 'TablesEventsE8DD42EA',
      rollups: 'TablesRollupsBE40FD10',
    });
    expect(ofType('AWS::DynamoDB::Table').map(([id]) => id).sort()).toEqual(['TablesEntitiesBC6B9C5A', 'TablesEventsE8DD42EA', 'TablesRollupsBE40FD10']);
    // The download-link HMAC key holds nothing that outlives a link (15 minutes): it is not pinned.
    expect(ofType('AWS::KMS::Key').map(([id]) => id).filter((id) => !id.startsWith('ExportAnalyticsDownloadLinkKey'))).toEqual(['WebhookSecretsKey5C1E05FC']);
    expect(ofType('AWS::SQS::Queue').map(([id]) => id).sort()).toEqual(['ArchiveConsumerDeadLetterQueue', 'RollupConsumerDeadLetterQueueE2267C55']);
    expect(ofType('AWS::S3::Bucket').map(([id]) => id)).toContain('HistoryArchiveBucket');
  });

  it("cdk.json sets every feature flag aws-cdk-lib recommends, at the recommended value", () => {
    // A new aws-cdk-lib brings new flags: this fails until they are added after reviewing the
    // template diff they cause (docs/architecture.md, "CDK feature flags").
    const context = cdkJsonContext();
    const recommended = recommendedFeatureFlags();
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    for (const [flag, value] of Object.entries(recommended)) expect(context[flag], flag).toEqual(value);
    // CDK v1's flag, a no-op in v2.
    expect(context).not.toHaveProperty('@aws-cdk/core:newStyleStackSynthesis');
  });
});

describe('functions', () => {
  it('one Lambda function per definition and no others (no custom-resource helpers)', () => {
    template.resourceCountIs('AWS::Lambda::Function', Object.keys(functions).length);
  });

  it.each(Object.keys(functions) as FunctionId[])('%s: runtime, arch, sizing, tracing, logging, env', (fnId) => {
    const def = functions[fnId];
    const p = resources[fnLogicalId[fnId]].Properties;
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.MemorySize).toBe(def.memoryMb);
    expect(p.Timeout).toBe(def.timeoutSeconds);
    expect(p.Handler).toBe(`index.${def.handler}`);
    expect(p.TracingConfig).toEqual({ Mode: 'Active' });

    // Its own log group, with a retention.
    const logGroupId = p.LoggingConfig.LogGroup.Ref;
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(logRetentionDays);

    const env = p.Environment.Variables;
    expect(env).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: fnId,
      POWERTOOLS_METRICS_NAMESPACE: 'advocacy',
      POWERTOOLS_LOG_LEVEL: { Ref: 'LogLevel' },
      PUBLIC_BASE_URL: {
        'Fn::If': ['PublicBaseUrlGiven', { Ref: 'PublicBaseUrl' }, { 'Fn::If': ['CdnEnabled', { 'Fn::Join': ['', ['https://', { Ref: 'ShortDomain' }]] }, ''] }],
      },
      JWT_ISSUER: { Ref: 'JwtIssuer' },
      JWT_AUDIENCE: { Ref: 'JwtAudience' },
      JWT_ADVOCATE_CLAIM: { Ref: 'JwtAdvocateClaim' },
      JWT_ORG_CLAIM: { Ref: 'JwtOrgClaim' },
      JWKS_URL: {
        'Fn::If': [
          'JwksUrlGiven',
          { Ref: 'JwksUrl' },
          {
            'Fn::If': [
              'JwtIssuerGiven',
              { 'Fn::Join': ['', [{ Ref: 'JwtIssuer' }, '/.well-known/jwks.json']] },
              '',
            ],
          },
        ],
      },
    });
    // Table names exactly for the tables the function touches.
    for (const tableId of Object.keys(tables) as TableId[]) {
      const envVar = tableEnvVar(tableId);
      if (tableId in def.tables) expect(env[envVar], envVar).toEqual({ Ref: tableLogicalId[tableId] });
      else expect(env[envVar], envVar).toBeUndefined();
    }
  });
});

const consumerFunctions = new Set<FunctionId>(streamConsumers.map((consumer) => consumer.function));

describe('IAM (least privilege)', () => {
  // What shared/adapters sends: Get, BatchGet and Query; Put and Update (also in transactions).
  const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const readActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

  const policyStatementsOf = (fnId: FunctionId): any[] => {
    const roleId = resources[fnLogicalId[fnId]].Properties.Role['Fn::GetAtt'][0];
    const role = resources[roleId];
    expect(role.Properties.ManagedPolicyArns, `${fnId} managed policies`).toBeUndefined();
    expect(role.Properties.Policies, `${fnId} inline role policies`).toBeUndefined();
    return ofType('AWS::IAM::Policy')
      .filter(([, pol]) => pol.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap(([, pol]) => pol.Properties.PolicyDocument.Statement);
  };
  const actionsOf = (s: any): string[] => [s.Action].flat();

  it.each(Object.keys(functions) as FunctionId[])('%s: only its tables, with its access level', (fnId) => {
    const def = functions[fnId] as { tables: Partial<Record<TableId, string>> };
    const statements = policyStatementsOf(fnId);
    for (const s of statements) expect(s.Effect).toBe('Allow');

    const tableIds = new Set(Object.values(tableLogicalId));
    // A stream consumer's stream grant names its table's StreamArn: that is not table access.
    const tableStatements = statements.filter((s) => !JSON.stringify(s.Resource).includes('StreamArn'));
    const mentioned = new Set([...referencedIds(tableStatements)].filter((id) => tableIds.has(id)));
    const expected = new Set(Object.keys(def.tables).map((t) => tableLogicalId[t as TableId]));
    expect([...mentioned].sort()).toEqual([...expected].sort());

    for (const [tableId, access] of Object.entries(def.tables) as Array<[TableId, string]>) {
      const onTable = statements
        .filter((s) => referencedIds(s.Resource).has(tableLogicalId[tableId]))
        // Stream permissions reference the table too (its StreamArn); judge table access only.
        .filter((s) => !JSON.stringify(s.Resource).includes('StreamArn'))
        .flatMap(actionsOf);
      const canWrite = writeActions.every((a) => onTable.includes(a));
      const canRead = readActions.every((a) => onTable.includes(a));
      expect({ tableId, canRead, canWrite }).toEqual({
        tableId,
        canRead: access !== 'write',
        canWrite: access !== 'read',
      });
      if (access === 'read') for (const a of writeActions) expect(onTable, `${fnId} ${tableId}`).not.toContain(a);
    }
  });

  it.each(Object.keys(functions) as FunctionId[])('%s: no action beyond what its definition says it uses', (fnId) => {
    const def = functions[fnId] as {
      tables: Partial<Record<TableId, string>>;
      secrets?: 'seal' | 'open';
      archive?: string;
      downloadLinks?: 'sign' | 'verify';
      exportEngine?: boolean;
      exportFiles?: 'read';
      invokes?: readonly string[];
      deletes?: readonly TableId[];
    };
    const consumes = consumerFunctions.has(fnId);
    const allowed = new Set([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      ...Object.values(def.tables).flatMap((access) => [
        ...(access === 'write' ? [] : readActions),
        ...(access === 'read' ? [] : writeActions),
      ]),
      ...(def.deletes?.length ? ['dynamodb:DeleteItem'] : []),
      ...(def.secrets === 'seal' ? ['kms:Encrypt'] : def.secrets === 'open' ? ['kms:Decrypt'] : []),
      ...(consumes ? ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'] : []),
      ...(consumes ? ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] : []),
      ...(def.archive && def.archive !== 'write' ? ['s3:GetObject', 's3:ListBucket'] : []),
      ...(def.archive && def.archive !== 'read' ? ['s3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'] : []),
      ...(def.downloadLinks === 'sign' ? ['kms:GenerateMac'] : def.downloadLinks === 'verify' ? ['kms:VerifyMac'] : []),
      ...(def.exportFiles ? ['s3:GetObject'] : []),
      ...(def.invokes ? ['lambda:InvokeFunction'] : []),
      ...(def.exportEngine
        ? ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryRuntimeStatistics', 'glue:GetDatabase', 'glue:GetTable']
        : []),
      ...(def.exportEngine
        ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:ListBucket', 's3:GetBucketLocation']
        : []),
    ]);
    const actions = [...new Set(policyStatementsOf(fnId).flatMap(actionsOf))];
    expect(actions.filter((action) => !allowed.has(action)), 'actions beyond its needs').toEqual([]);
    expect(actions.filter((action) => action.includes('*')), 'wildcard actions').toEqual([]);
    // No scans anywhere: nothing in shared/adapters sends them. Deletes only where the definition
    // names the tables (the erasure worker), and on exactly those tables.
    expect(actions).not.toContain('dynamodb:Scan');
    if (!def.deletes?.length) expect(actions).not.toContain('dynamodb:DeleteItem');
    const deletable = new Set([...referencedIds(policyStatementsOf(fnId).filter((s) => actionsOf(s).includes('dynamodb:DeleteItem')).map((s) => s.Resource))]);
    expect([...deletable].filter((id) => Object.values(tableLogicalId).includes(id)).sort()).toEqual((def.deletes ?? []).map((t) => tableLogicalId[t]).sort());
  });

  it.each(Object.keys(functions) as FunctionId[])('%s: Resource "*" only for actions without resource-level permissions', (fnId) => {
    const allowedOnStar = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
    if (consumerFunctions.has(fnId)) allowedOnStar.push('dynamodb:ListStreams');
    const onStar = policyStatementsOf(fnId)
      .filter((s) => [s.Resource].flat().includes('*'))
      .flatMap(actionsOf);
    expect(onStar.every((a) => allowedOnStar.includes(a)), onStar.join(',')).toBe(true);
  });

  it.each(Object.keys(functions) as FunctionId[])('%s: logs only to its own log group; SQS only for the consumer', (fnId) => {
    const statements = policyStatementsOf(fnId);
    const logStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    const ownLogGroup = resources[fnLogicalId[fnId]].Properties.LoggingConfig.LogGroup.Ref;
    expect(logStatements.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [ownLogGroup, 'Arn'] }]);
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.length > 0).toBe(consumerFunctions.has(fnId));
  });

  it.each(Object.keys(functions) as FunctionId[])('%s: the archive bucket only as its definition says, on that bucket only', (fnId) => {
    const def = functions[fnId] as { archive?: string; exportEngine?: boolean; exportFiles?: string };
    const s3Statements = policyStatementsOf(fnId).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const onArchive = s3Statements.filter((statement) => referencedIds(statement.Resource).has('HistoryArchiveBucket'));
    expect(onArchive.length > 0).toBe(Boolean(def.archive));
    // Each S3 statement names one bucket: the archive, or (export functions only) the exports bucket.
    const usesExports = Boolean(def.exportEngine || def.exportFiles);
    for (const statement of s3Statements) {
      const ids = [...referencedIds(statement.Resource)];
      expect(ids).toHaveLength(1);
      if (ids[0] !== 'HistoryArchiveBucket') {
        expect(usesExports).toBe(true);
        expect(ids[0]).toMatch(/^ExportAnalyticsBucket/);
      }
    }
    const env = resources[fnLogicalId[fnId]].Properties.Environment.Variables;
    expect(env.ARCHIVE_BUCKET).toEqual(def.archive ? { Ref: 'HistoryArchiveBucket' } : undefined);
  });
});

describe('HTTP API', () => {
  const routeResources = (): Array<[string, Resource]> => ofType('AWS::ApiGatewayV2::Route');

  it('has exactly the defined routes', () => {
    expect(routeResources().map(([, r]) => r.Properties.RouteKey).sort()).toEqual(routes.map(routeKey).sort());
  });

  it.each(routes.map((r) => [routeKey(r), r] as const))('%s: auth and integration', (key, route) => {
    const [, r] = routeResources().find(([, res]) => res.Properties.RouteKey === key)!;
    const authorizerId = ofType('AWS::ApiGatewayV2::Authorizer')[0][0];
    if (route.auth === 'authorizer') {
      expect(r.Properties.AuthorizationType).toBe('CUSTOM');
      expect(r.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    } else {
      expect(r.Properties.AuthorizationType).toBe('NONE');
      expect(r.Properties.AuthorizerId).toBeUndefined();
    }
    // Target: integrations/<integration>, which invokes the route's function with payload 2.0.
    const integrationId = [...referencedIds(r.Properties.Target)][0];
    const integration = resources[integrationId].Properties;
    expect(integration.IntegrationType).toBe('AWS_PROXY');
    expect(integration.PayloadFormatVersion).toBe('2.0');
    expect(referencedIds(integration.IntegrationUri)).toContain(fnLogicalId[route.function]);
  });

  it('one SIMPLE Lambda authorizer, no result caching, identity source from the definition', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const [, a] = ofType('AWS::ApiGatewayV2::Authorizer')[0];
    expect(a.Properties.AuthorizerType).toBe('REQUEST');
    expect(a.Properties.EnableSimpleResponses).toBe(authorizerSettings.responseType === 'SIMPLE');
    expect(a.Properties.AuthorizerPayloadFormatVersion).toBe('2.0');
    expect(a.Properties.AuthorizerResultTtlInSeconds).toBe(authorizerSettings.resultsCacheTtlSeconds);
    expect(a.Properties.AuthorizerResultTtlInSeconds).toBe(0);
    if (authorizerSettings.identitySource.length === 0) expect(a.Properties.IdentitySource).toBeUndefined();
    else expect(a.Properties.IdentitySource).toEqual(authorizerSettings.identitySource);
    expect(referencedIds(a.Properties.AuthorizerUri)).toContain(fnLogicalId.authorizer);
  });

  it('$default stage: auto-deploy, stage throttling, redirect route throttling', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [stageId, stage] = ofType('AWS::ApiGatewayV2::Stage')[0];
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: throttling.defaultRateLimit,
      ThrottlingBurstLimit: throttling.defaultBurstLimit,
    });
    const redirectKeys = routes.filter((r) => r.function === 'redirect').map(routeKey);
    expect(redirectKeys).toEqual(expect.arrayContaining(['GET /{slug}', 'HEAD /{slug}']));
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual([...redirectKeys].sort());
    for (const key of redirectKeys) {
      expect(stage.Properties.RouteSettings[key]).toEqual({
        ThrottlingRateLimit: throttling.redirectRateLimit,
        ThrottlingBurstLimit: throttling.redirectBurstLimit,
      });
    }
    // The public redirect may take more traffic than the management API, never less.
    expect(throttling.redirectRateLimit).toBeGreaterThan(throttling.defaultRateLimit);
    expect(throttling.redirectBurstLimit).toBeGreaterThan(throttling.defaultBurstLimit);
    // Route settings name routes that must already exist.
    const dependsOn = (template.toJSON().Resources[stageId].DependsOn ?? []) as string[];
    for (const key of redirectKeys) {
      const [routeId] = routeResources().find(([, r]) => r.Properties.RouteKey === key)!;
      expect(dependsOn).toContain(routeId);
    }
  });

  it('access logs: JSON with the useful fields, never the Authorization header, IP or user agent', () => {
    const [, stage] = ofType('AWS::ApiGatewayV2::Stage')[0];
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(logRetentionDays);
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/authorization|header|querystring|sourceIp|userAgent/i);
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^https://')])] },
    });
  });
});

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
const mappingOf = (fnId: FunctionId): Resource => {
  const found = ofType('AWS::Lambda::EventSourceMapping').filter(([, esm]) => esm.Properties.FunctionName.Ref === fnLogicalId[fnId]);
  expect(found).toHaveLength(1);
  return found[0]![1];
};

describe('stream consumers', () => {
  it('one event source mapping per consumer of streamConsumers', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', streamConsumers.length);
    expect(ofType('AWS::Lambda::EventSourceMapping').map(([, esm]) => esm.Properties.FunctionName).sort(byJson)).toEqual(
      streamConsumers.map((consumer) => ({ Ref: fnLogicalId[consumer.function] })).sort(byJson),
    );
  });

  it.each(streamConsumers.map((consumer) => [consumer.name, consumer] as const))('%s: event source mapping equals its definition, with its own DLQ', (_name, streamConsumer) => {
    const p = mappingOf(streamConsumer.function).Properties;
    expect(p.FunctionName).toEqual({ Ref: fnLogicalId[streamConsumer.function] });
    expect(p.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableLogicalId[streamConsumer.table], 'StreamArn'] });
    expect(p).toMatchObject({
      StartingPosition: streamConsumer.startingPosition,
      BatchSize: streamConsumer.batchSize,
      MaximumBatchingWindowInSeconds: streamConsumer.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: streamConsumer.bisectBatchOnError,
      MaximumRetryAttempts: streamConsumer.retryAttempts,
      MaximumRecordAgeInSeconds: streamConsumer.maxRecordAgeSeconds,
      ParallelizationFactor: streamConsumer.parallelizationFactor,
    });
    expect(p.FunctionResponseTypes).toEqual(streamConsumer.reportBatchItemFailures ? ['ReportBatchItemFailures'] : undefined);
    expect(p.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([
      { eventName: [...streamConsumer.filterEventNames] },
    ]);
    expect(p.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([{ eventName: ['INSERT'] }]);
    const otherQueues = streamConsumers
      .filter((other) => other !== streamConsumer)
      .map((other) => mappingOf(other.function).Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]);
    expect(otherQueues).not.toContain(p.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]);

    // On failure: the encrypted, TLS-only SQS dead-letter queue.
    const queueId = p.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    const queue = resources[queueId];
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties.SqsManagedSseEnabled ?? Boolean(queue.Properties.KmsMasterKeyId)).toBe(true);
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('alarms', () => {
  const alarms = (): Array<Record<string, any>> => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const consumerFnRef = (fnId: FunctionId): unknown => ({ Ref: fnLogicalId[fnId] });

  it.each(streamConsumers.map((consumer) => [consumer.name, consumer.function] as const))('%s consumer: its DLQ has visible messages', (_name, fnId) => {
    const dlq = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlq).toHaveLength(streamConsumers.length);
    // …on the very queue its stream mapping sends failures to, and that queue is encrypted.
    const queueId = mappingOf(fnId).Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    const own = dlq.filter((a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(resources[queueId].Properties.SqsManagedSseEnabled ?? Boolean(resources[queueId].Properties.KmsMasterKeyId)).toBe(true);
  });

  it('consumer IteratorAge: 60 s for the roll-ups, far past its window for the archive', () => {
    const a = alarms().filter((x) => x.MetricName === 'IteratorAge');
    expect(a).toHaveLength(2);
    const on = (fnId: FunctionId) => a.filter((x) => JSON.stringify(x.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: consumerFnRef(fnId) }]));
    expect(on(streamConsumer.function)).toEqual([expect.objectContaining({ Namespace: 'AWS/Lambda', Threshold: 60_000, Statistic: 'Maximum' })]);
    expect(on(archiveConsumer.function)).toEqual([expect.objectContaining({ Threshold: archiveConsumer.iteratorAgeAlarmSeconds * 1000 })]);
    expect(archiveConsumer.iteratorAgeAlarmSeconds).toBeGreaterThan(archiveConsumer.maxBatchingWindowSeconds * 2);
  });

  it('consumer errors', () => {
    const a = alarms().filter((x) => x.MetricName === 'Errors');
    expect(a).toHaveLength(2);
    expect(a.map((x) => x.Dimensions).sort(byJson)).toEqual(
      streamConsumers.map((consumer) => [{ Name: 'FunctionName', Value: consumerFnRef(consumer.function) }]).sort(byJson),
    );
    for (const x of a) expect(x).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('ClickNotRecorded > 0, on the dimension Powertools emits for the redirect', () => {
    const a = alarms().filter((x) => x.MetricName === 'ClickNotRecorded');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ Namespace: 'advocacy', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const redirectEnv = resources[fnLogicalId.redirect].Properties.Environment.Variables;
    expect(a[0].Dimensions).toEqual([{ Name: 'service', Value: redirectEnv.POWERTOOLS_SERVICE_NAME }]);
    expect(redirectEnv.POWERTOOLS_METRICS_NAMESPACE).toBe(a[0].Namespace);
  });
});

describe('settings that matter at scale (docs/scaling.md)', () => {
  it.each(Object.keys(functions) as FunctionId[])('%s: reserved concurrency only where scaling.reservedConcurrency asks for it', (fnId) => {
    expect(resources[fnLogicalId[fnId]].Properties.ReservedConcurrentExecutions).toBe(scaling.reservedConcurrency[fnId]);
  });

  it('reservations leave the 100 unreserved executions a default account (1,000) needs', () => {
    const reserved = Object.values(scaling.reservedConcurrency).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(reserved).toBeLessThanOrEqual(900);
  });

  it.each(Object.keys(tables) as TableId[])('%s: warm throughput on the table and its indexes only where scaling.warmThroughput asks', (tableId) => {
    const p = resources[tableLogicalId[tableId]].Properties;
    const warm = scaling.warmThroughput[tableId];
    const expected = warm ? { ReadUnitsPerSecond: warm.readUnitsPerSecond, WriteUnitsPerSecond: warm.writeUnitsPerSecond } : undefined;
    expect(p.WarmThroughput).toEqual(expected);
    for (const gsi of p.GlobalSecondaryIndexes ?? []) expect(gsi.WarmThroughput, gsi.IndexName).toEqual(expected);
  });

  it('stream mapping and throttles stay within what a default account and Lambda accept', () => {
    const [, esm] = ofType('AWS::Lambda::EventSourceMapping')[0];
    // DynamoDB stream mappings: batch 1–10,000, window ≤ 300 s, parallelization factor 1–10.
    expect(esm.Properties.BatchSize).toBeGreaterThanOrEqual(1);
    expect(esm.Properties.BatchSize).toBeLessThanOrEqual(10_000);
    expect(esm.Properties.MaximumBatchingWindowInSeconds).toBeLessThanOrEqual(300);
    expect(esm.Properties.ParallelizationFactor).toBeGreaterThanOrEqual(1);
    expect(esm.Properties.ParallelizationFactor).toBeLessThanOrEqual(10);
    // A route limit above the account's (10,000 rps, 5,000 burst by default) would promise what it cannot take.
    expect(throttling.redirectRateLimit).toBeLessThanOrEqual(10_000);
    expect(throttling.redirectBurstLimit).toBeLessThanOrEqual(5_000);
  });
});

describe('history archive bucket', () => {
  it('is encrypted, private, TLS only, logged, and expires objects after the history retention', () => {
    const bucket = resources.HistoryArchiveBucket!.Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Status: 'Enabled', ExpirationInDays: historyRetentionDays })]),
    );
    // Per-organization retention: one rule per shorter class, expiring exactly the files the
    // archiver tagged with it (shared/domain/retention.ts); the untagged rule stays the bound.
    const classes = archiveRetentionClassesDays.filter((days) => days < historyRetentionDays);
    expect(classes.length).toBeGreaterThan(0);
    for (const days of classes) {
      expect(bucket.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ Status: 'Enabled', ExpirationInDays: days, TagFilters: [{ Key: 'retention-days', Value: String(days) }] }),
      );
    }
    const tagged = bucket.LifecycleConfiguration.Rules.filter((rule: { TagFilters?: unknown }) => rule.TagFilters);
    expect(tagged).toHaveLength(classes.length);
    const logBucketId = bucket.LoggingConfiguration.DestinationBucketName.Ref;
    expect(resources[logBucketId]!.Type).toBe('AWS::S3::Bucket');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'HistoryArchiveBucket' },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('parameters', () => {
  it('deploy-time configuration with safe defaults', () => {
    const params = template.toJSON().Parameters;
    expect(params.PublicBaseUrl).toMatchObject({ Type: 'String', Default: '' });
    expect(params.JwtIssuer).toMatchObject({ Type: 'String', Default: '' });
    expect(params.JwtAudience).toMatchObject({ Type: 'String', Default: '' });
    expect(params.JwksUrl).toMatchObject({ Type: 'String', Default: '' });
    expect(params.JwtAdvocateClaim).toMatchObject({ Type: 'String', Default: 'sub' });
    expect(params.JwtOrgClaim).toMatchObject({ Type: 'String', Default: 'org' });
    // The CDN and the operations parameters: tests/infra/edge-and-operations.test.ts.
    expect(params.ShortDomain).toMatchObject({ Type: 'String', Default: '' });
    expect(params.AlarmEmail).toMatchObject({ Type: 'String', Default: '' });
    expect(params.LogLevel).toMatchObject({ Type: 'String', Default: 'WARN' });
  });
});

describe('webhook secrets key', () => {
  it('is a rotating KMS key; only the source admin may encrypt and only the intake may decrypt', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'Seals webhook signing secrets at rest', EnableKeyRotation: true });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const kmsActions = (fragment: string) =>
      policies
        .filter(([id]) => id.startsWith(fragment))
        .flatMap(([, policy]) => (policy as any).Properties.PolicyDocument.Statement)
        .flatMap((statement: any) => [statement.Action].flat())
        .filter((action: string) => action.startsWith('kms:'));
    expect(kmsActions('WebhookSources')).toEqual(['kms:Encrypt']);
    expect(kmsActions('Conversions')).toEqual(['kms:Decrypt']);
    for (const other of ['Redirect', 'Links', 'Analytics', 'Rollup', 'Authorizer']) expect(kmsActions(other)).toEqual([]);
  });
});

describe('history exports (infra/constructs/export-analytics.ts)', () => {
  const bucketId = () => ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('ExportAnalyticsBucket'))![0];

  it('an exports bucket: encrypted, private, TLS only, access-logged, everything expires after the exports week', () => {
    const bucket = resources[bucketId()].Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.LoggingConfiguration.DestinationBucketName).toBeDefined();
    expect(bucket.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 8, Status: 'Enabled' }));
    const policy = ofType('AWS::S3::BucketPolicy').find(([, r]) => referencedIds(r.Properties.Bucket).has(bucketId()))![1];
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });

  it('an Athena workgroup: results in the exports bucket, encrypted, configuration enforced, a bytes-scanned cutoff', () => {
    const [[, workgroup]] = ofType('AWS::Athena::WorkGroup');
    const configuration = workgroup.Properties.WorkGroupConfiguration;
    expect(configuration.EnforceWorkGroupConfiguration).toBe(true);
    expect(configuration.BytesScannedCutoffPerQuery).toBe(10 * 1024 ** 3);
    expect(configuration.ResultConfiguration.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_S3' });
    expect(referencedIds(configuration.ResultConfiguration.OutputLocation)).toEqual(new Set([bucketId()]));
  });

  it('Glue tables with partition projection: the archive on org, type and date; each staging prefix on export_id', () => {
    const tables = Object.fromEntries(ofType('AWS::Glue::Table').map(([, r]) => [r.Properties.TableInput.Name, r.Properties.TableInput]));
    expect(Object.keys(tables).sort()).toEqual(['archived_clicks', 'staged_clicks', 'staged_conversions']);
    const archived = tables.archived_clicks;
    expect(archived.PartitionKeys.map((key: { Name: string }) => key.Name)).toEqual(['org', 'type', 'date']);
    expect(archived.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.org.type': 'injected',
      'projection.type.values': 'click',
      'projection.date.type': 'date',
      'projection.date.range': `NOW-${historyRetentionDays + 1}DAYS,NOW`,
    });
    expect(JSON.stringify(archived.Parameters['storage.location.template'])).toContain('/events/org=${org}/type=${type}/date=${date}');
    expect(referencedIds(archived.StorageDescriptor.Location)).toEqual(new Set(['HistoryArchiveBucket']));
    expect(archived.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    for (const name of ['staged_clicks', 'staged_conversions']) {
      expect(tables[name].Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.export_id.type': 'injected' });
      expect(referencedIds(tables[name].StorageDescriptor.Location)).toEqual(new Set([bucketId()]));
    }
    expect(tables.staged_clicks.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(archived.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name));
  });

  it('the worker is started by the exports function only, and knows its engine; download links are signed by a KMS HMAC key', () => {
    const env = (fnId: FunctionId) => resources[fnLogicalId[fnId]].Properties.Environment.Variables;
    expect(env('exports').EXPORT_WORKER_FUNCTION_NAME).toEqual({ Ref: fnLogicalId.exportWorker });
    expect(Object.keys(env('exportWorker'))).toEqual(
      expect.arrayContaining(['ATHENA_WORKGROUP', 'GLUE_DATABASE', 'ATHENA_ARCHIVE_TABLE', 'ATHENA_CLICK_STAGING_TABLE', 'ATHENA_CONVERSION_STAGING_TABLE', 'EXPORTS_BUCKET']),
    );
    expect(referencedIds(env('exportDownload').EXPORTS_BUCKET)).toEqual(new Set([bucketId()]));
    const invokers = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify((policy as any).Properties.PolicyDocument).includes('lambda:InvokeFunction'))
      .map(([id]) => id);
    expect(invokers.map((id) => id.replace(/Role.*$/, '')).sort()).toEqual(['Exports', 'PrivacyErasures']);
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(referencedIds(env('exports').DOWNLOAD_MAC_KMS_KEY_ID)).toEqual(referencedIds(env('exportDownload').DOWNLOAD_MAC_KMS_KEY_ID));
  });
});
