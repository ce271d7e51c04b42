import { Duration, Fn, type CfnCondition } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { metricNames } from '../../shared/adapters/metric-names.js';
import type { FunctionId } from '../../shared/contract/routes.js';
import type { monitoring } from '../definitions.js';

export interface OperationsMonitoringProps {
  /** Powertools metrics namespace of every function. */
  readonly namespace: string;
  readonly httpApi: apigwv2.IHttpApi;
  readonly functions: Record<FunctionId, lambda.IFunction>;
  /** The roll-up consumer's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The archiver's dead-letter queue (its alarm comes with `otherAlarms`), graphed beside the roll-up's. */
  readonly archiveDeadLetterQueue: sqs.IQueue;
  /** Alarms made elsewhere (the stream consumer's) that must notify too. */
  readonly otherAlarms: cloudwatch.Alarm[];
  /** Address the alarm topic mails; the subscription exists only under `emailCondition`. */
  readonly alarmEmail: string;
  readonly emailCondition: CfnCondition;
  /** infra/definitions.ts `monitoring`. */
  readonly settings: typeof monitoring;
}

const PERIOD = Duration.minutes(1);

/**
 * What an operator watches: the SNS topic every alarm notifies (mailed when an address is
 * given), the product's alarms (API error rate, throttles, roll-up lag, clicks lost) next to the
 * consumer's (DLQ, iterator age, errors), and one CloudWatch dashboard of the paths that matter:
 * clicks, conversions, the roll-up, the API. docs/operations.md is the runbook for each alarm.
 */
export class OperationsMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: Record<'apiErrorRate' | 'throttles' | 'rollupLag' | 'clicksLost', cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const { namespace, settings: s } = props;
    const custom = (metricName: string, service: FunctionId, statistic: string) =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap: { service }, statistic, period: PERIOD });

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Advocacy tracking alarms', enforceSSL: true });
    // TLS only (cdk-nag AwsSolutions-SNS3); not encrypted with a KMS key: alarm
    // notifications carry alarm names, states and metric values, no customer data, and CloudWatch
    // can publish to an encrypted topic only with a customer-managed key whose policy admits it.
    const subscription = new sns.Subscription(this, 'AlarmEmail', {
      topic: this.topic,
      protocol: sns.SubscriptionProtocol.EMAIL,
      endpoint: props.alarmEmail,
    });
    // No address, no subscription (an empty endpoint would fail the deploy).
    (subscription.node.defaultChild as sns.CfnSubscription).cfnOptions.condition = props.emailCondition;
    NagSuppressions.addResourceSuppressions(subscription, [
      {
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An alarm mail that cannot be delivered has nothing to redrive to: the alarm state and its history stay in ' +
          'CloudWatch and on the operations dashboard, and a dead-letter queue of undelivered mails would need its own watcher.',
      },
    ]);

    const apiRequests = props.httpApi.metricCount({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
    const apiServerErrors = props.httpApi.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
    const apiErrorRate = new cloudwatch.MathExpression({
      // No requests, no rate (rather than a division by zero).
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests: apiRequests, errors: apiServerErrors },
      label: 'API 5xx %',
      period: Duration.minutes(5),
    });

    const throttles = new cloudwatch.MathExpression({
      expression: s.throttleWatchedFunctions.map((_, i) => `t${i}`).join(' + '),
      usingMetrics: Object.fromEntries(
        s.throttleWatchedFunctions.map((fnId, i) => [`t${i}`, props.functions[fnId].metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM })]),
      ),
      label: 'Lambda throttles (redirect, authorizer, intake, consumer)',
      period: PERIOD,
    });

    const clicksLost = custom(metricNames.clickNotRecorded, 'redirect', cloudwatch.Stats.SUM);
    const clicksRecorded = custom(metricNames.clicksRecorded, 'rollup', cloudwatch.Stats.SUM);
    const clicksFolded = custom(metricNames.clicksFolded, 'rollup', cloudwatch.Stats.SUM);
    const rollupLag = custom(metricNames.rollupLag, 'rollup', cloudwatch.Stats.MAXIMUM);

    this.alarms = {
      apiErrorRate: new cloudwatch.Alarm(this, 'ApiErrorRateAlarm', {
        alarmDescription: `More than ${s.apiErrorRatePercent}% of API requests answered 5xx over 5 minutes (docs/operations.md, "API errors").`,
        metric: apiErrorRate,
        threshold: s.apiErrorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      throttles: new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
        alarmDescription: 'Lambda throttled the redirect, the authorizer, the conversion intake or the roll-up consumer (docs/operations.md, "Throttles").',
        metric: throttles,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      rollupLag: new cloudwatch.Alarm(this, 'RollupLagAlarm', {
        alarmDescription: `The newest roll-up applied is more than ${s.rollupLagSeconds} s old, 3 minutes running: dashboards are behind (docs/operations.md, "Roll-up lag").`,
        metric: rollupLag,
        threshold: s.rollupLagSeconds * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      // Spec 11: a click that could not be stored still redirects; the loss is counted.
      clicksLost: new cloudwatch.Alarm(this, 'ClickNotRecordedAlarm', {
        alarmDescription: 'Redirects answered without storing the click (database unavailable or throttled) (docs/operations.md, "Clicks lost").',
        metric: clicksLost,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    const notify = new actions.SnsAction(this.topic);
    for (const alarm of [...Object.values(this.alarms), ...props.otherAlarms]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    const conversions = (['conversionsAccepted', 'conversionsDuplicate', 'conversionsRefused'] as const).map((name) =>
      custom(metricNames[name], 'conversions', cloudwatch.Stats.SUM),
    );
    const redirect = props.functions.redirect;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: Fn.join('-', [Fn.ref('AWS::StackName'), 'operations']),
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...Object.values(this.alarms), ...props.otherAlarms], width: 24, height: 3 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Clicks recorded (rolled up; of them folded) and lost', left: [clicksRecorded, clicksFolded], right: [clicksLost], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Conversion webhooks', left: conversions, width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Roll-up lag (ms) and dead letters (roll-up, archive)',
            left: [rollupLag, props.functions.rollup.metric('IteratorAge', { period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM })],
            right: [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: 'roll-up dead letters' }),
              props.archiveDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: 'archive dead letters' }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'API requests and 5xx %', left: [apiRequests], right: [apiErrorRate], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Redirect duration (p50, p99)',
            left: [redirect.metricDuration({ statistic: 'p50', period: PERIOD }), redirect.metricDuration({ statistic: 'p99', period: PERIOD })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda errors and throttles',
            left: (['redirect', 'conversions', 'rollup', 'authorizer'] as const).map((fnId) =>
              props.functions[fnId].metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: `${fnId} errors` }),
            ),
            right: [throttles],
            width: 8,
          }),
        ],
      ],
    });
  }
}
