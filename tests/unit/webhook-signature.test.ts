import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  conversionWebhookSchema,
  decodeWebhookSecret,
  generateWebhookSecret,
  parseConversionWebhook,
  signWebhook,
  verifyWebhook,
  type VerifyWebhookInput,
} from '../../shared/domain/webhook-signature.js';
import { fieldErrorsFromZod } from '../../shared/domain/field-errors.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const secondsFromNow = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const currentSecret = generateWebhookSecret();
const rotatedSecret = generateWebhookSecret();
const body = JSON.stringify({
  type: 'conversion.created',
  data: { conversionId: 'order-1042', kind: 'purchase', occurredAt: '2026-11-27T09:58:00Z' },
});
const webhookId = 'msg_2mP0qZ8bH1';

/** Headers as a real third-party sender (the official standardwebhooks library) makes them. */
function signedByLibrary(options: { secret?: string; id?: string; at?: Date; payload?: string | Buffer } = {}) {
  const at = options.at ?? NOW;
  return {
    'webhook-id': options.id ?? webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? currentSecret).sign(
      options.id ?? webhookId,
      at,
      options.payload ?? body,
    ),
  };
}

const verify = (overrides: Partial<VerifyWebhookInput> = {}) =>
  verifyWebhook({ headers: signedByLibrary(), rawBody: body, secrets: [currentSecret], now: NOW, ...overrides });

describe('verifyWebhook against the official standardwebhooks signer', () => {
  it('accepts a correct signature over a string body', () => {
    expect(verify()).toEqual({ ok: true, webhookId, timestamp: NOW_SECONDS, secretIndex: 0 });
  });

  it('accepts a correct signature over a Buffer body', () => {
    expect(verify({ rawBody: Buffer.from(body, 'utf8') }).ok).toBe(true);
    const unicodeBody = JSON.stringify({ note: 'Grüße, 東京 🎉' });
    const headers = signedByLibrary({ payload: Buffer.from(unicodeBody, 'utf8') });
    expect(verify({ headers, rawBody: Buffer.from(unicodeBody, 'utf8') }).ok).toBe(true);
    expect(verify({ headers, rawBody: unicodeBody }).ok).toBe(true);
  });

  it('accepts when one of several listed signatures is valid', () => {
    const valid = signedByLibrary();
    const otherSenderKey = signedByLibrary({ secret: generateWebhookSecret() })['webhook-signature'];
    const headers = { ...valid, 'webhook-signature': `${otherSenderKey} ${valid['webhook-signature']}` };
    expect(verify({ headers }).ok).toBe(true);
  });

  it('accepts a message signed with a rotated secret that is still listed', () => {
    const headers = signedByLibrary({ secret: rotatedSecret });
    expect(verify({ headers, secrets: [currentSecret, rotatedSecret] })).toEqual({
      ok: true,
      webhookId,
      timestamp: NOW_SECONDS,
      secretIndex: 1,
    });
    // Once the rotated secret is dropped from the list, it no longer works.
    expect(verify({ headers, secrets: [currentSecret] })).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a wrong secret, a changed body and a changed id', () => {
    expect(verify({ secrets: [rotatedSecret] })).toEqual({ ok: false, reason: 'invalid_signature' });
    const oneByteChanged = body.replace('order-1042', 'order-1043');
    expect(oneByteChanged).toHaveLength(body.length);
    expect(verify({ rawBody: oneByteChanged })).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(verify({ rawBody: Buffer.concat([Buffer.from(body), Buffer.from(' ')]) })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(verify({ headers: { ...signedByLibrary(), 'webhook-id': 'msg_other' } })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('refuses a timestamp changed after signing', () => {
    const headers = { ...signedByLibrary(), 'webhook-timestamp': String(NOW_SECONDS + 1) };
    expect(verify({ headers })).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('accepts up to 300 s of clock difference either way and refuses 301 s', () => {
    for (const offset of [-300, 300]) {
      expect(verify({ headers: signedByLibrary({ at: secondsFromNow(offset) }) }).ok, String(offset)).toBe(true);
    }
    for (const offset of [-301, 301, -86_400]) {
      expect(verify({ headers: signedByLibrary({ at: secondsFromNow(offset) }) }), String(offset)).toEqual({
        ok: false,
        reason: 'stale_timestamp',
      });
    }
    expect(verify({ headers: signedByLibrary({ at: secondsFromNow(-301) }), toleranceSeconds: 600 }).ok).toBe(true);
  });

  it('refuses timestamps that are not integer seconds', () => {
    for (const timestamp of ['abc', '', ' ', '1.5', '-5', ` ${NOW_SECONDS}`, '1e9', '+1795000000', '0x10', '1'.repeat(20)]) {
      const headers = { ...signedByLibrary(), 'webhook-timestamp': timestamp };
      const expected = timestamp === '' ? 'missing_headers' : 'invalid_timestamp';
      expect(verify({ headers }), JSON.stringify(timestamp)).toEqual({ ok: false, reason: expected });
    }
  });

  it('refuses a missing or empty header', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _removed, ...headers } = signedByLibrary();
      expect(verify({ headers }), name).toEqual({ ok: false, reason: 'missing_headers' });
      expect(verify({ headers: { ...signedByLibrary(), [name]: '' } }), name).toEqual({
        ok: false,
        reason: 'missing_headers',
      });
    }
  });

  it('refuses malformed signature headers', () => {
    const valid = signedByLibrary()['webhook-signature'];
    const base64 = valid.slice(3);
    for (const signature of ['garbage', 'v1', 'v1,', 'v1,!!!!', `v1,${base64.slice(0, -4)}`, `v1;${base64}`, `V1,${base64}`, `v1,${base64}x`, base64]) {
      const headers = { ...signedByLibrary(), 'webhook-signature': signature };
      expect(verify({ headers }), signature).toEqual({ ok: false, reason: 'invalid_signature' });
    }
  });

  it('ignores signature versions other than v1', () => {
    const valid = signedByLibrary()['webhook-signature'];
    const asV2 = valid.replace(/^v1,/, 'v2,');
    const asV1a = valid.replace(/^v1,/, 'v1a,');
    expect(verify({ headers: { ...signedByLibrary(), 'webhook-signature': asV2 } })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(verify({ headers: { ...signedByLibrary(), 'webhook-signature': `${asV1a} ${asV2}` } }).ok).toBe(false);
    expect(verify({ headers: { ...signedByLibrary(), 'webhook-signature': `${asV2}  ${valid}` } }).ok).toBe(true);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verify({ secrets: [] })).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('reports a malformed configured secret, but still accepts a good one beside it', () => {
    for (const malformed of ['nope', 'whsec_', 'whsec_!!!!', 'whsec_c2hvcnQ=', currentSecret.slice('whsec_'.length)]) {
      expect(verify({ secrets: [malformed] }), malformed).toEqual({ ok: false, reason: 'malformed_secret' });
    }
    expect(verify({ secrets: ['nope', currentSecret] })).toMatchObject({ ok: true, secretIndex: 1 });
  });
});

describe('signWebhook and secrets', () => {
  it('generates whsec_ secrets of 32 random bytes that the official library accepts', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeWebhookSecret(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(() => new Webhook(secret)).not.toThrow();
  });

  it('signs exactly as the official library does', () => {
    expect(signWebhook({ id: webhookId, timestamp: NOW, body, secret: currentSecret })).toBe(
      signedByLibrary()['webhook-signature'],
    );
    expect(signWebhook({ id: webhookId, timestamp: NOW_SECONDS, body: Buffer.from(body), secret: currentSecret })).toBe(
      signedByLibrary()['webhook-signature'],
    );
  });

  it('matches the Standard Webhooks reference test vector', () => {
    expect(
      signWebhook({
        id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        timestamp: 1614265330,
        body: '{"test": 2432232314}',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('produces signatures the official library verifies', () => {
    const now = new Date();
    const id = 'msg_roundtrip';
    const signature = signWebhook({ id, timestamp: now, body, secret: currentSecret });
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(new Webhook(currentSecret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs and verifies the exact bytes of a non-UTF-8 body', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const signature = signWebhook({ id: webhookId, timestamp: NOW, body: bytes, secret: currentSecret });
    const headers = { 'webhook-id': webhookId, 'webhook-timestamp': String(NOW_SECONDS), 'webhook-signature': signature };
    expect(verifyWebhook({ headers, rawBody: bytes, secrets: [currentSecret], now: NOW }).ok).toBe(true);
  });

  it('refuses to sign with a malformed secret or timestamp', () => {
    expect(() => signWebhook({ id: 'x', timestamp: NOW, body, secret: 'nope' })).toThrow(RangeError);
    expect(() => signWebhook({ id: 'x', timestamp: 1.5, body, secret: currentSecret })).toThrow(RangeError);
  });
});

describe('conversion webhook body', () => {
  const valid = {
    type: 'conversion.created',
    data: {
      conversionId: 'order-1042',
      kind: 'purchase',
      occurredAt: '2026-11-27T10:00:00Z',
      value: { amount: '129.90', currency: 'EUR' },
      clickId: 'clk_123',
      visitorId: 'v_456',
      customerId: 'crm-77',
    },
  };
  const withData = (data: Record<string, unknown>) => ({ ...valid, data: { ...valid.data, ...data } });
  const errorsOf = (input: unknown) => parseConversionWebhook(JSON.stringify(input));

  it('accepts the example from the spec, and the minimal form', () => {
    expect(parseConversionWebhook(JSON.stringify(valid))).toEqual({ ok: true, webhook: valid });
    const minimal = { type: 'conversion.created', data: { conversionId: 'l-1', kind: 'lead', occurredAt: '2026-11-27T10:00:00.123Z' } };
    expect(conversionWebhookSchema.parse(minimal)).toEqual(minimal);
  });

  it('accepts custom kinds and exact amounts in 0- and 3-decimal currencies', () => {
    for (const kind of ['signup', 'demo_request', 'trial-start', 'a']) {
      expect(conversionWebhookSchema.safeParse(withData({ kind })).success, kind).toBe(true);
    }
    expect(conversionWebhookSchema.safeParse(withData({ value: { amount: '1500', currency: 'JPY' } })).success).toBe(true);
    expect(conversionWebhookSchema.safeParse(withData({ value: { amount: '1.250', currency: 'BHD' } })).success).toBe(true);
  });

  it('answers 400 for a body that is not JSON', () => {
    expect(parseConversionWebhook('{"type":')).toEqual({
      ok: false,
      status: 400,
      errors: [{ field: '', message: 'Body must be valid JSON' }],
    });
  });

  it('names the failing fields', () => {
    const fields = (input: unknown) => {
      const result = errorsOf(input);
      return result.ok ? [] : result.errors.map((e) => e.field);
    };
    expect(fields({ ...valid, type: 'conversion.updated' })).toEqual(['type']);
    expect(fields(withData({ value: { amount: '1.234', currency: 'EUR' } }))).toEqual(['data.value.amount']);
    expect(fields(withData({ value: { amount: '1e3', currency: 'EUR' } }))).toEqual(['data.value.amount']);
    expect(fields(withData({ value: { amount: '-1', currency: 'EUR' } }))).toEqual(['data.value.amount']);
    expect(fields(withData({ value: { amount: 129.9, currency: 'EUR' } }))).toEqual(['data.value.amount']);
    expect(fields(withData({ value: { amount: '1.5', currency: 'JPY' } }))).toEqual(['data.value.amount']);
    expect(fields(withData({ value: { amount: '1.00', currency: 'eur' } }))).toEqual(['data.value.currency']);
    expect(fields(withData({ value: { amount: '1.00' } }))).toEqual(['data.value.currency']);
    expect(fields(withData({ occurredAt: '2026-11-27T10:00:00+01:00' }))).toEqual(['data.occurredAt']);
    expect(fields(withData({ occurredAt: '2026-11-27' }))).toEqual(['data.occurredAt']);
    expect(fields(withData({ kind: 'Purchase' }))).toEqual(['data.kind']);
    expect(fields(withData({ kind: 'x'.repeat(41) }))).toEqual(['data.kind']);
    expect(fields(withData({ conversionId: '' }))).toEqual(['data.conversionId']);
    expect(fields(withData({ conversionId: 'x'.repeat(201) }))).toEqual(['data.conversionId']);
    expect(fields(withData({ conversionId: ' order-1' }))).toEqual(['data.conversionId']);
    expect(fields(withData({ clickId: 'a\u0000b' }))).toEqual(['data.clickId']);
    expect(fields(withData({ customerId: 42 }))).toEqual(['data.customerId']);
    expect(fields({ type: 'conversion.created' })).toEqual(['data']);
  });

  it('refuses unknown fields at every level, naming each one', () => {
    const result = errorsOf({ ...valid, extra: 1, data: { ...valid.data, note: 'x', value: { ...valid.data.value, tax: '1' } } });
    expect(result).toEqual({
      ok: false,
      status: 422,
      errors: expect.arrayContaining([
        { field: 'extra', message: 'Unknown field' },
        { field: 'data.note', message: 'Unknown field' },
        { field: 'data.value.tax', message: 'Unknown field' },
      ]),
    });
  });

  it('turns zod errors into field/message pairs', () => {
    const result = conversionWebhookSchema.safeParse(withData({ value: { amount: '1.234', currency: 'EUR' } }));
    expect(result.success).toBe(false);
    expect(fieldErrorsFromZod(result.error!)).toEqual([
      { field: 'data.value.amount', message: 'EUR allows at most 2 decimal places' },
    ]);
  });
});

describe('webhook secrets and signatures at their edges', () => {
  const secretOf = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

  it('accepts keys of 16 to 64 bytes only', () => {
    expect(decodeWebhookSecret(secretOf(15))).toBeUndefined();
    expect(decodeWebhookSecret(secretOf(16))).toEqual(Buffer.alloc(16, 7));
    expect(decodeWebhookSecret(secretOf(64))).toEqual(Buffer.alloc(64, 7));
    expect(decodeWebhookSecret(secretOf(65))).toBeUndefined();
  });

  it('refuses secrets that are not strict padded base64 behind the whsec_ prefix', () => {
    const encoded = Buffer.alloc(24, 7).toString('base64'); // 32 characters, no padding needed
    expect(decodeWebhookSecret(`whsec_${encoded}`)).toEqual(Buffer.alloc(24, 7));
    expect(decodeWebhookSecret(`wrong_${encoded}`)).toBeUndefined();
    expect(decodeWebhookSecret(42 as unknown as string)).toBeUndefined();
    expect(decodeWebhookSecret(`whsec_*${encoded.slice(1)}`)).toBeUndefined();
    expect(decodeWebhookSecret(`whsec_${encoded.slice(0, -1)}*`)).toBeUndefined();
    // 17 bytes need one "=": without it the length is not a multiple of 4.
    const padded = Buffer.alloc(17, 7).toString('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect(decodeWebhookSecret(`whsec_${padded}`)).toEqual(Buffer.alloc(17, 7));
    expect(decodeWebhookSecret(`whsec_${padded.slice(0, -1)}`)).toBeUndefined();
  });

  it('signs at Unix time 0 and explains what it refuses to sign', () => {
    expect(signWebhook({ id: 'msg_1', timestamp: 0, body: '{}', secret: currentSecret })).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(() => signWebhook({ id: 'msg_1', timestamp: -1, body: '{}', secret: currentSecret })).toThrow(
      'signWebhook: timestamp must be whole non-negative Unix seconds',
    );
    expect(() => signWebhook({ id: 'msg_1', timestamp: 0, body: '{}', secret: 'whsec_' })).toThrow(
      'signWebhook: secret must be whsec_ followed by base64 of 16–64 bytes',
    );
  });
});
