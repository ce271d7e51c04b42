/** Webhook sources: POST /v1/webhook-sources and POST /v1/webhook-sources/{sourceId}/rotate (admin). */
import middy from '@middy/core';
import { createWebhookSource, rotateWebhookSource } from '../shared/adapters/webhook-sources.js';
import { webhookSourceCreateSchema, webhookSourceRotateSchema } from '../shared/domain/resources.js';
import { HttpError, json, parseJsonBody, pathParam, rawBody } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

const router = createRouter('webhookSources', {
  'POST /v1/webhook-sources': async (event, principal) => {
    const { orgId } = principal;
    const input = parseJsonBody(event, webhookSourceCreateSchema);
    const { source, secret } = await createWebhookSource(orgId, input.name, input.kind, input.signingSecret);
    const standard = source.kind === 'standard';
    return json(201, {
      sourceId: source.sourceId,
      name: source.name,
      kind: source.kind,
      createdAt: source.createdAt,
      // Our secret is shown once; a vendor's was given to us and is never shown again.
      ...(standard ? { secret } : {}),
      webhookUrl: standard ? `/v1/webhooks/conversions/${source.sourceId}` : `/v1/integrations/${source.kind}/${source.sourceId}`,
    });
  },

  'POST /v1/webhook-sources/{sourceId}/rotate': async (event, principal) => {
    const { orgId } = principal;
    // The body is optional: a standard source rotates without one.
    const input = rawBody(event).length > 0 ? parseJsonBody(event, webhookSourceRotateSchema) : {};
    const rotated = await rotateWebhookSource(orgId, pathParam(event, 'sourceId'), input.signingSecret);
    if (!rotated) throw new HttpError(404, 'Webhook source not found');
    if (rotated === 'concurrent') throw new HttpError(409, 'The source was rotated concurrently; retry the request');
    if (rotated === 'secret_mismatch') {
      throw new HttpError(422, 'Request body failed validation', [
        { field: 'signingSecret', message: 'a vendor source rotates to the new secret its vendor shows; a standard source takes none' },
      ]);
    }
    return json(200, {
      sourceId: rotated.source.sourceId,
      ...(rotated.source.kind === 'standard' ? { secret: rotated.secret } : {}),
      previousSecretValidUntil: rotated.previousValidUntil,
      rotatedAt: rotated.source.rotatedAt,
    });
  },
});

export const handler = middy(router).use(requestLogging());
