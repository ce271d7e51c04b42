/**
 * fast-check generators of hostile HTTP requests for any route of infra/definitions.ts.
 *
 * Everything is generic over the route: path parameters, query strings, headers and bodies are
 * drawn from menus of the odd (oversized, wrong types, unknown fields, unicode, deep JSON,
 * invalid UTF-8 and base64, duplicate keys, forged cursors, malformed percent-encoding). What a
 * route knows in addition — real ids to aim at, valid bodies to mutate, how to sign — comes in a
 * `RouteFuzzContext`, and a route nobody described still gets the generic menus.
 *
 * A fair share of the cases (one in VALID_SHARE) are well-formed requests of the owner —
 * admitted credential, existing ids, a valid query and body — so that the route's success paths
 * are fuzzed too, not only its refusals.
 */
import fc from 'fast-check';
import type { RouteDefinition } from '../../../shared/contract/routes.js';
import type { WireRequest } from './gateway.js';

export interface RouteFuzzContext {
  route: RouteDefinition;
  /** Real ids per path/query parameter name, so requests reach past "not found". */
  ids: Record<string, string[]>;
  /** `Authorization` values that authenticate (an authorised route uses them most of the time). */
  credentials: string[];
  /** Valid bodies of this route, to be sent as they are or mutated. */
  bodies: unknown[];
  /** The organization of the credentials, for forged cursors that pass the organization check. */
  orgId: string;
  /** Hosts the deployment serves (default and organizations' domains), for Host and X-Forwarded-Host. */
  hosts?: string[];
  /**
   * The body is a vendor's event (spec 13): its schema is the vendor's, who adds fields at will, so
   * unknown fields are expected and accepted there, not refused.
   */
  vendorBody?: boolean;
  /** Adds a valid signature over the final body under the given message id (the webhook route). */
  sign?: (body: Buffer, webhookId: string) => Array<[string, string]>;
  /** What a request that should succeed is made of. */
  valid: {
    /** The owner's existing ids per parameter name. */
    ids: Record<string, string[]>;
    /** `Authorization` values the route admits (empty for a public route). */
    credentials: string[];
    /** Valid query strings (without `?`; '' for none). */
    queries: string[];
    /** Valid bodies beyond the fixed `bodies` (e.g. with fresh ids, so that writes are new). */
    body?: fc.Arbitrary<unknown>;
  };
}

/** A generated request and what must hold for it whatever the route does with it. */
export interface FuzzCase {
  request: WireRequest;
  /** A write with this body must be refused (unknown field, oversized, not JSON…). */
  mustReject?: string;
  /** Short description for failure messages. */
  label: string;
}

// ---------------------------------------------------------------------------------------------
// Strings

const UNRESERVED = /[A-Za-z0-9\-._~]/;

const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/** Percent-encodes every byte that is not unreserved (lone surrogates become U+FFFD). */
export const percentEncode = (text: string): string => {
  if (ALL_UNRESERVED.test(text)) return text;
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};

const controlAndUnicode = fc.constantFrom(
  '\u0000',
  '\r\n',
  '\t',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\ud800',
  '💥',
  'é',
  'ﬀ',
  'İ',
  '\u0085',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../',
  '%00',
);

/** Oversized values: past DynamoDB's key limits (1 and 2 KiB), past any sane header or id. */
const giantText = fc
  .tuple(fc.constantFrom(1025, 2049, 10_000, 70_000), fc.constantFrom('a', 'é', '%'))
  .map(([n, unit]) => unit.repeat(n));

/** Printable junk, full Unicode (including lone surrogates), and hostile snippets. */
const smallOddText = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.array(controlAndUnicode, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')), weight: 2 },
);

/** The same, now and then oversized (rarely: every request carries several of these). */
const oddText = fc.oneof({ arbitrary: smallOddText, weight: 30 }, { arbitrary: giantText, weight: 1 });

// ---------------------------------------------------------------------------------------------
// Path parameters

const mutateId = (id: string) =>
  fc.oneof(
    fc.constant(id),
    fc.constant(id.toUpperCase()),
    fc.constant(id.toLowerCase()),
    fc.constant(id.slice(0, -1)),
    fc.constant(`${id}x`),
    fc.constant(`${id}%00`),
    fc.constant(`${id}%2F..`),
    fc.constant(` ${id}`),
  );

/** One raw path segment (as sent on the request line, so possibly malformed). */
const pathSegment = (ids: string[]) =>
  fc.oneof(
    ...(ids.length > 0
      ? [
          { arbitrary: fc.constantFrom(...ids), weight: 6 },
          { arbitrary: fc.constantFrom(...ids).chain(mutateId), weight: 3 },
        ]
      : []),
    { arbitrary: oddText.filter((s) => s.length > 0).map(percentEncode), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        '%', '%zz', '%C3%28', '%E0%A4%A', '%FF%FE', '%00', '%2F', '%2e%2e', '..', '.', '%2e%2e%2f%2e%2e',
        '%252e', '~', "!$&'()*+,;=:@", 'é', '💥', '%ED%A0%80', 'a'.repeat(3000),
      ),
      weight: 3,
    },
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{1,40}$/), weight: 2 },
  );

// ---------------------------------------------------------------------------------------------
// Query strings

const queryNames = [
  'limit', 'cursor', 'campaignId', 'advocateId', 'model', 'groupBy', 'from', 'to', 'type', 'metric',
  'currency', 'eaclid', 'utm_source', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a[]', '',
];

const queryValues = (ctx: RouteFuzzContext) => {
  const ids = Object.values(ctx.ids).flat();
  return fc.oneof(
    {
      arbitrary: fc.constantFrom(
        '1', '0', '-1', '100', '101', '1e2', '2.5', 'NaN', 'Infinity', '9007199254740993', '',
        'last_click', 'linear', 'time_decay', 'advocate', 'link', 'channel', 'day', 'department',
        'country', 'device', 'browser', 'os', 'referrer',
        'click', 'conversion', 'clicks', 'conversions', 'revenue', 'EUR', 'eur',
        '2026-01-01', '2026-02-30', '1999-12-31', '9999-12-31', '2026-01-01T00:00:00Z',
      ),
      weight: 5,
    },
    ...(ids.length > 0 ? [{ arbitrary: fc.constantFrom(...ids), weight: 2 }] : []),
    { arbitrary: forgedCursor(ctx.orgId), weight: 3 },
    { arbitrary: oddText.map(percentEncode), weight: 3 },
    { arbitrary: fc.constantFrom('%', '%zz', '%C3%28', '%FF', 'a%2', '+', '%2B', '%26', '%3D', 'x'.repeat(20_000)), weight: 2 },
  );
};

/** Cursors a client could forge: right organization, wrong keys, wrong types, not base64… */
export const forgedCursor = (orgId: string) => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const key = fc.oneof(
    fc.constant({}),
    fc.constant({ pk: `ORG#${orgId}` }),
    fc.constant({ pk: `ORG#${orgId}`, sk: 5 }),
    fc.constant({ pk: `ORG#${orgId}`, sk: 'CAMPAIGN#zzz', extra: 'x' }),
    fc.constant({ pk: `ORG#${orgId}`, sk: { nested: true } }),
    fc.constant({ pk: `ORG#${orgId}`, sk: 'x'.repeat(5000) }),
    fc.constant({ offset: -1 }),
    fc.constant({ offset: 1e300 }),
    fc.constant({ offset: 3 }),
    fc.constant({ gsi1pk: `${orgId}#x`, gsi1sk: 'x', pk: 'x', sk: 'y' }),
    fc.dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'offset'), fc.jsonValue({ maxDepth: 2 })),
  );
  return fc.oneof(
    key.map((k) => encode({ o: orgId, k })),
    fc.jsonValue({ maxDepth: 3 }).map(encode),
    fc.constantFrom('!!!', '====', 'e30', 'bnVsbA', 'W10', `${'A'.repeat(4000)}`),
  );
};

const queryString = (ctx: RouteFuzzContext) =>
  fc.oneof(
    { arbitrary: fc.constant(''), weight: 2 },
    {
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...queryNames), oddText.map(percentEncode)), queryValues(ctx)), {
          maxLength: 6,
        })
        .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&')),
      weight: 8,
    },
    { arbitrary: fc.constantFrom('&&&', '=', '==&=', '?', '#frag', 'a=1;b=2', 'a', '%'), weight: 1 },
  );

// ---------------------------------------------------------------------------------------------
// Headers

const browserAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

const visitorCookie = fc.stringMatching(/^[A-Za-z0-9_-]{21}[AQgw]$/).map((id) => `eav=${id}`);

const cookieHeader = fc.oneof(
  visitorCookie,
  fc.constantFrom('eav=', 'eav', '=', ';;;', 'eav=a; eav=b', 'eav=AAAAAAAAAAAAAAAAAAAAAA; eav=BBBBBBBBBBBBBBBBBBBBBB', `eav=${'A'.repeat(5000)}`),
  oddText.map((t) => `eav=${t}`),
  fc.tuple(visitorCookie, oddText).map(([a, b]) => `${b}; ${a}`),
);

const authorizationFuzz = (ctx: RouteFuzzContext) => {
  const valid = ctx.credentials.length > 0 ? ctx.credentials : ['Bearer none'];
  return fc.oneof(
    fc.constantFrom(...valid).map((v) => v.replace('Bearer ', 'bearer ')),
    fc.constantFrom(...valid).map((v) => `${v} `),
    fc.constantFrom(...valid).map((v) => `${v}x`),
    fc.constantFrom(...valid).map((v) => `${v},${v}`),
    fc.constantFrom(...valid).map((v) => v.replace('Bearer ', 'Bearer  \t')),
    fc.constantFrom(...valid).map((v) => `${v.slice(0, -3)}${v.slice(-3).toUpperCase()}`),
    oddText.map((t) => `Bearer ${t}`),
    oddText.map((t) => `Bearer ak_${t}`),
    fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Digest x', 'Bearer ak_', 'Bearer ak__', 'Bearer .', 'Bearer ..', `Bearer ${'a'.repeat(100_000)}`),
    oddText,
  );
};

type HeaderPair = [string, string];

/**
 * "Now" for the hostile webhook headers, read once: a generator reading the clock would give
 * another case for the same seed a second later (signatures, made when a case is sent, differ).
 */
const fuzzClock = Math.floor(Date.now() / 1000);

const commonHeader = (ctx: RouteFuzzContext): fc.Arbitrary<HeaderPair> =>
  fc.oneof(
    fc.tuple(
      fc.constant('content-type'),
      fc.oneof(
        fc.constantFrom(
          'application/json', 'application/json; charset=utf-8', 'application/problem+json', 'APPLICATION/JSON',
          'application/json; charset=utf-16', 'text/plain', 'text/json', 'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x', 'application/octet-stream', 'application/jsonx', '', ';',
        ),
        oddText,
      ),
    ),
    fc.tuple(fc.constant('accept'), fc.constantFrom('text/csv', 'application/json', '*/*', 'text/csv;q=0', 'text/csvx')),
    fc.tuple(fc.constant('cookie'), cookieHeader),
    fc.tuple(fc.constant('user-agent'), fc.oneof(fc.constantFrom(...browserAgents, ''), oddText)),
    fc.tuple(
      fc.constant('referer'),
      fc.oneof(fc.constantFrom('https://www.linkedin.com/feed/', 'javascript:alert(1)', '//evil.example', 'http://[::1', 'https://xn--80ak6aa92e.com/'), oddText),
    ),
    fc.tuple(fc.constant('cloudfront-viewer-country'), fc.oneof(fc.constantFrom('DE', 'de', 'XX', 'DEU', ''), oddText)),
    fc.tuple(fc.constant('x-forwarded-for'), fc.oneof(fc.constantFrom('1.2.3.4', '::1', 'evil'), oddText)),
    // The redirect resolves (host, slug): real hosts of either tenant, their odd spellings, forgeries.
    fc.tuple(
      fc.constantFrom('host', 'x-forwarded-host'),
      fc.oneof(
        fc.constantFrom(...(ctx.hosts ?? []), 'evil.example', 'localhost', '127.0.0.1:3000', '[::1]:443', ''),
        fc.constantFrom(...(ctx.hosts ?? ['go.example'])).chain((host) =>
          fc.constantFrom(host.toUpperCase(), `${host}.`, `${host}:443`, `${host}, evil.example`, `evil.example, ${host}`, `${host}/x`, `x.${host}`, `${host}@evil.example`),
        ),
        oddText,
      ),
    ),
    fc.tuple(fc.constant('authorization'), authorizationFuzz(ctx)),
    fc.tuple(fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature'), fc.oneof(oddText, fc.constantFrom('v1,AAAA', `${fuzzClock}`, '1e9', '-1'))),
    fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), oddText),
  );

/** Header values as they can arrive: no CR or LF (HTTP parsers refuse them before any gateway). */
const onTheWire = (pairs: HeaderPair[]): HeaderPair[] => pairs.map(([name, value]) => [name, value.replace(/[\r\n]/g, ' ')]);

// ---------------------------------------------------------------------------------------------
// Bodies

interface BodyChoice {
  bytes?: Buffer;
  mustReject?: string;
  label: string;
}

type JsonPath = Array<string | number>;

const pathsOf = (value: unknown, prefix: JsonPath = []): JsonPath[] => {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, inner]) => pathsOf(inner, [...prefix, key]))];
};

const setAt = (root: unknown, path: JsonPath, replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = replacement;
  return copy;
};

const deleteAt = (root: unknown, path: JsonPath): unknown => {
  if (path.length === 0) return undefined;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  if (Array.isArray(node)) node.splice(Number(path[path.length - 1]), 1);
  else delete node[path[path.length - 1]];
  return copy;
};

const wrongTypeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, 0, -1, 1e308, '', [], {}, ['a'], { a: 1 }, 'x'.repeat(5000)),
  oddText,
);

const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null');

const mutatedBody = (template: unknown, vendorBody = false): fc.Arbitrary<BodyChoice> => {
  const paths = pathsOf(template);
  const unknownField = vendorBody ? {} : { mustReject: 'unknown field' };
  const objectPaths = paths.filter((p) => {
    let node: unknown = template;
    for (const key of p) node = (node as Record<string | number, unknown>)[key];
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });
  return fc.oneof(
    fc.constant({ bytes: json(template), label: 'valid body' }),
    fc
      .tuple(fc.constantFrom(...paths.filter((p) => p.length > 0)), wrongTypeValue)
      .map(([path, value]) => ({ bytes: json(setAt(template, path, value)), label: `${path.join('.')} replaced` })),
    fc
      .constantFrom(...paths.filter((p) => p.length > 0))
      .map((path) => ({ bytes: json(deleteAt(template, path)), label: `${path.join('.')} deleted` })),
    fc
      .tuple(fc.constantFrom(...objectPaths), fc.stringMatching(/^[a-zA-Z_]{1,12}$/), wrongTypeValue)
      .filter(([path, name]) => {
        let node: unknown = template;
        for (const key of path) node = (node as Record<string | number, unknown>)[key];
        return !(name in (node as object));
      })
      .map(([path, name, value]) => {
        let node: unknown = template;
        for (const key of path) node = (node as Record<string | number, unknown>)[key];
        const extended = setAt(template, path, { ...(node as object), [name]: value });
        return { bytes: json(extended), ...unknownField, label: `unknown field ${[...path, name].join('.')}` };
      }),
    // Raw JSON text that JSON.stringify cannot produce.
    fc.constantFrom(
      ...(() => {
        const text = JSON.stringify(template);
        const inner = text.slice(1, -1);
        return [
          { bytes: Buffer.from(`{"__proto__":{"polluted":"yes"},${inner}}`), ...unknownField, label: '__proto__ key' },
          { bytes: Buffer.from(`{"constructor":{"prototype":{"polluted":"yes"}},${inner}}`), ...unknownField, label: 'constructor key' },
          { bytes: Buffer.from(`{${inner},${inner}}`), label: 'every key twice' },
          { bytes: Buffer.from(`\ufeff${text}`), label: 'BOM' },
          { bytes: Buffer.from(`${text} trailing`), mustReject: 'not JSON', label: 'trailing garbage' },
          { bytes: Buffer.from(text, 'utf16le'), mustReject: 'not UTF-8 JSON', label: 'UTF-16' },
          { bytes: Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('}')]), mustReject: 'invalid UTF-8', label: 'invalid UTF-8' },
        ];
      })(),
    ),
  );
};

const deepJson = fc.constantFrom(100, 5_000, 30_000).chain((depth) =>
  fc.constantFrom(
    { bytes: Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`), label: `array depth ${depth}` },
    { bytes: Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`), label: `object depth ${depth}` },
  ),
);

const bodyChoice = (ctx: RouteFuzzContext): fc.Arbitrary<BodyChoice> => {
  const writes = ctx.route.method !== 'GET' && ctx.route.method !== 'HEAD' && ctx.route.method !== 'DELETE';
  const strict = (reason: string) => (writes && ctx.bodies.length > 0 ? reason : undefined);
  return fc.oneof(
    { arbitrary: fc.constant<BodyChoice>({ label: 'no body', mustReject: strict('no body') }), weight: 2 },
    ...ctx.bodies.map((template) => ({ arbitrary: mutatedBody(template, ctx.vendorBody), weight: 10 })),
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ bytes: json(v), label: 'random JSON', mustReject: undefined })), weight: 3 },
    { arbitrary: deepJson.map((b) => ({ ...b, mustReject: strict('deep JSON') })), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ bytes: Buffer.from(b), label: 'random bytes' })), weight: 2 },
    {
      arbitrary: fc.constantFrom(65_537, 200_000).map((n) => ({
        bytes: Buffer.from(JSON.stringify({ name: 'x'.repeat(n) })),
        label: `${n}-byte body`,
        mustReject: strict('over 64 KiB'),
      })),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom('null', '[]', '"text"', '42', 'true', '{}', '{"a":1e400}', 'NaN', '{"a":-0}', '{', '', ' ').map((text) => ({
        bytes: Buffer.from(text),
        label: `body ${text}`,
        mustReject: strict('not the body object'),
      })),
      weight: 2,
    },
  );
};

// ---------------------------------------------------------------------------------------------
// The request

/** One case in VALID_SHARE is a well-formed request of the owner (more would slow the suite: successes do the real work). */
const VALID_SHARE = 10;

const webhookId = fc.stringMatching(/^msg_[A-Za-z0-9]{16}$/);

/** A well-formed request of the owner, with harmless variety (which id, query, body, browser). */
const validCase = (ctx: RouteFuzzContext): fc.Arbitrary<FuzzCase> => {
  const paramNames = [...ctx.route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const idsOf = (name: string) => {
    const ids = ctx.valid.ids[name] ?? ctx.ids[name] ?? [];
    return ids.length > 0 ? fc.constantFrom(...ids) : fc.stringMatching(/^[A-Za-z0-9]{8}$/);
  };
  const none = fc.constant(undefined);
  return fc
    .record({
      segments: fc.tuple(...paramNames.map(idsOf)),
      query: ctx.valid.queries.length > 0 ? fc.constantFrom(...ctx.valid.queries) : fc.constant(''),
      credential: ctx.route.auth === 'authorizer' && ctx.valid.credentials.length > 0 ? fc.constantFrom(...ctx.valid.credentials) : none,
      body: ctx.valid.body ? fc.oneof(ctx.valid.body, fc.constantFrom(...ctx.bodies)) : ctx.bodies.length > 0 ? fc.constantFrom(...ctx.bodies) : none,
      userAgent: fc.constantFrom(...browserAgents),
      cookie: fc.option(visitorCookie),
      webhookId,
    })
    .map(({ segments: values, query, credential, body, userAgent, cookie, webhookId: id }) => {
      let index = 0;
      const path = ctx.route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[index++]));
      const bytes = body === undefined ? undefined : json(body);
      const pairs: HeaderPair[] = [['user-agent', userAgent]];
      if (cookie) pairs.push(['cookie', cookie]);
      if (credential) pairs.push(['authorization', credential]);
      if (bytes) pairs.push(['content-type', 'application/json']);
      if (ctx.sign) pairs.push(...ctx.sign(bytes ?? Buffer.alloc(0), id));
      const request: WireRequest = { method: ctx.route.method, target: query === '' ? path : `${path}?${query}`, headers: pairs, body: bytes };
      return { request, label: `${ctx.route.method} ${request.target.slice(0, 120)} [well-formed]` };
    });
};

export const fuzzCase = (ctx: RouteFuzzContext): fc.Arbitrary<FuzzCase> =>
  fc.oneof({ arbitrary: hostileCase(ctx), weight: VALID_SHARE - 1 }, { arbitrary: validCase(ctx), weight: 1 });

const hostileCase = (ctx: RouteFuzzContext): fc.Arbitrary<FuzzCase> => {
  const paramNames = [...ctx.route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const segments = fc.tuple(...paramNames.map((name) => pathSegment(ctx.ids[name] ?? [])));
  const authorised = ctx.route.auth === 'authorizer';
  const credential = authorised && ctx.credentials.length > 0
    ? fc.oneof({ arbitrary: fc.constantFrom(...ctx.credentials), weight: 4 }, { arbitrary: fc.constant(undefined), weight: 1 })
    : fc.constant(undefined);
  const mutation = fc.oneof(
    { arbitrary: fc.constant<'none'>('none'), weight: 12 },
    { arbitrary: fc.constant<'invalidBase64'>('invalidBase64'), weight: 1 },
    { arbitrary: fc.constant<'rawPathParameters'>('rawPathParameters'), weight: 1 },
    { arbitrary: fc.constant<'protoQuery'>('protoQuery'), weight: 1 },
  );

  return fc
    .record({
      segments,
      query: queryString(ctx),
      credential,
      headers: fc.array(commonHeader(ctx), { maxLength: 6 }),
      body: bodyChoice(ctx),
      signedAs: fc.option(webhookId, { freq: 2 }),
      mutation,
      rawParams: fc.tuple(...paramNames.map(() => oddText)),
    })
    .map(({ segments: values, query, credential: auth, headers, body, signedAs, mutation: how, rawParams }) => {
      let index = 0;
      const path = ctx.route.path.replace(/\{[^}]+\}/g, () => values[index++]);
      const pairs: HeaderPair[] = onTheWire(headers);
      if (auth) pairs.unshift(['authorization', auth]);
      if (body.bytes && !pairs.some(([name]) => name === 'content-type')) pairs.push(['content-type', 'application/json']);
      if (ctx.sign && signedAs !== null) pairs.push(...ctx.sign(body.bytes ?? Buffer.alloc(0), signedAs));
      const request: WireRequest = {
        method: ctx.route.method,
        target: query === '' ? path : `${path}?${query}`,
        headers: pairs,
        body: body.bytes,
      };
      if (how === 'invalidBase64') {
        request.mutateEvent = (event) => {
          event.isBase64Encoded = true;
          event.body = '!!not*base64\u0000💥==';
        };
      } else if (how === 'rawPathParameters' && paramNames.length > 0) {
        request.mutateEvent = (event) => {
          event.pathParameters = Object.fromEntries(paramNames.map((name, i) => [name, rawParams[i] || '/']));
        };
      } else if (how === 'protoQuery') {
        request.mutateEvent = (event) => {
          event.queryStringParameters = JSON.parse('{"__proto__":{"limit":"5"},"constructor":"x","limit":"nope"}');
        };
      }
      // A signature vouches for the body: it must not also make odd headers acceptable.
      const mustReject = authorised && !auth && !pairs.some(([name]) => name === 'authorization') ? 'no credential' : body.mustReject;
      return { request, mustReject, label: `${ctx.route.method} ${request.target.slice(0, 120)} [${body.label}; ${how}]` };
    });
};
