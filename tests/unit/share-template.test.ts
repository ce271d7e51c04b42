/**
 * Suggested posts (spec section 15): placeholders, the channels' limits once filled, X's weighted
 * count (a link 23, wide characters and emoji 2), and what is refused as not text.
 */
import { describe, expect, it } from 'vitest';
import { channels } from '../../shared/domain/channels.js';
import { fieldErrorsFromZod } from '../../shared/domain/field-errors.js';
import { campaignCreateSchema, campaignPatchSchema } from '../../shared/domain/resources.js';
import {
  ADVOCATE_NAME_IN_POST,
  filledLength,
  shareTemplateLimits,
  shareTemplateProblems,
  xWeightedLength,
} from '../../shared/domain/share-template.js';

const LONGEST_SHORT_URL = 8 + 253 + 1 + 32;
const NAME_BUDGET = 2 * ADVOCATE_NAME_IN_POST;

describe("X's weighted length", () => {
  it('counts Latin text 1 per character, CJK 2, an emoji (even a joined sequence) 2', () => {
    expect(xWeightedLength('Hello, world')).toBe(12);
    expect(xWeightedLength('日本語')).toBe(6);
    expect(xWeightedLength('é')).toBe(1); // decomposed e + accent: NFC makes it one
    expect(xWeightedLength('👍')).toBe(2);
    expect(xWeightedLength('👍🏽')).toBe(2);
    expect(xWeightedLength('👩‍👩‍👧‍👦')).toBe(2);
    // Quotes and dashes are in X's light ranges; the ellipsis (U+2026) is not.
    expect(xWeightedLength('“quoted” — ok')).toBe(13);
    expect(xWeightedLength('…')).toBe(2);
  });

  it('counts a link-like word at 23, or its own length when longer', () => {
    expect(xWeightedLength('see acme.io now')).toBe(4 + 23 + 4);
    expect(xWeightedLength('https://a.co/x')).toBe(23);
    const long = `https://careers.acme.example/${'p'.repeat(40)}`;
    expect(xWeightedLength(long)).toBe(long.length);
    expect(xWeightedLength('version 1.2')).toBe(11); // digits after the dot: not a host
  });
});

describe('filled length', () => {
  it('puts the campaign name in, counts {link} 23 on X and the longest short URL elsewhere, a name at its cut length', () => {
    const template = 'Join {advocateName} at {campaignName}: {link}';
    expect(filledLength('x', template, 'Acme')).toBe('Join '.length + NAME_BUDGET + ' at Acme: '.length + 23);
    expect(filledLength('linkedin', template, 'Acme')).toBe('Join '.length + NAME_BUDGET + ' at Acme: '.length + LONGEST_SHORT_URL);
    expect(filledLength('x', '{link} {link}', 'Acme')).toBe(23 + 1 + 23);
  });

  it('does not fill placeholders that a campaign name brings along', () => {
    expect(filledLength('x', '{campaignName} {link}', '{link}')).toBe(6 + 1 + 23);
  });
});

describe('share template problems', () => {
  const check = (templates: Record<string, string>, name = 'Hiring 2027') => shareTemplateProblems(templates, name);

  it('accepts posts that fit, on every channel', () => {
    const everywhere = Object.fromEntries(channels.map((channel) => [channel, 'We are hiring at {campaignName}, says {advocateName}: {link}']));
    expect(check(everywhere)).toEqual([]);
  });

  it('accepts HTML as text', () => {
    expect(check({ linkedin: '<script>alert(1)</script> <b>{link}</b> &amp;' })).toEqual([]);
  });

  it('refuses an unknown placeholder, naming it and the channel', () => {
    expect(check({ x: 'Hi {name}, {link}' })).toEqual([
      { field: 'shareTemplates.x', message: 'the x template has the unknown placeholder {name} (use {link}, {advocateName} or {campaignName})' },
    ]);
    expect(check({ linkedin: 'Empty braces {} {link}' })[0]?.message).toContain('unknown placeholder {}');
    expect(check({ linkedin: 'Case counts {Link} {link}' })[0]?.message).toContain('unknown placeholder {Link}');
  });

  it('refuses a post without {link}', () => {
    expect(check({ facebook: 'No link here' })).toEqual([
      { field: 'shareTemplates.facebook', message: "the facebook template has no {link}: a post without the advocate's link cannot be counted" },
    ]);
  });

  it('refuses empty and blank posts, naming the length', () => {
    expect(check({ whatsapp: '' })[0]).toEqual({
      field: 'shareTemplates.whatsapp',
      message: 'the whatsapp template is empty (0 characters, none but white space): write a post, or leave the channel out',
    });
    expect(check({ email: ' \n\t ' })[0]?.message).toContain('empty (4 characters');
  });

  it('refuses control characters but keeps tabs and line breaks', () => {
    expect(check({ email: 'Hi,\r\n\tread this: {link}' })).toEqual([]);
    expect(check({ email: 'Bell\u0007 {link}' })[0]?.message).toBe(
      'the email template contains the control character U+0007 at position 4 (only tab and line breaks are allowed)',
    );
    expect(check({ email: 'Null \u0000 {link}' })[0]?.message).toContain('U+0000');
    expect(check({ email: 'C1 \u0085 {link}' })[0]?.message).toContain('U+0085');
    expect(check({ email: 'Half \ud83d {link}' })[0]?.message).toContain('unpaired surrogate');
  });

  it('refuses an X post one weighted character over 280, and accepts it at 280', () => {
    const room = 280 - 23 - 1;
    expect(check({ x: `${'a'.repeat(room)} {link}` })).toEqual([]);
    expect(check({ x: `${'a'.repeat(room + 1)} {link}` })).toEqual([
      {
        field: 'shareTemplates.x',
        message: 'the x post is 281 characters once filled (X weighted: a link counts 23, wide characters and emoji 2), more than the 280 x allows',
      },
    ]);
    // Half as many wide characters fill the same room.
    expect(check({ x: `${'語'.repeat(room / 2)} {link}` })).toEqual([]);
    expect(check({ x: `${'語'.repeat(room / 2 + 1)} {link}` })[0]?.message).toContain('282 characters');
  });

  it("counts the campaign's own name, so a long name can push a post over", () => {
    const template = `${'a'.repeat(200)} {campaignName} {link}`;
    expect(check({ x: template }, 'Short')).toEqual([]);
    expect(check({ x: template }, 'n'.repeat(60))[0]?.message).toContain('285 characters');
  });

  it('keeps LinkedIn at 3,000 and Instagram at 2,200 characters once filled', () => {
    expect(shareTemplateLimits.linkedin).toBe(3000);
    const atLimit = (limit: number) => `${'a'.repeat(limit - LONGEST_SHORT_URL)}{link}`;
    expect(check({ linkedin: atLimit(3000) })).toEqual([]);
    expect(check({ linkedin: `b${atLimit(3000)}` })[0]?.message).toBe('the linkedin post is 3001 characters once filled, more than the 3000 linkedin allows');
    expect(check({ instagram: atLimit(2200) })).toEqual([]);
    expect(check({ instagram: `b${atLimit(2200)}` })[0]?.message).toContain('2201 characters');
  });

  it('names every channel that has a problem', () => {
    expect(check({ x: '{nope} {link}', linkedin: 'fine {link}', email: '' }).map((error) => error.field)).toEqual(['shareTemplates.x', 'shareTemplates.email']);
  });
});

describe('campaign schemas', () => {
  const base = { name: 'Hiring', destinationUrl: 'https://acme.example/' };

  it('take shareTemplates per known channel only', () => {
    expect(campaignCreateSchema.safeParse({ ...base, shareTemplates: { linkedin: '{link}' } }).success).toBe(true);
    const unknown = campaignCreateSchema.safeParse({ ...base, shareTemplates: { myspace: '{link}' } });
    expect(unknown.success).toBe(false);
    expect(fieldErrorsFromZod(unknown.error!)).toEqual([{ field: 'shareTemplates.myspace', message: 'Unknown field' }]);
    expect(campaignCreateSchema.safeParse({ ...base, shareTemplates: { x: 42 } }).success).toBe(false);
  });

  it('let a patch remove every post with null', () => {
    expect(campaignPatchSchema.safeParse({ shareTemplates: null }).success).toBe(true);
    expect(campaignCreateSchema.safeParse({ ...base, shareTemplates: null }).success).toBe(false);
  });
});
