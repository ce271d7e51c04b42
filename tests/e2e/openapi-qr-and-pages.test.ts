/**
 * End to end over HTTP: GET /openapi.json, the QR codes of links (visibility like GET
 * /v1/links/{slug}), and the static pages with their security headers — served by the same
 * route definitions as on AWS, with literal routes winning over the `/{slug}` redirect.
 * As in every end-to-end file, each answer is also checked against the OpenAPI document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../shared/contract/openapi.js';
import { webAssets } from '../../shared/contract/web-assets.js';
import type { Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

const repositoryRoot = join(import.meta.dirname, '../..');

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let link: { slug: string; shortUrl: string };
let aliceToken: string;

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
  const campaign = await api('POST', '/v1/campaigns', {
    token: org.apiKey,
    body: { name: 'Posters', destinationUrl: 'https://www.acme.example/jobs' },
  });
  aliceToken = await system.advocateToken(org.orgId, 'alice');
  link = (await api('POST', '/v1/links', { token: aliceToken, body: { campaignId: campaign.body.campaignId, channel: 'qr' } })).body;
});

afterAll(async () => {
  await system?.stop();
});

describe('GET /openapi.json', () => {
  it('serves the generated document, public and revalidated by ETag', async () => {
    const response = await api('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(response.body.openapi).toMatch(/^3\.1\./);
    const etag = response.headers.get('etag')!;
    const again = await api('GET', '/openapi.json', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('GET /v1/links/{slug}/qr', () => {
  const decode = (png: Buffer) => {
    const image = PNG.sync.read(png);
    return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
  };

  it('draws the short URL as PNG (decodable) and SVG, for the advocate who owns the link', async () => {
    const png = await fetch(`${system.baseUrl}/v1/links/${link.slug}/qr?format=png`, { headers: { authorization: `Bearer ${aliceToken}` } });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toMatch(/^private/);
    expect(decode(Buffer.from(await png.arrayBuffer()))).toBe(link.shortUrl);

    const svg = await api('GET', `/v1/links/${link.slug}/qr`, { token: aliceToken });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.text).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.text).not.toMatch(/<script/i);
  });

  it('is visible to any key of the organization, not to other advocates or organizations', async () => {
    expect((await api('GET', `/v1/links/${link.slug}/qr?format=svg`, { token: org.apiKey })).status).toBe(200);
    const bob = await system.advocateToken(org.orgId, 'bob');
    expect((await api('GET', `/v1/links/${link.slug}/qr`, { token: bob })).status).toBe(404);
    const other = await system.createOrganization('Globex');
    expect((await api('GET', `/v1/links/${link.slug}/qr`, { token: other.apiKey })).status).toBe(404);
    expect((await api('GET', '/v1/links/zzzzzzzz/qr', { token: org.apiKey })).status).toBe(404);
    expect((await api('GET', `/v1/links/${link.slug}/qr`)).status).toBe(401);
  });

  it('refuses an unknown format with a validation problem', async () => {
    const response = await api('GET', `/v1/links/${link.slug}/qr?format=gif`, { token: aliceToken });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'format' })]);
  });
});

describe('static pages', () => {
  it.each(['/dashboard', '/me', '/docs'])('%s: HTML with a strict Content-Security-Policy, not the redirect', async (path) => {
    const response = await api('GET', path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<!doctype html>');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    // Everything the page loads comes from this origin.
    expect(response.text).not.toMatch(/(src|href)="https?:/);
    const again = await api('GET', path, { headers: { 'if-none-match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves every asset, uPlot straight from node_modules', async () => {
    for (const [path, asset] of Object.entries(webAssets)) {
      const response = await fetch(`${system.baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(asset.contentType);
      expect(await response.text(), path).toBe(readFileSync(join(repositoryRoot, asset.file), 'utf8'));
    }
    expect(webAssets['/assets/uplot.iife.min.js']!.file).toBe('node_modules/uplot/dist/uPlot.iife.min.js');
  });

  it('answers 404 problem+json for files it does not serve, including traversal attempts', async () => {
    for (const path of ['/assets/nope.js', '/assets/..%2Fpackage.json', '/assets/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd']) {
      const response = await api('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});
