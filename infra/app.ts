/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Environment-agnostic: no account or region,
 * no lookups, so `cdk synth` runs offline without credentials.
 *
 * Context keys:
 *   deletionProtection  (default true)  false for throw-away stacks: no deletion protection, DESTROY
 *   nag                 (default true)  false to skip the cdk-nag AwsSolutions checks at synth
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AdvocacyStack } from './stack.js';

const app = new App();

new AdvocacyStack(app, 'AdvocacyStack', {
  description: 'Employee-advocacy tracking: tracked links, redirects, conversions, attribution roll-ups',
});

const nag = app.node.tryGetContext('nag');
if (!(nag === false || nag === 'false')) {
  // Unsuppressed findings fail the synth; every suppression lives next to its resource with a reason.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
}

app.synth();
