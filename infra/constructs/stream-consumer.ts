import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StreamConsumerDefinition } from '../definitions.js';

export type StreamConsumerSettings = Omit<StreamConsumerDefinition, 'function' | 'table'>;

export interface StreamConsumerProps {
  /** The consumer function (its role gets the stream read and DLQ send grants). */
  readonly fn: lambda.Function;
  /** A table with a stream. */
  readonly table: dynamodb.ITable;
  /** Mapping settings: infra/definitions.ts `streamConsumers`, shared with the local poller. */
  readonly settings: StreamConsumerSettings;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Iterator age (how far behind the stream the consumer is) above which to alarm. @default 60 seconds */
  readonly maxIteratorAge?: Duration;
  /** What the consumer keeps up to date, for the alarm texts. @default 'roll-ups' */
  readonly keeps?: string;
}

/**
 * A DynamoDB Streams → Lambda event source mapping with a dead-letter queue for records that
 * keep failing, and the alarms that make failures visible: DLQ not empty, consumer falling
 * behind (IteratorAge), consumer errors.
 */
export class StreamConsumer extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly alarms: {
    deadLetters: cloudwatch.Alarm;
    iteratorAge: cloudwatch.Alarm;
    errors: cloudwatch.Alarm;
  };

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const s = props.settings;
    const keeps = props.keeps ?? 'roll-ups';

    // Receives the *metadata* of failed batches (shard, sequence numbers), not the records: the
    // records stay in the events table and can be replayed from it.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const isTheDeadLetterQueue =
      'This queue is itself the dead-letter (on-failure) destination of the stream event ' +
      'source mapping; a DLQ for the DLQ would only move the problem.';
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: isTheDeadLetterQueue },
      // cdk-nag's Serverless pack: a redrive policy is the same thing, a DLQ for this queue.
      { id: 'Serverless-SQSRedrivePolicy', reason: isTheDeadLetterQueue },
    ]);

    props.fn.addEventSource(
      new sources.DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition[s.startingPosition],
        batchSize: s.batchSize,
        maxBatchingWindow: Duration.seconds(s.maxBatchingWindowSeconds),
        bisectBatchOnError: s.bisectBatchOnError,
        reportBatchItemFailures: s.reportBatchItemFailures,
        retryAttempts: s.retryAttempts,
        maxRecordAge: Duration.seconds(s.maxRecordAgeSeconds),
        parallelizationFactor: s.parallelizationFactor,
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.or(...s.filterEventNames),
          }),
        ],
        onFailure: new sources.SqsDlq(this.deadLetterQueue),
      }),
    );
    // The stream read grant includes dynamodb:ListStreams on "*" (no resource-level permission);
    // ApiFunction's IAM5 `Resource::*` suppression names it, and tests/infra asserts it is the
    // only such action besides X-Ray.

    this.alarms = {
      deadLetters: new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
        alarmDescription:
          `Stream records failed every retry and were sent to the DLQ: the ${keeps} are missing events until replayed.`,
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      iteratorAge: new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
        alarmDescription: `The consumer of the events stream that keeps the ${keeps} is falling behind it.`,
        metric: props.fn.metric('IteratorAge', {
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: (props.maxIteratorAge ?? Duration.seconds(60)).toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      errors: new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: `The consumer of the events stream that keeps the ${keeps} failed invocations (batches are being retried).`,
        metric: props.fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
  }
}
