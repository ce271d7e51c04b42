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
