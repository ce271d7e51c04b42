/**
 * The typed client cannot drift from the API: its types, regenerated from the OpenAPI document
 * the API serves, must equal the committed sdk/src/api.d.ts (`npm run sdk:generate` rewrites it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSdkTypes, sdkTypesFile } from '../../scripts/generate-sdk.js';

const repository = join(import.meta.dirname, '..', '..');

describe('sdk/src/api.d.ts', () => {
  it('is what openapi-typescript makes of the current OpenAPI document (else run npm run sdk:generate)', async () => {
    const committed = readFileSync(sdkTypesFile, 'utf8');
    const regenerated = await generateSdkTypes();
    expect(committed === regenerated, 'sdk/src/api.d.ts is stale: run npm run sdk:generate and commit it').toBe(true);
    // Every route of the document has its path in the client's types.
    expect(regenerated).toMatch(/"\/v1\/campaigns\/\{campaignId\}\/attribution": \{/);
    expect(regenerated).toMatch(/"\/v1\/webhooks\/conversions\/\{sourceId\}": \{/);
  });

  it('compiles as a package of its own (sdk/tsconfig.json, Node ESM resolution)', () => {
    // Throws with tsc's diagnostics if the package's own build would fail.
    execFileSync(join(repository, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', join(repository, 'sdk', 'tsconfig.json')], { encoding: 'utf8' });
  }, 60_000);
});
