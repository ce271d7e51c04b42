/**
 * GET /v1/exports/{exportId}/download: the file of a succeeded export, by the signed link
 * GET /v1/exports/{exportId} handed out. The link is the credential (no API key: it can be given
 * to a browser or a spreadsheet tool), so the handler checks it: the signature must be this
 * server's over the organization, the export and the expiry (compared in constant time), and the
 * expiry must not have passed — otherwise 403. Then a 302 to the file: a presigned S3 URL valid
 * a minute, or locally the runtime's own signed file URL, which streams it. The file exists only
 * once it is complete (the engine renames it into place), and a link is only handed out for a
 * succeeded export.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_EXPORT_FILE_PATH, localExportFileQuery, verifyDownload } from '../shared/adapters/download-links.js';
import { exportsStore } from '../shared/adapters/export-store.js';
import { getExport } from '../shared/adapters/exports.js';
import { logger } from '../shared/adapters/observability.js';
import { requestLogging } from '../shared/adapters/request-logging.js';
import { isTransientDynamoError } from '../shared/adapters/transient-errors.js';
import { HttpError, parseQuery, pathParam, problem, publicBaseUrlFor, serviceUnavailable, type HttpResult } from '../shared/contract/http.js';
import { exportDownloadQuerySchema } from '../shared/contract/queries.js';
import { isValidId } from '../shared/domain/ids.js';
import { PRESIGNED_URL_SECONDS } from '../shared/domain/exports.js';

const refused = (why: string): HttpResult => problem(403, `${why}; ask GET /v1/exports/{exportId} for a new link`);

const download = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const exportId = pathParam(event, 'exportId');
  const query = parseQuery(event, exportDownloadQuerySchema);
  const expires = Number(query.expires);
  if (!query.org || !query.signature || !Number.isSafeInteger(expires) || !isValidId(exportId, 'exp')) return refused('Not a download link');
  if (!(await verifyDownload(query.org, exportId, expires, query.signature))) return refused('The link is not valid');
  if (expires <= Date.now() / 1000) return refused('The link has expired');
  const record = await getExport(query.org, exportId);
  if (!record || record.status !== 'succeeded' || !record.fileKey) return problem(404, 'No file for this export');
  // S3: a presigned URL, valid a minute. The directory store presigns nothing: the local runtime
  // serves the file itself, streamed, at a URL signed the same way (infra/local/http-api/export-files.ts).
  const fileExpires = Math.floor(Date.now() / 1000) + PRESIGNED_URL_SECONDS;
  const url =
    (await exportsStore().presignGet(record.fileKey, PRESIGNED_URL_SECONDS)) ??
    `${publicBaseUrlFor(event)}${LOCAL_EXPORT_FILE_PATH}?${localExportFileQuery(record.fileKey, fileExpires)}`;
  return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store' }, body: '' };
};

const handle = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  try {
    return await download(event);
  } catch (error) {
    if (error instanceof HttpError) return problem(error.status, error.detail, error.errors);
    logger.error('Export download failed', { error: error as Error });
    if (isTransientDynamoError(error)) return serviceUnavailable('The database is temporarily unavailable; retry later');
    return problem(500, 'An unexpected error occurred');
  }
};

export const handler = middy(handle).use(requestLogging());
