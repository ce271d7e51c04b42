/**
 * The organization settings' rules (shared/domain/organization-settings.ts) under this deployment's
 * retention bounds (shared/settings.ts): the one instance the store, the route records and the
 * handler use. Apart from the store so the route records do not load the DynamoDB client.
 */
import { organizationSettingsRules } from '../domain/organization-settings.js';
import { retentionBounds } from '../settings.js';

export const organizationRules = organizationSettingsRules(retentionBounds);
