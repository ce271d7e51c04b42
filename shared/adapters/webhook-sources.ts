/**
 * Webhook sources: who may send conversions, and the secrets their signatures use. A rotated-out
 * secret keeps verifying for 24 hours (spec section 8), then it is ignored and later removed.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { tableName } from './config.js';
import { isValidId, newId } from '../domain/ids.js';
import type { WebhookSourceKind } from '../domain/resources.js';
import { generateWebhookSecret } from '../domain/webhook-signature.js';
import { documentClient } from './dynamo.js';
import { entityKeys } from './keys.js';
import { openSecret, sealSecret } from './secret-box.js';
import { createTtlCache } from './ttl-cache.js';

export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

interface StoredSecret {
  sealed: string;
  createdAt: string;
  /** Set when the secret was rotated out: it verifies until then. */
  validUntil?: string;
}

export interface WebhookSource {
  sourceId: string;
  orgId: string;
  name: string;
  /** Who signs (spec 13); sources made before kinds existed are `standard`. */
  kind: WebhookSourceKind;
  createdAt: string;
  rotatedAt?: string;
}

const table = () => tableName('entities');
const contextOf = (orgId: string, sourceId: string) => ({ orgId, sourceId, purpose: 'webhook-signing' });

/**
 * A new source. A standard source gets a secret we generate (returned once); a vendor source
 * keeps the vendor's `signingSecret`, sealed like ours.
 */
export const createWebhookSource = async (
  orgId: string,
  name: string,
  kind: WebhookSourceKind = 'standard',
  signingSecret?: string,
): Promise<{ source: WebhookSource; secret: string }> => {
  const sourceId = newId('src');
  const secret = kind === 'standard' ? generateWebhookSecret() : signingSecret!;
  const createdAt = new Date().toISOString();
  const stored: StoredSecret = { sealed: await sealSecret(secret, contextOf(orgId, sourceId)), createdAt };
  const source: WebhookSource = { sourceId, orgId, name, kind, createdAt };
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...entityKeys.webhookSource(sourceId),
        type: 'webhookSource',
        ...source,
        secrets: [stored],
        gsi1pk: entityKeys.webhookSourcesOfOrg(orgId),
        gsi1sk: `${createdAt}#${sourceId}`,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { source, secret };
};

const present = (item: Record<string, unknown>): WebhookSource => ({
  sourceId: String(item.sourceId),
  orgId: String(item.orgId),
  name: String(item.name),
  kind: (item.kind as WebhookSourceKind | undefined) ?? 'standard',
  createdAt: String(item.createdAt),
  ...(item.rotatedAt ? { rotatedAt: String(item.rotatedAt) } : {}),
});

/**
 * A new current secret; the previous current one stays valid for 24 hours, older ones are dropped.
 * A standard source's new secret is generated; a vendor source's is the vendor's new one
 * (`signingSecret`), as the vendor rolls it: `'secret_mismatch'` when that does not fit the kind.
 * `'concurrent'`: other rotations of the source won every attempt (the caller may retry).
 */
export const rotateWebhookSource = async (
  orgId: string,
  sourceId: string,
  signingSecret?: string,
): Promise<{ source: WebhookSource; secret: string; previousValidUntil: string } | 'concurrent' | 'secret_mismatch' | undefined> => {
  if (!isValidId(sourceId, 'src')) return undefined; // never issued: not found
  for (let attempt = 0; attempt < 3; attempt++) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: table(), Key: entityKeys.webhookSource(sourceId), ConsistentRead: true }),
    );
    if (!Item || Item.orgId !== orgId) return undefined;
    const kind = present(Item).kind;
    if ((kind === 'standard') !== (signingSecret === undefined)) return 'secret_mismatch';
    const now = new Date();
    const previous = (Item.secrets as StoredSecret[]).filter((s) => !s.validUntil);
    const previousValidUntil = new Date(now.getTime() + ROTATION_GRACE_MS).toISOString();
    const secret = signingSecret ?? generateWebhookSecret();
    const secrets: StoredSecret[] = [
      { sealed: await sealSecret(secret, contextOf(orgId, sourceId)), createdAt: now.toISOString() },
      ...previous.map((s) => ({ ...s, validUntil: previousValidUntil })),
    ];
    try {
      const { Attributes } = await documentClient().send(
        new UpdateCommand({
          TableName: table(),
          Key: entityKeys.webhookSource(sourceId),
          UpdateExpression: 'SET secrets = :secrets, rotatedAt = :now',
          // Optimistic lock on the secret list read above.
          ConditionExpression: 'secrets = :previous',
          ExpressionAttributeValues: { ':secrets': secrets, ':now': now.toISOString(), ':previous': Item.secrets },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { source: present(Attributes!), secret, previousValidUntil };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return 'concurrent';
};

type CachedSource = { orgId: string; kind: WebhookSourceKind; secrets: StoredSecret[] } | null;
const sourceCache = createTtlCache<CachedSource>(1000);
const SOURCE_CACHE_TTL_MS = 30_000;

/**
 * The secrets a signature may use right now, opened. Cached for 30 s per container; a caller
 * whose signature fails against a cached entry asks again with `fresh`, so a secret rotated a
 * moment ago verifies at once.
 */
export const verificationSecrets = async (
  sourceId: string,
  options: { now?: Date; fresh?: boolean } = {},
): Promise<{ orgId: string; kind: WebhookSourceKind; secrets: string[]; cached: boolean } | undefined> => {
  const now = options.now ?? new Date();
  let entry = options.fresh ? undefined : sourceCache.get(sourceId);
  const cached = entry !== undefined;
  if (!entry) {
    const { Item } = await documentClient().send(new GetCommand({ TableName: table(), Key: entityKeys.webhookSource(sourceId) }));
    entry = { value: Item ? { orgId: String(Item.orgId), kind: present(Item).kind, secrets: Item.secrets as StoredSecret[] } : null };
    sourceCache.set(sourceId, entry.value, SOURCE_CACHE_TTL_MS);
  }
  if (!entry.value) return undefined;
  const { orgId, kind, secrets } = entry.value;
  const valid = secrets.filter((s) => !s.validUntil || Date.parse(s.validUntil) > now.getTime());
  return { orgId, kind, cached, secrets: await Promise.all(valid.map((s) => openSecret(s.sealed, contextOf(orgId, sourceId)))) };
};
