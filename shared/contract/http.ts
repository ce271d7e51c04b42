/**
 * HTTP plumbing shared by the handlers: problem+json errors (RFC 9457), JSON bodies with size
 * limits and strict zod validation, paging and cursors. The credentialed routes' router is
 * ./router.ts (it loads every route's record; public handlers such as the pages do not).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { config } from '../adapters/config.js';
import { InvalidCursorError } from '../domain/errors.js';
import { fieldErrorsFromZod, type FieldError } from '../domain/field-errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

const problemTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error that becomes a problem+json answer. Thrown by handlers and helpers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly type?: string,
  ) {
    super(detail);
  }
}

export const problem = (
  status: number,
  detail: string,
  errors?: FieldError[],
  type?: string,
): HttpResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  body: JSON.stringify({
    type: type ?? `https://advocacy.example/problems/${status}`,
    title: problemTitles[status] ?? 'Error',
    status,
    detail,
    ...(errors ? { errors } : {}),
  }),
});

/** Seconds a client should wait before retrying while the database is unreachable or throttled. */
export const RETRY_AFTER_SECONDS = 5;

/** The database is away (down, throttled): nothing was done, the same request may be retried. */
export const serviceUnavailable = (detail: string): HttpResult => {
  const answer = problem(503, detail);
  return { ...answer, headers: { ...answer.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } };
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

/** The raw request body as bytes, decoded from base64 when API Gateway encoded it. */
export const rawBody = (event: APIGatewayProxyEventV2): Buffer => {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
};

const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => event.headers?.[name];

/** Parses and strictly validates a JSON body: 413 over 64 KiB, 415/400 when not JSON, 422 on schema errors. */
export const parseJsonBody = <S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> => {
  const bytes = rawBody(event);
  if (bytes.length > MAX_BODY_BYTES) throw new HttpError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  const contentType = header(event, 'content-type');
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, 'Request body must be application/json');
  }
  let value: unknown;
  try {
    value = bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
  if (value === undefined) throw new HttpError(400, 'Request body is required');
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(422, 'Request body failed validation', fieldErrorsFromZod(result.error));
  return result.data;
};

/** Validates query string parameters (API Gateway joins repeated keys with commas). */
export const parseQuery = <S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> => {
  const result = schema.safeParse(event.queryStringParameters ?? {});
  if (!result.success) throw new HttpError(400, 'Invalid query parameters', fieldErrorsFromZod(result.error));
  return result.data;
};

export const pathParam = (event: APIGatewayProxyEventV2, name: string): string => {
  const value = event.pathParameters?.[name];
  if (!value) throw new HttpError(404, 'Not found');
  return value;
};

export const pageLimit = (value: string | undefined, fallback = 50): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new HttpError(400, 'limit must be an integer from 1 to 100', [
    { field: 'limit', message: 'must be an integer from 1 to 100' },
  ]);
  return n;
};

/** Opaque cursors: base64url JSON of DynamoDB's LastEvaluatedKey, bound to the organization. */
export const encodeCursor = (key: Record<string, unknown> | undefined, orgId: string): string | null =>
  key ? Buffer.from(JSON.stringify({ o: orgId, k: key })).toString('base64url') : null;

export const decodeCursor = (cursor: string | undefined, orgId: string): Record<string, unknown> | undefined => {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: string; k?: unknown };
    if (parsed.o !== orgId || typeof parsed.k !== 'object' || parsed.k === null) throw new Error('foreign');
    return parsed.k as Record<string, unknown>;
  } catch {
    throw new InvalidCursorError();
  }
};

/** Base of short URLs: PUBLIC_BASE_URL, or the API's own domain when none is configured. */
export const publicBaseUrlFor = (event: APIGatewayProxyEventV2): string =>
  config.publicBaseUrl ?? `https://${event.requestContext.domainName}`;
