/**
 * The consumer's metrics, one EMF line per batch: clicks rolled up (and of them, folded) and the roll-up lag. Counting
 * clicks here rather than in the redirect keeps the redirect free of a log line per click (an
 * EMF line is ~0.5 KB of CloudWatch Logs ingestion each; per batch of up to 5,000 it is nothing).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricNames } from './metric-names.js';
import { metrics } from './observability.js';

export const publishBatchMetrics = ({ appliedClicks, foldedClicks, lagMs }: { appliedClicks: number; foldedClicks: number; lagMs: number | undefined }): void => {
  metrics.addMetric(metricNames.clicksRecorded, MetricUnit.Count, appliedClicks);
  metrics.addMetric(metricNames.clicksFolded, MetricUnit.Count, foldedClicks);
  if (lagMs !== undefined) metrics.addMetric(metricNames.rollupLag, MetricUnit.Milliseconds, lagMs);
  metrics.publishStoredMetrics();
};
