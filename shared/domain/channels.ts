/**
 * Sharing channels of a tracked link (spec section 3). The channel becomes `utm_source`
 * on the redirect, so the values are lower-case, URL-safe words.
 */
import * as z from 'zod';

/**
 * Append-only: a channel's place in this list is the roll-up partition of its rows
 * (`rollupPartitionShards.channel`, shared/adapters/keys.ts); reordering it would move them.
 */
export const channels = [
  'linkedin',
  'x',
  'facebook',
  'instagram',
  'xing',
  'email',
  'whatsapp',
  'slack',
  'teams',
  'sms',
  'qr',
  'other',
] as const;

export type Channel = (typeof channels)[number];

// Marked pure so that a bundle that only needs `isChannel` (the redirect) can drop zod.
export const channelSchema = /* @__PURE__ */ z.enum(channels);

const channelSet: ReadonlySet<string> = new Set(channels);

export const isChannel = (value: unknown): value is Channel =>
  typeof value === 'string' && channelSet.has(value);
