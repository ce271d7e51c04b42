/** GET/PATCH /v1/organization (admin scope): the organization's privacy settings (spec section 16). */
import middy from '@middy/core';
import { organizationRules } from '../shared/adapters/organization-rules.js';
import { getOrganizationSettings, updateOrganizationSettings } from '../shared/adapters/organization-settings.js';
import { requestLogging } from '../shared/adapters/request-logging.js';
import { HttpError, json, parseJsonBody } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';

const missing = () => new HttpError(404, 'Organization not found');

const router = createRouter('organization', {
  'GET /v1/organization': async (_event, principal) => {
    const settings = await getOrganizationSettings(principal.orgId);
    if (!settings) throw missing();
    return json(200, settings);
  },

  'PATCH /v1/organization': async (event, principal) => {
    const patch = parseJsonBody(event, organizationRules.patchSchema);
    const settings = await updateOrganizationSettings(principal.orgId, patch);
    if (!settings) throw missing();
    return json(200, settings);
  },
});

export const handler = middy(router).use(requestLogging());
