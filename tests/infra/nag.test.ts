/**
 * cdk-nag AwsSolutions and Serverless checks on the stack: zero unsuppressed errors and zero
 * warnings in either pack. Every suppression (acknowledgement) lives in infra/ next to the
 * resource it concerns, with a reason; this file only checks.
 *
 * Stub code instead of bundling: no nag rule reads a function's code, and the bundled variant of
 * the same template is covered by tests/infra/stack.test.ts. Built-in CloudFormation schema
 * validation is likewise left to that file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvocacyStack } from '../../infra/stack.js';

type Finding = ReturnType<Annotations['findError']>[number];

let stack: Stack;
let errors: Finding[];
let warnings: Finding[];
let serverlessErrors: Finding[];
let serverlessWarnings: Finding[];

const describeFindings = (findings: Finding[]): string[] => findings.map((f) => `${f.id}: ${String(f.entry.data)}`);

let outdir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'advocacy-nag-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  stack = new AdvocacyStack(app, 'AdvocacyStack', { skipBundling: true });
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  Aspects.of(stack).add(new ServerlessChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack); // synthesizes, running the checks
  errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  warnings = annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  serverlessErrors = annotations.findError('*', Match.stringLikeRegexp('Serverless-.*'));
  serverlessWarnings = annotations.findWarning('*', Match.stringLikeRegexp('Serverless-.*'));
});

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unsuppressed errors', () => {
    expect(describeFindings(errors)).toEqual([]);
  });

  it('has no unsuppressed warnings', () => {
    expect(describeFindings(warnings)).toEqual([]);
  });

  it('suppressions are resource-level, with real reasons, and wildcards only via appliesTo', () => {
    type Rule = { id: string; reason: string; applies_to?: unknown[] };
    const json = Template.fromStack(stack).toJSON() as {
      Metadata?: { cdk_nag?: unknown };
      Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Rule[] } } }>;
    };
    // No blanket stack-wide suppressions.
    expect(json.Metadata?.cdk_nag).toBeUndefined();

    const rules = Object.values(json.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.reason.length, `${rule.id} reason`).toBeGreaterThanOrEqual(40);
      if (rule.id === 'AwsSolutions-IAM5') expect(rule.applies_to, 'IAM5 needs appliesTo').toBeDefined();
    }
    // The only kinds of finding we accept, each for a stated reason in infra/.
    expect([...new Set(rules.map((r) => r.id))].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaLatestVersion',
        'Serverless-SQSRedrivePolicy',
      ].sort(),
    );
  });
});

describe('cdk-nag Serverless', () => {
  it('has no unsuppressed errors', () => {
    expect(describeFindings(serverlessErrors)).toEqual([]);
  });

  it('has no unsuppressed warnings', () => {
    expect(describeFindings(serverlessWarnings)).toEqual([]);
  });

  it('the checks the pack cares most about hold without acknowledgement', () => {
    const json = Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string }> } } }>;
    };
    const acknowledged = new Set(
      Object.values(json.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress.map((rule) => rule.id) ?? []),
    );
    // Throttling, access logs, tracing, memory/timeouts, log retention, ESM failure destination:
    // met by the stack itself, never acknowledged away.
    for (const rule of [
      'Serverless-APIGWDefaultThrottling',
      'Serverless-APIGWAccessLogging',
      'Serverless-APIGWStructuredLogging',
      'Serverless-LambdaTracing',
      'Serverless-LambdaDefaultMemorySize',
      'Serverless-LambdaDefaultTimeout',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-CloudWatchLogGroupRetentionPeriod',
      'Serverless-LambdaAsyncFailureDestination',
      'Serverless-LambdaStarPermissions',
    ]) {
      expect(acknowledged.has(rule), rule).toBe(false);
    }
  });
});
