/**
 * Local stand-in for S3's presigned GET of an export file: the download route redirects here
 * (shared/adapters/download-links.ts), and the file is streamed from the exports directory — never
 * read into memory whole, as a Lambda response body would be.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_EXPORT_FILE_PATH, verifiedLocalExportFile } from '../../../shared/adapters/download-links.js';
import { directoryObjectStore } from '../../../shared/adapters/object-store.js';

const contentTypes: Record<string, string> = { csv: 'text/csv; charset=utf-8', parquet: 'application/vnd.apache.parquet' };

const refuse = (response: ServerResponse, status: number, detail: string) => {
  const body = JSON.stringify({ type: `https://advocacy.example/problems/${status}`, title: status === 403 ? 'Forbidden' : 'Not Found', status, detail });
  response.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(body);
};

/** Serves the request when it is for a local export file; false when it is not one. */
export const serveLocalExportFile = (request: IncomingMessage, response: ServerResponse): boolean => {
  const url = new URL(request.url ?? '/', 'http://local');
  if (request.method !== 'GET' || url.pathname !== LOCAL_EXPORT_FILE_PATH) return false;
  request.resume();
  void (async () => {
    const key = verifiedLocalExportFile(url.searchParams, Date.now() / 1000);
    const dir = process.env.EXPORTS_DIR;
    if (!key || !dir) return refuse(response, 403, 'The file URL is not valid or has expired');
    const path = directoryObjectStore(dir).localPath(key)!;
    const size = await stat(path).then((info) => info.size, () => undefined);
    if (size === undefined) return refuse(response, 404, 'No such file');
    const name = key.slice(key.lastIndexOf('/') + 1);
    response.writeHead(200, {
      'content-type': contentTypes[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
      'content-length': size,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    });
    createReadStream(path).on('error', () => response.destroy()).pipe(response);
  })().catch(() => response.destroy());
  return true;
};
