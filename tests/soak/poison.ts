/**
 * A poison record: an item in the events table that looks like a click but is not a valid event
 * (no campaign, no time). Written directly, as a buggy writer or a manual edit would; the
 * consumer must report it until the mapping gives up and sends it to the dead-letter store.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { tableName } from '../../shared/adapters/config.js';

/** Writes the poison record and returns its partition key. */
export const injectPoisonRecord = async (orgId: string): Promise<string> => {
  const pk = `X#poison-${randomUUID()}`;
  await documentClient().send(
    new PutCommand({
      TableName: tableName('events'),
      Item: { pk, sk: 'C#not-a-time#poison', type: 'click', orgId, slug: 'poison', unique: 'maybe' },
    }),
  );
  return pk;
};
