import { describe, expect, it } from 'vitest';
import { isUniqueClick, UNIQUE_WINDOW_MS, uniqueWindowStartMs } from '../../shared/domain/unique-click.js';

const at = '2026-11-27T10:00:00.000Z';
const atMs = Date.parse(at);
const iso = (ms: number) => new Date(ms).toISOString();

describe('isUniqueClick', () => {
  it('has a 24-hour window', () => {
    expect(UNIQUE_WINDOW_MS).toBe(86_400_000);
    expect(uniqueWindowStartMs(at)).toBe(atMs - 86_400_000);
  });

  it('is unique for a visitor without previous clicks', () => {
    expect(isUniqueClick({ at, slug: 'abc1234' }, [])).toBe(true);
  });

  it('is not unique after a click of the same link less than 24 h earlier', () => {
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs - 60_000), slug: 'abc1234' }])).toBe(false);
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs - UNIQUE_WINDOW_MS + 1), slug: 'abc1234' }])).toBe(false);
  });

  it('is unique again exactly 24 h after the previous click', () => {
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs - UNIQUE_WINDOW_MS), slug: 'abc1234' }])).toBe(true);
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs - UNIQUE_WINDOW_MS - 1), slug: 'abc1234' }])).toBe(true);
  });

  it('counts a previous click at the very same instant', () => {
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at, slug: 'abc1234' }])).toBe(false);
  });

  it('ignores clicks of other links', () => {
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs - 1000), slug: 'xyz9876' }])).toBe(true);
    // Slugs are case-sensitive.
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs - 1000), slug: 'ABC1234' }])).toBe(true);
  });

  it('ignores clicks after the judged one', () => {
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs + 1), slug: 'abc1234' }])).toBe(true);
    expect(isUniqueClick({ at, slug: 'abc1234' }, [{ at: iso(atMs + 3_600_000), slug: 'abc1234' }])).toBe(true);
  });

  it('never compares a click with itself', () => {
    expect(isUniqueClick({ at, slug: 'abc1234', clickId: 'C1' }, [{ at, slug: 'abc1234', clickId: 'C1' }])).toBe(true);
    expect(isUniqueClick({ at, slug: 'abc1234', clickId: 'C2' }, [{ at, slug: 'abc1234', clickId: 'C1' }])).toBe(false);
  });

  it('finds the one recent click among older and other ones', () => {
    const history = [
      { at: iso(atMs - 3 * UNIQUE_WINDOW_MS), slug: 'abc1234' },
      { at: iso(atMs - 1000), slug: 'other12' },
      { at: iso(atMs - 5 * 3_600_000), slug: 'abc1234' },
      { at: iso(atMs + 1000), slug: 'abc1234' },
    ];
    expect(isUniqueClick({ at, slug: 'abc1234' }, history)).toBe(false);
    expect(isUniqueClick({ at, slug: 'abc1234' }, history.filter((_, i) => i !== 2))).toBe(true);
  });

  it('accepts Date and epoch-millisecond instants', () => {
    expect(isUniqueClick({ at: new Date(atMs), slug: 's' }, [{ at: atMs - 1000, slug: 's' }])).toBe(false);
    expect(isUniqueClick({ at: atMs, slug: 's' }, [{ at: new Date(atMs - UNIQUE_WINDOW_MS), slug: 's' }])).toBe(true);
  });

  it('ignores unparseable previous instants and refuses an unparseable click time', () => {
    expect(isUniqueClick({ at, slug: 's' }, [{ at: 'not a date', slug: 's' }])).toBe(true);
    expect(() => isUniqueClick({ at: 'not a date', slug: 's' }, [])).toThrow(RangeError);
  });
});

describe('unique-click errors', () => {
  it('names the unusable click time', () => {
    expect(() => isUniqueClick({ at: 'not a date', slug: 's' }, [])).toThrow('Invalid click time: not a date');
  });
});
