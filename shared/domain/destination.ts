/**
 * Destination validation: a short link may only send visitors to an absolute http(s) URL on
 * one of its campaign's allowed hosts (spec section 3: no open redirect).
 *
 * The raw string is checked before WHATWG URL parsing, because the parser is lenient in ways
 * that differ from other parsers (browsers, proxies, the landing page's own framework):
 * it turns `\` into `/`, strips tabs and newlines, and accepts `https:evil.example`. Anything
 * that two parsers could read differently is refused outright.
 */

export const MAX_DESTINATION_LENGTH = 2048;

export type ParsedDestination = { ok: true; url: string; host: string } | { ok: false; reason: string };

// C0 controls, space, DEL, C1 controls, and every other Unicode whitespace (via \s).
const forbiddenCharacters = /[\u0000-\u0020\u007f-\u009f\s]/u;
const httpSchemePrefix = /^https?:\/\//i;

const refuse = (reason: string): ParsedDestination => ({ ok: false, reason });

export const parseDestination = (input: unknown): ParsedDestination => {
  if (typeof input !== 'string' || input.length === 0) return refuse('destination URL is required');
  if (input.length > MAX_DESTINATION_LENGTH) return refuse(`destination URL is longer than ${MAX_DESTINATION_LENGTH} characters`);
  if (forbiddenCharacters.test(input)) return refuse('destination URL contains whitespace or control characters');
  if (input.includes('\\')) return refuse('destination URL contains a backslash');
  if (!httpSchemePrefix.test(input)) return refuse('destination URL must be an absolute http:// or https:// URL');

  // The authority as written: between `//` and the first `/`, `?` or `#`.
  const afterScheme = input.slice(input.indexOf('//') + 2);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  if (authority.length === 0) return refuse('destination URL has no host');
  // `https://allowed@evil.example` goes to evil.example: any user-info is refused, even empty.
  if (authority.includes('@')) return refuse('destination URL must not contain credentials');

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('destination URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('destination URL must use http or https');
  if (url.username !== '' || url.password !== '') return refuse('destination URL must not contain credentials');
  const host = normaliseHost(url.hostname);
  if (host === '') return refuse('destination URL has no valid host');
  // Punycode can lengthen the URL beyond what was checked above.
  if (url.href.length > MAX_DESTINATION_LENGTH) return refuse(`destination URL is longer than ${MAX_DESTINATION_LENGTH} characters`);
  return { ok: true, url: url.href, host };
};

const NORMALISED_HOST_CACHE_SIZE = 1000;
const MAX_CACHED_HOST_LENGTH = 255;
const normalisedHostCache = new Map<string, string>();

// A bare host name or IPv4 address (no port, path, user-info or whitespace), or a bracketed IPv6.
const plainHost = /^[^\s/\\?#@:[\]]+$/u;
const bracketedIpv6 = /^\[[0-9A-Fa-f:.]+\]$/;
// After WHATWG parsing: ASCII labels (IDN already punycoded) of letters, digits, `-` and `_`,
// no empty label. Excludes `*`, `%`, `<`… that the URL parser lets through in a host.
const canonicalHostname = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/**
 * Canonical form of a host for comparison: lower case, IDN as punycode, IPv4 in dotted
 * decimal, no trailing dot. Returns '' for anything that is not a host on its own.
 */
export const normaliseHost = (host: string): string => {
  if (typeof host !== 'string') return '';
  if (host.length > MAX_CACHED_HOST_LENGTH) return computeNormalisedHost(host);
  const cached = normalisedHostCache.get(host);
  if (cached !== undefined) return cached;
  const normalised = computeNormalisedHost(host);
  // Campaigns have few allowed hosts, so a small cache spares URL parsing on the redirect;
  // clearing it when full keeps memory bounded whatever hosts requests bring.
  if (normalisedHostCache.size >= NORMALISED_HOST_CACHE_SIZE) normalisedHostCache.clear();
  normalisedHostCache.set(host, normalised);
  return normalised;
};

const computeNormalisedHost = (host: string): string => {
  const trimmed = host.trim();
  if (trimmed === '' || (!plainHost.test(trimmed) && !bracketedIpv6.test(trimmed))) return '';
  let hostname: string;
  try {
    hostname = new URL(`http://${trimmed}/`).hostname;
  } catch {
    return '';
  }
  // `example.com.` names the same host as `example.com`; an empty label (`a..b`, `a.com..`) does not.
  if (hostname.endsWith('.')) hostname = hostname.slice(0, -1);
  if (!canonicalHostname.test(hostname) && !bracketedIpv6.test(hostname)) return '';
  return hostname;
};

const WILDCARD_PREFIX = '*.';

/**
 * Canonical form of an `allowedHosts` entry: a host, or `*.` + host for its subdomains.
 * Returns null when the entry is not usable (campaign validation refuses it).
 */
export const normaliseAllowedHostEntry = (entry: string): string | null => {
  if (typeof entry !== 'string') return null;
  const trimmed = entry.trim();
  if (trimmed.startsWith(WILDCARD_PREFIX)) {
    const base = normaliseHost(trimmed.slice(WILDCARD_PREFIX.length));
    // `*.com`-style entries would allow whole top-level domains.
    return base !== '' && base.includes('.') ? WILDCARD_PREFIX + base : null;
  }
  const host = normaliseHost(trimmed);
  return host === '' ? null : host;
};

/**
 * Exact match after normalisation, or a subdomain of an explicit `*.example.com` entry
 * (which does not match `example.com` itself). Ports are not part of the comparison.
 */
export const isHostAllowed = (host: string, allowedHosts: readonly string[]): boolean => {
  const candidate = normaliseHost(host);
  if (candidate === '') return false;
  for (const rawEntry of allowedHosts) {
    const entry = normaliseAllowedHostEntry(rawEntry);
    if (entry === null) continue;
    if (entry.startsWith(WILDCARD_PREFIX)) {
      const base = entry.slice(WILDCARD_PREFIX.length);
      // A normalised host never starts with a dot, so this needs a label before `.base`.
      if (candidate.endsWith(`.${base}`)) return true;
    } else if (candidate === entry) {
      return true;
    }
  }
  return false;
};
