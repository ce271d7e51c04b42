import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { TableAccess } from '../definitions.js';
import { archiveRetentionTag } from '../../shared/domain/retention.js';

export interface HistoryArchiveProps {
  /** Days after which every archived object expires (shared/settings.ts `historyRetentionDays`): the deployment's bound. */
  readonly retentionDays: number;
  /**
   * The organizations' archive retention classes (shared/settings.ts `archiveRetentionClassesDays`):
   * one lifecycle rule per class shorter than `retentionDays` expires the objects the archiver
   * tagged `retention-days=<class>`. Where rules overlap S3 applies the shortest expiration, so an
   * untagged object (manifests, files archived before the setting) keeps `retentionDays`.
   */
  readonly retentionClassesDays?: readonly number[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The history archive's bucket (docs/architecture.md, "The history archive"): Parquet files of
 * raw events and the archiver's batch manifests. Encrypted (SSE-S3), private, TLS only; objects
 * expire after the history retention; server access logs go to a bucket of their own.
 */
export class HistoryArchive extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: HistoryArchiveProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy,
    });
    // cdk-nag's S1 (server access logs) does not apply to a bucket that is itself a log destination.

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'archive/',
      lifecycleRules: [
        { id: 'expire-history', expiration: Duration.days(props.retentionDays) },
        ...(props.retentionClassesDays ?? [])
          .filter((days) => days < props.retentionDays)
          .map((days) => ({
            id: `expire-retention-class-${days}`,
            tagFilters: archiveRetentionTag(days),
            expiration: Duration.days(days),
          })),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });
  }

  /**
   * Exactly the S3 actions the object store sends (shared/adapters/object-store.ts): list and
   * get to read; put (with its retention tag: PutObjectTagging) and delete to write (the archiver
   * deletes an earlier attempt's files).
   */
  grant(fn: lambda.Function, access: TableAccess): void {
    const reads = access !== 'write';
    const writes = access !== 'read';
    const objectActions = [...(reads ? ['s3:GetObject'] : []), ...(writes ? ['s3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'] : [])];
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: objectActions, resources: [this.bucket.arnForObjects('*')] }));
    if (reads) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Object actions apply to the archive bucket\'s objects (<bucket arn>/*): the archiver names its files ' +
            'per batch, so no narrower pattern exists; no other bucket is matched.',
          appliesTo: [{ regex: '/^Resource::<HistoryArchiveBucket[A-Za-z0-9]*\\.Arn>\\/\\*$/' }],
        },
      ],
      true,
    );
  }
}
