import { isbot } from 'isbot';
import { describe, expect, it, vi } from 'vitest';
import {
  PREVIEW_AGENTS,
  SCANNER_AGENTS,
  classifyRequest,
  classifyUserAgent,
} from '../../shared/domain/bot-classifier.js';
import type { BotClass } from '../../shared/domain/events.js';

// isbot itself, with its calls counted (the work-per-classification tests below).
vi.mock('isbot', async (importOriginal) => {
  const actual = await importOriginal<typeof import('isbot')>();
  return { ...actual, isbot: vi.fn(actual.isbot) };
});

type Row = readonly [label: string, userAgent: string, expected: BotClass];

// Real user agents as the services send them (versions vary over time, shapes do not).
const humans: Row[] = [
  ['Chrome 131 / Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'human'],
  ['Chrome 131 / macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'human'],
  ['Chrome 131 / Linux', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'human'],
  ['Chrome 131 / ChromeOS', 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'human'],
  ['Chrome 131 / Android', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'human'],
  ['Chrome / iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1', 'human'],
  ['Firefox 133 / Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'human'],
  ['Firefox 133 / macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0', 'human'],
  ['Firefox 133 / Ubuntu', 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'human'],
  ['Firefox 133 / Android', 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0', 'human'],
  ['Firefox / iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15', 'human'],
  ['Safari 18 / macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'human'],
  ['Safari / iPhone', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 'human'],
  ['Safari / iPad', 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1', 'human'],
  ['Edge 131 / Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'human'],
  ['Edge / Android', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0', 'human'],
  ['Opera / Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0', 'human'],
  ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36', 'human'],
  ['Chrome / Galaxy Tab', 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'human'],
  // In-app browsers are people reading the post, not previews.
  ['LinkedIn app / iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1960', 'human'],
  ['LinkedIn app / Android', 'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.5845.163 Mobile Safari/537.36 [LinkedInApp]/4.1.881', 'human'],
  ['Facebook app / iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.38.108;FBBV/617420483;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/619045219]', 'human'],
  ['Facebook app / Android', 'Mozilla/5.0 (Linux; Android 14; SM-S911B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/473.0.0.45.80;]', 'human'],
  ['Instagram app / iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 339.0.3.12.91 (iPhone14,2; iOS 17_5; en_US; en; scale=3.00; 1170x2532; 619015543)', 'human'],
  ['Instagram app / Android', 'Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 Instagram 334.0.0.42.95 Android (33/13; 450dpi; 1080x2177; samsung; SM-A536B; a53x; s5e8825; en_GB; 609325420)', 'human'],
  ['Snapchat app', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/13.0.0.40 (like Safari/8618.2.12.10.5, panda)', 'human'],
  ['LINE app', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.9.0', 'human'],
  ['Pinterest app', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]', 'human'],
  ['WeChat app', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/en', 'human'],
  ['Teams desktop (Edge WebView)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 Teams/24295.605.3225.8804/49', 'human'],
];

const previews: Row[] = [
  ['LinkedInBot', 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)', 'preview'],
  ['Slackbot link expanding', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'preview'],
  ['Slackbot', 'Slackbot 1.0 (+https://api.slack.com/robots)', 'preview'],
  ['Slack image proxy', 'Slack-ImgProxy (+https://api.slack.com/robots)', 'preview'],
  ['Twitterbot', 'Twitterbot/1.0', 'preview'],
  ['facebookexternalhit', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'preview'],
  ['Facebot', 'Facebot', 'preview'],
  ['iMessage', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0', 'preview'],
  ['WhatsApp (Android)', 'WhatsApp/2.23.20.0 A', 'preview'],
  ['WhatsApp (iOS)', 'WhatsApp/2.23.18.78 i', 'preview'],
  ['Discordbot', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', 'preview'],
  ['TelegramBot', 'TelegramBot (like TwitterBot)', 'preview'],
  ['SkypeUriPreview (Skype, legacy Teams)', 'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com', 'preview'],
  ['MicrosoftPreview (Teams)', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MicrosoftPreview/2.0; +https://aka.ms/MicrosoftPreview) Chrome/131.0.0.0 Safari/537.36', 'preview'],
  ['Outlook desktop', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)', 'preview'],
  ['Applebot', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)', 'preview'],
  ['Pinterestbot', 'Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)', 'preview'],
  ['Pinterest fetcher', 'Pinterest/0.2 (+http://www.pinterest.com/bot.html)', 'preview'],
  ['redditbot', 'Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)', 'preview'],
  ['Iframely', 'Iframely/1.3.1 (+https://iframely.com/docs/about)', 'preview'],
  ['Embedly', 'Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)', 'preview'],
  ['Google-PageRenderer', 'Google-PageRenderer Google (+https://developers.google.com/+/web/snippet/)', 'preview'],
  ['Google snippet', 'Mozilla/5.0 (Windows NT 6.1; rv:6.0) Gecko/20110814 Firefox/6.0 Google (+https://developers.google.com/+/web/snippet/)', 'preview'],
  ['vkShare', 'Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)', 'preview'],
  ['Viber', 'ViberUrlDownloader', 'preview'],
  ['Snapchat preview', 'Snap URL Preview Service; bot; snapchat; https://developers.snap.com/robots', 'preview'],
  ['LINE preview', 'facebookexternalhit/1.1;line-poker/1.0', 'preview'],
  ['Mastodon', 'http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/) Bot', 'preview'],
  ['Bluesky', 'Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)', 'preview'],
  ['XING', 'XING-contenttabreceiver/2.0', 'preview'],
];

const scanners: Row[] = [
  ['Barracuda Sentinel', 'Barracuda Sentinel (EE)', 'scanner'],
  ['BingPreview (Safe Links, Outlook.com)', 'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b', 'scanner'],
  ['BingPreview mobile', 'Mozilla/5.0 (iPhone; CPU iPhone OS 7_0 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11A465 Safari/9537.53 BingPreview/1.0b', 'scanner'],
  ['Office link probe', 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)', 'scanner'],
  ['Office existence discovery', 'Microsoft Office Existence Discovery', 'scanner'],
  ['Kaspersky', 'Kaspersky Lab CFR link resolver', 'scanner'],
  ['Google Safe Browsing', 'Google-Safety', 'scanner'],
  ['VirusTotal', 'AppEngine-Google; (+http://code.google.com/appengine; appid: s~virustotalcloud)', 'scanner'],
];

const crawlers: Row[] = [
  ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'crawler'],
  ['Googlebot smartphone', 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'crawler'],
  ['bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'crawler'],
  ['HeadlessChrome', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'crawler'],
  ['curl', 'curl/8.5.0', 'crawler'],
  ['python-requests', 'python-requests/2.32.3', 'crawler'],
  ['Go-http-client', 'Go-http-client/2.0', 'crawler'],
  ['Wget', 'Wget/1.21.4', 'crawler'],
  ['axios', 'axios/1.7.7', 'crawler'],
  ['GPTBot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)', 'crawler'],
  ['AhrefsBot', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'crawler'],
];

describe('classifyRequest over real user agents', () => {
  it.each([...humans, ...previews, ...scanners, ...crawlers])('%s → %s', (_label, userAgent, expected) => {
    expect(classifyRequest({ method: 'GET', userAgent })).toBe(expected);
  });

  it('covers a table of at least 40 real user agents, in every class', () => {
    expect(humans.length + previews.length + scanners.length + crawlers.length).toBeGreaterThanOrEqual(40);
    expect(humans.length).toBeGreaterThanOrEqual(20);
    expect(previews.length).toBeGreaterThanOrEqual(20);
  });
});

describe('classifyRequest rules', () => {
  const chrome = humans[0]![1];

  it('classifies HEAD as head whatever the user agent, in any letter case', () => {
    expect(classifyRequest({ method: 'HEAD', userAgent: chrome })).toBe('head');
    expect(classifyRequest({ method: 'head', userAgent: 'LinkedInBot/1.0' })).toBe('head');
    expect(classifyRequest({ method: 'HEAD', userAgent: undefined })).toBe('head');
  });

  it('treats a missing, empty or blank user agent as a crawler', () => {
    expect(classifyRequest({ method: 'GET', userAgent: undefined })).toBe('crawler');
    expect(classifyRequest({ method: 'GET', userAgent: null })).toBe('crawler');
    expect(classifyRequest({ method: 'GET', userAgent: '' })).toBe('crawler');
    expect(classifyRequest({ method: 'GET', userAgent: '   ' })).toBe('crawler');
  });

  it('checks the preview list before isbot, which would call previews crawlers', () => {
    for (const ua of ['Twitterbot/1.0', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)']) {
      expect(isbot(ua)).toBe(true); // isbot alone calls them bots…
      expect(classifyUserAgent(ua)).toBe('preview'); // …the explicit list must win
    }
  });

  it('checks the scanner list before isbot', () => {
    expect(isbot('Barracuda Sentinel (EE)')).toBe(true);
    expect(classifyUserAgent('Barracuda Sentinel (EE)')).toBe('scanner');
  });

  it('does not mistake in-app browsers for the same company\'s preview bot', () => {
    expect(classifyUserAgent(`${chrome} [LinkedInApp]/9.30`)).toBe('human');
    expect(classifyUserAgent(`${chrome} LinkedInBot/1.0`)).toBe('preview');
    expect(classifyUserAgent('Mozilla/5.0 (iPhone) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0]')).toBe('human');
    expect(classifyUserAgent(`${chrome} WhatsApp/2.23`)).toBe('human'); // anchored: only the fetcher starts with it
  });

  it('matches vendor tokens of self-identifying scanners, case-insensitively', () => {
    // Synthetic strings: these vendors' scanners mostly impersonate browsers; when they do name
    // themselves, the vendor name is what appears.
    for (const vendor of ['Proofpoint', 'mimecast', 'MessageLabs', 'TrendMicro', 'IronPort', 'FireEye', 'Forcepoint', 'Sophos', 'Zscaler', 'urlscan.io']) {
      expect(classifyUserAgent(`Mozilla/5.0 (compatible; ${vendor} URL check)`), vendor).toBe('scanner');
    }
  });

  it('calls browser prefetches and previews announced by headers previews, not clicks', () => {
    expect(classifyRequest({ method: 'GET', userAgent: chrome, headers: { 'sec-purpose': 'prefetch;prerender' } })).toBe('preview');
    expect(classifyRequest({ method: 'GET', userAgent: chrome, headers: { purpose: 'prefetch' } })).toBe('preview');
    expect(classifyRequest({ method: 'GET', userAgent: chrome, headers: { 'x-purpose': 'preview' } })).toBe('preview');
    expect(classifyRequest({ method: 'GET', userAgent: chrome, headers: { 'x-moz': 'prefetch' } })).toBe('preview');
    expect(classifyRequest({ method: 'GET', userAgent: chrome, headers: { accept: 'text/html' } })).toBe('human');
    // Headers never turn a bot into something else.
    expect(classifyRequest({ method: 'GET', userAgent: 'curl/8.5.0', headers: { purpose: 'prefetch' } })).toBe('crawler');
  });

  it('documents every pattern with a name and compiles each on its own', () => {
    for (const agent of [...PREVIEW_AGENTS, ...SCANNER_AGENTS]) {
      expect(agent.name.length).toBeGreaterThan(0);
      expect(() => new RegExp(agent.pattern, 'i')).not.toThrow();
    }
  });

  // The classifier's cost, counted instead of timed (speed is `npm run bench`'s, whose redirect
  // scenario measures it inside every click): per request, each compiled list is run at most
  // once, isbot at most once, nothing is compiled, and none of that grows with the agent's length.
  describe('work per classification, counted', () => {
    /** What one synchronous call did: regular expressions run and built, isbot calls. */
    const work = (classify: () => unknown) => {
      const originalTest = RegExp.prototype.test;
      const OriginalRegExp = globalThis.RegExp;
      let runs = 0;
      let built = 0;
      RegExp.prototype.test = function (this: RegExp, input: string) {
        runs++;
        return originalTest.call(this, input);
      };
      globalThis.RegExp = new Proxy(OriginalRegExp, {
        construct: (target, args, newTarget) => (built++, Reflect.construct(target, args, newTarget)),
        apply: (target, self, args) => (built++, Reflect.apply(target, self, args)),
      });
      vi.mocked(isbot).mockClear();
      try {
        classify();
      } finally {
        RegExp.prototype.test = originalTest;
        globalThis.RegExp = OriginalRegExp;
      }
      return { runs, built, isbotCalls: vi.mocked(isbot).mock.calls.length };
    };

    // By hand, for a GET without speculative headers: the preview list (1 run) decides previews;
    // then the scanner list (2); then isbot (one call, one run of its pattern: 3).
    const expected: Record<Exclude<BotClass, 'head'>, { runs: number; built: number; isbotCalls: number }> = {
      preview: { runs: 1, built: 0, isbotCalls: 0 },
      scanner: { runs: 2, built: 0, isbotCalls: 0 },
      crawler: { runs: 3, built: 0, isbotCalls: 1 },
      human: { runs: 3, built: 0, isbotCalls: 1 },
    };

    it('runs each list once and isbot at most once, compiling nothing', () => {
      classifyUserAgent('warm-up'); // isbot compiles its pattern on its first call, once per container
      for (const [label, ua, botClass] of [...humans, ...previews, ...scanners, ...crawlers]) {
        expect(work(() => classifyRequest({ method: 'GET', userAgent: ua })), label).toEqual(expected[botClass as Exclude<BotClass, 'head'>]);
      }
      // HEAD and a missing agent are decided without any pattern.
      expect(work(() => classifyRequest({ method: 'HEAD', userAgent: chrome }))).toEqual({ runs: 0, built: 0, isbotCalls: 0 });
      expect(work(() => classifyRequest({ method: 'GET', userAgent: '' }))).toEqual({ runs: 0, built: 0, isbotCalls: 0 });
      // A speculative-load header present adds one test of its value, no more.
      expect(work(() => classifyRequest({ method: 'GET', userAgent: chrome, headers: { 'sec-purpose': 'prefetch' } }))).toEqual({
        runs: 4,
        built: 0,
        isbotCalls: 1,
      });
    });

    it('does the same work for an 8 KB user agent as for a short one', () => {
      classifyUserAgent('warm-up');
      // API Gateway takes at most 10 KB of headers; padding keeps each agent's class.
      const padded = (ua: string) => `${ua} ${'x'.repeat(8192 - ua.length - 1)}`;
      for (const [label, ua, botClass] of [humans[0]!, previews[0]!, scanners[0]!, crawlers[0]!]) {
        expect(classifyUserAgent(padded(ua)), label).toBe(botClass);
        expect(work(() => classifyUserAgent(padded(ua))), label).toEqual(work(() => classifyUserAgent(ua)));
      }
    });
  });
});
