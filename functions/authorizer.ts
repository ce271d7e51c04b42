/**
 * HTTP API Lambda authorizer (simple responses). It authenticates — API keys `ak_…` against
 * their stored hash, advocate JWTs against the issuer's JWKS — and always authorises, passing
 * the principal (or `anonymous` with a reason) in the context; the route handler answers
 * problem+json 401/403. See authorizerSettings in infra/definitions.ts for why.
 */
import middy from '@middy/core';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { requestLogging } from '../shared/adapters/request-logging.js';
import { authenticate } from '../shared/application/authenticate.js';
import type { AuthorizerContext } from '../shared/domain/principal.js';

const authorize = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => ({
  isAuthorized: true,
  context: await authenticate(event.headers?.authorization),
});

// Its log lines (a refused token) carry the request id of the API call it guards.
export const handler = middy(authorize).use(requestLogging());
