/**
 * Identifiers: short-link slugs, click ids, visitor ids and resource ids.
 * All randomness comes from node:crypto; no dependency.
 */
import { randomFillSync } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Crockford base32 (no I, L, O, U): the ULID alphabet, URL-safe and sortable as text. */
const CROCKFORD32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const SLUG_MIN_LENGTH = 7;
export const SLUG_MAX_LENGTH = 32;
export const DEFAULT_SLUG_LENGTH = 8;
export const CLICK_ID_LENGTH = 26;
export const VISITOR_ID_LENGTH = 22;
const RESOURCE_ID_RANDOM_LENGTH = 20;

// One pooled buffer refilled in bulk: the redirect draws a click id and a visitor id per
// request, and a syscall per id would be wasted work.
const pool = Buffer.allocUnsafe(1024);
let poolOffset = pool.length;

const randomByte = (): number => {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
};

// 248 = 62 × 4: bytes at or above it are rejected so every base62 digit is equally likely.
const BASE62_REJECTION_LIMIT = 248;

const randomBase62 = (length: number): string => {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < BASE62_REJECTION_LIMIT) out += BASE62[byte % 62];
  }
  return out;
};

/** A random, case-sensitive base62 slug (spec: URL-safe, at least 7 characters). */
export const newSlug = (length: number = DEFAULT_SLUG_LENGTH): string => {
  if (!Number.isInteger(length) || length < SLUG_MIN_LENGTH || length > SLUG_MAX_LENGTH) {
    throw new RangeError(`Slug length must be an integer from ${SLUG_MIN_LENGTH} to ${SLUG_MAX_LENGTH}`);
  }
  return randomBase62(length);
};

const slugPattern = /^[0-9A-Za-z]{7,32}$/;

/** Refuses path traversal, encoded characters and junk before any database access. */
export const isValidSlug = (value: unknown): value is string => typeof value === 'string' && slugPattern.test(value);

// Monotonic state: within one millisecond (or if the clock steps back) the random part is
// incremented instead of redrawn, so ids from one container sort in creation order.
let lastClickTimeMs = -1;
const lastRandomDigits = new Uint8Array(16);

const incrementRandomDigits = (): void => {
  for (let i = lastRandomDigits.length - 1; i >= 0; i--) {
    if (lastRandomDigits[i]! < 31) {
      lastRandomDigits[i]!++;
      return;
    }
    lastRandomDigits[i] = 0;
  }
  // 2^80 increments within one millisecond cannot happen; wrapping keeps the id well-formed.
};

/**
 * A 26-character, time-sortable click id (ULID layout): 10 characters of millisecond
 * timestamp, then 16 characters (80 bits) of randomness, in Crockford base32.
 */
export const newClickId = (nowMs: number = Date.now()): string => {
  if (nowMs > lastClickTimeMs) {
    lastClickTimeMs = nowMs;
    // 256 is a multiple of 32, so masking a byte to 5 bits has no bias.
    for (let i = 0; i < lastRandomDigits.length; i++) lastRandomDigits[i] = randomByte() & 31;
  } else {
    incrementRandomDigits();
  }
  let time = lastClickTimeMs;
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD32[time % 32]! + timePart;
    time = Math.floor(time / 32);
  }
  let randomPart = '';
  for (const digit of lastRandomDigits) randomPart += CROCKFORD32[digit];
  return timePart + randomPart;
};

// The first character carries only 3 bits of the 48-bit timestamp, hence [0-7].
const clickIdPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const isValidClickId = (value: unknown): value is string =>
  typeof value === 'string' && clickIdPattern.test(value);

/** Creation time (epoch ms) encoded in a click id. */
export const clickIdTimeMs = (clickId: string): number => {
  let time = 0;
  for (let i = 0; i < 10; i++) time = time * 32 + CROCKFORD32.indexOf(clickId[i]!);
  return time;
};

/** 128 random bits as 22 base64url characters: the `eav` cookie value. */
export const newVisitorId = (): string => {
  const bytes = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) bytes[i] = randomByte();
  return bytes.toString('base64url');
};

// 16 bytes fill 21 base64 characters and 2 bits of the 22nd, so its last 4 bits are zero:
// only A, Q, g and w can end a real visitor id.
const visitorIdPattern = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export const isValidVisitorId = (value: unknown): value is string =>
  typeof value === 'string' && visitorIdPattern.test(value);

const prefixPattern = /^[a-z]{2,8}$/;
const resourceIdPattern = /^([a-z]{2,8})_[0-9A-Za-z]{20}$/;

/** A random resource id such as `cmp_…`, `src_…`, `key_…`, `org_…` (about 119 random bits). */
export const newId = (prefix: string): string => {
  if (!prefixPattern.test(prefix)) throw new RangeError(`Id prefix must be 2–8 lower-case letters: ${prefix}`);
  return `${prefix}_${randomBase62(RESOURCE_ID_RANDOM_LENGTH)}`;
};

/** Whether `value` has the shape `newId` produces (with that prefix, when one is given). */
export const isValidId = (value: unknown, prefix?: string): value is string => {
  if (typeof value !== 'string') return false;
  const match = resourceIdPattern.exec(value);
  return match !== null && (prefix === undefined || match[1] === prefix);
};
