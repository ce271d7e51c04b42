/**
 * API Gateway in-process: the same event building, routing, authorizer call and result mapping
 * as the local HTTP server (infra/local/http-server.ts), without a socket. Fuzzing thousands of
 * requests per route over HTTP would spend its time in the TCP stack, not in our handlers.
 *
 * A request is what arrives on the wire: method, raw target (path and query, percent-encoding
 * as sent), raw header pairs (duplicates allowed) and body bytes. `mutateEvent` lets a test reach
 * event shapes a well-behaved gateway would not produce (invalid base64, odd path parameters).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { routes as definedRoutes, type RouteDefinition } from '../../../shared/contract/routes.js';
import {
  authorizerOutcome,
  authorizerRejection,
  buildAuthorizerEvent,
  buildProxyEvent,
  createRouter,
  mapLambdaResult,
  type AuthorizerOutcome,
  type GatewayContext,
} from '../../../infra/local/http-server.js';
import {
  createHandlerLoader,
  defaultLambdaEnvironment,
  invokeHandler,
  lambdaContext,
} from '../../../infra/local/lambda.js';

export interface WireRequest {
  method: string;
  /** Path plus optional `?query`, exactly as on the request line. */
  target: string;
  /** Raw header pairs in order; names in any case, repeats allowed. */
  headers?: Array<[string, string]>;
  body?: Buffer;
  /** The client's address, as the gateway sees it. */
  sourceIp?: string;
  mutateEvent?: (event: APIGatewayProxyEventV2) => void;
}

export interface WireAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** The route the gateway matched, if any. */
  routeKey?: string;
}

/** The function (of infra/definitions.ts) running in the current async context, if any. */
export const invokedFunction = new AsyncLocalStorage<string>();

export interface InProcessGateway {
  send(request: WireRequest): Promise<WireAnswer>;
}

const gatewayContext: GatewayContext = {
  region: 'eu-central-1',
  accountId: '000000000000',
  apiId: 'inprocess',
  domainName: 'api.advocacy.test',
};

/** Only what buildProxyEvent reads from Node's IncomingMessage. */
const asIncomingMessage = (request: WireRequest): IncomingMessage =>
  ({
    url: request.target,
    method: request.method,
    httpVersion: '1.1',
    rawHeaders: (request.headers ?? []).flat(),
    socket: { remoteAddress: request.sourceIp ?? '127.0.0.1', localPort: 443 },
  }) as unknown as IncomingMessage;

const toAnswer = (answer: ReturnType<typeof mapLambdaResult>, routeKey?: string): WireAnswer => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return {
    status: answer.statusCode,
    headers,
    body: typeof answer.body === 'string' ? answer.body : answer.body.toString('utf8'),
    routeKey,
  };
};

export interface GatewayOptions {
  routes?: RouteDefinition[];
  /**
   * Reuse the authorizer's answer for an Authorization header it already accepted. Only for
   * fuzzing with credentials nothing revokes; the authorizer itself is fuzzed uncached.
   */
  cacheAcceptedCredentials?: boolean;
  /**
   * Fail invocations that outlive the function's timeout, as Lambda does (default true). A test
   * running a thousand invocations at once in this one process turns it off: on AWS they would
   * run in separate containers, here the timeout would measure this machine.
   */
  enforceTimeouts?: boolean;
}

export const createInProcessGateway = (options: GatewayOptions = {}): InProcessGateway => {
  const match = createRouter(options.routes ?? definedRoutes);
  const loadHandler = createHandlerLoader();
  const lambda = defaultLambdaEnvironment();
  const accepted = new Map<string, AuthorizerOutcome>();

  const invoke = async (id: RouteDefinition['function'], event: unknown) => {
    const handler = await loadHandler(id);
    const enforce = options.enforceTimeouts ?? true;
    // Not enforcing means a context with time to spare too: middy aborts on its own when the
    // context says the time is up.
    const context = enforce ? lambdaContext(id, lambda) : lambdaContext(id, lambda, Date.now() + 3_600_000);
    return invokedFunction.run(id, () => invokeHandler(id, handler, event, context, enforce));
  };

  const authorize = async (event: APIGatewayProxyEventV2): Promise<AuthorizerOutcome> => {
    const credential = event.headers.authorization;
    const cached = options.cacheAcceptedCredentials && credential !== undefined ? accepted.get(credential) : undefined;
    if (cached) return cached;
    let outcome: AuthorizerOutcome;
    try {
      outcome = authorizerOutcome(await invoke('authorizer', buildAuthorizerEvent(event, [], gatewayContext)));
    } catch {
      outcome = { kind: 'failed' };
    }
    const principal = outcome.kind === 'allowed' ? (outcome.context as { principal?: string }).principal : undefined;
    if (options.cacheAcceptedCredentials && credential !== undefined && principal && principal !== 'anonymous') {
      accepted.set(credential, outcome);
    }
    return outcome;
  };

  return {
    async send(request) {
      const queryStart = request.target.indexOf('?');
      const rawPath = queryStart === -1 ? request.target : request.target.slice(0, queryStart);
      const matched = match(request.method, rawPath);
      if (!matched) {
        return {
          status: 404,
          headers: { 'content-type': 'application/problem+json' },
          body: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'No route' }),
        };
      }
      const routeKey = matched.route.routeKey;
      const event = buildProxyEvent(asIncomingMessage(request), matched, request.body, gatewayContext);
      request.mutateEvent?.(event);
      if (matched.route.definition.auth === 'authorizer') {
        const outcome = await authorize(event);
        if (outcome.kind !== 'allowed') return toAnswer(authorizerRejection(outcome), routeKey);
        (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: outcome.context };
      }
      try {
        return toAnswer(mapLambdaResult(await invoke(matched.route.definition.function, event)), routeKey);
      } catch {
        // What API Gateway answers when the function fails.
        return { status: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}', routeKey };
      }
    },
  };
};
