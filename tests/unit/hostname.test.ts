/**
 * Short-domain hostnames (shared/domain/hostname.ts): what `POST /v1/domains` stores or refuses,
 * and the host a redirect request names. Also the options of `npm run dns`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDnsOptions } from '../../infra/local/dns-server.js';
import { MAX_HOSTNAME_LENGTH, challengeRecordName, normaliseHostname, requestHostname } from '../../shared/domain/hostname.js';

const accepted = (input: string, reserved: string[] = []) => {
  const checked = normaliseHostname(input, reserved);
  if (!checked.ok) throw new Error(`${JSON.stringify(input)} refused: ${checked.reason}`);
  return checked.hostname;
};
const reasonFor = (input: unknown, reserved: string[] = []) => {
  const checked = normaliseHostname(input, reserved);
  if (checked.ok) throw new Error(`${JSON.stringify(input)} accepted as ${checked.hostname}`);
  return checked.reason;
};

describe('normaliseHostname', () => {
  it('lower-cases, turns IDN into punycode and drops the trailing dot', () => {
    expect(accepted('Go.Acme.COM')).toBe('go.acme.com');
    expect(accepted('go.acme.com.')).toBe('go.acme.com');
    expect(accepted('links.Bücher.de')).toBe('links.xn--bcher-kva.de');
    expect(accepted('xn--bcher-kva.de')).toBe('xn--bcher-kva.de');
    // Full-width letters are the same letters (IDNA mapping).
    expect(accepted('ｇｏ.acme.com')).toBe('go.acme.com');
    expect(accepted('a-b.c0.io')).toBe('a-b.c0.io');
  });

  it('refuses IP literals in every spelling the URL standard reads as one', () => {
    for (const input of ['127.0.0.1', '10.0.0.1.', '::1', '[::1]', '[2001:db8::1]', '127.1', '0x7f.1', '１２７.0.0.1', '2130706433']) {
      expect(reasonFor(input), input).toMatch(/IP address|single label|not a valid domain/);
    }
    expect(reasonFor('192.168.1.1')).toMatch(/IP address/);
  });

  it('refuses localhost, single labels, wildcards, ports, paths, schemes, users and control characters', () => {
    expect(reasonFor('localhost')).toMatch(/single label/);
    expect(reasonFor('shop.localhost')).toMatch(/localhost/);
    expect(reasonFor('intranet')).toMatch(/single label/);
    expect(reasonFor('*.acme.com')).toMatch(/wildcard/);
    expect(reasonFor('go.acme.com:8443')).toMatch(/port/);
    expect(reasonFor('go.acme.com/x')).toMatch(/without scheme, path/);
    expect(reasonFor('https://go.acme.com')).toMatch(/without scheme/);
    expect(reasonFor('user@go.acme.com')).toMatch(/user/);
    expect(reasonFor('go.acme.com?x')).toMatch(/query/);
    for (const control of ['\u0000', '\t', '\r\n', '\u007f', '\u0085', ' ', '\u00a0']) {
      expect(reasonFor(`go${control}acme.com`)).toMatch(/control|whitespace/);
    }
    expect(reasonFor('')).toMatch(/required/);
    expect(reasonFor(42)).toMatch(/required/);
  });

  it('refuses names over 253 characters and malformed labels', () => {
    const label = 'a'.repeat(63);
    expect(accepted(`${label}.${label}.${label}.${'b'.repeat(57)}.com`)).toHaveLength(MAX_HOSTNAME_LENGTH);
    expect(reasonFor(`${label}.${label}.${label}.${'b'.repeat(58)}.com`)).toMatch(/longer than 253/);
    expect(reasonFor('x'.repeat(5000))).toMatch(/longer than 253/);
    expect(reasonFor(`${'a'.repeat(64)}.com`)).toMatch(/label/);
    expect(reasonFor('-go.acme.com')).toMatch(/label/);
    expect(reasonFor('go-.acme.com')).toMatch(/label/);
    expect(reasonFor('go..acme.com')).toMatch(/label|not a valid/);
    expect(reasonFor('go_1.acme.com')).toMatch(/label/);
    expect(reasonFor('go.acme.123')).toMatch(/not a valid/);
  });

  it("refuses the deployment's own domains, in any spelling", () => {
    expect(reasonFor('GO.advocacy.example.', ['go.advocacy.example'])).toMatch(/deployment's own/);
    expect(accepted('go2.advocacy.example', ['go.advocacy.example'])).toBe('go2.advocacy.example');
  });

  it('is idempotent: a stored hostname normalises to itself', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        const checked = normaliseHostname(domain);
        if (checked.ok) expect(normaliseHostname(checked.hostname)).toEqual(checked);
      }),
      { numRuns: 300 },
    );
  });

  it('names the challenge record under the hostname', () => {
    expect(challengeRecordName('go.acme.com')).toBe('_advocacy-challenge.go.acme.com');
  });
});

describe('requestHostname', () => {
  it('lower-cases and drops the port and the trailing dot', () => {
    expect(requestHostname('GO.Acme.com')).toBe('go.acme.com');
    expect(requestHostname('go.acme.com:443')).toBe('go.acme.com');
    expect(requestHostname('go.acme.com.')).toBe('go.acme.com');
    expect(requestHostname('go.acme.com.:8080')).toBe('go.acme.com');
    expect(requestHostname('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(requestHostname('[::1]:3000')).toBe('[::1]');
    expect(requestHostname('[::1]')).toBe('[::1]');
  });

  it('reads lists, paths, user info, bad ports, non-ASCII and control characters as no host', () => {
    for (const value of [
      undefined,
      '',
      'go.acme.com, evil.com',
      'go.acme.com/evil',
      'evil.com@go.acme.com',
      'go.acme.com:evil',
      'go.acme.com:',
      'go.acme.com:123456',
      'go.acme.com\r\nx: y',
      'go.acme.com\u0000',
      'bücher.de',
      'go..acme.com',
      '.go.acme.com',
      '[::1',
      '[::1]x',
      '[evil.com]',
      'x'.repeat(300),
    ]) {
      expect(requestHostname(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe('npm run dns options', () => {
  it('reads host, port and repeated TXT records', () => {
    expect(parseDnsOptions(['--port', '5301', '--txt', '_a.go.acme.test=one', '--txt', '_a.go.acme.test=two=2'])).toEqual({
      host: '127.0.0.1',
      port: 5301,
      txt: { '_a.go.acme.test': ['one', 'two=2'] },
    });
    expect(parseDnsOptions([])).toEqual({ host: '127.0.0.1', port: 5300, txt: {} });
  });

  it('refuses what it cannot read', () => {
    expect(() => parseDnsOptions(['--port', 'x'])).toThrow(/not a port/);
    expect(() => parseDnsOptions(['--txt', 'no-equals'])).toThrow(/<name>=<value>/);
    expect(() => parseDnsOptions(['--txt'])).toThrow(/needs a value/);
    expect(() => parseDnsOptions(['--verbose', 'yes'])).toThrow(/unknown option/);
  });
});
