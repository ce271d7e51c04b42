/**
 * The request logging every middy handler uses. Its own module so the redirect, which loads
 * ./observability.js only on a lost click, never bundles the middleware.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { logger } from './observability.js';

/** The API Gateway request id of an HTTP API (or authorizer) event, if it is one. */
const apiRequestId = (event: unknown): string | undefined => {
  const requestId = (event as { requestContext?: { requestId?: unknown } } | undefined)?.requestContext?.requestId;
  return typeof requestId === 'string' && requestId !== '' ? requestId : undefined;
};

/**
 * Every log line of a request carries its correlation id (`correlation_id`: API Gateway's request
 * id, the one in the access log and the client's `apigw-requestid` header) and the Lambda request
 * id (`function_request_id`); both are cleared after the request so none leaks into the next.
 */
export const requestLogging = (): MiddlewareObj[] => [
  injectLambdaContext(logger, { resetKeys: true }),
  {
    before: (request) => {
      const requestId = apiRequestId(request.event);
      if (requestId) logger.setCorrelationId(requestId);
    },
  },
];
