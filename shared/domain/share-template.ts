/**
 * Suggested posts of a campaign (spec section 15): one template per channel, with the
 * placeholders `{link}`, `{advocateName}` and `{campaignName}` only, that must fit its channel
 * once filled. Templates are plain text: HTML is kept as written and shown escaped by the pages.
 *
 * How "fits once filled" is decided, for every advocate at once (docs/api.md, "Suggested posts"):
 * - `{campaignName}` is the campaign's own name (a rename is checked against the templates too);
 * - `{advocateName}` is filled with at most `ADVOCATE_NAME_IN_POST` characters of the display
 *   name (longer names are cut, with "…"), and counted at that maximum in the widest characters;
 * - `{link}` counts 23 on X (X's own rule for any link) and elsewhere as the longest short URL
 *   that can be issued (`https://`, a 253-character host, `/`, a 32-character slug).
 */
import * as z from 'zod';
import { channels, channelSchema, type Channel } from './channels.js';
import type { FieldError } from './field-errors.js';
import { MAX_HOSTNAME_LENGTH } from './hostname.js';
import { SLUG_MAX_LENGTH } from './ids.js';

export const sharePlaceholders = ['link', 'advocateName', 'campaignName'] as const;

/** The most characters of a display name a post carries (the page cuts longer names to this). */
export const ADVOCATE_NAME_IN_POST = 50;

/** X counts every link as this many characters, whatever its length. */
const X_LINK_WEIGHT = 23;

const LONGEST_SHORT_URL = 'https://'.length + MAX_HOSTNAME_LENGTH + '/'.length + SLUG_MAX_LENGTH;

/**
 * The longest post per channel, in characters once filled. X and LinkedIn are the networks' own
 * limits (X in its weighted count, below); Instagram's caption limit is 2,200. The other channels
 * have no network limit that matters (Facebook 63,206, WhatsApp 65,536…) or carry the post in a
 * URL (mailto:, wa.me): a suggested post is kept to LinkedIn's 3,000, which keeps every share URL
 * far below what browsers and mail clients accept.
 */
export const shareTemplateLimits: Readonly<Record<Channel, number>> = {
  linkedin: 3000,
  x: 280,
  facebook: 3000,
  instagram: 2200,
  xing: 3000,
  email: 3000,
  whatsapp: 3000,
  slack: 3000,
  teams: 3000,
  sms: 3000,
  qr: 3000,
  other: 3000,
};

/** Longest template accepted at all (before the per-channel check): a bound for the schema. */
const MAX_TEMPLATE_INPUT = 10_000;

/**
 * `{channel: template}`; unknown channels are refused by the schema, the rest by
 * `shareTemplateProblems` (it needs the campaign's name).
 */
export const shareTemplatesSchema = z
  .partialRecord(channelSchema, z.string().max(MAX_TEMPLATE_INPUT))
  .meta({
    id: 'ShareTemplates',
    description:
      'Suggested posts per channel. Placeholders: `{link}` (the advocate\'s own short link), `{advocateName}`, `{campaignName}`. Each must contain `{link}` and fit its channel once filled (X: 280 weighted characters, a link counting 23; LinkedIn: 3,000; Instagram: 2,200; others: 3,000). Plain text: HTML is kept and shown escaped.',
    examples: [{ linkedin: "We're hiring at {campaignName}! Apply through my link: {link}", x: 'Join us: {link}' }],
  });
export type ShareTemplates = z.infer<typeof shareTemplatesSchema>;

// Tab, line feed and carriage return are text; every other C0 control, DEL and C1 is refused.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
// With the u flag a surrogate pair is one code point: only an unpaired half matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const BRACED = /\{([^{}]*)\}/gu;
const PLACEHOLDER = /\{(link|advocateName|campaignName)\}/gu;

// X: code points in these ranges weigh 1, every other code point 2, an emoji 2 (X's published
// "weighted length" rule, configuration v3); text is counted in NFC.
const X_LIGHT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];
const EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
// What X may turn into a link (counted 23 then): a host name of at least two labels ending in
// letters, with an optional scheme, port and path. Wider than X's list of top-level domains, so
// a dotted word is counted at the larger of its length and 23: never less than X counts it.
const URL_LIKE = /(?:https?:\/\/)?(?:[\p{L}\p{N}_-]+\.)+\p{L}{2,}(?::\d{1,5})?(?:[/?#][^\s]*)?/giu;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const xCodePointWeight = (codePoint: number) => (X_LIGHT_RANGES.some(([low, high]) => codePoint >= low && codePoint <= high) ? 1 : 2);

const xTextWeight = (text: string): number => {
  let weight = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI.test(segment)) weight += 2;
    else for (const character of segment) weight += xCodePointWeight(character.codePointAt(0)!);
  }
  return weight;
};

/** X's weighted length of plain text (no placeholders): links at the larger of 23 and their own weight. */
export const xWeightedLength = (text: string): number => {
  const normalised = text.normalize('NFC');
  let weight = 0;
  let last = 0;
  for (const match of normalised.matchAll(URL_LIKE)) {
    weight += xTextWeight(normalised.slice(last, match.index)) + Math.max(X_LINK_WEIGHT, xTextWeight(match[0]));
    last = match.index + match[0].length;
  }
  return weight + xTextWeight(normalised.slice(last));
};

/** Length elsewhere: UTF-16 units (an emoji counts 2), as the networks' composers count. */
const plainLength = (text: string) => text.normalize('NFC').length;

type Piece = { text: string } | { placeholder: 'link' | 'advocateName' };

/** The template with the campaign's name in place, split at the placeholders that vary per advocate. */
const pieces = (template: string, campaignName: string): Piece[] => {
  const result: Piece[] = [];
  let text = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    text += template.slice(last, match.index);
    last = match.index + match[0].length;
    const name = match[1] as (typeof sharePlaceholders)[number];
    if (name === 'campaignName') {
      text += campaignName;
      continue;
    }
    result.push({ text }, { placeholder: name });
    text = '';
  }
  result.push({ text: text + template.slice(last) });
  return result;
};

/** The longest the filled post of any advocate can be on this channel, in the channel's count. */
export const filledLength = (channel: Channel, template: string, campaignName: string): number => {
  const onX = channel === 'x';
  const linkLength = onX ? X_LINK_WEIGHT : LONGEST_SHORT_URL;
  // A cut name is at most 50 code points: at most 100 on X (weight 2) and 100 UTF-16 units elsewhere.
  const nameLength = 2 * ADVOCATE_NAME_IN_POST;
  return pieces(template, campaignName).reduce((total, piece) => {
    if ('placeholder' in piece) return total + (piece.placeholder === 'link' ? linkLength : nameLength);
    return total + (onX ? xWeightedLength(piece.text) : plainLength(piece.text));
  }, 0);
};

const problemOf = (channel: Channel, template: string, campaignName: string): string | undefined => {
  if (template.trim() === '') {
    return `the ${channel} template is empty (${template.length} characters, none but white space): write a post, or leave the channel out`;
  }
  if (LONE_SURROGATE.test(template)) return `the ${channel} template contains an unpaired surrogate, which is not text`;
  const control = CONTROL_CHARACTER.exec(template);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `the ${channel} template contains the control character U+${code} at position ${control.index} (only tab and line breaks are allowed)`;
  }
  for (const [braced, name] of template.matchAll(BRACED)) {
    if (!(sharePlaceholders as readonly string[]).includes(name!)) {
      return `the ${channel} template has the unknown placeholder ${braced} (use {link}, {advocateName} or {campaignName})`;
    }
  }
  if (!template.includes('{link}')) return `the ${channel} template has no {link}: a post without the advocate's link cannot be counted`;
  const length = filledLength(channel, template, campaignName);
  const limit = shareTemplateLimits[channel];
  if (length > limit) {
    const counted = channel === 'x' ? ' (X weighted: a link counts 23, wide characters and emoji 2)' : '';
    return `the ${channel} post is ${length} characters once filled${counted}, more than the ${limit} ${channel} allows`;
  }
  return undefined;
};

/** Every template's problem, as problem+json `errors` (`shareTemplates.<channel>`); `[]` when all fit. */
export const shareTemplateProblems = (templates: ShareTemplates, campaignName: string): FieldError[] =>
  channels.flatMap((channel) => {
    const template = templates[channel];
    const message = template === undefined ? undefined : problemOf(channel, template, campaignName);
    return message === undefined ? [] : [{ field: `shareTemplates.${channel}`, message }];
  });
