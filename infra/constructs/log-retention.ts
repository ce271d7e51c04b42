import * as logs from 'aws-cdk-lib/aws-logs';
import { logRetentionDays } from '../../shared/settings.js';

/**
 * Every log group's retention: the deployment's `logRetentionDays` (logs are per function, not per
 * organization, so this is every organization's log retention; docs/privacy.md). CloudWatch
 * accepts only its own list of periods.
 */
export const deploymentLogRetention = (): logs.RetentionDays => {
  if (!(Object.values(logs.RetentionDays) as unknown[]).includes(logRetentionDays)) {
    throw new Error(`logRetentionDays ${logRetentionDays} is not a CloudWatch Logs retention period`);
  }
  return logRetentionDays as logs.RetentionDays;
};
