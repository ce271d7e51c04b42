/** Reads of the roll-up table. Counts always come from here, never from raw events. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../config.js';
import { documentClient } from './dynamo.js';
import { rollupKeys } from './keys.js';

export interface ClickStats {
  clicks: number;
  uniqueClicks: number;
  botClicks: number;
}

/** All-time click counters of one link (a single item read). */
export const getLinkStats = async (orgId: string, campaignId: string, slug: string): Promise<ClickStats> => {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName('rollups'),
      Key: { pk: rollupKeys.partition(orgId, campaignId, 'link'), sk: rollupKeys.allTimeRow(slug) },
    }),
  );
  return {
    clicks: Number(Item?.clicks ?? 0),
    uniqueClicks: Number(Item?.uniqueClicks ?? 0),
    botClicks: Number(Item?.botClicks ?? 0),
  };
};
