import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { FunctionDefinition, TableAccess } from '../definitions.js';
import { lambdaBundling } from './bundling-options.js';
import { deploymentLogRetention } from './log-retention.js';

export interface TableGrant {
  readonly table: dynamodb.ITable;
  /** Env var the handler reads the physical table name from. */
  readonly envVar: string;
  readonly access: TableAccess;
}

export interface ApiFunctionProps {
  readonly definition: FunctionDefinition;
  /** Repository root: `definition.entry` is relative to it, and it holds package-lock.json. */
  readonly projectRoot: string;
  /** The tables this function touches, with the access the definition grants. */
  readonly tables: TableGrant[];
  /** Extra environment (configuration shared by every function). */
  readonly environment?: Record<string, string>;
  /** Powertools service name (logs `service` key, metrics `service` dimension). */
  readonly serviceName: string;
  /** @default shared/settings.ts `logRetentionDays` (the bound docs/privacy.md states) */
  readonly logRetention?: logs.RetentionDays;
  /** Log group removal policy. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Use a tiny inline stub instead of bundling `definition.entry`. Only for infrastructure tests
   * run before the handlers exist; `cdk synth` always bundles.
   * @default false
   */
  readonly skipBundling?: boolean;
  /**
   * Lambda reserved concurrency (infra/definitions.ts `scaling.reservedConcurrency`).
   * @default none: the function draws on the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
}

export { ESM_REQUIRE_BANNER } from './bundling-options.js';

/**
 * The DynamoDB actions behind the definitions' `read` and `write` access: what shared/adapters
 * sends (Get, BatchGet, Query; Put and Update, also inside TransactWriteItems). Nothing scans,
 * deletes (TTL expires items) or batch-writes. tests/infra asserts each role holds exactly these.
 */
export const tableActions = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;

/**
 * Copies the files a handler reads at run time (definition `files`, relative to the repository
 * root) into the bundle under the same relative paths: the handler finds them below
 * LAMBDA_TASK_ROOT on AWS and below the repository locally. Part of the asset, so a changed file
 * changes the asset hash and is deployed.
 */
const copyFilesAfterBundling = (files: readonly string[]): nodejs.ICommandHooks => {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      files.map((file) => {
        if (path.isAbsolute(file) || file.split('/').includes('..')) throw new Error(`Bundled file must stay inside the repository: ${file}`);
        const target = path.posix.join(outputDir, file);
        return `mkdir -p ${quote(path.posix.dirname(target))} && cp ${quote(path.posix.join(inputDir, file))} ${quote(target)}`;
      }),
  };
};

/**
 * A Node.js 22 / arm64 Lambda function bundled locally with esbuild, with its own log group,
 * X-Ray tracing and a role that holds exactly: write to its own log group, the table grants
 * from the definition, and X-Ray segments. Used for every function, API or not.
 */
export class ApiFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    const def = props.definition;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? deploymentLogRetention(),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole managed
    // policy: that policy may create any log group and write to all of them; this role may only
    // write to its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${def.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    const tableEnv = Object.fromEntries(props.tables.map((t) => [t.envVar, t.table.tableName]));

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      description: def.description,
      role: this.role,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      logGroup: this.logGroup,
      // The Lambda service records each invocation's segment (init, duration) for every function;
      // the consumer and the webhook intake add DynamoDB subsegments with the Powertools Tracer.
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...tableEnv,
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
      },
      ...(props.skipBundling
        ? {
            code: lambda.Code.fromInline(`exports.${def.handler} = async () => ({ statusCode: 503 });`),
            handler: `index.${def.handler}`,
          }
        : {
            entry: path.join(props.projectRoot, def.entry),
            handler: def.handler,
            projectRoot: props.projectRoot,
            depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
            bundling: {
              // Bundle with the esbuild in node_modules: no Docker, no network.
              forceDockerBundling: false,
              // One definition of the esbuild options; bench/scenarios/cold-start.ts builds with it too.
              ...lambdaBundling,
              format: nodejs.OutputFormat.ESM,
              mainFields: [...lambdaBundling.mainFields],
              externalModules: [...lambdaBundling.externalModules],
              ...(def.files?.length ? { commandHooks: copyFilesAfterBundling(def.files) } : {}),
            },
          }),
    });

    // Only the actions the handlers call — not CDK's read/write bundles, which add Scan,
    // DeleteItem, BatchWriteItem and stream reads that no function needs.
    for (const { table, access } of props.tables) {
      table.grant(this.fn, ...(access === 'read' ? [] : tableActions.write), ...(access === 'write' ? [] : tableActions.read));
    }

    const runtimeReason =
      'nodejs22.x is the runtime this project targets and tests on (esbuild target node22, ' +
      'Powertools 2.x); a runtime upgrade is a deliberate change, not a silent default.';
    NagSuppressions.addResourceSuppressions(this.fn, [
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      // cdk-nag's Serverless pack.
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'API Gateway invokes synchronously (the caller sees the error), and the stream consumers\' ' +
          'failed records go to their event source mappings\' on-failure SQS queues. The functions ' +
          'invoked asynchronously: the export worker records its own failure on the export (failed, ' +
          'slot freed), and an export whose worker died past that is failed when next read (stalled); ' +
          'the erasure worker saves its progress and notes its failure on the erasure, which stays ' +
          'running until a retry or a repeated request resumes it. A dead letter would hold nothing to act on.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Only actions without resource-level permissions are granted on "*": ' +
            'xray:PutTraceSegments/PutTelemetryRecords (active tracing) and, on the stream ' +
            'consumer, dynamodb:ListStreams (part of the stream read grant). tests/infra asserts it.',
          appliesTo: ['Resource::*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Table grants cover the table and its own GSIs (<table arn>/index/*) so queries on ' +
            'the definition\'s indexes work; no other table is matched.',
          appliesTo: [{ regex: '/^Resource::<.+\\.Arn>\\/index\\/\\*$/' }],
        },
      ],
      true,
    );
  }
}
