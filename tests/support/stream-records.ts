/** Raw events as the DynamoDB stream records Lambda hands a consumer (INSERT, new image). */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { RawEvent } from '../../shared/domain/events.js';

/** The record of the `index`-th insert of a stream: sequence numbers increase with the index. */
export const insertRecord = (event: RawEvent, index: number): DynamoDBRecord => ({
  eventID: `evt${String(index).padStart(8, '0')}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    SequenceNumber: String(100_000_000_000 + index),
    NewImage: marshall(event, { removeUndefinedValues: true }) as Record<string, LambdaAttributeValue>,
  },
});
