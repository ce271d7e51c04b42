/**
 * How every function is bundled: the NodejsFunction bundling props of api-function.ts, in one
 * plain object (no CDK import) so the benchmark (bench/scenarios/cold-start.ts) runs esbuild with
 * exactly the options `cdk synth` uses.
 */

/**
 * ESM bundles have no `require`; some dependencies still call it (dynamic requires of Node
 * built-ins inside CommonJS packages), so define one from `import.meta.url`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const lambdaBundling = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  // Stack traces map to file:line through the map; the sources themselves need not ship.
  sourcesContent: false,
  // The AWS SDK v3 comes with the Lambda Node.js runtime: bundled, the DynamoDB client alone is
  // ~340 KB minified (the redirect's budget is 150 KB, every function's 400 KB). The runtime's
  // copy is loaded from /var/runtime; bench scenario 2 measures size and start-up both ways.
  bundleAwsSDK: false,
  // DuckDB is the local export engine (a native binary); on AWS the engine is Athena and the
  // module is never loaded (shared/adapters/duckdb-export-engine.ts imports it on first use).
  externalModules: ['@aws-sdk/*', '@duckdb/*'] as string[],
} as const;
