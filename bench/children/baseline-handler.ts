/**
 * Cold-start baseline (scenario 2): a Lambda handler that imports only the DynamoDB document
 * client and does one PutItem of a click-sized item. Bundled with the product's options.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
);

export const handler = async (event: { rawPath?: string }) => {
  const now = new Date();
  const id = `${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
  await client.send(
    new PutCommand({
      TableName: process.env.TABLE_EVENTS,
      Item: {
        pk: `X#${id}`,
        sk: `C#${now.toISOString()}#${id}`,
        type: 'click',
        eventId: id,
        clickId: id,
        orgId: 'org_00000000000000000000',
        campaignId: 'cmp_00000000000000000000',
        slug: (event.rawPath ?? '/unknown').slice(1),
        advocateId: 'emp-00001',
        channel: 'linkedin',
        at: now.toISOString(),
        unique: true,
        botClass: 'human',
        device: 'desktop',
        browser: 'Chrome',
        os: 'Windows',
        country: 'DE',
        referrerHost: 'www.linkedin.com',
        expiresAt: Math.floor(now.getTime() / 1000) + 400 * 86_400,
        gsi1pk: 'org#campaign',
        gsi1sk: `${now.toISOString()}#${id}`,
      },
    }),
  );
  return { statusCode: 302, headers: { location: 'https://example.com/' } };
};
