import { describe, expect, it } from 'vitest';
import { buildRedirectUrl, slugifyName, UnsafeRedirectError, type RedirectUrlInput } from '../../shared/domain/redirect-url.js';

const base: RedirectUrlInput = {
  destinationUrl: 'https://shop.example.com/spring',
  channel: 'linkedin',
  utmMedium: 'employee_advocacy',
  utmCampaign: 'spring-launch-2026',
  advocateRef: 'emp-42',
};

const paramsOf = (url: string) => new URL(url).searchParams;

describe('buildRedirectUrl', () => {
  it('adds utm_source, utm_medium, utm_campaign, utm_content and eaclid', () => {
    const url = buildRedirectUrl({ ...base, clickId: '01JDQ4X7ZK8P3V5N2M6R9T0W1Y' });
    expect(url).toBe(
      'https://shop.example.com/spring?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring-launch-2026&utm_content=emp-42&eaclid=01JDQ4X7ZK8P3V5N2M6R9T0W1Y',
    );
  });

  it('adds no eaclid without a click id (bots)', () => {
    const url = buildRedirectUrl(base);
    expect(paramsOf(url).has('eaclid')).toBe(false);
    expect(paramsOf(url).get('utm_source')).toBe('linkedin');
  });

  it('keeps the destination parameters, and never overrides its utm_* values', () => {
    const url = buildRedirectUrl({
      ...base,
      destinationUrl: 'https://shop.example.com/p?ref=abc&utm_source=newsletter&utm_campaign=own',
      clickId: 'CLICK',
    });
    const params = paramsOf(url);
    expect(params.get('ref')).toBe('abc');
    expect(params.getAll('utm_source')).toEqual(['newsletter']);
    expect(params.getAll('utm_campaign')).toEqual(['own']);
    expect(params.get('utm_medium')).toBe('employee_advocacy');
    expect(params.get('eaclid')).toBe('CLICK');
    // The destination's own parameters come first, exactly as written.
    expect(url.startsWith('https://shop.example.com/p?ref=abc&utm_source=newsletter&utm_campaign=own&')).toBe(true);
  });

  it('keeps the destination query verbatim, encodings included', () => {
    const url = buildRedirectUrl({ ...base, destinationUrl: 'https://a.example/x?q=a%20b&sig=AbC%2B%2F%3D&flag' });
    expect(url.startsWith('https://a.example/x?q=a%20b&sig=AbC%2B%2F%3D&flag&utm_source=')).toBe(true);
  });

  it('passes the visitor query on after ours', () => {
    const url = buildRedirectUrl({ ...base, clickId: 'CLICK', visitorQuery: 'gclid=xyz&lang=de' });
    const params = paramsOf(url);
    expect(params.get('gclid')).toBe('xyz');
    expect(params.get('lang')).toBe('de');
    expect(url.endsWith('&eaclid=CLICK&gclid=xyz&lang=de')).toBe(true);
  });

  it('accepts the visitor query with a leading ?', () => {
    expect(paramsOf(buildRedirectUrl({ ...base, visitorQuery: '?lang=fr' })).get('lang')).toBe('fr');
  });

  it('does not let the visitor override our parameters, the destination\'s, or inject a click id', () => {
    const url = buildRedirectUrl({
      ...base,
      destinationUrl: 'https://shop.example.com/p?ref=abc',
      clickId: 'REAL',
      visitorQuery: 'utm_source=evil&utm_content=someone-else&eaclid=FORGED&ref=evil&extra=1',
    });
    const params = paramsOf(url);
    expect(params.getAll('utm_source')).toEqual(['linkedin']);
    expect(params.getAll('utm_content')).toEqual(['emp-42']);
    expect(params.getAll('eaclid')).toEqual(['REAL']);
    expect(params.getAll('ref')).toEqual(['abc']);
    expect(params.get('extra')).toBe('1');
  });

  it('drops a visitor eaclid even when the request gets no click id (bots)', () => {
    expect(paramsOf(buildRedirectUrl({ ...base, visitorQuery: 'eaclid=FORGED' })).has('eaclid')).toBe(false);
  });

  it('replaces a stale eaclid written into the destination by the click\'s own', () => {
    const url = buildRedirectUrl({ ...base, destinationUrl: 'https://a.example/?eaclid=OLD&x=1', clickId: 'NEW' });
    expect(paramsOf(url).getAll('eaclid')).toEqual(['NEW']);
    expect(paramsOf(url).get('x')).toBe('1');
  });

  it('recognises a destination parameter written with escapes', () => {
    const url = buildRedirectUrl({ ...base, destinationUrl: 'https://a.example/?utm%5Fsource=own' });
    expect(paramsOf(url).getAll('utm_source')).toEqual(['own']);
  });

  it('keeps the fragment, after the query', () => {
    const url = buildRedirectUrl({ ...base, destinationUrl: 'https://a.example/page?x=1#section-2', clickId: 'C', visitorQuery: 'v=1' });
    expect(new URL(url).hash).toBe('#section-2');
    expect(url).toBe(
      'https://a.example/page?x=1&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring-launch-2026&utm_content=emp-42&eaclid=C&v=1#section-2',
    );
  });

  it('encodes special characters in our values and the visitor\'s', () => {
    const url = buildRedirectUrl({
      ...base,
      utmCampaign: 'Q1 & Q2 = 100%',
      advocateRef: 'jane.doe+sales@example.com',
      visitorQuery: 'note=a%26b%3Dc&x=%E2%82%AC',
    });
    const query = new URL(url).search;
    expect(query).toContain('utm_campaign=Q1+%26+Q2+%3D+100%25');
    expect(query).toContain('utm_content=jane.doe%2Bsales%40example.com');
    const params = paramsOf(url);
    expect(params.get('utm_campaign')).toBe('Q1 & Q2 = 100%');
    expect(params.get('utm_content')).toBe('jane.doe+sales@example.com');
    expect(params.get('note')).toBe('a&b=c');
    expect(params.get('x')).toBe('€');
    expect(query).not.toMatch(/[ #<>"]/);
  });

  it('refuses destinations that are not http or https', () => {
    for (const destinationUrl of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://a.example/', 'JaVaScRiPt:alert(1)', '//evil.example/', 'not a url']) {
      expect(() => buildRedirectUrl({ ...base, destinationUrl }), destinationUrl).toThrow(UnsafeRedirectError);
    }
  });

  it('never produces another scheme, even with a hostile visitor query', () => {
    const url = buildRedirectUrl({ ...base, visitorQuery: 'next=javascript:alert(1)&%0d%0aSet-Cookie=x' });
    expect(new URL(url).protocol).toBe('https:');
    expect(url).not.toMatch(/[\r\n]/);
  });

  it('adds no ? when there is nothing to add', () => {
    expect(buildRedirectUrl({ ...base, channel: '', utmMedium: '', utmCampaign: '', advocateRef: '' })).toBe('https://shop.example.com/spring');
  });
});

describe('slugifyName', () => {
  it.each([
    ['Spring Launch 2026!', 'spring-launch-2026'],
    ['  Été à Paris — Édition spéciale  ', 'ete-a-paris-edition-speciale'],
    ['Straße & Größe', 'strasse-grosse'],
    ['Ærø Øresund', 'aero-oresund'],
    ['Łódź', 'lodz'],
    ['ﬁnal ﬂing', 'final-fling'],
    ['Q1/Q2 -- Hiring___Push', 'q1-q2-hiring-push'],
    ['İstanbul', 'istanbul'],
  ])('%s → %s', (name, expected) => {
    expect(slugifyName(name)).toBe(expected);
  });

  it('is ASCII only', () => {
    expect(slugifyName('日本語 キャンペーン 2026')).toBe('2026');
    expect(slugifyName('Crème brûlée ☕ 𝔉𝔞𝔫𝔠𝔶')).toBe('creme-brulee-fancy');
  });

  it('never returns an empty slug', () => {
    expect(slugifyName('')).toBe('campaign');
    expect(slugifyName('!!!')).toBe('campaign');
    expect(slugifyName('日本語')).toBe('campaign');
  });

  it('keeps at most 64 characters and no trailing dash', () => {
    const slug = slugifyName(`${'a'.repeat(63)} b c d`);
    expect(slug).toBe('a'.repeat(63));
    expect(slugifyName('word '.repeat(40)).length).toBeLessThanOrEqual(64);
    expect(slugifyName('word '.repeat(40))).not.toMatch(/-$/);
  });
});

describe('redirect edges found by mutation testing', () => {
  it('redirects to plain http destinations too', () => {
    expect(buildRedirectUrl({ ...base, destinationUrl: 'http://shop.example.com/' })).toBe(
      'http://shop.example.com/?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring-launch-2026&utm_content=emp-42',
    );
  });

  it('names why it refuses a destination', () => {
    const refusal = (destinationUrl: string) => {
      try {
        buildRedirectUrl({ ...base, destinationUrl });
      } catch (error) {
        return error as UnsafeRedirectError;
      }
    };
    expect(refusal('/relative')?.message).toBe('destination is not an absolute URL');
    const scheme = refusal('javascript:alert(1)');
    expect(scheme).toBeInstanceOf(UnsafeRedirectError);
    expect(scheme?.name).toBe('UnsafeRedirectError');
    expect(scheme?.message).toBe('destination scheme javascript: is not http or https');
  });

  it('drops empty segments and a bare stale eaclid from the destination query', () => {
    const url = buildRedirectUrl({ ...base, destinationUrl: 'https://shop.example.com/?a=1&&eaclid&b=2' });
    expect(url).toBe(
      'https://shop.example.com/?a=1&b=2&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring-launch-2026&utm_content=emp-42',
    );
  });

  it("reads the destination's parameter names as a form would, so the visitor cannot add them again", () => {
    const visitorParams = (destinationUrl: string, visitorQuery: string) =>
      [...paramsOf(buildRedirectUrl({ ...base, destinationUrl, visitorQuery }))].filter(([name]) => !name.startsWith('utm_'));
    // A one-letter name: the `=` at index 1 ends it.
    expect(visitorParams('https://shop.example.com/?a=1', 'a=2&z=9')).toEqual([['a', '1'], ['z', '9']]);
    // `+` is a space in a name.
    expect(visitorParams('https://shop.example.com/?my+param=1', 'my+param=2')).toEqual([['my param', '1']]);
    // A malformed escape is compared as written.
    expect(visitorParams('https://shop.example.com/?%zz=1', '%zz=2')).toEqual([['%zz', '1']]);
    // An empty name is the visitor's to pass on: an empty destination query takes no name.
    expect(visitorParams('https://shop.example.com/', '=5')).toEqual([['', '5']]);
  });
});
