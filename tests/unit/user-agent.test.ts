import { describe, expect, it } from 'vitest';
import { describeUserAgent, userAgentCacheSize, type UserAgentDescription } from '../../shared/domain/user-agent.js';

type Row = readonly [userAgent: string, expected: UserAgentDescription];

const table: Row[] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { device: 'desktop', browser: 'Chrome', os: 'Windows' }],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', { device: 'desktop', browser: 'Edge', os: 'Windows' }],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', { device: 'desktop', browser: 'Safari', os: 'Mac OS' }],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { device: 'desktop', browser: 'Chrome', os: 'Linux' }],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', { device: 'desktop', browser: 'Firefox', os: 'Ubuntu' }],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { device: 'desktop', browser: 'Chrome', os: 'Chromium OS' }],
  ['Mozilla/5.0 (X11; FreeBSD amd64; rv:133.0) Gecko/20100101 Firefox/133.0', { device: 'desktop', browser: 'Firefox', os: 'FreeBSD' }],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', { device: 'mobile', browser: 'Mobile Safari', os: 'iOS' }],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1', { device: 'mobile', browser: 'Chrome', os: 'iOS' }],
  ['Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1', { device: 'tablet', browser: 'Mobile Safari', os: 'iOS' }],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', { device: 'mobile', browser: 'Chrome', os: 'Android' }],
  // Same browser without "Mobile": Chrome's reduced UA of an Android tablet.
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { device: 'tablet', browser: 'Chrome', os: 'Android' }],
  ['Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36', { device: 'mobile', browser: 'Samsung Internet', os: 'Android' }],
  ['Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { device: 'tablet', browser: 'Chrome', os: 'Android' }],
  ['Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0', { device: 'mobile', browser: 'Firefox', os: 'Android' }],
  ['Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0', { device: 'tablet', browser: 'Firefox', os: 'Android' }],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1960', { device: 'mobile', browser: 'LinkedIn', os: 'iOS' }],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.38.108;FBBV/617420483;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/619045219]', { device: 'mobile', browser: 'Facebook', os: 'iOS' }],
  ['Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 Instagram 334.0.0.42.95 Android (33/13; 450dpi; 1080x2177; samsung; SM-A536B; a53x; s5e8825; en_GB; 609325420)', { device: 'mobile', browser: 'Instagram', os: 'Android' }],
  ['Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36', { device: 'other', browser: 'Samsung Internet', os: 'Tizen' }],
  ['Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)', { device: 'other', browser: 'WebKit', os: 'PlayStation' }],
  ['curl/8.5.0', { device: 'other', browser: 'Other', os: 'Other' }],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { device: 'other', browser: 'Other', os: 'Other' }],
];

describe('describeUserAgent', () => {
  it.each(table)('%s', (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toEqual(expected);
  });

  it('keeps names without versions', () => {
    for (const [userAgent] of table) {
      const { browser, os } = describeUserAgent(userAgent);
      expect(browser).not.toMatch(/\d/);
      expect(os).not.toMatch(/\d/);
    }
  });

  it('describes a missing or empty user agent as other', () => {
    const unknown = { device: 'other', browser: 'Other', os: 'Other' };
    expect(describeUserAgent(undefined)).toEqual(unknown);
    expect(describeUserAgent(null)).toEqual(unknown);
    expect(describeUserAgent('')).toEqual(unknown);
  });

  it('answers repeated user agents from its cache with the same frozen object', () => {
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0';
    const first = describeUserAgent(ua);
    expect(describeUserAgent(ua)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('keeps the cache bounded, evicting the least recently used entry', () => {
    const agent = (i: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/${i}.0.0.0 Safari/537.36`;
    const kept = describeUserAgent(agent(0));
    const evicted = describeUserAgent(agent(1));
    for (let i = 2; i < 700; i++) {
      describeUserAgent(agent(i));
      describeUserAgent(agent(0)); // keeps entry 0 recently used
    }
    expect(userAgentCacheSize()).toBeLessThanOrEqual(500);
    expect(userAgentCacheSize()).toBeGreaterThan(400);
    expect(describeUserAgent(agent(0))).toBe(kept);
    const reparsed = describeUserAgent(agent(1));
    expect(reparsed).not.toBe(evicted);
    expect(reparsed).toEqual(evicted);
  });

  it('does not cache very long user agents', () => {
    const long = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36 ${'x'.repeat(1000)}`;
    const first = describeUserAgent(long);
    expect(first.browser).toBe('Chrome');
    expect(describeUserAgent(long)).not.toBe(first);
  });
});

describe('device classes without a parser device type', () => {
  it('tells Android phones from tablets by "Mobile", and calls bare iOS clients phones', () => {
    // No model in the agent, so the parser leaves the device type unset.
    expect(describeUserAgent('Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36').device).toBe('tablet');
    expect(describeUserAgent('okhttp/4.9.0 (Android 12) Mobile').device).toBe('mobile');
    expect(describeUserAgent('MyApp/1.0 CFNetwork/1408.0.4 Darwin/22.5.0')).toEqual({ device: 'mobile', browser: 'Other', os: 'iOS' });
  });

  it('keeps a smart TV on a desktop OS as other, not desktop', () => {
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0 Safari/537.36 SmartTV')).toEqual({
      device: 'other',
      browser: 'Chrome',
      os: 'Linux',
    });
  });

  it('caches a user agent of exactly 512 characters, and not one of 513', () => {
    const ofLength = (length: number) => {
      const head = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36 ';
      return head + 'y'.repeat(length - head.length);
    };
    const longest = ofLength(512);
    expect(describeUserAgent(longest)).toBe(describeUserAgent(longest));
    const tooLong = ofLength(513);
    expect(describeUserAgent(tooLong)).not.toBe(describeUserAgent(tooLong));
  });
});
