/**
 * What history exports need on AWS (spec section 14; shared/adapters/athena-export-engine.ts):
 * - the exports bucket: export files, staged hot rows, Athena's query results; encrypted,
 *   private, TLS only, everything expires after the exports' week;
 * - a Glue database with a table over the archive's clicks (partition projection on org, type
 *   and date: no crawler, no partition to add) and a table per staging prefix (projection on
 *   export_id);
 * - an Athena workgroup: results in the exports bucket, encrypted, its configuration enforced
 *   (a query cannot send results elsewhere), and a cutoff on the bytes one query may scan;
 * - the HMAC key that signs download links (KMS: the key never leaves it).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX, archiveColumns } from '../../shared/domain/archive.js';
import { conversionIntegerColumns, conversionStagingColumns } from '../../shared/domain/export-query.js';
import { EXPORT_RETENTION_DAYS } from '../../shared/domain/exports.js';

export interface ExportAnalyticsProps {
  /** The history archive's bucket (Parquet under `events/`). */
  readonly archiveBucket: s3.IBucket;
  /** Where the exports bucket's server access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  /** How far back an export may reach (shared/settings.ts `historyRetentionDays`): the date projection's range. */
  readonly historyDays: number;
  /** Bytes one Athena query may scan before Athena cancels it. */
  readonly bytesScannedCutoffPerQuery: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export const STAGING_LOCATION_PREFIX = 'export-staging';
export const RESULTS_PREFIX = 'athena-results';

/** Glue table names (the engine reads them from the environment the stack sets). */
export const glueTables = { archivedClicks: 'archived_clicks', stagedClicks: 'staged_clicks', stagedConversions: 'staged_conversions' } as const;

const parquetStorage = (location: string, columns: glue.CfnTable.ColumnProperty[]): glue.CfnTable.StorageDescriptorProperty => ({
  location,
  columns,
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
});

export class ExportAnalytics extends Construct {
  readonly bucket: s3.Bucket;
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly downloadKey: kms.Key;

  constructor(scope: Construct, id: string, props: ExportAnalyticsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'exports/',
      // A day past the export record's own TTL: a link handed out just before it expired still finds its file.
      lifecycleRules: [
        { id: 'expire-exports', expiration: Duration.days(EXPORT_RETENTION_DAYS + 1) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });

    this.downloadKey = new kms.Key(this, 'DownloadLinkKey', {
      description: 'Signs export download links (HMAC-SHA256)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy,
    });

    this.databaseName = `${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_history`;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'History archive and export staging (Athena)' },
    });

    const archiveLocation = `s3://${props.archiveBucket.bucketName}/${ARCHIVE_PREFIX}/`;
    const archived = new glue.CfnTable(this, 'ArchivedClicks', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: glueTables.archivedClicks,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'org', type: 'string' },
          { name: 'type', type: 'string' },
          { name: 'date', type: 'string' },
        ],
        parameters: {
          classification: 'parquet',
          'projection.enabled': 'true',
          // Organizations are not enumerable: every query names its own (injected).
          'projection.org.type': 'injected',
          'projection.type.type': 'enum',
          'projection.type.values': 'click',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': `NOW-${props.historyDays + 1}DAYS,NOW`,
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${archiveLocation}org=\${org}/type=\${type}/date=\${date}`,
        },
        storageDescriptor: parquetStorage(
          archiveLocation,
          archiveColumns.click.map((column) => ({ name: column.name, type: column.type })),
        ),
      },
    });
    archived.addDependency(database);

    const staging = (construct: string, name: string, type: 'click' | 'conversion', columns: glue.CfnTable.ColumnProperty[]) => {
      const location = `s3://${this.bucket.bucketName}/${STAGING_LOCATION_PREFIX}/type=${type}/`;
      const table = new glue.CfnTable(this, construct, {
        catalogId: stack.account,
        databaseName: this.databaseName,
        tableInput: {
          name,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: [{ name: 'export_id', type: 'string' }],
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.export_id.type': 'injected',
            'storage.location.template': `${location}export_id=\${export_id}`,
          },
          storageDescriptor: parquetStorage(location, columns),
        },
      });
      table.addDependency(database);
    };
    staging('StagedClicks', glueTables.stagedClicks, 'click', archiveColumns.click.map((column) => ({ name: column.name, type: column.type })));
    staging(
      'StagedConversions',
      glueTables.stagedConversions,
      'conversion',
      conversionStagingColumns.map((name) => ({ name, type: conversionIntegerColumns.has(name) ? 'int' : 'string' })),
    );

    this.workGroupName = `${stack.stackName}-exports`;
    new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'History exports',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${RESULTS_PREFIX}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }

  /** The environment of the export worker's engine. */
  engineEnvironment(): Record<string, string> {
    return {
      ATHENA_WORKGROUP: this.workGroupName,
      GLUE_DATABASE: this.databaseName,
      ATHENA_ARCHIVE_TABLE: glueTables.archivedClicks,
      ATHENA_CLICK_STAGING_TABLE: glueTables.stagedClicks,
      ATHENA_CONVERSION_STAGING_TABLE: glueTables.stagedConversions,
      EXPORTS_BUCKET: this.bucket.bucketName,
    };
  }

  /**
   * The worker: run queries in the workgroup, read the Glue tables, and read and write the exports
   * bucket (Athena writes results with the caller's permissions). The archive it reads by its
   * definition's `archive: 'read'`.
   */
  grantEngine(fn: lambda.Function): void {
    const stack = Stack.of(this);
    const add = (statement: iam.PolicyStatement) => fn.addToRolePolicy(statement);
    add(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryRuntimeStatistics'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
        ],
      }),
    );
    // The archive's objects: by the function's `archive: 'read'` (infra/definitions.ts).
    add(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [this.bucket.bucketArn] }));
    add(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Object actions apply to the exports bucket's objects (<bucket arn>/*): export files, staging files and Athena " +
            'results are named per export and per query, so no narrower pattern exists; no other bucket is matched.',
          appliesTo: [{ regex: '/^Resource::<ExportAnalyticsBucket[A-Za-z0-9]*\\.Arn>\\/\\*$/' }],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'glue:GetTable on the tables of the exports database only (<database>/*): the database holds exactly the archive and staging tables.',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table\\/[a-z0-9_]+_history\\/\\*$/' }],
        },
      ],
      true,
    );
  }

  /** The download route: presigned GETs of export files (a presigned URL carries the signer's permission). */
  grantDownload(fn: lambda.Function): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }));
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: "s3:GetObject on the exports bucket's objects (<bucket arn>/*), to presign downloads of files named per export.",
          appliesTo: [{ regex: '/^Resource::<ExportAnalyticsBucket[A-Za-z0-9]*\\.Arn>\\/\\*$/' }],
        },
      ],
      true,
    );
  }
}
