/**
 * Vitest global setup: ONE in-memory DynamoDB Local for the whole run. Test files get its
 * endpoint through `inject('dynamodbEndpoint')` (or process.env.TEST_DYNAMODB_ENDPOINT) and
 * isolate themselves with table prefixes. Java is stopped in teardown — and killed by the
 * launcher's guards if the run dies instead.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const existing = process.env.TEST_DYNAMODB_ENDPOINT;
  if (existing) {
    // Reuse one the caller started (e.g. a watch session); it is not ours to stop.
    project.provide('dynamodbEndpoint', existing);
    return async () => {};
  }
  const dynamodb = await startDynamoDbLocal({ inMemory: true });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamodb.endpoint;
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return async () => {
    await dynamodb.stop();
    delete process.env.TEST_DYNAMODB_ENDPOINT;
  };
}
