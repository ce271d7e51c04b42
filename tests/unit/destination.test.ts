import { describe, expect, it } from 'vitest';
import {
  isHostAllowed,
  MAX_DESTINATION_LENGTH,
  normaliseAllowedHostEntry,
  normaliseHost,
  parseDestination,
} from '../../shared/domain/destination.js';

const accepted = (input: string) => {
  const result = parseDestination(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got: ${result.reason}`);
  return result;
};

/** Validation as a link issuer applies it: a parseable destination on an allowed host. */
const mayRedirect = (input: string, allowedHosts: string[]): boolean => {
  const result = parseDestination(input);
  return result.ok && isHostAllowed(result.host, allowedHosts);
};

describe('parseDestination', () => {
  it('accepts absolute http and https URLs and normalises them', () => {
    expect(accepted('https://shop.example.com/spring?x=1#top')).toEqual({
      ok: true,
      url: 'https://shop.example.com/spring?x=1#top',
      host: 'shop.example.com',
    });
    expect(accepted('http://example.com')).toEqual({ ok: true, url: 'http://example.com/', host: 'example.com' });
    expect(accepted('HTTPS://Shop.EXAMPLE.com/Path')).toEqual({ ok: true, url: 'https://shop.example.com/Path', host: 'shop.example.com' });
  });

  it('punycodes IDN hosts', () => {
    expect(accepted('https://exämple.com/über').host).toBe('xn--exmple-cua.com');
    expect(accepted('https://exämple.com/').url).toBe('https://xn--exmple-cua.com/');
    expect(accepted('https://xn--exmple-cua.com/').host).toBe('xn--exmple-cua.com');
  });

  it('drops the trailing dot from the host it reports, and ignores ports there', () => {
    expect(accepted('https://example.com./a').host).toBe('example.com');
    expect(accepted('https://example.com:8443/a')).toEqual({ ok: true, url: 'https://example.com:8443/a', host: 'example.com' });
    expect(accepted('https://example.com:443/a').url).toBe('https://example.com/a');
  });

  it.each([
    ['protocol-relative', '//evil.example/'],
    ['credentials', 'https://allowed@evil.example/'],
    ['user and password', 'https://allowed.com:pass@evil.example/'],
    ['empty credentials', 'https://@evil.example/'],
    ['javascript', 'javascript:alert(1)'],
    ['mixed-case javascript', 'JaVaScRiPt:alert(document.domain)'],
    ['javascript with // comment', 'javascript://allowed.com/%0aalert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript', 'vbscript:msgbox(1)'],
    ['ftp', 'ftp://example.com/file'],
    ['file', 'file:///etc/passwd'],
    ['no slashes', 'https:evil.example'],
    ['one slash', 'https:/evil.example'],
    ['three slashes', 'https:///evil.example'],
    ['backslashes', 'https:\\\\evil.example'],
    ['backslash in authority', 'https://allowed.com\\@evil.example/'],
    ['backslash in path', 'https://allowed.com/\\evil.example'],
    ['CR LF injection', 'https://allowed.com/\r\nLocation: https://evil.example'],
    ['LF inside scheme', 'java\nscript:alert(1)'],
    ['tab inside host', 'https://allo\twed.com.evil.example/'],
    ['leading space', ' https://allowed.com/'],
    ['inner space', 'https://allowed.com/a b'],
    ['non-breaking space', 'https://allowed.com/\u00a0'],
    ['NUL', 'https://allowed.com/\u0000'],
    ['relative path', '/path/only'],
    ['bare host', 'allowed.com'],
    ['no host', 'https://'],
    ['NUL escape in host', 'https://evil.example%00.allowed.com/'],
    ['wildcard host', 'https://*.example.com/'],
    ['empty', ''],
  ])('refuses %s: %j', (_label, input) => {
    const result = parseDestination(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });

  it('refuses non-strings', () => {
    expect(parseDestination(undefined).ok).toBe(false);
    expect(parseDestination(42).ok).toBe(false);
  });

  it(`refuses URLs longer than ${MAX_DESTINATION_LENGTH} characters`, () => {
    const prefix = 'https://example.com/';
    expect(parseDestination(prefix + 'a'.repeat(MAX_DESTINATION_LENGTH - prefix.length)).ok).toBe(true);
    expect(parseDestination(prefix + 'a'.repeat(MAX_DESTINATION_LENGTH - prefix.length + 1)).ok).toBe(false);
    // Percent-encoding by the parser can lengthen an accepted-looking input past the limit.
    expect(parseDestination(prefix + 'é'.repeat(1000)).ok).toBe(false);
  });
});

describe('isHostAllowed', () => {
  const allowed = ['allowed.com'];

  it('matches the exact host after normalisation', () => {
    expect(isHostAllowed('allowed.com', allowed)).toBe(true);
    expect(isHostAllowed('ALLOWED.Com', allowed)).toBe(true);
    expect(isHostAllowed('allowed.com.', allowed)).toBe(true);
    expect(isHostAllowed('allowed.com', ['Allowed.COM.'])).toBe(true);
  });

  it('refuses look-alike and containing hosts', () => {
    expect(isHostAllowed('allowed.com.evil.example', allowed)).toBe(false);
    expect(isHostAllowed('allowed.evil.example', ['allowed'])).toBe(false);
    expect(isHostAllowed('evilallowed.com', allowed)).toBe(false);
    expect(isHostAllowed('sub.allowed.com', allowed)).toBe(false);
    expect(isHostAllowed('allowed.co', allowed)).toBe(false);
    expect(isHostAllowed('', allowed)).toBe(false);
    expect(isHostAllowed('allowed.com', [])).toBe(false);
  });

  it('compares IDN hosts in punycode, whichever form either side uses', () => {
    expect(isHostAllowed('exämple.com', ['xn--exmple-cua.com'])).toBe(true);
    expect(isHostAllowed('xn--exmple-cua.com', ['exämple.com'])).toBe(true);
    expect(isHostAllowed('EXÄMPLE.com', ['exämple.com'])).toBe(true);
    expect(isHostAllowed('example.com', ['exämple.com'])).toBe(false);
    // Cyrillic "а" homograph of example.com.
    expect(isHostAllowed('exаmple.com', ['example.com'])).toBe(false);
  });

  it('lets *.example.com match subdomains only', () => {
    const wildcard = ['*.example.com'];
    expect(isHostAllowed('shop.example.com', wildcard)).toBe(true);
    expect(isHostAllowed('a.b.example.com', wildcard)).toBe(true);
    expect(isHostAllowed('example.com', wildcard)).toBe(false);
    expect(isHostAllowed('evilexample.com', wildcard)).toBe(false);
    expect(isHostAllowed('example.com.evil.example', wildcard)).toBe(false);
    expect(isHostAllowed('shop.example.com', ['*.EXAMPLE.com.'])).toBe(true);
  });

  it('ignores unusable entries instead of matching everything', () => {
    expect(isHostAllowed('evil.example', ['*', '*.', '*.com', '', 'evil.example/path', 'a@evil.example'])).toBe(false);
  });

  it('refuses every open-redirect attempt end to end', () => {
    const hosts = ['allowed.com'];
    expect(mayRedirect('https://allowed.com/landing', hosts)).toBe(true);
    expect(mayRedirect('https://ALLOWED.com:8443/landing', hosts)).toBe(true);
    expect(mayRedirect('https://allowed.com./landing', hosts)).toBe(true);
    for (const attempt of [
      '//evil.example',
      'https://allowed.com@evil.example',
      'https://allowed.com:443@evil.example/',
      'http://allowed.com.evil.example/',
      'https://allowed.comevil.example/',
      'https://evil.example/allowed.com',
      'https://evil.example/?next=https://allowed.com',
      'https://evil.example#allowed.com',
      'https:\\\\evil.example',
      'https://allowed.com%2eevil.example/',
      'javascript:alert(1)//allowed.com',
      'data:text/html,allowed.com',
      'https://evil.example\r\n.allowed.com',
    ]) {
      expect(mayRedirect(attempt, hosts), attempt).toBe(false);
    }
    expect(mayRedirect('https://allowed.evil.example/', ['allowed'])).toBe(false);
  });
});

describe('normaliseHost', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['  example.com  ', 'example.com'],
    ['exämple.com', 'xn--exmple-cua.com'],
    ['XN--EXMPLE-CUA.COM', 'xn--exmple-cua.com'],
    ['127.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['[::1]', '[::1]'],
  ])('%j → %j', (host, expected) => {
    expect(normaliseHost(host)).toBe(expected);
  });

  it.each(['', '.', 'a..b', 'example.com..', 'example.com:80', 'a/b', 'user@host', 'a b', 'a\\b', '*.example.com', 'a%00b'])(
    'refuses %j',
    (host) => {
      expect(normaliseHost(host)).toBe('');
    },
  );

  it('normalises allowed-host entries, keeping explicit wildcards', () => {
    expect(normaliseAllowedHostEntry('*.Exämple.com')).toBe('*.xn--exmple-cua.com');
    expect(normaliseAllowedHostEntry('Shop.Example.com.')).toBe('shop.example.com');
    expect(normaliseAllowedHostEntry('*.com')).toBeNull();
    expect(normaliseAllowedHostEntry('*')).toBeNull();
    expect(normaliseAllowedHostEntry('https://example.com')).toBeNull();
  });
});

describe('destination edges found by mutation testing', () => {
  it('names why it refuses an empty or over-long destination', () => {
    expect(parseDestination('')).toEqual({ ok: false, reason: 'destination URL is required' });
    // 2060 characters that the URL parser would shorten to "https://example.com/": refused as written.
    const dotSegments = `https://example.com/${'./'.repeat(1020)}`;
    expect(dotSegments.length).toBeGreaterThan(MAX_DESTINATION_LENGTH);
    expect(parseDestination(dotSegments)).toEqual({ ok: false, reason: 'destination URL is longer than 2048 characters' });
  });

  it('refuses a destination that punycode makes longer than the limit', () => {
    const label = 'ü'.repeat(60);
    const head = `https://${Array.from({ length: 12 }, () => label).join('.')}.example/`;
    const input = head + 'a'.repeat(MAX_DESTINATION_LENGTH - head.length);
    expect(input).toHaveLength(MAX_DESTINATION_LENGTH);
    expect(parseDestination(input)).toEqual({ ok: false, reason: 'destination URL is longer than 2048 characters' });
  });

  it('reads the authority up to the first / ? or #, and only there looks for credentials', () => {
    expect(parseDestination('https://x/@alice')).toEqual({ ok: true, url: 'https://x/@alice', host: 'x' });
    expect(parseDestination('https://example.com/@alice?next=@bob')).toMatchObject({ ok: true, host: 'example.com' });
    expect(parseDestination('https://user@')).toEqual({ ok: false, reason: 'destination URL must not contain credentials' });
  });

  it('normalises nothing that is not a host string', () => {
    expect(normaliseHost(undefined as unknown as string)).toBe('');
    expect(normaliseHost('   ')).toBe('');
    expect(normaliseAllowedHostEntry(42 as unknown as string)).toBeNull();
    // Surrounding spaces do not hide a wildcard.
    expect(normaliseAllowedHostEntry('  *.Example.COM ')).toBe('*.example.com');
  });

  it('matches a wildcard entry only for a label in front of its base', () => {
    expect(isHostAllowed('a.example.com', ['*.example.com'])).toBe(true);
    expect(isHostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(isHostAllowed('badexample.com', ['*.example.com'])).toBe(false);
  });
});
