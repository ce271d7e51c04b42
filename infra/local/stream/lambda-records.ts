/** SDK stream records → the JSON Lambda hands the function. */
import type { _Record as StreamRecord, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

export type { StreamRecord };

export const sequenceOf = (record: StreamRecord): string => record.dynamodb?.SequenceNumber ?? '';

type AttributeJson = Record<string, unknown>;

/** Attribute values as Lambda serialises them: binary as base64, numbers as strings. */
const attributeJson = (value: AttributeValue): AttributeJson => {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(attributeJson) };
  if (value.M !== undefined) return { M: imageJson(value.M) };
  const { $unknown: _unknown, ...plain } = value as AttributeValue & { $unknown?: unknown };
  return plain as AttributeJson;
};

const imageJson = (image: Record<string, AttributeValue>): Record<string, AttributeJson> => {
  const result: Record<string, AttributeJson> = {};
  for (const [name, value] of Object.entries(image)) result[name] = attributeJson(value);
  return result;
};

export const toLambdaRecord = (record: StreamRecord, streamArn: string, region: string): DynamoDBRecord => {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(created !== undefined && {
        ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000),
      }),
      Keys: imageJson(change.Keys ?? {}),
      ...(change.NewImage && { NewImage: imageJson(change.NewImage) }),
      ...(change.OldImage && { OldImage: imageJson(change.OldImage) }),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    eventSourceARN: streamArn,
  } as DynamoDBRecord;
};
