/**
 * A local API Gateway HTTP API: serves every route of infra/definitions.ts with real payload
 * format 2.0 events, runs the Lambda REQUEST authorizer (simple responses) before protected
 * routes, and maps handler results back the way API Gateway does. The parts live in http-api/:
 * routing, proxy-event (request → v2 event), authorizer, responses, request-body.
 *
 * Hot path note: this server is benchmarked against bare node:http, so routing is precomputed,
 * nothing is logged per request unless LOCAL_HTTP_LOG=1, and events are built in one pass.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizerSettings } from '../definitions.js';
import { routes as definedRoutes, type RouteDefinition } from '../../shared/contract/routes.js';
import { authorizerRejection, createAuthorizer } from './http-api/authorizer.js';
import { buildProxyEvent, requestId, type GatewayContext } from './http-api/proxy-event.js';
import { BodyTooLargeError, readBody } from './http-api/request-body.js';
import { gatewayMessage, mapLambdaResult, notFound, type GatewayAnswer } from './http-api/responses.js';
import { createRouter } from './http-api/routing.js';
import { serveLocalExportFile } from './http-api/export-files.js';
import { createInvoker, defaultLambdaEnvironment, type HandlerLoader, type LambdaEnvironment } from './lambda.js';

export { createRouter, type CompiledRoute, type RouteMatch } from './http-api/routing.js';
export { buildProxyEvent, isTextContentType, type GatewayContext } from './http-api/proxy-event.js';
export {
  authorizerOutcome,
  authorizerRejection,
  buildAuthorizerEvent,
  type AuthorizerOutcome,
} from './http-api/authorizer.js';
export { mapLambdaResult, type GatewayAnswer } from './http-api/responses.js';
export { MAX_REQUEST_BYTES } from './http-api/request-body.js';

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

  const invoke = createInvoker({ loadHandler: options.loadHandler, lambda, enforceTimeouts });
  const authorize = createAuthorizer({
    identitySource: options.identitySource ?? authorizerSettings.identitySource,
    gateway,
    invokeAuthorizer: (event) => invoke('authorizer', event),
    onError: (error) => logError('[local-api] authorizer failed:', error),
  });

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
    if (serveLocalExportFile(request, response)) return;
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
