/** An incoming request → the payload format 2.0 event API Gateway hands a Lambda function. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { safeDecode, type RouteMatch } from './routing.js';

const TEXT_CONTENT_TYPE = /^(text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|javascript)\b)/i;

/** API Gateway passes text bodies as-is and base64-encodes everything else. */
export const isTextContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && TEXT_CONTENT_TYPE.test(contentType);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let cachedSecond = -1;
let cachedTime = '';
/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time (cached per second). */
const requestTime = (epochMs: number): string => {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    const two = (n: number) => (n < 10 ? `0${n}` : String(n));
    cachedTime = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    cachedSecond = second;
  }
  return cachedTime;
};

/** Random bytes from a pool: one randomBytes() call per request costs more than the rest. */
let pool: Buffer = Buffer.alloc(0);
let poolOffset = 0;
const randomSlice = (size: number): Buffer => {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(16 * 1024);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
};

/** Shaped like API Gateway's request ids (`JKJaXmPLvHcESHA=`). */
export const requestId = (): string => randomSlice(11).toString('base64');

const traceId = (epochMs: number): string =>
  `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomSlice(12).toString('hex')}`;

/** `::ffff:127.0.0.1` → `127.0.0.1`, as API Gateway reports IPv4 clients. */
const sourceIp = (request: IncomingMessage): string => {
  const address = request.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
};

/** Lower-cased names, repeated headers joined by commas; cookies go to their own array. */
const eventHeaders = (
  request: IncomingMessage,
  ip: string,
  epochMs: number,
): { headers: Record<string, string>; cookies?: string[] } => {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    if (name === 'cookie') {
      for (const cookie of value.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed) (cookies ??= []).push(trimmed);
      }
      continue;
    }
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing},${value}`;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${ip}` : ip;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(request.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??= traceId(epochMs);
  return { headers, cookies };
};

/** Repeated keys are joined by commas, as API Gateway does in payload 2.0. */
const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  if (rawQueryString === '') return undefined;
  let parameters: Record<string, string> | undefined;
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = safeDecode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : safeDecode(pair.slice(equals + 1));
    parameters ??= {};
    const existing = parameters[key];
    parameters[key] = existing === undefined ? value : `${existing},${value}`;
  }
  return parameters;
};

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * API Gateway's `requestContext.domainName` is the API's own domain, whatever a client writes in
 * `Host` (which stays in `headers.host`). Locally the API's own names are its listening host and
 * the loopback names: a request to one of them keeps the name (and port) it used, so absolute URLs
 * built from it are reachable; any other `Host` (a custom short domain, a forged one) gets the
 * listening host, as a request through a CDN or a custom domain would on AWS.
 */
const ownDomainName = (host: string | undefined, gateway: GatewayContext): string => {
  if (host === undefined) return gateway.domainName;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return loopbackNames.has(name) || name === gateway.domainName ? host : gateway.domainName;
};

export interface GatewayContext {
  region: string;
  accountId: string;
  apiId: string;
  domainName: string;
}

export const buildProxyEvent = (
  request: IncomingMessage,
  match: RouteMatch,
  body: Buffer | undefined,
  gateway: GatewayContext,
): APIGatewayProxyEventV2 => {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1).split('#')[0];
  const epochMs = Date.now();
  const ip = sourceIp(request);
  const { headers, cookies } = eventHeaders(request, ip, epochMs);
  const queryStringParameters = queryParameters(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && { cookies }),
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    requestContext: {
      accountId: gateway.accountId,
      apiId: gateway.apiId,
      domainName: ownDomainName(headers.host, gateway),
      domainPrefix: gateway.apiId,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: ip,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: requestId(),
      routeKey: match.route.routeKey,
      stage: '$default',
      time: requestTime(epochMs),
      timeEpoch: epochMs,
    },
    ...(match.pathParameters && { pathParameters: match.pathParameters }),
    isBase64Encoded: false,
  };
  if (body && body.length > 0) {
    if (isTextContentType(headers['content-type'])) {
      event.body = body.toString('utf8');
    } else {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
};
