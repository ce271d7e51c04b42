/**
 * Bundles a handler the way `cdk synth` does (infra/constructs/api-function.ts → NodejsFunction →
 * esbuild), from the same option object, without a full synth: only the esbuild step matters for
 * size and start-up. Bundles go below node_modules/.cache so that modules left external resolve
 * from the repository's node_modules, as they resolve from the runtime's on Lambda.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { lambdaBundling } from '../../infra/constructs/bundling-options.js';
import { repositoryRoot } from './processes.js';

/**
 * BENCH_SDK_BUNDLED=1 bundles the AWS SDK into every function (deployed: left out, the runtime's
 * copy is loaded): the SDK-bundling lever of docs/scaling.md. Its bundles go to their own
 * directory, so both variants can be measured side by side.
 */
const sdkBundled = process.env.BENCH_SDK_BUNDLED === '1';

export const bundleDirectory = join(repositoryRoot, 'node_modules', '.cache', 'advocacy-bench', sdkBundled ? 'bundles-sdk-bundled' : 'bundles');

export interface BuiltBundle {
  file: string;
  bytes: number;
  /** Bytes in the bundle per top-level package (`(app)` for our own code). */
  byPackage: Record<string, number>;
}

/** NodejsFunction: explicit externalModules win; else the SDK is external unless bundleAwsSDK. */
export const externalModules = (): string[] =>
  sdkBundled
    ? []
    : lambdaBundling.externalModules ? [...lambdaBundling.externalModules] : lambdaBundling.bundleAwsSDK ? [] : ['@aws-sdk/*'];

export const buildBundle = async (name: string, entry: string): Promise<BuiltBundle> => {
  const outdir = join(bundleDirectory, name);
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'index.mjs');
  const result = await build({
    entryPoints: [join(repositoryRoot, entry)],
    bundle: true,
    platform: 'node',
    format: lambdaBundling.format,
    target: lambdaBundling.target,
    mainFields: [...lambdaBundling.mainFields],
    banner: { js: lambdaBundling.banner },
    minify: lambdaBundling.minify,
    sourcemap: lambdaBundling.sourceMap,
    sourcesContent: lambdaBundling.sourcesContent,
    external: externalModules(),
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1] : '(app)';
      byPackage[key] = (byPackage[key] ?? 0) + bytesInOutput;
    }
  }
  return { file: outfile, bytes: statSync(outfile).size, byPackage };
};
