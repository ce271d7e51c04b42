/**
 * cdk-nag AwsSolutions and Serverless checks on the stack: zero unsuppressed errors and zero
 * warnings in either pack. Every suppression (acknowledgement) lives in infra/ next to the
 * resource it concerns, with a reason; this file only checks.
 *
 * Each pack writes a JSON report of every rule it evaluated; the report must exist, be non-empty
 * and agree with the annotations, and the same run on a canary stack with a known violation must
 * report it, so a run that checked nothing cannot pass.
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
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagReportFormat, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/definitions.js';
import { AdvocacyStack } from '../../infra/stack.js';
import { cdkJsonContext } from '../support/cdk-context.js';

type Finding = ReturnType<Annotations['findError']>[number];

/** One line of a cdk-nag JSON report: a rule evaluated on a resource. */
interface ReportLine {
  ruleId: string;
  resourceId: string;
  compliance: string;
  exceptionReason: string;
}

const packs = ['AwsSolutions', 'Serverless'] as const;
type Pack = (typeof packs)[number];

interface NagRun {
  errors: Record<Pack, Finding[]>;
  warnings: Record<Pack, Finding[]>;
  /** The report each pack wrote while checking; a missing or unreadable report throws. */
  reports: Record<Pack, ReportLine[]>;
}

/**
 * Both packs on a stack, with their JSON reports: the same run for the real stack and for the
 * canary stack below, so a run that checks nothing (no aspects, no report) cannot pass.
 */
const runNag = (app: App, stack: Stack): NagRun => {
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true, reportFormats: [NagReportFormat.JSON] }));
  Aspects.of(stack).add(new ServerlessChecks({ verbose: true, reportFormats: [NagReportFormat.JSON] }));
  const annotations = Annotations.fromStack(stack); // synthesizes, running the checks
  const find = (kind: 'findError' | 'findWarning', pack: Pack) => annotations[kind]('*', Match.stringLikeRegexp(`${pack}-.*`));
  const report = (pack: Pack): ReportLine[] =>
    JSON.parse(fs.readFileSync(path.join(app.outdir, `${pack}-${stack.stackName}-NagReport.json`), 'utf8')).lines;
  return {
    errors: { AwsSolutions: find('findError', 'AwsSolutions'), Serverless: find('findError', 'Serverless') },
    warnings: { AwsSolutions: find('findWarning', 'AwsSolutions'), Serverless: find('findWarning', 'Serverless') },
    reports: { AwsSolutions: report('AwsSolutions'), Serverless: report('Serverless') },
  };
};

let stack: Stack;
let nag: NagRun;
let errors: Finding[];
let warnings: Finding[];
let serverlessErrors: Finding[];
let serverlessWarnings: Finding[];

const describeFindings = (findings: Finding[]): string[] => findings.map((f) => `${f.id}: ${String(f.entry.data)}`);

const outdirs: string[] = [];
const newApp = (context: Record<string, unknown> = cdkJsonContext()) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'advocacy-nag-'));
  outdirs.push(outdir);
  return new App({ outdir, builtinCloudFormationValidation: false, context });
};

/** Rule ids acknowledged on the template's resources. */
const acknowledgedRules = (template: Stack): Set<string> => {
  const json = Template.fromStack(template).toJSON() as {
    Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string }> } } }>;
  };
  return new Set(Object.values(json.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress.map((rule) => rule.id) ?? []));
};

beforeAll(() => {
  const app = newApp();
  stack = new AdvocacyStack(app, 'AdvocacyStack', { skipBundling: true });
  nag = runNag(app, stack);
  errors = nag.errors.AwsSolutions;
  warnings = nag.warnings.AwsSolutions;
  serverlessErrors = nag.errors.Serverless;
  serverlessWarnings = nag.warnings.Serverless;
});

afterAll(() => {
  for (const outdir of outdirs) fs.rmSync(outdir, { recursive: true, force: true });
});

describe('the checks ran (a missing or empty report fails)', () => {
  it.each(packs)('%s wrote a report with a line per rule and resource it evaluated', (pack) => {
    const lines = nag.reports[pack];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.compliance === 'Compliant').length).toBeGreaterThan(0);
    // Every evaluated rule held or is acknowledged: the report agrees with the annotations.
    expect(lines.filter((l) => !['Compliant', 'Suppressed'].includes(l.compliance)).map((l) => `${l.ruleId} ${l.resourceId}: ${l.compliance}`)).toEqual([]);
  });

  it('the acknowledged findings of the report are exactly the acknowledgements on the resources', () => {
    const suppressed = new Set(packs.flatMap((pack) => nag.reports[pack].filter((l) => l.compliance === 'Suppressed').map((l) => l.ruleId)));
    expect([...suppressed].sort()).toEqual([...acknowledgedRules(stack)].sort());
  });

  it('canary: the same run on a stack with a known violation reports it (annotations and report)', () => {
    // With cdk.json's annotationsInValidationReport the violation fails synthesis (next test);
    // without it the run completes, so its annotations and reports can be read.
    const app = newApp({ ...cdkJsonContext(), '@aws-cdk/core:annotationsInValidationReport': false });
    const canary = new Stack(app, 'NagCanary');
    // A bare queue: no TLS-only policy (AwsSolutions-SQS4), no redrive policy (Serverless-SQSRedrivePolicy).
    new Queue(canary, 'BareQueue');
    const run = runNag(app, canary);
    expect(describeFindings(run.errors.AwsSolutions).join('\n')).toContain('AwsSolutions-SQS4');
    expect(describeFindings(run.errors.Serverless).join('\n')).toContain('Serverless-SQSRedrivePolicy');
    const nonCompliant = (pack: Pack) => run.reports[pack].filter((l) => l.compliance === 'Non-Compliant').map((l) => l.ruleId);
    expect(nonCompliant('AwsSolutions')).toContain('AwsSolutions-SQS4');
    expect(nonCompliant('Serverless')).toContain('Serverless-SQSRedrivePolicy');
  });
});

describe('cdk.json feature flags', () => {
  it('an unacknowledged finding fails synthesis (annotationsInValidationReport)', () => {
    const app = newApp();
    const canary = new Stack(app, 'NagCanaryStrict');
    new Queue(canary, 'BareQueue');
    expect(() => runNag(app, canary)).toThrow(/AwsSolutions-SQS4/);
  });
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
    // Point-in-time recovery is acknowledged as off exactly on the tables defined without it.
    const withoutPitr = Object.values(json.Resources).filter((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).some((rule) => rule.id === 'AwsSolutions-DDB3'));
    expect(withoutPitr.map((r) => (r as { Properties?: { PointInTimeRecoverySpecification?: unknown } }).Properties?.PointInTimeRecoverySpecification)).toEqual(
      Object.values(tables).filter((t) => !t.pointInTimeRecovery).map(() => ({ PointInTimeRecoveryEnabled: false })),
    );
    // The only kinds of finding we accept, each for a stated reason in infra/.
    expect([...new Set(rules.map((r) => r.id))].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        // The CDN: no country restriction, WAF, CloudFront access logs by design; the viewer certificate set by override.
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR3',
        'AwsSolutions-CFR4',
        // Point-in-time recovery off on the raw-events table only (its history is archived to S3).
        'AwsSolutions-DDB3',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaLatestVersion',
        // The alarm e-mail subscription.
        'Serverless-SNSRedrivePolicy',
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

  it('the checks the pack cares most about were evaluated and hold without acknowledgement', () => {
    const acknowledged = acknowledgedRules(stack);
    const compliant = new Set(nag.reports.Serverless.filter((l) => l.compliance === 'Compliant').map((l) => l.ruleId));
    // Throttling, access logs, tracing, memory/timeouts, log retention, ESM failure destination:
    // met by the stack itself, never acknowledged away — and each evaluated on some resource, so
    // "not acknowledged" is not merely "never checked".
    for (const rule of [
      'Serverless-APIGWDefaultThrottling',
      'Serverless-APIGWAccessLogging',
      'Serverless-APIGWStructuredLogging',
      'Serverless-LambdaTracing',
      'Serverless-LambdaDefaultMemorySize',
      'Serverless-LambdaDefaultTimeout',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-CloudWatchLogGroupRetentionPeriod',
      'Serverless-LambdaStarPermissions',
    ]) {
      expect(acknowledged.has(rule), rule).toBe(false);
      expect(compliant.has(rule), `${rule} evaluated and compliant`).toBe(true);
    }
    // Applies only to an asynchronous invoke configuration (AWS::Lambda::EventInvokeConfig); no
    // function here is invoked asynchronously (API Gateway and the stream mapping invoke
    // synchronously), so the rule has nothing to evaluate — and must never be acknowledged.
    expect(acknowledged.has('Serverless-LambdaAsyncFailureDestination')).toBe(false);
    expect(nag.reports.Serverless.filter((l) => l.ruleId === 'Serverless-LambdaAsyncFailureDestination')).toEqual([]);
  });
});
