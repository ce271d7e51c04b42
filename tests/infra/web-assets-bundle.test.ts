/**
 * The web pages on AWS: the `pages` function's asset carries every file of shared/contract/web-assets.ts
 * (uPlot included, copied from node_modules at bundling time), and the bundled handler serves
 * them from LAMBDA_TASK_ROOT exactly as the local runtime serves them from the repository.
 * Bundles only this one function (real esbuild, no Docker, no network).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFunction } from '../../infra/constructs/api-function.js';
import { functions } from '../../infra/definitions.js';
import { webAssetFiles, webAssets } from '../../shared/contract/web-assets.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let outdir: string;
let assetDir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'advocacy-pages-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'PagesOnly');
  const pages = new ApiFunction(stack, 'Pages', { definition: functions.pages, projectRoot: ROOT, serviceName: 'pages', tables: [] });
  const template = Template.fromStack(stack);
  const fn = template.toJSON().Resources[stack.getLogicalId(pages.fn.node.defaultChild as never)];
  assetDir = path.join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
}, 120_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

describe('pages function asset', () => {
  it('holds the bundle and every served file under its repository path', () => {
    expect(functions.pages.files).toEqual(webAssetFiles);
    expect(fs.existsSync(path.join(assetDir, 'index.mjs'))).toBe(true);
    for (const file of webAssetFiles) {
      expect(fs.readFileSync(path.join(assetDir, file)).equals(fs.readFileSync(path.join(ROOT, file))), file).toBe(true);
    }
    // Nothing else from the repository rides along.
    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'node_modules', 'web']);
    expect(fs.readdirSync(path.join(assetDir, 'node_modules'))).toEqual(['uplot']);
  });

  it('serves the pages from LAMBDA_TASK_ROOT when bundled', () => {
    const script = `
      const { handler } = await import(${JSON.stringify(path.join(assetDir, 'index.mjs'))});
      const out = {};
      for (const [routeKey, file] of [['GET /dashboard'], ['GET /assets/{file}', 'uplot.iife.min.js'], ['GET /assets/{file}', 'missing.js']]) {
        const answer = await handler({ routeKey, rawPath: '/', headers: {}, pathParameters: file ? { file } : undefined, requestContext: {} }, {});
        out[routeKey + (file ?? '')] = { status: answer.statusCode, type: answer.headers['content-type'], length: (answer.body ?? '').length };
      }
      console.log(JSON.stringify(out));`;
    // Run from elsewhere, as on Lambda: only the asset directory is there.
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, LAMBDA_TASK_ROOT: assetDir },
      cwd: os.tmpdir(),
      encoding: 'utf8',
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result['GET /dashboard']).toEqual({
      status: 200,
      type: webAssets['/dashboard']!.contentType,
      length: fs.readFileSync(path.join(ROOT, 'web/dashboard.html'), 'utf8').length,
    });
    expect(result['GET /assets/{file}uplot.iife.min.js']).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(result['GET /assets/{file}uplot.iife.min.js'].length).toBe(fs.readFileSync(path.join(ROOT, 'node_modules/uplot/dist/uPlot.iife.min.js'), 'utf8').length);
    expect(result['GET /assets/{file}missing.js'].status).toBe(404);
  });
});
