/**
 * The real roll-up function behind a wrapper that delivers its batches the way Lambda may:
 * a crash after applying part of a batch (the poller then retries, bisects and resumes), the same
 * batch delivered twice, and a batch's records in another order. One customer's conversions keep
 * their order: the first attributed one fixes the customer's path (spec section 5), so the
 * product needs them in arrival order, as a stream shard delivers them. Decisions come from a
 * seeded generator, so a failing history replays with the same faults.
 */
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LambdaHandler } from '../../infra/local/lambda.js';
// The benchmarks' seeded generator: the faults must replay with the seed.
import { seededRandom, shuffle } from '../../bench/lib/random.js';

export interface FaultCounters {
  invocations: number;
  crashes: number;
  doubleDeliveries: number;
  reorders: number;
}

const customerOf = (record: DynamoDBRecord): string | undefined => {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = unmarshall(image as never) as { type?: string; customerId?: string };
  return item.type === 'conversion' && item.customerId ? item.customerId : undefined;
};

/** Shuffles records, except that one customer's conversions keep their relative order. */
const reorder = (records: DynamoDBRecord[], random: () => number): DynamoDBRecord[] => {
  const shuffled = shuffle(random, [...records]);
  const queues = new Map<string, DynamoDBRecord[]>();
  for (const record of records) {
    const customer = customerOf(record);
    if (customer) (queues.get(customer) ?? queues.set(customer, []).get(customer)!).push(record);
  }
  // Each customer's slots in the shuffle are refilled with its conversions in arrival order.
  return shuffled.map((record) => {
    const customer = customerOf(record);
    return customer ? queues.get(customer)!.shift()! : record;
  });
};

/** Runs the consumer's work; the differential test passes the moved clock's `realTime`. */
type Guard = <T>(work: () => Promise<T>) => Promise<T>;

export const faultyConsumer = (guard: Guard = (work) => work()) => {
  let real: LambdaHandler | undefined;
  let random = seededRandom(0);
  let crashesLeft = 0;
  const counters: FaultCounters = { invocations: 0, crashes: 0, doubleDeliveries: 0, reorders: 0 };

  const handler: LambdaHandler = (event: DynamoDBStreamEvent, context: Context) => guard(() => deliver(event, context));

  const deliver = async (event: DynamoDBStreamEvent, context: Context) => {
    real ??= (await import('../../functions/rollup.js')).handler as LambdaHandler;
    counters.invocations++;
    const records = event.Records;
    const dice = random();
    // Crashes only hit batches of two or more, and at most a few per history: injection alone
    // must never exhaust a healthy record's retries.
    if (records.length >= 2 && crashesLeft > 0 && dice < 0.3) {
      crashesLeft--;
      counters.crashes++;
      await real({ Records: records.slice(0, Math.floor(random() * records.length)) }, context);
      throw new Error('differential: injected crash after part of a batch');
    }
    if (dice < 0.5) {
      counters.doubleDeliveries++;
      await real({ Records: records }, context);
    }
    if (records.length >= 2 && random() < 0.5) {
      counters.reorders++;
      return real({ Records: reorder(records, random) }, context);
    }
    return real(event, context);
  };

  return {
    handler,
    /** The faults of the next history. */
    reseed(seed: number) {
      random = seededRandom(seed);
      crashesLeft = 3;
    },
    counters: () => ({ ...counters }),
  };
};
