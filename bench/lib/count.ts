/** Items of a table matching a filter, counted by the table itself (scenarios 1 and 5 check what was stored). */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { BenchContext } from './context.js';

export const countMatching = async (
  context: BenchContext,
  table: string,
  filter: { expression: string; names?: Record<string, string>; values: Record<string, unknown> },
): Promise<number> => {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await context.client.send(
      new ScanCommand({
        TableName: table,
        Select: 'COUNT',
        ConsistentRead: true,
        FilterExpression: filter.expression,
        ...(filter.names ? { ExpressionAttributeNames: filter.names } : {}),
        ExpressionAttributeValues: filter.values,
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
};
