/**
 * Powertools singletons shared by every handler of a container. Nothing here logs request
 * bodies, Authorization headers, IPs or full user agents. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (WARN on AWS by default: the stack's `LogLevel` parameter).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'advocacy' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'advocacy',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'advocacy',
});
