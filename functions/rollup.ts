/**
 * The events-table stream consumer. It coalesces a batch into roll-up transactions and applies
 * each exactly once (shared/adapters/rollup-writer.ts). Powertools' BatchProcessor handles
 * records one by one, which would defeat coalescing, so partial failures are reported by hand
 * in the same `batchItemFailures` shape.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../shared/adapters/dynamo.js';
import { processStreamBatchPatiently, rollupLagMs } from '../shared/application/stream-batch.js';
import { logger } from '../shared/adapters/observability.js';
import { publishBatchMetrics } from '../shared/adapters/rollup-metrics.js';

/** Time kept back from the function's timeout when waiting out a database outage. */
const TIMEOUT_RESERVE_MS = 15_000;

// X-Ray subsegments for each roll-up transaction and read, under the invocation's segment: worth
// their init cost off the redirect path (docs/benchmarks.md, tracing). Off outside Lambda.
const tracer = new Tracer();
tracer.captureAWSv3Client(documentClient());

export const handler = async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  // Its log lines carry the Lambda request id (`function_request_id`): a batch has no API request.
  if (context) logger.addContext(context);
  const deadline = Date.now() + Math.max(0, (context?.getRemainingTimeInMillis() ?? 0) - TIMEOUT_RESERVE_MS);
  const { batchItemFailures, outcome } = await processStreamBatchPatiently(event.Records, deadline);
  publishBatchMetrics({ appliedClicks: outcome.appliedClicks, foldedClicks: outcome.foldedClicks, lagMs: rollupLagMs(event.Records, { batchItemFailures }) });
  return { batchItemFailures };
};
