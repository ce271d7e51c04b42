/** Webhook sources: POST /v1/webhook-sources and POST /v1/webhook-sources/{sourceId}/rotate (admin). */
import middy from '@middy/core';
import { createWebhookSource, rotateWebhookSource } from '../shared/adapters/webhook-sources.js';
import { webhookSourceCreateSchema } from '../shared/domain/resources.js';
import { HttpError, json, parseJsonBody, pathParam } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

const router = createRouter('webhookSources', {
  'POST /v1/webhook-sources': async (event, principal) => {
    const { orgId } = principal;
    const input = parseJsonBody(event, webhookSourceCreateSchema);
    const { source, secret } = await createWebhookSource(orgId, input.name);
    return json(201, {
      sourceId: source.sourceId,
      name: source.name,
      createdAt: source.createdAt,
      secret,
      webhookUrl: `/v1/webhooks/conversions/${source.sourceId}`,
    });
  },

  'POST /v1/webhook-sources/{sourceId}/rotate': async (event, principal) => {
    const { orgId } = principal;
    const rotated = await rotateWebhookSource(orgId, pathParam(event, 'sourceId'));
    if (!rotated) throw new HttpError(404, 'Webhook source not found');
    if (rotated === 'concurrent') throw new HttpError(409, 'The source was rotated concurrently; retry the request');
    return json(200, {
      sourceId: rotated.source.sourceId,
      secret: rotated.secret,
      previousSecretValidUntil: rotated.previousValidUntil,
      rotatedAt: rotated.source.rotatedAt,
    });
  },
});

export const handler = middy(router).use(requestLogging());
