/**
 * The on-failure destination: what Lambda sends for a DynamoDB stream batch it gives up on,
 * kept in memory and appended to `<dataDir>/dead-letters.jsonl` when persistent.
 */
import { appendFile, readFile } from 'node:fs/promises';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { sequenceOf, toLambdaRecord, type StreamRecord } from './lambda-records.js';

/** What Lambda's on-failure destination receives for a DynamoDB stream batch, plus the records. */
export interface DeadLetter {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
  /** Local addition: why the last attempt failed. */
  reason: string;
  /** Local addition: the failed records, as the consumer received them. */
  records: DynamoDBRecord[];
}

export class DeadLetterStore {
  private readonly entries: DeadLetter[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string | undefined) {}

  async load(): Promise<void> {
    if (!this.file) return;
    try {
      const text = await readFile(this.file, 'utf8');
      for (const line of text.split('\n')) if (line.trim()) this.entries.push(JSON.parse(line) as DeadLetter);
    } catch {
      /* none yet */
    }
  }

  add(entry: DeadLetter): void {
    this.entries.push(entry);
    const file = this.file;
    if (file) {
      this.writing = this.writing
        .then(() => appendFile(file, `${JSON.stringify(entry)}\n`))
        .catch((error) => console.error('[stream-poller] cannot write dead letter:', error));
    }
  }

  all(): DeadLetter[] {
    return [...this.entries];
  }

  flush(): Promise<void> {
    return this.writing;
  }
}

export type DeadLetterCondition = DeadLetter['requestContext']['condition'];

export interface DeadLetterInput {
  shardId: string;
  streamArn: string;
  region: string;
  /** Non-empty, in stream order. */
  records: StreamRecord[];
  condition: DeadLetterCondition;
  reason: string;
  invokeCount: number;
  /** The context of a (notional) invocation: request id and function ARN. */
  context: Pick<Context, 'awsRequestId' | 'invokedFunctionArn'>;
  now?: Date;
}

/** The entry Lambda's on-failure destination receives, plus the reason and the records. */
export const buildDeadLetter = (input: DeadLetterInput): DeadLetter => {
  const { records, condition } = input;
  const now = input.now ?? new Date();
  const arrival = (record: StreamRecord) =>
    new Date(record.dynamodb?.ApproximateCreationDateTime ?? now.getTime()).toISOString();
  return {
    version: '1.0',
    timestamp: now.toISOString(),
    requestContext: {
      requestId: input.context.awsRequestId,
      functionArn: input.context.invokedFunctionArn,
      condition,
      approximateInvokeCount: input.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(condition === 'RetryAttemptsExhausted' && { functionError: 'Unhandled' }),
    },
    DDBStreamBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: sequenceOf(records[0]),
      endSequenceNumber: sequenceOf(records[records.length - 1]),
      approximateArrivalOfFirstRecord: arrival(records[0]),
      approximateArrivalOfLastRecord: arrival(records[records.length - 1]),
      batchSize: records.length,
      streamArn: input.streamArn,
    },
    reason: input.reason,
    records: records.map((record) => toLambdaRecord(record, input.streamArn, input.region)),
  };
};
