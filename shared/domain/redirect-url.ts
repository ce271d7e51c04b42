/**
 * The redirect's Location (spec section 4): the link's destination plus utm_source,
 * utm_medium, utm_campaign, utm_content and eaclid, with the visitor's own query string
 * passed on.
 *
 * Precedence, highest first: the destination's own parameters (kept as written, never
 * overridden), then ours, then the visitor's (appended only under names nobody else set).
 * `eaclid` is reserved: it only ever carries the click id of this very click.
 */

export const CLICK_ID_PARAM = 'eaclid';

export interface RedirectUrlInput {
  destinationUrl: string;
  /** Becomes utm_source. */
  channel: string;
  utmMedium: string;
  utmCampaign: string;
  /** Becomes utm_content: which advocate shared the link. */
  advocateRef: string;
  /** Only for recorded human clicks; bots are redirected without one. */
  clickId?: string;
  /** The short-link request's raw query string (with or without a leading `?`). */
  visitorQuery?: string;
}

export class UnsafeRedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeRedirectError';
  }
}

/** Decoded name of one `name=value` segment, as application/x-www-form-urlencoded reads it. */
const segmentName = (segment: string): string => {
  const equals = segment.indexOf('=');
  const rawName = (equals === -1 ? segment : segment.slice(0, equals)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(rawName);
  } catch {
    return rawName; // malformed escapes: compare as written
  }
};

export const buildRedirectUrl = (input: RedirectUrlInput): string => {
  let url: URL;
  try {
    url = new URL(input.destinationUrl);
  } catch {
    throw new UnsafeRedirectError('destination is not an absolute URL');
  }
  // Defence in depth: destinations are validated when stored, but a Location header must
  // never carry javascript:, data: or any other scheme.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeRedirectError(`destination scheme ${url.protocol} is not http or https`);
  }

  // The destination's query is kept segment by segment as written (re-serialising it could
  // change encodings a landing page relies on); only a stale `eaclid` is dropped.
  const takenNames = new Set<string>();
  const keptSegments: string[] = [];
  for (const segment of url.search.slice(1).split('&')) {
    if (segment === '') continue;
    const name = segmentName(segment);
    if (name === CLICK_ID_PARAM) continue;
    takenNames.add(name);
    keptSegments.push(segment);
  }

  const ours = new URLSearchParams();
  const addOurs = (name: string, value: string | undefined): void => {
    if (value === undefined || value === '' || takenNames.has(name)) return;
    ours.append(name, value);
    takenNames.add(name);
  };
  addOurs('utm_source', input.channel);
  addOurs('utm_medium', input.utmMedium);
  addOurs('utm_campaign', input.utmCampaign);
  addOurs('utm_content', input.advocateRef);
  addOurs(CLICK_ID_PARAM, input.clickId);
  takenNames.add(CLICK_ID_PARAM); // even for bots: a visitor cannot inject a click id

  const visitors = new URLSearchParams();
  if (input.visitorQuery) {
    for (const [name, value] of new URLSearchParams(input.visitorQuery)) {
      if (!takenNames.has(name)) visitors.append(name, value);
    }
  }

  const query = [...keptSegments, ours.toString(), visitors.toString()].filter((part) => part !== '').join('&');
  // The setter drops one leading `?`; adding it ourselves keeps a destination query that
  // itself starts with `?` intact.
  url.search = query === '' ? '' : `?${query}`;
  return url.href;
};

// Letters that NFKD does not decompose into ASCII plus combining marks.
const transliterations: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};
const transliterable = /[ßæœøđðłþı]/g;
const combiningMarks = /\p{M}+/gu;
const nonAlphanumericRuns = /[^a-z0-9]+/g;
const edgeDashes = /^-+|-+$/g;

export const CAMPAIGN_SLUG_MAX_LENGTH = 64;
export const CAMPAIGN_SLUG_FALLBACK = 'campaign';

/** Default utm_campaign from a campaign name: "Spring Launch 2026!" → "spring-launch-2026". */
export const slugifyName = (name: string): string => {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(combiningMarks, '')
    .replace(transliterable, (letter) => transliterations[letter])
    .replace(nonAlphanumericRuns, '-')
    .replace(edgeDashes, '')
    .slice(0, CAMPAIGN_SLUG_MAX_LENGTH)
    .replace(edgeDashes, '');
  return slug === '' ? CAMPAIGN_SLUG_FALLBACK : slug;
};
