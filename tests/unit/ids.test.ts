import { describe, expect, it } from 'vitest';
import {
  clickIdTimeMs,
  isValidClickId,
  isValidId,
  isValidSlug,
  isValidVisitorId,
  newClickId,
  newId,
  newSlug,
  newVisitorId,
} from '../../shared/domain/ids.js';

const BASE62 = /^[0-9A-Za-z]+$/;

describe('newSlug', () => {
  it('is 8 base62 characters by default', () => {
    for (let i = 0; i < 1000; i++) {
      const slug = newSlug();
      expect(slug).toHaveLength(8);
      expect(slug).toMatch(BASE62);
      expect(isValidSlug(slug)).toBe(true);
    }
  });

  it('honours the requested length within 7–32', () => {
    expect(newSlug(7)).toHaveLength(7);
    expect(newSlug(12)).toHaveLength(12);
    expect(newSlug(32)).toHaveLength(32);
    for (const length of [0, 6, 33, 7.5, Number.NaN]) expect(() => newSlug(length), String(length)).toThrow(RangeError);
  });

  it('produces no collision over 100k slugs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newSlug());
    expect(seen.size).toBe(100_000);
  });

  it('uses the whole case-sensitive alphabet without visible bias', () => {
    const counts = new Map<string, number>();
    const samples = 20_000;
    for (let i = 0; i < samples; i++) for (const char of newSlug(31)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (samples * 31) / 62; // 10,000 per character
    // A modulo-biased generator (byte % 62) would over-draw the first 8 characters by ~25%.
    for (const [char, count] of counts) {
      expect(Math.abs(count - expected) / expected, char).toBeLessThan(0.06);
    }
  });
});

describe('isValidSlug', () => {
  it.each(['abc1234', 'AbCdEfGh', 'a'.repeat(32)])('accepts %j', (slug) => {
    expect(isValidSlug(slug)).toBe(true);
  });

  it.each([
    ['too short', 'abc123'],
    ['too long', 'a'.repeat(33)],
    ['path traversal', '../../etc'],
    ['dot segment', '..abcdefg'],
    ['encoded dot', '%2e%2eabcd'],
    ['encoded slash', 'abc%2Fdefg'],
    ['slash', 'abcd/efgh'],
    ['dash', 'abcd-efgh'],
    ['underscore', 'abcd_efgh'],
    ['space', 'abcd efgh'],
    ['newline', 'abcdefgh\n'],
    ['non-ASCII', 'abcdéfgh'],
    ['empty', ''],
  ])('refuses %s', (_label, slug) => {
    expect(isValidSlug(slug)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isValidSlug(undefined)).toBe(false);
    expect(isValidSlug(12345678)).toBe(false);
  });
});

describe('newClickId', () => {
  it('is 26 URL-safe Crockford base32 characters', () => {
    const id = newClickId();
    expect(id).toHaveLength(26);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(encodeURIComponent(id)).toBe(id);
    expect(isValidClickId(id)).toBe(true);
  });

  // Click ids are monotonic per container, so these tests only ever move time forward.
  it('encodes its creation time in the first 10 characters', () => {
    const createdAt = Date.now() + 1000;
    const id = newClickId(createdAt);
    expect(clickIdTimeMs(id)).toBe(createdAt);
    // The ULID specification's example id.
    expect(clickIdTimeMs('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(Date.UTC(2016, 6, 30, 23, 54, 10, 259));
  });

  it('sorts as text in creation order, also within one millisecond', () => {
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(newClickId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays monotonic when the clock steps back', () => {
    const later = newClickId(Date.now() + 2000);
    const afterStepBack = newClickId(Date.now());
    expect(afterStepBack > later).toBe(true);
    expect(clickIdTimeMs(afterStepBack)).toBe(clickIdTimeMs(later));
  });

  it('draws fresh randomness for each new millisecond', () => {
    const a = newClickId(Date.now() + 3000);
    const b = newClickId(Date.now() + 3001);
    expect(b > a).toBe(true);
    expect(a.slice(10)).not.toBe(b.slice(10));
  });

  it.each(['', '01JDQ4X7ZK8P3V5N2M6R9T0W1', '01JDQ4X7ZK8P3V5N2M6R9T0W1YY', '01JDQ4X7ZK8P3V5N2M6R9T0W1I', '01jdq4x7zk8p3v5n2m6r9t0w1y', '81JDQ4X7ZK8P3V5N2M6R9T0W1Y'])(
    'isValidClickId refuses %j',
    (value) => {
      expect(isValidClickId(value)).toBe(false);
    },
  );
});

describe('newVisitorId', () => {
  it('is 22 base64url characters of 16 random bytes', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newVisitorId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
      expect(isValidVisitorId(id)).toBe(true);
    }
  });

  it('does not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newVisitorId());
    expect(seen.size).toBe(100_000);
  });

  it.each([
    ['too short', 'AAAAAAAAAAAAAAAAAAAAA'],
    ['too long', 'AAAAAAAAAAAAAAAAAAAAAAA'],
    ['impossible last character', 'AAAAAAAAAAAAAAAAAAAAAB'],
    ['padding', 'AAAAAAAAAAAAAAAAAAAA=='],
    ['standard base64', 'AAAAAAAAAAAAAAAAAAAA+A'],
    ['cookie injection', 'AAAAAAAAAAAAAAAAAAA;A'],
  ])('isValidVisitorId refuses %s', (_label, value) => {
    expect(isValidVisitorId(value)).toBe(false);
  });
});

describe('newId', () => {
  it('prefixes a 20-character base62 random part', () => {
    for (const prefix of ['cmp', 'src', 'key', 'org']) {
      const id = newId(prefix);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{20}$`));
      expect(isValidId(id, prefix)).toBe(true);
      expect(isValidId(id)).toBe(true);
    }
  });

  it('checks the prefix when asked', () => {
    expect(isValidId(newId('cmp'), 'src')).toBe(false);
    expect(isValidId('cmp_short', 'cmp')).toBe(false);
    expect(isValidId('cmp_../../../../../../etc/pa', 'cmp')).toBe(false);
  });

  it('refuses unusable prefixes', () => {
    for (const prefix of ['', 'c', 'CMP', 'cmp_', 'toolongprefix', 'a b']) expect(() => newId(prefix), prefix).toThrow(RangeError);
  });

  it('does not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newId('cmp'));
    expect(seen.size).toBe(100_000);
  });
});

describe('id edges found by mutation testing', () => {
  it('refuses values that only look like ids once turned into strings', () => {
    expect(isValidSlug(12345678)).toBe(false);
    expect(isValidSlug(['aB3dE5gH'])).toBe(false);
    const clickId = newClickId(Date.UTC(2026, 10, 27));
    expect(isValidClickId([clickId])).toBe(false);
    expect(isValidVisitorId([newVisitorId()])).toBe(false);
    const id = newId('cmp');
    expect(isValidId([id])).toBe(false);
    expect(isValidId(42)).toBe(false);
    expect(isValidId(id, 'cmp')).toBe(true);
  });

  it('names the rule a bad slug length or id prefix breaks', () => {
    expect(() => newSlug(6)).toThrow('Slug length must be an integer from 7 to 32');
    expect(() => newId('Cmp')).toThrow('Id prefix must be 2–8 lower-case letters: Cmp');
  });

  it('counts up through every digit within one millisecond, carrying past the last one', () => {
    // Far beyond any clock the other tests use, so the first call draws fresh digits.
    const ms = Date.UTC(2200, 0, 1);
    const ids = Array.from({ length: 70 }, () => newClickId(ms));
    for (const [i, id] of ids.entries()) {
      expect(isValidClickId(id), id).toBe(true);
      expect(clickIdTimeMs(id)).toBe(ms);
      if (i > 0) expect(id > ids[i - 1], `${ids[i - 1]} < ${id}`).toBe(true);
    }
  });
});
