/**
 * A local API Gateway HTTP API: serves every route of infra/definitions.ts with real payload
 * format 2.0 events, runs the Lambda REQUEST authorizer (simple responses) before protected
 * routes, and maps handler results back the way API Gateway does.
 *
 * Hot path note: this server is benchmarked against bare node:http, so routing is precomputed,
 * nothing is logged per request unless LOCAL_HTTP_LOG=1, and events are built in one pass.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { authorizerSettings } from '../definitions.js';
import { routeKey, routes as definedRoutes, type FunctionId, type RouteDefinition } from '../../shared/contract/routes.js';
import {
  defaultLambdaEnvironment,
  invokeHandler,
  lambdaContext,
  type HandlerLoader,
  type LambdaEnvironment,
} from './lambda.js';

/** API Gateway's request payload limit. Product limits (64 KiB) are enforced by handlers. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export type JwksProvider = object | (() => object | Promise<object>);

export interface HttpServerOptions {
  loadHandler: HandlerLoader;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  routes?: RouteDefinition[];
  /** Served at GET /.well-known/jwks.json (the local token issuer's public keys). */
  jwks?: JwksProvider;
  lambda?: LambdaEnvironment;
  /** Fail invocations that run past the function's timeout, as Lambda does (default true). */
  enforceTimeouts?: boolean;
  /** One line per request on stderr (default: env LOCAL_HTTP_LOG=1). */
  logRequests?: boolean;
  /** Do not print handler and authorizer failures (tests that provoke them on purpose). */
  quiet?: boolean;
  /** Authorizer identity sources; default `authorizerSettings.identitySource`. */
  identitySource?: string | readonly string[];
}

export interface LocalHttpServer {
  server: Server;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Routing: most specific route wins; `{param}` matches exactly one non-empty segment.

export interface CompiledRoute {
  definition: RouteDefinition;
  routeKey: string;
  /** Literal segment text, or null for a `{param}` segment. */
  literals: (string | null)[];
  paramNames: (string | null)[];
}

export interface RouteMatch {
  route: CompiledRoute;
  pathParameters?: Record<string, string>;
}

const compileRoute = (definition: RouteDefinition): CompiledRoute => {
  const segments = definition.path.split('/').slice(1);
  const params = segments.map((s) => /^\{([^{}+]+)\}$/.exec(s)?.[1] ?? null);
  return {
    definition,
    routeKey: routeKey(definition),
    literals: segments.map((s, i) => (params[i] === null ? s : null)),
    paramNames: params,
  };
};

/** Literal segments beat parameters, compared from the left (API Gateway's precedence). */
const bySpecificity = (a: CompiledRoute, b: CompiledRoute): number => {
  for (let i = 0; i < a.literals.length; i++) {
    const aLiteral = a.literals[i] !== null;
    const bLiteral = b.literals[i] !== null;
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
};

const safeDecode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Builds a matcher over `routes`: method → segment count → candidates, most specific first. */
export const createRouter = (routes: RouteDefinition[]) => {
  const table = new Map<string, Map<number, CompiledRoute[]>>();
  for (const route of routes.map(compileRoute)) {
    const byLength = table.get(route.definition.method) ?? new Map<number, CompiledRoute[]>();
    const candidates = byLength.get(route.literals.length) ?? [];
    candidates.push(route);
    candidates.sort(bySpecificity);
    byLength.set(route.literals.length, candidates);
    table.set(route.definition.method, byLength);
  }
  return (method: string, rawPath: string): RouteMatch | undefined => {
    const segments = rawPath.split('/');
    segments.shift(); // the path starts with '/'
    const candidates = table.get(method)?.get(segments.length);
    if (!candidates) return undefined;
    candidateLoop: for (const route of candidates) {
      for (let i = 0; i < segments.length; i++) {
        const literal = route.literals[i];
        if (literal !== null ? literal !== segments[i] : segments[i] === '') continue candidateLoop;
      }
      let pathParameters: Record<string, string> | undefined;
      for (let i = 0; i < segments.length; i++) {
        const name = route.paramNames[i];
        if (name !== null) (pathParameters ??= {})[name] = safeDecode(segments[i]);
      }
      return { route, pathParameters };
    }
    return undefined;
  };
};

// ---------------------------------------------------------------------------------------------
// Request → payload format 2.0 event.

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
const requestId = (): string => randomSlice(11).toString('base64');

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
      // The name the client used, so handlers that build absolute URLs get a reachable one.
      domainName: headers.host ?? gateway.domainName,
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

type IdentitySource = (event: APIGatewayProxyEventV2) => string | undefined;

/** `$request.header.X` / `$request.querystring.x` selectors (one string or a list). */
const compileIdentitySources = (sources: string | readonly string[]): IdentitySource[] =>
  [sources].flat().map((source): IdentitySource => {
    const header = /^\$request\.header\.(.+)$/i.exec(source);
    if (header) {
      const name = header[1].toLowerCase();
      return (event) => event.headers[name] || undefined;
    }
    const query = /^\$request\.querystring\.(.+)$/i.exec(source);
    if (query) return (event) => event.queryStringParameters?.[query[1]] || undefined;
    return () => undefined;
  });

export const buildAuthorizerEvent = (
  proxyEvent: APIGatewayProxyEventV2,
  identitySource: string[],
  gateway: GatewayContext,
): APIGatewayRequestAuthorizerEventV2 => {
  const { method } = proxyEvent.requestContext.http;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${gateway.region}:${gateway.accountId}:${gateway.apiId}/$default/${method}${proxyEvent.rawPath}`,
    identitySource,
    routeKey: proxyEvent.routeKey,
    rawPath: proxyEvent.rawPath,
    rawQueryString: proxyEvent.rawQueryString,
    ...(proxyEvent.cookies && { cookies: proxyEvent.cookies }),
    headers: proxyEvent.headers as Record<string, string>,
    ...(proxyEvent.queryStringParameters && {
      queryStringParameters: proxyEvent.queryStringParameters as Record<string, string>,
    }),
    requestContext: proxyEvent.requestContext,
    ...(proxyEvent.pathParameters && {
      pathParameters: proxyEvent.pathParameters as Record<string, string>,
    }),
  } as APIGatewayRequestAuthorizerEventV2;
};

// ---------------------------------------------------------------------------------------------
// Answers API Gateway gives by itself, and handler result → HTTP response.

export interface GatewayAnswer {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: string | Buffer;
}

const gatewayMessage = (statusCode: number, message: string): GatewayAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

const notFound = (method: string, path: string): GatewayAnswer => ({
  statusCode: 404,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    type: 'https://advocacy.example/problems/404',
    title: 'Not Found',
    status: 404,
    detail: `No route for ${method} ${path}`,
  }),
});

export type AuthorizerOutcome =
  | { kind: 'unauthorized' } // an identity source is missing: the authorizer is not called
  | { kind: 'denied' } // the authorizer answered isAuthorized: false
  | { kind: 'failed' } // the authorizer threw or answered something malformed
  | { kind: 'allowed'; context: Record<string, unknown> };

/**
 * What API Gateway answers when the authorizer does not let a request through. This is the
 * one place to change if the product decides to map these differently.
 */
export const authorizerRejection = (outcome: Exclude<AuthorizerOutcome, { kind: 'allowed' }>): GatewayAnswer => {
  switch (outcome.kind) {
    case 'unauthorized':
      return gatewayMessage(401, 'Unauthorized');
    case 'denied':
      return gatewayMessage(403, 'Forbidden');
    case 'failed':
      return gatewayMessage(500, 'Internal Server Error');
  }
};

/** Interprets a simple-format authorizer response. */
export const authorizerOutcome = (result: unknown): AuthorizerOutcome => {
  if (typeof result !== 'object' || result === null) return { kind: 'failed' };
  const { isAuthorized, context } = result as { isAuthorized?: unknown; context?: unknown };
  if (typeof isAuthorized !== 'boolean') return { kind: 'failed' };
  if (!isAuthorized) return { kind: 'denied' };
  if (context !== undefined && context !== null && typeof context !== 'object') return { kind: 'failed' };
  return { kind: 'allowed', context: (context as Record<string, unknown> | null) ?? {} };
};

const HOP_BY_HOP = new Set(['connection', 'transfer-encoding', 'keep-alive', 'content-length', 'upgrade']);

/** A handler's return value → the HTTP answer, following payload format 2.0's rules. */
export const mapLambdaResult = (result: unknown): GatewayAnswer => {
  // No statusCode: API Gateway assumes 200 JSON with the result as the body.
  if (typeof result === 'string') {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: result };
  }
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result ?? null),
    };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = result as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return gatewayMessage(500, 'Internal Server Error');
  }
  const outgoing: OutgoingHttpHeaders = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (value === undefined || value === null || HOP_BY_HOP.has(lower)) continue;
      outgoing[lower] = String(value);
    }
  }
  // multiValueHeaders belongs to payload 1.0; API Gateway ignores it in 2.0, and so do we.
  if (Array.isArray(cookies) && cookies.length > 0) {
    const existing = outgoing['set-cookie'];
    outgoing['set-cookie'] = [...(existing ? [String(existing)] : []), ...cookies.map(String)];
  }
  let payload: string | Buffer = '';
  if (body !== undefined && body !== null) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    payload = isBase64Encoded === true ? Buffer.from(text, 'base64') : text;
  }
  return { statusCode, headers: outgoing, body: payload };
};

// ---------------------------------------------------------------------------------------------
// The server.

class BodyTooLargeError extends Error {}

const readBody = (request: IncomingMessage): Promise<Buffer | undefined> => {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES) return Promise.reject(new BodyTooLargeError());
  if (declared === 0 && request.headers['transfer-encoding'] === undefined) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    request.once('error', reject);
  });
};

const send = (response: ServerResponse, answer: GatewayAnswer, gatewayRequestId: string): void => {
  answer.headers['apigw-requestid'] = gatewayRequestId;
  answer.headers['x-request-id'] = gatewayRequestId;
  // A known length (as API Gateway sends) instead of chunked encoding; none on bodiless statuses.
  if (answer.statusCode !== 204 && answer.statusCode !== 304 && answer.statusCode >= 200) {
    answer.headers['content-length'] =
      typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.length;
  }
  response.writeHead(answer.statusCode, answer.headers);
  response.end(answer.body);
};

const resolveJwks = async (jwks: JwksProvider): Promise<object> =>
  typeof jwks === 'function' ? await (jwks as () => object | Promise<object>)() : jwks;

export const startHttpServer = async (options: HttpServerOptions): Promise<LocalHttpServer> => {
  const lambda = options.lambda ?? defaultLambdaEnvironment();
  const host = options.host ?? '127.0.0.1';
  const match = createRouter(options.routes ?? definedRoutes);
  const enforceTimeouts = options.enforceTimeouts ?? true;
  const logRequests = options.logRequests ?? process.env.LOCAL_HTTP_LOG === '1';
  const gateway: GatewayContext = {
    region: lambda.region,
    accountId: lambda.accountId,
    apiId: 'local',
    domainName: host,
  };

  const logError = (message: string, error: unknown) => {
    if (!options.quiet) console.error(message, error);
  };

  const invoke = async (id: FunctionId, event: unknown): Promise<unknown> => {
    const handler = await options.loadHandler(id);
    return invokeHandler(id, handler, event, lambdaContext(id, lambda), enforceTimeouts);
  };

  const identitySources = compileIdentitySources(options.identitySource ?? authorizerSettings.identitySource);
  const authorize = async (event: APIGatewayProxyEventV2): Promise<AuthorizerOutcome> => {
    const identity = identitySources.map((source) => source(event));
    if (identity.some((value) => value === undefined)) return { kind: 'unauthorized' };
    try {
      const result = await invoke('authorizer', buildAuthorizerEvent(event, identity as string[], gateway));
      return authorizerOutcome(result);
    } catch (error) {
      logError('[local-api] authorizer failed:', error);
      return { kind: 'failed' };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<GatewayAnswer> => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);

    if (options.jwks && method === 'GET' && rawPath === '/.well-known/jwks.json') {
      request.resume();
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
        body: JSON.stringify(await resolveJwks(options.jwks)),
      };
    }

    const matched = match(method, rawPath);
    if (!matched) {
      request.resume();
      return notFound(method, rawPath);
    }
    let body: Buffer | undefined;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        response.shouldKeepAlive = false; // do not wait for the rest of a huge upload
        return gatewayMessage(413, 'Request Entity Too Large');
      }
      throw error;
    }
    const event = buildProxyEvent(request, matched, body, gateway);
    response.setHeader('apigw-requestid', event.requestContext.requestId);

    if (matched.route.definition.auth === 'authorizer') {
      const outcome = await authorize(event);
      if (outcome.kind !== 'allowed') return authorizerRejection(outcome);
      (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: outcome.context };
    }

    try {
      return mapLambdaResult(await invoke(matched.route.definition.function, event));
    } catch (error) {
      logError(`[local-api] ${matched.route.routeKey} failed:`, error);
      return gatewayMessage(500, 'Internal Server Error');
    }
  };

  const server = createServer((request, response) => {
    const startedAt = logRequests ? performance.now() : 0;
    handle(request, response)
      .catch((error: unknown) => {
        logError('[local-api] request failed:', error);
        return gatewayMessage(500, 'Internal Server Error');
      })
      .then((answer) => {
        const id = (response.getHeader('apigw-requestid') as string | undefined) ?? requestId();
        send(response, answer, id);
        if (logRequests) {
          const ms = (performance.now() - startedAt).toFixed(1);
          console.error(`[local-api] ${request.method} ${request.url} ${answer.statusCode} ${ms}ms`);
        }
      })
      .catch(() => response.destroy());
  });
  // Like API Gateway, keep idle client connections for a while, but never block shutdown.
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then connections are cut.
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
    return closing;
  };

  return { server, baseUrl: `http://${urlHost}:${port}`, port, close };
};
