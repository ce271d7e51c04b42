/**
 * POST /v1/webhooks/conversions/{sourceId}: Standard Webhooks-signed conversions and refunds;
 * POST /v1/integrations/{stripe|shopify|hubspot}/{sourceId}: the vendors' own webhooks (spec 13).
 * One intake Lambda: the same stores, the same exactly-once writes, the same limits.
 * The signature is the credential: verified over the exact raw bytes, which are then the same
 * bytes parsed. Stored once before answering 202; any repeat answers 200 duplicate.
 */
import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { storeConversion } from '../shared/adapters/conversions.js';
import { storeRefund } from '../shared/adapters/refunds.js';
import { documentClient } from '../shared/adapters/dynamo.js';
import { isTransientDynamoError } from '../shared/adapters/transient-errors.js';
import { verificationSecrets } from '../shared/adapters/webhook-sources.js';
import { takeConversion, type ConversionAnswer, type ConversionIntakeStore } from '../shared/application/take-conversion.js';
import { takeVendorEvent, vendors, type Vendor } from '../shared/application/take-vendor-event.js';
import { MAX_BODY_BYTES, json, problem, rawBody, serviceUnavailable, type HttpResult } from '../shared/contract/http.js';
import { metricNames } from '../shared/adapters/metric-names.js';
import { logger, metrics } from '../shared/adapters/observability.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

const refusalDetail: Record<Extract<ConversionAnswer, { kind: 'refused' }>['reason'], string> = {
  unknown_source: 'Unknown webhook source',
  missing_headers: 'webhook-id, webhook-timestamp and webhook-signature headers are required',
  invalid_timestamp: 'webhook-timestamp must be integer seconds',
  stale_timestamp: 'webhook-timestamp is more than 5 minutes away from now',
  invalid_signature: 'No signature matches',
  malformed_secret: 'No signature matches',
};

/**
 * One count per delivery, in the one EMF line the middleware flushes: a conversion is ~100 times
 * rarer than a click, so a log line each costs nothing next to its DynamoDB writes. Refused
 * (bad signature) and invalid (bad body) are both refused: nothing was stored.
 */
const outcomeMetric: Record<ConversionAnswer['kind'], string> = {
  accepted: metricNames.conversionsAccepted,
  duplicate: metricNames.conversionsDuplicate,
  refused: metricNames.conversionsRefused,
  invalid: metricNames.conversionsRefused,
};

const intake: ConversionIntakeStore = { verificationSecrets, storeConversion, storeRefund };

const receive = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) {
    metrics.addMetric(metricNames.conversionsRefused, MetricUnit.Count, 1);
    return problem(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const sourceId = event.pathParameters?.sourceId ?? '';
  const answer = await takeConversion({ sourceId, headers: event.headers ?? {}, rawBody: body }, intake);
  metrics.addMetric(outcomeMetric[answer.kind], MetricUnit.Count, 1);
  switch (answer.kind) {
    case 'refused':
      if (answer.reason !== 'unknown_source') logger.info('Webhook refused', { sourceId, reason: answer.reason });
      return problem(401, refusalDetail[answer.reason]);
    case 'invalid':
      return problem(answer.status, answer.status === 400 ? 'Body is not valid JSON' : 'Body failed validation', answer.errors);
    case 'accepted':
      return json(202, { conversionId: answer.conversionId, ...(answer.refundId ? { refundId: answer.refundId } : {}), status: 'accepted' });
    case 'duplicate':
      return json(200, { conversionId: answer.conversionId, ...(answer.refundId ? { refundId: answer.refundId } : {}), status: 'duplicate' });
  }
};

const vendorRefusal: Record<string, string> = {
  unknown_source: 'Unknown webhook source',
  missing_headers: "The vendor's signature headers are required",
  stale_timestamp: "The signed timestamp is outside the vendor's tolerance (5 minutes)",
  invalid_signature: 'No signature matches',
};

/** The URL as the vendor called it: HubSpot signs it. The public host is the forwarded one behind a CDN. */
const calledUrl = (event: APIGatewayProxyEventV2): string => {
  const headers = event.headers ?? {};
  const host = headers['x-forwarded-host'] ?? headers.host ?? '';
  const proto = headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${host}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
};

const receiveVendor = async (vendor: Vendor, event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) return problem(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  const sourceId = event.pathParameters?.sourceId ?? '';
  const delivery = { sourceId, headers: event.headers ?? {}, rawBody: body, method: event.requestContext?.http?.method ?? 'POST', url: calledUrl(event) };
  const answer = await takeVendorEvent(vendor, delivery, intake);
  switch (answer.kind) {
    case 'refused':
      if (answer.reason !== 'unknown_source') logger.info('Vendor webhook refused', { vendor, sourceId, reason: answer.reason });
      return problem(401, vendorRefusal[answer.reason]!);
    case 'invalid':
      return problem(answer.status, answer.status === 400 ? 'Body is not valid JSON' : 'Body failed validation', answer.errors);
    case 'ignored':
      // Counted, so a vendor subscription sending what we never use shows up.
      logger.info('Vendor event ignored', { vendor, sourceId, eventType: answer.eventType });
      metrics.addMetric('VendorEventIgnored', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return json(200, { status: 'ignored', eventType: answer.eventType });
    case 'accepted':
      return json(202, { conversionId: answer.conversionId, ...(answer.refundId ? { refundId: answer.refundId } : {}), status: 'accepted' });
    case 'duplicate':
      return json(200, { conversionId: answer.conversionId, ...(answer.refundId ? { refundId: answer.refundId } : {}), status: 'duplicate' });
  }
};

const vendorOfRoute = (routeKey: string): Vendor | undefined => vendors.find((vendor) => routeKey === `POST /v1/integrations/${vendor}/{sourceId}`);

const handle = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  try {
    const vendor = vendorOfRoute(event.routeKey ?? '');
    if (vendor) return await receiveVendor(vendor, event);
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

export const handler = middy(handle).use(requestLogging()).use(logMetrics(metrics)).use(captureLambdaHandler(tracer));
