/** Raw events written to the events table as the product writes them (keys from shared/adapters). */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../shared/adapters/config.js';
import { conversionItem } from '../../shared/adapters/conversions.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { clickItemKeys } from '../../shared/adapters/keys.js';
import { shareItem } from '../../shared/adapters/shares.js';
import { refundItem } from '../../shared/adapters/refunds.js';
import type { RawEvent } from '../../shared/domain/events.js';

export const eventItem = (event: RawEvent): Record<string, unknown> =>
  event.type === 'click'
    ? { ...clickItemKeys(event), ...event, expiresAt: 2_000_000_000 }
    : event.type === 'conversion'
      ? conversionItem(event)
      : event.type === 'share'
        ? { ...shareItem(event), expiresAt: 2_000_000_000 }
        : refundItem(event);

/** Writes the events in order, 25 at a time (the stream keeps that order within a shard). */
export const writeEvents = async (events: readonly RawEvent[]): Promise<void> => {
  for (let i = 0; i < events.length; i += 25) {
    const items = events.slice(i, i + 25).map((event) => ({ PutRequest: { Item: eventItem(event) } }));
    await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName('events')]: items } }));
  }
};
