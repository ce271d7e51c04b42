/**
 * What exports and erasures share as background jobs in the entities table: a record read only
 * while it lives, and the worker's claim of it (queued → running; Lambda's retry of a failed
 * asynchronous invocation takes a running one again, a finished one is left alone).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from './config.js';
import { documentClient } from './dynamo.js';

type Key = { pk: string; sk: string };

/** The job's item, or undefined once it expired: TTL deletes within a day or two, the job is gone at once. */
export const readLiveJob = async (key: Key): Promise<Record<string, unknown> | undefined> => {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName('entities'), Key: key, ConsistentRead: true }));
  if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt <= Date.now() / 1000)) return undefined;
  return Item;
};

/** Marks the job running (its first start time kept); undefined when it is done or gone. */
export const claimJob = async (key: Key, now: Date): Promise<Record<string, unknown> | undefined> => {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName('entities'),
        Key: key,
        UpdateExpression: 'SET #status = :running, startedAt = if_not_exists(startedAt, :now)',
        ConditionExpression: '#status IN (:queued, :running)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};
