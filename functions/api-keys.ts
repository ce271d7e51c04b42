/** API keys: POST /v1/api-keys (shown once), DELETE /v1/api-keys/{keyId} (revokes). Admin scope. */
import middy from '@middy/core';
import { createApiKey, revokeApiKey } from '../shared/adapters/entities.js';
import { apiKeyCreateSchema } from '../shared/domain/resources.js';
import { HttpError, json, parseJsonBody, pathParam } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

const router = createRouter('apiKeys', {
  'POST /v1/api-keys': async (event, principal) => {
    const { orgId } = principal;
    const input = parseJsonBody(event, apiKeyCreateSchema);
    const { record, apiKey } = await createApiKey(orgId, input.scopes, input.name);
    return json(201, { ...record, apiKey });
  },

  'DELETE /v1/api-keys/{keyId}': async (event, principal) => {
    const { orgId } = principal;
    const revoked = await revokeApiKey(orgId, pathParam(event, 'keyId'));
    if (!revoked) throw new HttpError(404, 'API key not found');
    return json(200, revoked);
  },
});

export const handler = middy(router).use(requestLogging());
