import { describe, expect, it } from 'vitest';
import { toCsvHeader, toCsvRow } from '../../shared/domain/csv.js';

describe('CSV export', () => {
  it('writes the header and each row as CRLF-terminated lines', () => {
    expect(toCsvHeader(['clickId', 'at', 'slug'])).toBe('clickId,at,slug\r\n');
    expect(toCsvRow(['clickId', 'unique', 'count'], { clickId: 'c1', unique: true, count: 3 })).toBe('c1,true,3\r\n');
  });

  it('leaves missing and null values empty and writes objects as JSON', () => {
    expect(toCsvRow(['a', 'b', 'c', 'd'], { b: null, c: undefined, d: [1, 2] })).toBe(',,,"[1,2]"\r\n');
    expect(toCsvRow(['touches'], { touches: { n: 1 } })).toBe('"{""n"":1}"\r\n');
  });

  it('quotes cells holding a quote, comma, CR or LF, doubling the quotes', () => {
    expect(toCsvRow(['q'], { q: 'say "hi"' })).toBe('"say ""hi"""\r\n');
    expect(toCsvRow(['c'], { c: 'a,b' })).toBe('"a,b"\r\n');
    expect(toCsvRow(['r'], { r: 'a\rb' })).toBe('"a\rb"\r\n');
    expect(toCsvRow(['n'], { n: 'a\nb' })).toBe('"a\nb"\r\n');
    expect(toCsvRow(['plain'], { plain: 'a b;c' })).toBe('a b;c\r\n');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    const row = (value: unknown) => toCsvRow(['v'], { v: value });
    expect(row('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"\r\n`);
    expect(row('+1')).toBe("'+1\r\n");
    expect(row('-1')).toBe("'-1\r\n");
    expect(row(-5)).toBe("'-5\r\n");
    expect(row('@cmd')).toBe("'@cmd\r\n");
    expect(row('\tx')).toBe("'\tx\r\n");
    expect(row('\rx')).toBe(`"'\rx"\r\n`);
    // Only the first character decides: a formula sign inside the text is harmless.
    expect(row('a=b+c-d@e')).toBe('a=b+c-d@e\r\n');
    expect(row('x\t')).toBe('x\t\r\n');
  });
});
