/**
 * Erasure requests (spec 16): POST /v1/privacy/erasures records the request (or finds the
 * organization's unfinished one for the same subject) and starts the worker
 * (functions/erasure-worker.ts) asynchronously; GET /v1/privacy/erasures/{erasureId} tells how
 * it goes. The answer is the same whether or not the person ever was seen: no oracle.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createOrResumeErasure, getErasure, type ErasureRecord } from '../shared/adapters/erasures.js';
import { invokeAsync } from '../shared/adapters/invoke-async.js';
import { logger } from '../shared/adapters/observability.js';
import { requestLogging } from '../shared/adapters/request-logging.js';
import { HttpError, json, parseJsonBody, pathParam, type HttpResult } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { erasureCreateSchema, erasureSubjectOf } from '../shared/domain/erasure.js';
import { isValidId } from '../shared/domain/ids.js';
import type { Principal } from '../shared/domain/principal.js';

const present = (record: ErasureRecord) => ({
  erasureId: record.erasureId,
  status: record.status,
  createdAt: record.createdAt,
  startedAt: record.startedAt ?? null,
  finishedAt: record.finishedAt ?? null,
  ...(record.status === 'done' ? { erased: record.erased } : {}),
  ...(record.status !== 'done' && record.lastError ? { lastError: record.lastError } : {}),
});

const create = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const found = erasureSubjectOf(parseJsonBody(event, erasureCreateSchema));
  if ('errors' in found) throw new HttpError(422, 'Request body failed validation', found.errors);
  const { record, resumed } = await createOrResumeErasure(principal.orgId, found.subject);
  // Started again when resumed: a worker whose attempts ran out picks up where it stopped.
  await invokeAsync('erasureWorker', { orgId: record.orgId, erasureId: record.erasureId });
  logger.info(resumed ? 'Erasure resumed' : 'Erasure queued', { erasureId: record.erasureId });
  return json(202, { erasureId: record.erasureId, status: record.status }, { location: `/v1/privacy/erasures/${record.erasureId}` });
};

const read = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const erasureId = pathParam(event, 'erasureId');
  const record = isValidId(erasureId, 'era') ? await getErasure(principal.orgId, erasureId) : undefined;
  if (!record) throw new HttpError(404, 'Erasure not found');
  return json(200, present(record));
};

const router = createRouter('privacyErasures', {
  'POST /v1/privacy/erasures': create,
  'GET /v1/privacy/erasures/{erasureId}': read,
});

export const handler = middy(router).use(requestLogging());
