/** Reads a request body with API Gateway's payload limit. */
import type { IncomingMessage } from 'node:http';

/** API Gateway's request payload limit. Product limits (64 KiB) are enforced by handlers. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export const readBody = (request: IncomingMessage): Promise<Buffer | undefined> => {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES) return Promise.reject(new BodyTooLargeError());
  if (declared === 0 && request.headers['transfer-encoding'] === undefined) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    request.once('error', reject);
  });
};
