/**
 * Money and fractional credit in exact integers. Pure: no I/O, no AWS.
 *
 * Representation decisions
 * - An amount is a decimal string on the wire ("129.90") and a `bigint` of the currency's
 *   MINOR units inside (12990n for EUR, 1500n for "1500" JPY, 1250n for "1.250" BHD), using the
 *   ISO 4217 exponent of the currency. Nothing is ever rounded: an amount with more significant
 *   decimals than its currency has is refused. Extra decimals that are all zeros ("1500.00" JPY,
 *   "10.000" EUR) are accepted because they are exact.
 * - Leading zeros in the integer part ("01.50") are accepted: the value is unambiguous and the
 *   webhook schema (`^\d{1,15}(\.\d{1,3})?$`) admits them. At most 15 integer digits.
 * - Zero is allowed (free sign-ups with a value of "0.00"); negative amounts are refused:
 *   refunds and reversals are out of scope, so a roll-up revenue total can only grow.
 * - Credit for one conversion is counted in MICRO-credits: 1 conversion = 1_000_000. Each
 *   conversion's shares are integers that sum to exactly 1_000_000 under every model, so roll-up
 *   conversion totals are exact integers of micro-conversions; the API shows them with at most
 *   6 decimals (`formatMicro`, `microToNumber`).
 * - `splitAmount` is the one apportionment routine (largest remainder / Hamilton method, exact
 *   integer arithmetic). Attribution uses it for both credits and revenue, so every split sums
 *   exactly to its total and the same input always gives the same split.
 */

/** Micro-credits in one whole conversion. */
export const MICRO_PER_UNIT = 1_000_000;

/** Largest number of digits before the decimal point that an amount may have. */
export const MAX_INTEGER_DIGITS = 15;

/**
 * ISO 4217 minor-unit exponents that differ from the default of 2. Currencies not listed here
 * (EUR, USD, GBP, CHF, …) have 2 decimals.
 */
const currencyExponents: Readonly<Record<string, number>> = {
  // No minor unit in use.
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  // Thousandths.
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  // Ten-thousandths (units of account).
  CLF: 4, UYW: 4,
};

const DEFAULT_EXPONENT = 2;

/** Three upper-case ASCII letters, the shape of an ISO 4217 alphabetic code. */
export const isCurrencyCode = (code: unknown): code is string =>
  typeof code === 'string' && /^[A-Z]{3}$/.test(code);

/** Number of decimals of the currency's minor unit (ISO 4217 exponent; 2 when not listed). */
export const currencyExponent = (currency: string): number =>
  Object.hasOwn(currencyExponents, currency) ? currencyExponents[currency] : DEFAULT_EXPONENT;

export type InvalidAmountReason =
  | 'invalid_currency'
  | 'malformed'
  | 'negative'
  | 'too_many_decimals'
  | 'too_large';

const reasonMessages: Record<InvalidAmountReason, (currency: string) => string> = {
  invalid_currency: () => 'Currency must be an ISO 4217 code of three upper-case letters',
  malformed: () => 'Amount must be a plain decimal string such as "129.90"',
  negative: () => 'Amount must not be negative',
  too_many_decimals: (currency) =>
    `${currency} allows at most ${currencyExponent(currency)} decimal places`,
  too_large: () => `Amount may have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`,
};

export class InvalidAmountError extends Error {
  override readonly name = 'InvalidAmountError';
  constructor(
    readonly reason: InvalidAmountReason,
    message: string,
  ) {
    super(message);
  }
}

export type ParsedAmount =
  | { ok: true; minor: bigint }
  | { ok: false; reason: InvalidAmountReason; message: string };

/** Like `parseAmount`, but reports a refusal as a value instead of throwing. */
export function tryParseAmount(amount: string, currency: string): ParsedAmount {
  const refuse = (reason: InvalidAmountReason): ParsedAmount => ({
    ok: false,
    reason,
    message: reasonMessages[reason](currency),
  });

  if (!isCurrencyCode(currency)) return refuse('invalid_currency');
  if (typeof amount !== 'string') return refuse('malformed');
  if (/^-\d/.test(amount)) return refuse('negative');

  // Digits, optionally a point followed by at least one digit. No sign, exponent, spaces,
  // thousands separators, or bare "." / ".5" / "5.".
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return refuse('malformed');
  const [, integerDigits, fractionDigits = ''] = match;
  if (integerDigits.length > MAX_INTEGER_DIGITS) return refuse('too_large');

  const exponent = currencyExponent(currency);
  // Decimals beyond the currency's exponent are only acceptable when they are zeros.
  if (/[1-9]/.test(fractionDigits.slice(exponent))) return refuse('too_many_decimals');

  const minorDigits = fractionDigits.slice(0, exponent).padEnd(exponent, '0');
  return { ok: true, minor: BigInt(integerDigits) * 10n ** BigInt(exponent) + BigInt(minorDigits) };
}

/**
 * Parses a decimal amount string into integer minor units of `currency`.
 * Throws `InvalidAmountError` (with a `reason`) instead of rounding or guessing.
 */
export function parseAmount(amount: string, currency: string): bigint {
  const parsed = tryParseAmount(amount, currency);
  if (!parsed.ok) throw new InvalidAmountError(parsed.reason, parsed.message);
  return parsed.minor;
}

/** Formats integer minor units as the currency's decimal string: 12990n EUR → "129.90". */
export function formatAmount(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Splits `total` into integer parts proportional to `weights` (largest remainder method).
 *
 * - The parts always sum to exactly `total`; a part is never negative; a zero weight gets 0.
 * - Every part is floor(total × weight / Σweights) or one more; the leftover units go to the
 *   largest exact remainders. Equal remainders go to the LATER index first, so that in
 *   attribution the touch closer to the conversion wins a tie — a fixed, documented order.
 * - `weights` are non-negative integers (numbers must be safe integers), at least one positive.
 *   Micro-credit shares summing to 1_000_000 are valid weights, and so are arbitrary ones.
 */
export function splitAmount(total: bigint, weights: readonly (number | bigint)[]): bigint[] {
  if (total < 0n) throw new RangeError('splitAmount: total must not be negative');
  const exactWeights = weights.map((weight) => {
    if (typeof weight === 'number' && !Number.isSafeInteger(weight)) {
      throw new RangeError('splitAmount: weights must be integers');
    }
    const asBigInt = BigInt(weight);
    if (asBigInt < 0n) throw new RangeError('splitAmount: weights must not be negative');
    return asBigInt;
  });
  const weightSum = exactWeights.reduce((sum, weight) => sum + weight, 0n);
  if (weightSum === 0n) throw new RangeError('splitAmount: at least one weight must be positive');

  const parts = exactWeights.map((weight) => (total * weight) / weightSum);
  const remainders = exactWeights.map((weight) => (total * weight) % weightSum);
  // Σ remainders = leftover × weightSum, and each remainder < weightSum, so the leftover is
  // smaller than the number of positive remainders: only those can receive an extra unit.
  let leftover = total - parts.reduce((sum, part) => sum + part, 0n);

  const order = exactWeights
    .map((_, index) => index)
    .sort((a, b) => (remainders[a] === remainders[b] ? b - a : remainders[a] > remainders[b] ? -1 : 1));
  for (const index of order) {
    if (leftover === 0n) break;
    parts[index] += 1n;
    leftover -= 1n;
  }
  return parts;
}

/**
 * Micro-units as a plain decimal string with no trailing zeros:
 * 400_000 → "0.4", 1_000_000 → "1", 2_333_333 → "2.333333", 0 → "0".
 */
export function formatMicro(micro: number | bigint): string {
  if (typeof micro === 'number' && !Number.isSafeInteger(micro)) {
    throw new RangeError('formatMicro: micro-units must be an integer');
  }
  const value = BigInt(micro);
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(7, '0');
  const whole = digits.slice(0, -6);
  const fraction = digits.slice(-6).replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

/**
 * Micro-units as a JSON number with at most 6 decimals (the nearest double to the exact
 * decimal): 400_000 → 0.4, 2_333_333 → 2.333333. For API responses; never sum these.
 */
export const microToNumber = (micro: number | bigint): number => Number(formatMicro(micro));
