/** The redirect's only logging: a click that could not be stored is logged and counted. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricNames } from './metric-names.js';
import { logger, metrics } from './observability.js';

export const recordClickLoss = (error: Error, botClass: string): void => {
  logger.error('Click not recorded; redirected without click id', { errorName: error.name, botClass });
  metrics.addMetric(metricNames.clickNotRecorded, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
};
