/** Answers API Gateway gives by itself, and a handler's result → the HTTP answer. */
import type { OutgoingHttpHeaders } from 'node:http';

export interface GatewayAnswer {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: string | Buffer;
}

export const gatewayMessage = (statusCode: number, message: string): GatewayAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export const notFound = (method: string, path: string): GatewayAnswer => ({
  statusCode: 404,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    type: 'https://advocacy.example/problems/404',
    title: 'Not Found',
    status: 404,
    detail: `No route for ${method} ${path}`,
  }),
});

const HOP_BY_HOP = new Set(['connection', 'transfer-encoding', 'keep-alive', 'content-length', 'upgrade']);

/** A handler's return value → the HTTP answer, following payload format 2.0's rules. */
export const mapLambdaResult = (result: unknown): GatewayAnswer => {
  // No statusCode: API Gateway assumes 200 JSON with the result as the body.
  if (typeof result === 'string') {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: result };
  }
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result ?? null),
    };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = result as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return gatewayMessage(500, 'Internal Server Error');
  }
  const outgoing: OutgoingHttpHeaders = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (value === undefined || value === null || HOP_BY_HOP.has(lower)) continue;
      outgoing[lower] = String(value);
    }
  }
  // multiValueHeaders belongs to payload 1.0; API Gateway ignores it in 2.0, and so do we.
  if (Array.isArray(cookies) && cookies.length > 0) {
    const existing = outgoing['set-cookie'];
    outgoing['set-cookie'] = [...(existing ? [String(existing)] : []), ...cookies.map(String)];
  }
  let payload: string | Buffer = '';
  if (body !== undefined && body !== null) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    payload = isBase64Encoded === true ? Buffer.from(text, 'base64') : text;
  }
  return { statusCode, headers: outgoing, body: payload };
};
