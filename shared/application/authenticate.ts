/**
 * Authentication of API callers: API keys and advocate JWTs (OIDC, JWKS-verified).
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { config } from '../adapters/config.js';
import { verifyApiKey } from '../adapters/entities.js';
import { externalIdSchema } from '../domain/resources.js';
import type { AuthorizerContext } from '../domain/principal.js';
import { logger } from '../adapters/observability.js';
import { isTransientDynamoError } from '../adapters/transient-errors.js';

let jwks: { url: string; getKey: JWTVerifyGetKey } | undefined;

const keySet = (url: string): JWTVerifyGetKey => {
  if (jwks?.url !== url) jwks = { url, getKey: createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000 }) };
  return jwks.getKey;
};

const anonymous = (reason: string): AuthorizerContext => ({ principal: 'anonymous', reason });

const verifyAdvocateToken = async (token: string): Promise<AuthorizerContext> => {
  const { jwksUrl, jwtIssuer, jwtAudience } = config;
  if (!jwksUrl || !jwtIssuer || !jwtAudience) return anonymous('Advocate tokens are not configured');
  try {
    const { payload } = await jwtVerify(token, keySet(jwksUrl), {
      issuer: jwtIssuer,
      audience: jwtAudience,
      algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'],
      requiredClaims: ['exp'],
      clockTolerance: 30,
    });
    const advocateId = payload[config.jwtAdvocateClaim];
    const orgId = payload[config.jwtOrgClaim];
    if (typeof orgId !== 'string' || !orgId) return anonymous('The token names no organization');
    if (typeof advocateId !== 'string' || !externalIdSchema.safeParse(advocateId).success) {
      return anonymous('The token names no valid advocate');
    }
    return { principal: 'advocate', orgId, advocateId };
  } catch (error) {
    // The reason is safe to return; the token itself is never logged.
    logger.info('Advocate token refused', { reason: (error as Error).name });
    return anonymous('The advocate token is invalid or expired');
  }
};

export const authenticate = async (authorization: string | undefined): Promise<AuthorizerContext> => {
  if (!authorization) return anonymous('A valid API key or advocate token is required');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return anonymous('Authorization must be "Bearer <API key or token>"');
  const token = match[1];
  if (token.startsWith('ak_')) {
    let key: Awaited<ReturnType<typeof verifyApiKey>>;
    try {
      key = await verifyApiKey(token);
    } catch (error) {
      // The key cannot be checked while the database is away: say so (the route answers 503)
      // instead of failing the authorizer, which API Gateway would turn into a bare 500.
      if (isTransientDynamoError(error)) return { principal: 'unavailable', reason: 'The database is temporarily unavailable; retry later' };
      throw error;
    }
    if (!key) return anonymous('The API key is invalid or revoked');
    return { principal: 'apiKey', orgId: key.orgId, keyId: key.keyId, scopes: key.scopes.join(',') };
  }
  return verifyAdvocateToken(token);
};
