import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  formatAmount,
  formatMicro,
  InvalidAmountError,
  isCurrencyCode,
  microToNumber,
  parseAmount,
  splitAmount,
  tryParseAmount,
} from '../../shared/domain/money.js';

const refusal = (amount: string, currency: string) => {
  const parsed = tryParseAmount(amount, currency);
  return parsed.ok ? 'accepted' : parsed.reason;
};

describe('currencies', () => {
  it('knows ISO 4217 exponents, 2 by default', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('CLP')).toBe(0);
    expect(currencyExponent('ISK')).toBe(0);
    expect(currencyExponent('VND')).toBe(0);
    for (const code of ['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD']) expect(currencyExponent(code)).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
    // Not an inherited property of the lookup table.
    expect(currencyExponent('constructor')).toBe(2);
  });

  it('recognises currency codes by shape', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    for (const bad of ['eur', 'EU', 'EURO', 'E1R', '', ' EUR', 42]) expect(isCurrencyCode(bad)).toBe(false);
  });
});

describe('parseAmount', () => {
  it('parses into minor units', () => {
    expect(parseAmount('129.90', 'EUR')).toBe(12990n);
    expect(parseAmount('129.9', 'EUR')).toBe(12990n);
    expect(parseAmount('129', 'EUR')).toBe(12900n);
    expect(parseAmount('0', 'EUR')).toBe(0n);
    expect(parseAmount('0.00', 'EUR')).toBe(0n);
    expect(parseAmount('0.01', 'EUR')).toBe(1n);
    expect(parseAmount('1500', 'JPY')).toBe(1500n);
    expect(parseAmount('1.250', 'BHD')).toBe(1250n);
    expect(parseAmount('1.25', 'KWD')).toBe(1250n);
    expect(parseAmount('999999999999999.99', 'USD')).toBe(99999999999999999n);
  });

  it('accepts leading zeros and decimals beyond the exponent when they are zeros (exact, no rounding)', () => {
    expect(parseAmount('01.5', 'EUR')).toBe(150n);
    expect(parseAmount('007', 'EUR')).toBe(700n);
    expect(parseAmount('1500.00', 'JPY')).toBe(1500n);
    expect(parseAmount('10.000', 'EUR')).toBe(1000n);
  });

  it('refuses what it would have to round or guess', () => {
    expect(refusal('1.234', 'EUR')).toBe('too_many_decimals');
    expect(refusal('1.5', 'JPY')).toBe('too_many_decimals');
    expect(refusal('1.2345', 'BHD')).toBe('too_many_decimals');
    expect(refusal('-1', 'EUR')).toBe('negative');
    expect(refusal('-0.50', 'EUR')).toBe('negative');
    for (const malformed of ['1e3', '1E3', '', '.5', '5.', '.', '1,000.00', '1 000', ' 1', '1 ', '+1', '0x10', 'NaN', 'Infinity', '1..2', '١٢']) {
      expect(refusal(malformed, 'EUR'), malformed).toBe('malformed');
    }
    expect(refusal('1234567890123456', 'EUR')).toBe('too_large');
    expect(refusal('1.00', 'eur')).toBe('invalid_currency');
    expect(refusal('1.00', 'EURO')).toBe('invalid_currency');
  });

  it('throws InvalidAmountError with the reason', () => {
    try {
      parseAmount('1.234', 'EUR');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidAmountError);
      expect((error as InvalidAmountError).reason).toBe('too_many_decimals');
      expect((error as InvalidAmountError).message).toBe('EUR allows at most 2 decimal places');
    }
  });
});

describe('formatAmount', () => {
  it('formats minor units with the currency exponent', () => {
    expect(formatAmount(12990n, 'EUR')).toBe('129.90');
    expect(formatAmount(5n, 'EUR')).toBe('0.05');
    expect(formatAmount(0n, 'EUR')).toBe('0.00');
    expect(formatAmount(1500n, 'JPY')).toBe('1500');
    expect(formatAmount(0n, 'JPY')).toBe('0');
    expect(formatAmount(1250n, 'BHD')).toBe('1.250');
    expect(formatAmount(7n, 'KWD')).toBe('0.007');
    expect(formatAmount(-150n, 'EUR')).toBe('-1.50');
  });

  it('round-trips with parseAmount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }),
        fc.constantFrom('EUR', 'JPY', 'BHD', 'KWD', 'CLF', 'USD', 'ISK'),
        (minor, currency) => {
          const text = formatAmount(minor, currency);
          expect(parseAmount(text, currency)).toBe(minor);
          expect(formatAmount(parseAmount(text, currency), currency)).toBe(text);
        },
      ),
    );
  });
});

describe('splitAmount', () => {
  it('splits by largest remainder, later index winning ties', () => {
    expect(splitAmount(100n, [1, 1, 1])).toEqual([33n, 33n, 34n]);
    expect(splitAmount(2n, [1, 1, 1])).toEqual([0n, 1n, 1n]);
    expect(splitAmount(10n, [400_000, 200_000, 400_000])).toEqual([4n, 2n, 4n]);
    // 7 × 1/7, 2/7, 4/7 = 1, 2, 4 exactly.
    expect(splitAmount(7n, [1n, 2n, 4n])).toEqual([1n, 2n, 4n]);
    // 10 × 1, 2, 4 / 7 = 1.43, 2.86, 5.71 → floors 8; +1 to .86 and .71.
    expect(splitAmount(10n, [1, 2, 4])).toEqual([1n, 3n, 6n]);
    expect(splitAmount(0n, [1, 2])).toEqual([0n, 0n]);
  });

  it('gives nothing to a zero weight', () => {
    expect(splitAmount(5n, [0, 1, 0, 1])).toEqual([0n, 2n, 0n, 3n]);
  });

  it('refuses what it cannot split', () => {
    expect(() => splitAmount(-1n, [1])).toThrow(RangeError);
    expect(() => splitAmount(1n, [])).toThrow(RangeError);
    expect(() => splitAmount(1n, [0, 0])).toThrow(RangeError);
    expect(() => splitAmount(1n, [-1, 2])).toThrow(RangeError);
    expect(() => splitAmount(1n, [0.5, 0.5])).toThrow(RangeError);
  });

  it('always sums exactly to the total, each part within one unit of its exact quota', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = splitAmount(total, weights);
          const weightSum = BigInt(weights.reduce((a, b) => a + b, 0));
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((part, i) => {
            const floor = (total * BigInt(weights[i])) / weightSum;
            expect(part === floor || part === floor + 1n).toBe(true);
          });
        },
      ),
    );
  });
});

describe('micro-credits', () => {
  it('formats micro-units as short decimals', () => {
    expect(formatMicro(400_000)).toBe('0.4');
    expect(formatMicro(1_000_000)).toBe('1');
    expect(formatMicro(2_333_333)).toBe('2.333333');
    expect(formatMicro(1)).toBe('0.000001');
    expect(formatMicro(0)).toBe('0');
    expect(formatMicro(-600_000)).toBe('-0.6');
    expect(formatMicro(123_456_789_000_000_001n)).toBe('123456789000.000001');
    expect(() => formatMicro(0.5)).toThrow(RangeError);
  });

  it('converts to numbers with at most 6 decimals', () => {
    expect(microToNumber(400_000)).toBe(0.4);
    expect(microToNumber(2_333_333)).toBe(2.333333);
    expect(microToNumber(3_000_000n)).toBe(3);
    // 0.1 + 0.2 style drift does not happen: the sum is taken in integers first.
    expect(microToNumber(100_000 + 200_000)).toBe(0.3);
  });
});

describe('money edges found by mutation testing', () => {
  it('explains each refusal', () => {
    const refusal = (amount: unknown, currency: string) => tryParseAmount(amount as string, currency);
    expect(refusal('1', 'eur')).toEqual({ ok: false, reason: 'invalid_currency', message: 'Currency must be an ISO 4217 code of three upper-case letters' });
    expect(refusal('1,5', 'EUR')).toEqual({ ok: false, reason: 'malformed', message: 'Amount must be a plain decimal string such as "129.90"' });
    expect(refusal(15, 'EUR')).toEqual({ ok: false, reason: 'malformed', message: 'Amount must be a plain decimal string such as "129.90"' });
    expect(refusal('-1', 'EUR')).toEqual({ ok: false, reason: 'negative', message: 'Amount must not be negative' });
    expect(refusal('1234567890123456', 'EUR')).toEqual({
      ok: false,
      reason: 'too_large',
      message: 'Amount may have at most 15 digits before the decimal point',
    });
    // A minus sign inside the text is malformed, not negative.
    expect(refusal('1-2', 'EUR')).toMatchObject({ reason: 'malformed' });
    const error = (() => {
      try {
        parseAmount('1.5', 'JPY');
      } catch (caught) {
        return caught as InvalidAmountError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidAmountError);
    expect(error?.name).toBe('InvalidAmountError');
    expect(error?.message).toBe('JPY allows at most 0 decimal places');
  });

  it('reads zeros beyond the exponent without shifting the digits before them', () => {
    expect(parseAmount('1.500', 'EUR')).toBe(150n);
    expect(parseAmount('2.50', 'BHD')).toBe(2500n);
  });

  it('is strict about currency codes that are not strings', () => {
    expect(isCurrencyCode(['EUR'])).toBe(false);
  });

  it('explains each refused split or micro value', () => {
    expect(() => splitAmount(-1n, [1])).toThrow('splitAmount: total must not be negative');
    expect(() => splitAmount(1n, [0.5, 0.5])).toThrow('splitAmount: weights must be integers');
    expect(() => splitAmount(1n, [-1, 2])).toThrow('splitAmount: weights must not be negative');
    expect(() => splitAmount(1n, [0, 0])).toThrow('splitAmount: at least one weight must be positive');
    expect(() => formatMicro(0.5)).toThrow('formatMicro: micro-units must be an integer');
  });
});
