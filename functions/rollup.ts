/**
 * The events-table stream consumer. It coalesces a batch into roll-up transactions and applies
 * each exactly once (shared/adapters/rollup-writer.ts). Powertools' BatchProcessor handles
 * records one by one, which would defeat coalescing, so partial failures are reported by hand
 * in the same `batchItemFailures` shape.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../shared/adapters/dynamo.js';
import { processStreamBatchPatiently } from '../shared/application/stream-batch.js';
import { logger } from '../shared/adapters/observability.js';

/** Time kept back from the function's timeout when waiting out a database outage. */
const TIMEOUT_RESERVE_MS = 15_000;

// X-Ray subsegments for each roll-up transaction and read, under the invocation's segment: worth
// their init cost off the redirect path (docs/benchmarks.md, tracing). Off outside Lambda.
const tracer = new Tracer();
tracer.captureAWSv3Client(documentClient());

export const handler = async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  const deadline = Date.now() + Math.max(0, (context?.getRemainingTimeInMillis() ?? 0) - TIMEOUT_RESERVE_MS);
  return processStreamBatchPatiently(event.Records, deadline);
};
