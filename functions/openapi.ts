/** GET /openapi.json: the OpenAPI 3.1 document, built once per container from the zod schemas. */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildOpenApiDocument } from '../shared/contract/openapi.js';
import type { HttpResult } from '../shared/contract/http.js';

let built: { body: string; etag: string } | undefined;

const document = () => {
  if (!built) {
    const body = JSON.stringify(buildOpenApiDocument());
    built = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  }
  return built;
};

export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const { body, etag } = document();
  // Public and the same for everyone; revalidated so a deployment is seen at once.
  const headers = { etag, 'cache-control': 'no-cache', 'access-control-allow-origin': '*' };
  if (event.headers?.['if-none-match'] === etag) return { statusCode: 304, headers };
  return { statusCode: 200, headers: { ...headers, 'content-type': 'application/json' }, body };
};
