import { describe, expect, it } from 'vitest';
import { MAX_REMEMBERED_CLICKS, readRecentClicks, recentClicksValue } from '../../shared/domain/recent-clicks-cookie.js';
import { UNIQUE_WINDOW_MS } from '../../shared/domain/unique-click.js';

const now = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('recent clicks cookie', () => {
  it('round-trips the latest click per link, newest first', () => {
    const value = recentClicksValue(
      [
        { slug: 'aaaaaaaa', atMs: now - 5_000 },
        { slug: 'bbbbbbbb', atMs: now - 60_000 },
        { slug: 'aaaaaaaa', atMs: now - 120_000 },
      ],
      { slug: 'cccccccc', atMs: now },
      now,
    );
    expect(readRecentClicks([`eac=${value}`], now)).toEqual([
      { slug: 'cccccccc', atMs: now },
      { slug: 'aaaaaaaa', atMs: now - 5_000 },
      { slug: 'bbbbbbbb', atMs: now - 60_000 },
    ]);
  });

  it('forgets clicks older than the unique window', () => {
    const value = recentClicksValue([{ slug: 'aaaaaaaa', atMs: now - UNIQUE_WINDOW_MS }], undefined, now);
    expect(value).toBe('-');
    expect(readRecentClicks([`eac=${value}`], now)).toEqual([]);
    expect(readRecentClicks([`eac=aaaaaaaa.${(now - UNIQUE_WINDOW_MS - 1).toString(36)}`], now)).toEqual([]);
  });

  it('is absent (so the caller reads the database) when missing, malformed, from the future or overflowing', () => {
    expect(readRecentClicks(undefined, now)).toBeUndefined();
    expect(readRecentClicks(['eav=abc'], now)).toBeUndefined();
    expect(readRecentClicks(['eac='], now)).toBeUndefined();
    expect(readRecentClicks(['eac=../etc'], now)).toBeUndefined();
    expect(readRecentClicks([`eac=aaaaaaaa.${(now + 3_600_000).toString(36)}`], now)).toBeUndefined();
    const many = Array.from({ length: MAX_REMEMBERED_CLICKS + 1 }, (_, i) => ({ slug: `slug${String(i).padStart(4, '0')}`, atMs: now - i }));
    const overflow = recentClicksValue(many, undefined, now);
    expect(overflow).toBe('*');
    expect(readRecentClicks([`eac=${overflow}`], now)).toBeUndefined();
  });
});

describe('recent clicks cookie at its limits', () => {
  const entry = (slug: string, atMs: number) => `${slug}.${atMs.toString(36)}`;

  it('ignores spaces around the value', () => {
    expect(readRecentClicks(['eac=- '], now)).toEqual([]);
    expect(readRecentClicks([`eac= ${entry('aaaaaaaa', now)} `], now)).toEqual([{ slug: 'aaaaaaaa', atMs: now }]);
  });

  it('reads a value of exactly 1200 characters and refuses a longer one', () => {
    // 29 entries of a 32-character slug and an 8-digit time are 29 × 41 + 28 = 1217 characters;
    // 17 slugs one character shorter make 1200.
    const entries = Array.from({ length: 29 }, (_, i) => entry(`s${String(i).padStart(2, '0')}`.padEnd(i < 17 ? 31 : 32, 'x'), now - i));
    const value = entries.join('~');
    expect(value).toHaveLength(1200);
    expect(readRecentClicks([`eac=${value}`], now)).toHaveLength(29);
    expect(readRecentClicks([`eac=${value}~${entry('tooManyA', now)}`], now)).toBeUndefined();
  });

  it('trusts a click up to one minute in the future, and forgets one exactly 24 hours old', () => {
    expect(readRecentClicks([`eac=${entry('aaaaaaaa', now + 60_000)}`], now)).toEqual([{ slug: 'aaaaaaaa', atMs: now + 60_000 }]);
    expect(readRecentClicks([`eac=${entry('aaaaaaaa', now + 60_001)}`], now)).toBeUndefined();
    expect(readRecentClicks([`eac=${entry('aaaaaaaa', now - UNIQUE_WINDOW_MS)}`], now)).toEqual([]);
  });

  it('remembers exactly 24 links, newest first whatever order they came in', () => {
    const links = Array.from({ length: MAX_REMEMBERED_CLICKS }, (_, i) => ({ slug: `slug${String(i).padStart(4, '0')}`, atMs: now - 1000 + i }));
    const value = recentClicksValue(links, undefined, now);
    expect(value).not.toBe('*');
    expect(readRecentClicks([`eac=${value}`], now)!.map((click) => click.slug)).toEqual(links.map((link) => link.slug).reverse());
  });
});
