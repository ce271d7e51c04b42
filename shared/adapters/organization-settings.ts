/**
 * An organization's privacy settings (spec section 16), stored as attributes of its item
 * (`entityKeys.org`): read and changed by `GET/PATCH /v1/organization`, read (cached per
 * container) where events are written — conversion intake for their TTL, the archiver for its
 * objects' retention class. The redirect reads `visitorCookies` with its link lookup
 * (shared/adapters/redirect-store.ts).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { organizationSettingAttributes, type OrganizationPatch, type OrganizationSettings } from '../domain/organization-settings.js';
import { organizationRules } from './organization-rules.js';
import { config, tableName } from './config.js';
import { documentClient } from './dynamo.js';
import { entityKeys } from './keys.js';
import { createTtlCache } from './ttl-cache.js';

const { settingsOf, applyPatch } = organizationRules;

const projection = Object.values(organizationSettingAttributes).join(', ');

/** The settings (defaults for what was never set), or undefined when the organization does not exist. */
export const getOrganizationSettings = async (orgId: string): Promise<OrganizationSettings | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('entities'), Key: entityKeys.org(orgId), ProjectionExpression: `pk, ${projection}`, ConsistentRead: true }),
  );
  return Item ? settingsOf(Item) : undefined;
};

/**
 * Applies a validated patch: only the attributes it names are written (one UpdateItem), so two
 * admins changing different settings at once both keep their change. Undefined when the
 * organization does not exist.
 */
export const updateOrganizationSettings = async (orgId: string, patch: OrganizationPatch): Promise<OrganizationSettings | undefined> => {
  const values: Record<string, unknown> = {
    [organizationSettingAttributes.visitorCookies]: patch.visitorCookies,
    [organizationSettingAttributes.rankingDefault]: patch.rankingDefault,
    [organizationSettingAttributes.rawEventDays]: patch.retention?.rawEventDays,
    [organizationSettingAttributes.archiveDays]: patch.retention?.archiveDays,
  };
  const set = Object.entries(values).filter(([, value]) => value !== undefined);
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName('entities'),
        Key: entityKeys.org(orgId),
        UpdateExpression: `SET ${set.map((_, index) => `#a${index} = :v${index}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(set.map(([name], index) => [`#a${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(set.map(([, value], index) => [`:v${index}`, value])),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    // The stored item after the write is the truth; applying the patch to it changes nothing.
    return applyPatch(settingsOf(Attributes), patch);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

/** Settings by organization, per container: a change reaches writers within LINK_CACHE_TTL_MS. */
const cache = createTtlCache<Promise<OrganizationSettings>>(10_000);

/**
 * The settings as event writers need them, cached like the redirect's links; an organization
 * without an item (never in practice) gets the defaults. A failed read is not remembered.
 */
export const cachedOrganizationSettings = (orgId: string): Promise<OrganizationSettings> => {
  const hit = cache.get(orgId);
  if (hit) return hit.value;
  const value = documentClient()
    .send(new GetCommand({ TableName: tableName('entities'), Key: entityKeys.org(orgId), ProjectionExpression: projection }))
    .then(({ Item }) => settingsOf(Item));
  cache.set(orgId, value, config.linkCacheTtlMs);
  value.catch(() => cache.stale(orgId)?.value === value && cache.delete(orgId));
  return value;
};
