/**
 * One DynamoDB document client per container. `DYNAMODB_ENDPOINT` points it at DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { installCapacityMeter } from './capacity-meter.js';

let client: DynamoDBDocumentClient | undefined;

export const createDynamoClient = (): DynamoDBClient => {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient(
    endpoint
      ? {
          endpoint,
          region: process.env.AWS_REGION ?? 'eu-central-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          maxAttempts: 3,
        }
      : { maxAttempts: 3 },
  );
  installCapacityMeter(client);
  return client;
};

export const documentClient = (): DynamoDBDocumentClient => {
  client ??= DynamoDBDocumentClient.from(createDynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
};

/** Re-exported here for the callers that already hold a client; the logic has no SDK imports. */
export { isTransientDynamoError } from './transient-errors.js';

