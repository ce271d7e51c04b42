/**
 * Positive controls for the import rules of `npm run lint:deps` (.dependency-cruiser.cjs): a
 * planted import of each forbidden kind, in a scratch tree laid out like the repository, must be
 * reported under its rule, and allowed imports must not. Without this, a rule whose path pattern
 * stopped matching would pass CI silently.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** file → its source; each forbidden import is named by the rule expected to catch it. */
const planted: Record<string, string> = {
  'infra/stack.ts': 'export const stack = 1;\n',
  'functions/handler.ts': "import { stack } from '../infra/stack.js';\nexport const handler = stack;\n",
  'shared/settings.ts': "import { handler } from '../functions/handler.js';\nexport const settings = handler;\n",
  'shared/domain/pure.ts': 'export const pure = 1;\n',
  'shared/domain/leaky.ts': "import { stack } from '../../infra/stack.js';\nimport { use } from '../application/use.js';\nexport const leaky = [stack, use];\n",
  'shared/domain/cloudy.ts': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const cloudy = DynamoDBClient;\n",
  'shared/adapters/store.ts': "import { pure } from '../domain/pure.js';\nimport { use } from '../application/use.js';\nexport const store = [pure, use];\n",
  'shared/application/use.ts': "import { pure } from '../domain/pure.js';\nimport { route } from '../contract/route.js';\nexport const use = [pure, route];\n",
  'shared/contract/route.ts': "import { pure } from '../domain/pure.js';\nexport const route = pure;\n",
  'tests/reference/model.ts': "import { pure } from '../../shared/domain/pure.js';\nexport const model = pure;\n",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let scratch: string;
let violations: Violation[];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'import-rules-'));
  for (const [file, source] of Object.entries(planted)) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    writeFileSync(join(scratch, file), source);
  }
  writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } }));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ type: 'module', dependencies: { '@aws-sdk/client-dynamodb': '*' } }));
  symlinkSync(join(repository, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  let output: string;
  try {
    output = execFileSync(
      join(repository, 'node_modules', '.bin', 'depcruise'),
      ['--config', join(repository, '.dependency-cruiser.cjs'), '--output-type', 'json', 'shared', 'functions', 'infra', 'tests/reference'],
      { cwd: scratch, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    // depcruise exits non-zero when it finds violations; its JSON is still on stdout.
    output = (error as { stdout: string }).stdout;
  }
  violations = (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rulesCaught = (from: string, toPattern: RegExp): string[] =>
  violations.filter((v) => v.from === from && toPattern.test(v.to)).map((v) => v.rule.name).sort();

describe('import rules (npm run lint:deps)', () => {
  it('catches a handler importing the deployment', () => {
    expect(rulesCaught('functions/handler.ts', /^infra\//)).toEqual(['product-does-not-import-infra']);
  });

  it('catches shared/ importing a handler', () => {
    expect(rulesCaught('shared/settings.ts', /^functions\//)).toEqual(['shared-does-not-import-functions']);
  });

  it('catches the domain importing the deployment, a use case or AWS', () => {
    expect(rulesCaught('shared/domain/leaky.ts', /^infra\//)).toEqual(['domain-is-pure', 'product-does-not-import-infra']);
    expect(rulesCaught('shared/domain/leaky.ts', /^shared\/application\//)).toEqual(['domain-is-pure']);
    expect(rulesCaught('shared/domain/cloudy.ts', /@aws-sdk/)).toEqual(['domain-uses-no-aws']);
  });

  it('catches an adapter calling a use case, and a use case speaking HTTP', () => {
    expect(rulesCaught('shared/adapters/store.ts', /^shared\/application\//)).toEqual(['adapters-below-application']);
    expect(rulesCaught('shared/application/use.ts', /^shared\/contract\//)).toEqual(['application-speaks-no-http']);
  });

  it('catches the reference model importing the product', () => {
    expect(rulesCaught('tests/reference/model.ts', /^shared\//)).toEqual(['reference-model-is-independent']);
  });

  it('allows the imports that run the right way', () => {
    for (const from of ['shared/adapters/store.ts', 'shared/application/use.ts', 'shared/contract/route.ts']) {
      expect(rulesCaught(from, /^shared\/domain\//)).toEqual([]);
    }
    expect(violations.filter((v) => v.from === 'shared/contract/route.ts' || v.from === 'infra/stack.ts')).toEqual([]);
  });
});
