import { fileURLToPath } from 'node:url';
import { CfnCondition, CfnOutput, CfnResource, CfnParameter, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct, IConstruct } from 'constructs';
import { NagSuppressions } from 'cdk-nag';
import {
  authorizerSettings,
  edge,
  functions,
  logLevels,
  monitoring,
  exportSettings,
  scaling,
  streamConsumer,
  streamConsumers,
  tables,
  throttling,
  type TableAccess,
} from './definitions.js';
import { routeKey, routes, type FunctionId } from '../shared/contract/routes.js';
import { archiveBucketEnvVar, archiveRetentionClassesDays, historyRetentionDays, invokedFunctionEnvVar, tableEnvVar, type TableId } from '../shared/settings.js';
import { HistoryArchive } from './constructs/history-archive.js';
import { ExportAnalytics } from './constructs/export-analytics.js';
import { ApiFunction } from './constructs/api-function.js';
import { EdgeDistribution } from './constructs/edge-distribution.js';
import { OperationsMonitoring } from './constructs/operations-monitoring.js';
import { StreamConsumer } from './constructs/stream-consumer.js';
import { pascal, TrackingTables } from './constructs/tracking-tables.js';
import { TrackingApi } from './constructs/tracking-api.js';
import { statefulLogicalIds } from './logical-ids.js';

/** Repository root: function entries in the definitions are relative to it. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Powertools metrics namespace: the product's metrics (shared/adapters/metric-names.ts) land here. */
export const METRICS_NAMESPACE = 'advocacy';

export interface AdvocacyStackProps extends StackProps {
  /**
   * Table deletion protection and RETAIN removal policies (tables, DLQ, log groups).
   * @default context `deletionProtection`, else true
   */
  readonly deletionProtection?: boolean;
  /**
   * Stub the function code instead of bundling the handlers. Infrastructure tests only.
   * @default false
   */
  readonly skipBundling?: boolean;
}

/**
 * The whole backend, generated from infra/definitions.ts: tables, one function per definition,
 * the HTTP API with its routes and authorizer, the events-stream consumer, the CDN in front
 * (when a short domain is given), and the alarms, their topic and the operations dashboard.
 */
export class AdvocacyStack extends Stack {
  constructor(scope: Construct, id: string, props: AdvocacyStackProps = {}) {
    super(scope, id, props);

    const contextProtection = this.node.tryGetContext('deletionProtection');
    const protect = props.deletionProtection ?? !(contextProtection === false || contextProtection === 'false');
    const removalPolicy = protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Deploy-time configuration. Parameters rather than context: one template, many deployments.
    const publicBaseUrl = new CfnParameter(this, 'PublicBaseUrl', {
      type: 'String',
      default: '',
      description:
        'Base URL of short links (e.g. https://go.example.com). Empty: https://<ShortDomain> when that is given, else derived at run time from the request host.',
    });
    // The CDN (docs/operations.md, "Deploy with a short domain"): both or neither. Parameters, so
    // `cdk synth` needs neither an account nor a lookup, and one template serves every deployment.
    const shortDomain = new CfnParameter(this, 'ShortDomain', {
      type: 'String',
      default: '',
      description: 'Default short domain (e.g. go.example.com), served through CloudFront. Empty: no CDN, the API on its own URL.',
    });
    const shortDomainCertificateArn = new CfnParameter(this, 'ShortDomainCertificateArn', {
      type: 'String',
      default: '',
      description: 'ARN of the ACM certificate for ShortDomain, issued in US East (N. Virginia): CloudFront takes certificates from that region only.',
    });
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      default: '',
      description: 'E-mail address the alarm topic notifies (confirm the subscription mail). Empty: no subscription.',
    });
    const logLevel = new CfnParameter(this, 'LogLevel', {
      type: 'String',
      default: monitoring.defaultLogLevel,
      allowedValues: [...logLevels],
      description: 'Function log level (POWERTOOLS_LOG_LEVEL). WARN keeps CloudWatch Logs cheap; INFO or DEBUG while investigating.',
    });
    const cdnEnabled = new CfnCondition(this, 'CdnEnabled', {
      expression: Fn.conditionAnd(
        Fn.conditionNot(Fn.conditionEquals(shortDomain.valueAsString, '')),
        Fn.conditionNot(Fn.conditionEquals(shortDomainCertificateArn.valueAsString, '')),
      ),
    });
    const publicBaseUrlGiven = new CfnCondition(this, 'PublicBaseUrlGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(publicBaseUrl.valueAsString, '')),
    });
    const alarmEmailGiven = new CfnCondition(this, 'AlarmEmailGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
    });
    const effectivePublicBaseUrl = Fn.conditionIf(
      publicBaseUrlGiven.logicalId,
      publicBaseUrl.valueAsString,
      Fn.conditionIf(cdnEnabled.logicalId, Fn.join('', ['https://', shortDomain.valueAsString]), ''),
    ).toString();
    const jwtIssuer = new CfnParameter(this, 'JwtIssuer', {
      type: 'String',
      default: '',
      description: 'OIDC issuer of advocate JWTs (the `iss` claim). Empty: advocate JWTs are refused, API keys still work.',
    });
    const jwtAudience = new CfnParameter(this, 'JwtAudience', {
      type: 'String',
      default: '',
      description: 'Expected `aud` claim of advocate JWTs.',
    });
    const jwksUrl = new CfnParameter(this, 'JwksUrl', {
      type: 'String',
      default: '',
      description: 'JWKS URL of the issuer. Empty: <JwtIssuer>/.well-known/jwks.json.',
    });
    const jwtAdvocateClaim = new CfnParameter(this, 'JwtAdvocateClaim', {
      type: 'String',
      default: 'sub',
      description: 'JWT claim holding the advocate id.',
    });
    const jwtOrgClaim = new CfnParameter(this, 'JwtOrgClaim', {
      type: 'String',
      default: 'org',
      description: 'JWT claim naming the organization.',
    });
    const jwksUrlGiven = new CfnCondition(this, 'JwksUrlGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(jwksUrl.valueAsString, '')),
    });
    const jwtIssuerGiven = new CfnCondition(this, 'JwtIssuerGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(jwtIssuer.valueAsString, '')),
    });
    const effectiveJwksUrl = Fn.conditionIf(
      jwksUrlGiven.logicalId,
      jwksUrl.valueAsString,
      Fn.conditionIf(jwtIssuerGiven.logicalId, Fn.join('', [jwtIssuer.valueAsString, '/.well-known/jwks.json']), ''),
    ).toString();

    const data = new TrackingTables(this, 'Tables', {
      definitions: tables,
      deletionProtection: protect,
      warmThroughput: scaling.warmThroughput,
    });

    // Configuration every handler reads (shared/adapters/config.ts); table names are added per function.
    const sharedEnvironment = {
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: logLevel.valueAsString,
      PUBLIC_BASE_URL: effectivePublicBaseUrl,
      JWT_ISSUER: jwtIssuer.valueAsString,
      JWT_AUDIENCE: jwtAudience.valueAsString,
      JWKS_URL: effectiveJwksUrl,
      JWT_ADVOCATE_CLAIM: jwtAdvocateClaim.valueAsString,
      JWT_ORG_CLAIM: jwtOrgClaim.valueAsString,
    };

    // Webhook signing secrets are sealed with this key (shared/adapters/secret-box.ts): a table
    // dump shows ciphertext; only the functions that create or verify signatures may use it.
    const secretsKey = new kms.Key(this, 'WebhookSecretsKey', {
      description: 'Seals webhook signing secrets at rest',
      enableKeyRotation: true,
      removalPolicy,
    });

    // Raw events as Parquet, written by the archiver (docs/architecture.md, "The history archive").
    const archive = new HistoryArchive(this, 'HistoryArchive', { retentionDays: historyRetentionDays, retentionClassesDays: archiveRetentionClassesDays, removalPolicy });
    // History exports through Athena over the archive (docs/api.md, "Exports").
    const exportAnalytics = new ExportAnalytics(this, 'ExportAnalytics', {
      archiveBucket: archive.bucket,
      accessLogsBucket: archive.accessLogs,
      historyDays: historyRetentionDays,
      bytesScannedCutoffPerQuery: exportSettings.bytesScannedCutoffPerQuery,
      removalPolicy,
    });

    const handlers = {} as Record<FunctionId, ApiFunction>;
    for (const [fnId, def] of Object.entries(functions) as Array<[FunctionId, (typeof functions)[FunctionId]]>) {
      const access = Object.entries(def.tables) as Array<[TableId, TableAccess]>;
      const secrets = 'secrets' in def ? def.secrets : undefined;
      const archiveAccess = 'archive' in def ? def.archive : undefined;
      handlers[fnId] = new ApiFunction(this, pascal(fnId), {
        definition: def,
        projectRoot: PROJECT_ROOT,
        serviceName: fnId,
        environment: {
          ...sharedEnvironment,
          ...(secrets ? { SECRETS_KMS_KEY_ID: secretsKey.keyArn } : {}),
          ...(archiveAccess ? { [archiveBucketEnvVar]: archive.bucket.bucketName } : {}),
          ...('downloadLinks' in def ? { DOWNLOAD_MAC_KMS_KEY_ID: exportAnalytics.downloadKey.keyArn } : {}),
          ...('exportEngine' in def ? exportAnalytics.engineEnvironment() : {}),
          ...('exportFiles' in def ? { EXPORTS_BUCKET: exportAnalytics.bucket.bucketName } : {}),
        },
        tables: access.map(([tableId, level]) => ({
          table: data.tables[tableId],
          envVar: tableEnvVar(tableId),
          access: level,
        })),
        logRemovalPolicy: removalPolicy,
        skipBundling: props.skipBundling,
        reservedConcurrency: scaling.reservedConcurrency[fnId],
      });
    }

    for (const [fnId, def] of Object.entries(functions) as Array<[FunctionId, (typeof functions)[FunctionId]]>) {
      const secrets = 'secrets' in def ? def.secrets : undefined;
      // Exactly the one action each needs (grantEncrypt would add ReEncrypt*/GenerateDataKey*).
      if (secrets === 'seal') secretsKey.grant(handlers[fnId].fn, 'kms:Encrypt');
      if (secrets === 'open') secretsKey.grant(handlers[fnId].fn, 'kms:Decrypt');
      const archiveAccess = 'archive' in def ? def.archive : undefined;
      if (archiveAccess) archive.grant(handlers[fnId].fn, archiveAccess);
      const fn = handlers[fnId].fn;
      for (const tableId of 'deletes' in def ? def.deletes : []) data.tables[tableId].grant(fn, 'dynamodb:DeleteItem');
      if ('downloadLinks' in def) exportAnalytics.downloadKey.grant(fn, def.downloadLinks === 'sign' ? 'kms:GenerateMac' : 'kms:VerifyMac');
      if ('exportEngine' in def) exportAnalytics.grantEngine(fn);
      if ('exportFiles' in def) exportAnalytics.grantDownload(fn);
      // Asynchronous starts (Lambda Invoke, `Event`): the target's name in `<TARGET>_FUNCTION_NAME`.
      for (const target of 'invokes' in def ? def.invokes : []) {
        // lambda:InvokeFunction on the target (and its versions: `<arn>:*`).
        handlers[target].fn.grantInvoke(fn);
        NagSuppressions.addResourceSuppressions(
          fn.role!,
          [{ id: 'AwsSolutions-IAM5', reason: `lambda:InvokeFunction on the ${target} function and its versions (<function arn>:*) only.`, appliesTo: [{ regex: `/^Resource::<${pascal(target)}Function[A-Za-z0-9]*\\.Arn>:\\*$/` }] }],
          true,
        );
        fn.addEnvironment(invokedFunctionEnvVar(target), handlers[target].fn.functionName);
      }
    }

    const api = new TrackingApi(this, 'Api', {
      routes,
      handlers: Object.fromEntries(Object.entries(handlers).map(([fnId, h]) => [fnId, h.fn])),
      authorizer: {
        fn: handlers.authorizer.fn,
        identitySource: authorizerSettings.identitySource,
        resultsCacheTtlSeconds: authorizerSettings.resultsCacheTtlSeconds,
        responseType: authorizerSettings.responseType,
      },
      // Each public route's reason comes from its record (shared/contract/operations.ts).
      publicRouteReasons: Object.fromEntries(routes.flatMap((r) => (r.publicReason ? [[routeKey(r), r.publicReason]] : []))),
      throttle: { rateLimit: throttling.defaultRateLimit, burstLimit: throttling.defaultBurstLimit },
      // The public redirect takes the traffic of a viral post; the management API does not.
      routeThrottles: Object.fromEntries(
        routes
          .filter((r) => r.function === 'redirect')
          .map((r) => [routeKey(r), { rateLimit: throttling.redirectRateLimit, burstLimit: throttling.redirectBurstLimit }]),
      ),
      logRemovalPolicy: removalPolicy,
    });

    // One mapping per consumer of the events stream, each with its own DLQ and alarms.
    const consumers = Object.fromEntries(
      streamConsumers.map(({ function: consumerFn, table: consumerTable, ...settings }) => [
        settings.name,
        new StreamConsumer(this, `${pascal(settings.name)}Consumer`, {
          fn: handlers[consumerFn].fn,
          table: data.tables[consumerTable],
          settings,
          removalPolicy,
          ...('iteratorAgeAlarmSeconds' in settings
            ? { maxIteratorAge: Duration.seconds(settings.iteratorAgeAlarmSeconds), keeps: 'history archive' }
            : {}),
        }),
      ]),
    ) as Record<(typeof streamConsumers)[number]['name'], StreamConsumer>;
    const consumer = consumers[streamConsumer.name];
    const archiveConsumerConstruct = consumers.archive;

    const cdn = new EdgeDistribution(this, 'Edge', {
      apiUrl: api.url,
      redirectFunction: handlers.redirect.fn,
      defaultDomain: shortDomain.valueAsString,
      certificateArn: shortDomainCertificateArn.valueAsString,
      settings: edge,
      condition: cdnEnabled,
    });

    const ops = new OperationsMonitoring(this, 'Operations', {
      namespace: METRICS_NAMESPACE,
      httpApi: api.httpApi,
      functions: Object.fromEntries(Object.entries(handlers).map(([fnId, h]) => [fnId, h.fn])) as Record<FunctionId, ApiFunction['fn']>,
      deadLetterQueue: consumer.deadLetterQueue,
      archiveDeadLetterQueue: archiveConsumerConstruct.deadLetterQueue,
      otherAlarms: Object.values(consumers).flatMap((each) => Object.values(each.alarms)),
      alarmEmail: alarmEmail.valueAsString,
      emailCondition: alarmEmailGiven,
      settings: monitoring,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'HTTP API base URL ($default stage)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: ops.topic.topicArn, description: 'SNS topic every alarm notifies' });
    new CfnOutput(this, 'DistributionId', {
      value: cdn.distribution.distributionId,
      description: 'Multi-tenant CloudFront distribution: each short domain is one of its tenants',
      condition: cdnEnabled,
    });
    new CfnOutput(this, 'ShortDomainDnsTarget', {
      value: cdn.connectionGroup.attrRoutingEndpoint,
      description: 'CNAME target of every short domain (the connection group routing endpoint)',
      condition: cdnEnabled,
    });
    new CfnOutput(this, 'ConnectionGroupId', { value: cdn.connectionGroup.attrId, condition: cdnEnabled });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: consumer.deadLetterQueue.queueUrl,
      description: 'Failed roll-up batches (stream shard and sequence numbers)',
    });
    new CfnOutput(this, 'ArchiveDeadLetterQueueUrl', {
      value: archiveConsumerConstruct.deadLetterQueue.queueUrl,
      description: 'Failed archive batches (stream shard and sequence numbers): docs/operations.md, "Archive dead letters"',
    });
    new CfnOutput(this, 'ArchiveBucketName', { value: archive.bucket.bucketName, description: 'The history archive (Parquet)' });
    for (const [tableId, table] of Object.entries(data.tables)) {
      new CfnOutput(this, `${pascal(tableId)}TableName`, { value: table.tableName });
    }

    // Resources holding data keep their logical ids whatever their construct paths become.
    const pin = (construct: IConstruct, logicalId: string) => (construct.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
    for (const [tableId, table] of Object.entries(data.tables) as Array<[TableId, Construct]>) pin(table, statefulLogicalIds.tables[tableId]);
    pin(secretsKey, statefulLogicalIds.webhookSecretsKey);
    pin(consumer.deadLetterQueue, statefulLogicalIds.rollupDeadLetterQueue);
    pin(archiveConsumerConstruct.deadLetterQueue, statefulLogicalIds.archiveDeadLetterQueue);
    pin(archive.bucket, statefulLogicalIds.archiveBucket);
  }
}
