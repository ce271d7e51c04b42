/**
 * The CloudFront viewer-request function (infra/constructs/edge-distribution.ts), run on
 * CloudFront's event shape: the origin learns the Host the viewer asked for in x-forwarded-host,
 * and a viewer cannot choose that header's value through the CDN.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { forwardedHostFunctionCode } from '../../infra/constructs/edge-distribution.js';
import { edge } from '../../infra/definitions.js';

type Headers = Record<string, { value: string }>;

const run = (headers: Headers): Headers => {
  const event = { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '198.51.100.7' }, request: { method: 'GET', uri: '/abc123', querystring: {}, headers, cookies: {} } };
  // The function is a bare `function handler(event) {…}`, as CloudFront runs it.
  return runInNewContext(`${forwardedHostFunctionCode(edge.forwardedHostHeader)}\nhandler(event);`, { event }).headers;
};

describe('forwarded-host viewer-request function', () => {
  it('copies the viewer Host into x-forwarded-host and leaves the other headers alone', () => {
    const headers = run({ host: { value: 'go.acme.com' }, 'user-agent': { value: 'Mozilla/5.0' } });
    expect(headers['x-forwarded-host']).toEqual({ value: 'go.acme.com' });
    expect(headers.host).toEqual({ value: 'go.acme.com' });
    expect(headers['user-agent']).toEqual({ value: 'Mozilla/5.0' });
  });

  it('overwrites an x-forwarded-host the viewer sent: a client cannot pose as another domain through the CDN', () => {
    const headers = run({ host: { value: 'go.acme.com' }, 'x-forwarded-host': { value: 'links.victim.example' } });
    expect(headers['x-forwarded-host']).toEqual({ value: 'go.acme.com' });
  });

  it('without a Host, drops a viewer-sent x-forwarded-host rather than pass it on', () => {
    const headers = run({ 'x-forwarded-host': { value: 'links.victim.example' } });
    expect(headers['x-forwarded-host']).toBeUndefined();
  });
});
