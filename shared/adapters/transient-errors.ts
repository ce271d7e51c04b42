/**
 * Whether a DynamoDB call failed for a reason that goes away by itself. No imports: the HTTP
 * layer uses it to answer 503 without loading the SDK into functions that never call DynamoDB.
 */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);
const TRANSIENT_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
const TRANSIENT_CANCELLATION_CODES = new Set(['ThrottlingError', 'TransactionConflict', 'ProvisionedThroughputExceeded']);

/**
 * Whether a DynamoDB call failed for a reason that goes away by itself (unreachable, throttled,
 * a server error, a conflicting transaction) rather than because of the request.
 */
export const isTransientDynamoError = (error: unknown): boolean => {
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    CancellationReasons?: Array<{ Code?: string }>;
  };
  if (e.code && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
  if (e.name && TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  if (e.$retryable) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (e.name === 'TransactionCanceledException') {
    const codes = (e.CancellationReasons ?? []).map((reason) => reason.Code).filter((code) => code && code !== 'None');
    return codes.length > 0 && codes.every((code) => TRANSIENT_CANCELLATION_CODES.has(code!));
  }
  return false;
};
