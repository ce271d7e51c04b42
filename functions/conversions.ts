/**
 * POST /v1/webhooks/conversions/{sourceId}: Standard Webhooks-signed conversions.
 * The signature is the credential: verified over the exact raw bytes, which are then the same
 * bytes parsed. Stored once before answering 202; any repeat answers 200 duplicate.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { storeConversion } from '../shared/adapters/conversions.js';
import { documentClient } from '../shared/adapters/dynamo.js';
import { isTransientDynamoError } from '../shared/adapters/transient-errors.js';
import { verificationSecrets } from '../shared/adapters/webhook-sources.js';
import { isValidId } from '../shared/domain/ids.js';
import { parseConversionWebhook, verifyWebhook } from '../shared/domain/webhook-signature.js';
import { MAX_BODY_BYTES, json, problem, rawBody, serviceUnavailable, type HttpResult } from '../shared/http.js';
import { logger } from '../shared/observability.js';

/** Conversions may not claim to have happened in the future (beyond clock skew). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const refusal = (detail: string) => problem(401, detail);

const refusalDetail: Record<string, string> = {
  missing_headers: 'webhook-id, webhook-timestamp and webhook-signature headers are required',
  invalid_timestamp: 'webhook-timestamp must be integer seconds',
  stale_timestamp: 'webhook-timestamp is more than 5 minutes away from now',
  invalid_signature: 'No signature matches',
  malformed_secret: 'No signature matches',
};

const receive = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const sourceId = event.pathParameters?.sourceId ?? '';
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) return problem(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  if (!isValidId(sourceId, 'src')) return refusal('Unknown webhook source');

  const headers = {
    'webhook-id': event.headers?.['webhook-id'],
    'webhook-timestamp': event.headers?.['webhook-timestamp'],
    'webhook-signature': event.headers?.['webhook-signature'],
  };
  let source = await verificationSecrets(sourceId);
  if (!source) return refusal('Unknown webhook source');
  let verified = verifyWebhook({ headers, rawBody: body, secrets: source.secrets });
  if (!verified.ok && verified.reason === 'invalid_signature' && source.cached) {
    // A secret rotated moments ago may not be in this container's cache yet.
    source = await verificationSecrets(sourceId, { fresh: true });
    if (!source) return refusal('Unknown webhook source');
    verified = verifyWebhook({ headers, rawBody: body, secrets: source.secrets });
  }
  if (!verified.ok) {
    logger.info('Webhook refused', { sourceId, reason: verified.reason });
    return refusal(refusalDetail[verified.reason] ?? 'Signature verification failed');
  }

  const parsed = parseConversionWebhook(body);
  if (!parsed.ok) {
    return problem(parsed.status, parsed.status === 400 ? 'Body is not valid JSON' : 'Body failed validation', parsed.errors);
  }
  const { data } = parsed.webhook;
  if (Date.parse(data.occurredAt) > Date.now() + MAX_FUTURE_SKEW_MS) {
    return problem(422, 'Body failed validation', [{ field: 'data.occurredAt', message: 'must not be in the future' }]);
  }

  const result = await storeConversion({ orgId: source.orgId, sourceId, webhookId: verified.webhookId, data });
  return result === 'accepted'
    ? json(202, { conversionId: data.conversionId, status: 'accepted' })
    : json(200, { conversionId: data.conversionId, status: 'duplicate' });
};

const handle = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  try {
    return await receive(event);
  } catch (error) {
    logger.error('Conversion intake failed', { error: error as Error });
    if (isTransientDynamoError(error)) {
      // Nothing was accepted; the sender retries (Standard Webhooks senders do) and the retry is
      // exact: the webhook-id and the conversionId decide duplicates.
      return serviceUnavailable('Temporarily unable to store conversions; retry later');
    }
    return problem(500, 'An unexpected error occurred');
  }
};

// X-Ray subsegments for the intake's DynamoDB calls (a transaction per conversion, retried on
// conflicts): worth their init cost here, unlike on the redirect (docs/benchmarks.md, tracing).
// Off outside Lambda.
const tracer = new Tracer();
tracer.captureAWSv3Client(documentClient());

export const handler = middy(handle).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer));
