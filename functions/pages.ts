/**
 * GET /dashboard, /me, /docs, /assets/{file} and /t.js: the static web pages and the landing-page
 * snippet (shared/contract/web-assets.ts).
 * The pages hold no data and no secret: they call the API from the browser with the credential
 * the user pastes, so they are public. Files are read once per container and revalidated by ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { problem, type HttpResult } from '../shared/contract/http.js';
import { webAssets, type WebAsset } from '../shared/contract/web-assets.js';

/**
 * Scripts and styles only from this origin, API calls only to it, no framing, no inline code.
 * `blob:`/`data:` images: QR codes fetched with the user's token are shown as object URLs.
 */
const PAGE_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface LoadedAsset {
  asset: WebAsset;
  body: Buffer;
  etag: string;
}

/** On Lambda the files sit next to the bundle (LAMBDA_TASK_ROOT); locally, in the repository. */
const assetRoot = (): string => process.env.LAMBDA_TASK_ROOT ?? fileURLToPath(new URL('..', import.meta.url));

let loaded: Map<string, LoadedAsset> | undefined;

const load = (): Map<string, LoadedAsset> => {
  if (loaded) return loaded;
  const root = assetRoot();
  loaded = new Map(
    Object.entries(webAssets).map(([path, asset]) => {
      const body = readFileSync(join(root, asset.file));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      return [path, { asset, body, etag }];
    }),
  );
  return loaded;
};

const requestPath = (event: APIGatewayProxyEventV2): string =>
  event.routeKey === 'GET /assets/{file}' ? `/assets/${event.pathParameters?.file ?? ''}` : event.routeKey.slice('GET '.length);

export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const found = load().get(requestPath(event));
  if (!found) return problem(404, 'No such file');
  const headers: Record<string, string> = {
    etag: found.etag,
    // Names are not fingerprinted: browsers revalidate every time and get a 304 when unchanged.
    // The snippet is loaded on every landing-page view of other sites: an hour's cache spares
    // each view a request; a change reaches visitors within that hour.
    'cache-control': found.asset.embeddedMaxAgeSeconds ? `public, max-age=${found.asset.embeddedMaxAgeSeconds}` : 'no-cache',
    ...(found.asset.embeddedMaxAgeSeconds ? { 'cross-origin-resource-policy': 'cross-origin' } : {}),
    'x-content-type-options': 'nosniff',
    ...(found.asset.page
      ? { 'content-security-policy': PAGE_SECURITY_POLICY, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' }
      : {}),
  };
  if (event.headers?.['if-none-match'] === found.etag) return { statusCode: 304, headers };
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': found.asset.contentType },
    body: found.body.toString('utf8'),
  };
};
