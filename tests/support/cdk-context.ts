/**
 * The context of cdk.json (feature flags included): `cdk synth` reads it, `new App()` in a test
 * does not, so the infra tests pass it to check the template that is deployed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(`${root}cdk.json`, 'utf8')) as { context: Record<string, unknown> }).context;

/** The feature flags aws-cdk-lib recommends for new projects at the installed version. */
export const recommendedFeatureFlags = (): Record<string, unknown> =>
  JSON.parse(readFileSync(`${root}node_modules/aws-cdk-lib/recommended-feature-flags.json`, 'utf8')) as Record<string, unknown>;
