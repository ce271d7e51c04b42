import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTtlCache } from '../../shared/adapters/ttl-cache.js';

describe('ttl cache', () => {
  afterEach(() => vi.useRealTimers());

  it('serves a value until it expires, then only as stale', () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const cache = createTtlCache<string | null>(10);
    cache.set('a', null, 1000);
    expect(cache.get('a')).toMatchObject({ value: null });
    vi.setSystemTime(1_001_000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stale('a')).toEqual({ value: null });
  });

  it('remembers nothing for a ttl of 0, and makes room by dropping the oldest entry', () => {
    const cache = createTtlCache<number>(2);
    cache.set('zero', 0, 0);
    expect(cache.stale('zero')).toBeUndefined();
    cache.set('a', 1, 60_000);
    cache.set('b', 2, 60_000);
    cache.set('a', 3, 60_000); // refreshed: now the newest
    cache.set('c', 4, 60_000);
    expect(cache.stale('b')).toBeUndefined();
    expect(cache.get('a')).toMatchObject({ value: 3 });
    expect(cache.get('c')).toMatchObject({ value: 4 });
  });
});
