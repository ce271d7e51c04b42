/**
 * History exports (spec section 14): POST /v1/exports queues an export and starts the worker
 * (functions/export-worker.ts) asynchronously; GET /v1/exports/{exportId} tells how it goes and,
 * once its file is complete, hands out a signed download link (functions/export-download.ts).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signDownload } from '../shared/adapters/download-links.js';
import { getCampaign } from '../shared/adapters/entities.js';
import { ExportsBusyError, createExport, finishExport, getExport, type ExportRecord } from '../shared/adapters/exports.js';
import { invokeAsync } from '../shared/adapters/invoke-async.js';
import { logger } from '../shared/adapters/observability.js';
import { requestLogging } from '../shared/adapters/request-logging.js';
import { HttpError, json, parseJsonBody, pathParam, problem, publicBaseUrlFor, type HttpResult } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { DOWNLOAD_LINK_SECONDS, MAX_EXPORTS_IN_FLIGHT, exportCreateSchema, exportRangeErrors, isStalled } from '../shared/domain/exports.js';
import { isValidId } from '../shared/domain/ids.js';
import type { Principal } from '../shared/domain/principal.js';
import { historyRetentionDays } from '../shared/settings.js';

/** What a client waits before asking again when its organization's export slots are full. */
const BUSY_RETRY_AFTER_SECONDS = 30;

const create = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const request = parseJsonBody(event, exportCreateSchema);
  const errors = exportRangeErrors(request, new Date().toISOString().slice(0, 10), historyRetentionDays);
  if (errors.length > 0) throw new HttpError(422, 'The range cannot be exported', errors);
  if (!(await getCampaign(principal.orgId, request.campaignId))) throw new HttpError(404, 'Campaign not found');

  let record: ExportRecord;
  try {
    record = await createExport(principal.orgId, request);
  } catch (error) {
    if (!(error instanceof ExportsBusyError)) throw error;
    const answer = problem(429, `At most ${MAX_EXPORTS_IN_FLIGHT} exports of an organization run at once; retry when one has finished`);
    return { ...answer, headers: { ...answer.headers, 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) } };
  }
  try {
    await invokeAsync('exportWorker', { orgId: record.orgId, exportId: record.exportId });
  } catch (error) {
    // Not started: the export fails at once and gives its slot back.
    logger.error('Export worker not started', { exportId: record.exportId, error: error as Error });
    await finishExport(record.orgId, record.exportId, { status: 'failed', error: 'The export could not be started; ask again' });
    throw error;
  }
  return json(202, { exportId: record.exportId, status: record.status }, { location: `/v1/exports/${record.exportId}` });
};

const present = async (record: ExportRecord, baseUrl: string) => {
  const { exportId, campaignId, from, to, type, format } = record;
  const answer: Record<string, unknown> = {
    exportId,
    status: record.status,
    request: { campaignId, from, to, type, format },
    rowCount: record.rowCount ?? null,
    createdAt: record.createdAt,
    startedAt: record.startedAt ?? null,
    finishedAt: record.finishedAt ?? null,
  };
  if (record.status === 'succeeded') {
    const expires = Math.floor(Date.now() / 1000) + DOWNLOAD_LINK_SECONDS;
    const signature = await signDownload(record.orgId, exportId, expires);
    const query = new URLSearchParams({ org: record.orgId, expires: String(expires), signature });
    answer.downloadUrl = `${baseUrl}/v1/exports/${exportId}/download?${query}`;
    answer.expiresAt = new Date(expires * 1000).toISOString();
  }
  if (record.status === 'failed' && record.error) answer.error = record.error;
  return answer;
};

const read = async (event: APIGatewayProxyEventV2, principal: Principal): Promise<HttpResult> => {
  const exportId = pathParam(event, 'exportId');
  let record = isValidId(exportId, 'exp') ? await getExport(principal.orgId, exportId) : undefined;
  if (!record) throw new HttpError(404, 'Export not found');
  if (isStalled(record, Date.now())) {
    // Its worker is gone (three attempts past the timeout): fail it and give its slot back.
    await finishExport(record.orgId, exportId, { status: 'failed', error: 'The export did not finish; ask again' });
    record = (await getExport(principal.orgId, exportId)) ?? record;
  }
  return json(200, await present(record, publicBaseUrlFor(event)));
};

const router = createRouter('exports', {
  'POST /v1/exports': create,
  'GET /v1/exports/{exportId}': read,
});

export const handler = middy(router).use(requestLogging());
