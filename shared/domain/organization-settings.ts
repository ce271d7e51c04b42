/**
 * An organization's privacy settings (spec section 16): whether the redirect sets visitor cookies,
 * the default ranking visibility of its advocates, and how long its data is kept within the
 * deployment's bounds (shared/settings.ts `retentionBounds`). Stored as attributes of the
 * organization's item; an attribute never written reads as its default. Pure: no I/O.
 */
import * as z from 'zod';
import { retentionBounds } from '../settings.js';
import { defaultRankingVisibility, rankingVisibilitySchema, type RankingVisibility } from './ranking-visibility.js';

import { VISITOR_COOKIES_ATTRIBUTE, defaultVisitorCookiePolicy, visitorCookiePolicies, visitorCookiePolicyOf, type VisitorCookiePolicy } from './visitor-cookies.js';

export interface Retention {
  /** Days a conversion or refund stays in the hot table (clicks: always the deployment's hot retention). */
  rawEventDays: number;
  /** Days an archived event file stays in the archive: one of the deployment's classes. */
  archiveDays: number;
  /** The deployment's log retention: the same for every organization (read only). */
  logDays: number;
}

export interface OrganizationSettings {
  visitorCookies: VisitorCookiePolicy;
  rankingDefault: RankingVisibility;
  retention: Retention;
}

/** What an organization that never changed a setting gets: the longest retention the deployment allows. */
export const defaultOrganizationSettings: OrganizationSettings = {
  visitorCookies: defaultVisitorCookiePolicy,
  rankingDefault: defaultRankingVisibility,
  retention: {
    rawEventDays: retentionBounds.rawEventDays.max,
    archiveDays: Math.max(...retentionBounds.archiveDays),
    logDays: retentionBounds.logDays,
  },
};

const isRankingVisibility = (value: unknown): value is RankingVisibility => rankingVisibilitySchema.safeParse(value).success;

/** The organization item's attribute of each stored setting (the rankings read `rankingDefault`). */
export const organizationSettingAttributes = {
  visitorCookies: VISITOR_COOKIES_ATTRIBUTE,
  rankingDefault: 'rankingDefault',
  rawEventDays: 'rawEventRetentionDays',
  archiveDays: 'archiveRetentionDays',
} as const;

/**
 * The settings from the organization item's attributes. A value the bounds no longer allow (the
 * deployment lowered a bound) reads as the nearest allowed one, so the deployment's bound wins.
 */
export const organizationSettingsOf = (item: Readonly<Record<string, unknown>> | undefined): OrganizationSettings => {
  const defaults = defaultOrganizationSettings;
  const attribute = (name: keyof typeof organizationSettingAttributes): unknown => item?.[organizationSettingAttributes[name]];
  const storedRaw = attribute('rawEventDays');
  const storedArchive = attribute('archiveDays');
  const visitorCookies = attribute('visitorCookies');
  const rankingDefault = attribute('rankingDefault');
  return {
    visitorCookies: visitorCookiePolicyOf(visitorCookies),
    rankingDefault: isRankingVisibility(rankingDefault) ? rankingDefault : defaults.rankingDefault,
    retention: {
      rawEventDays: typeof storedRaw === 'number' ? Math.min(Math.max(Math.trunc(storedRaw), rawMin), rawMax) : defaults.retention.rawEventDays,
      archiveDays: typeof storedArchive === 'number' ? archiveClassFor(storedArchive) : defaults.retention.archiveDays,
      logDays: retentionBounds.logDays,
    },
  };
};

/** The longest archive class not above `days` (the shortest class when all are above). */
export const archiveClassFor = (days: number): number => {
  const classes = [...retentionBounds.archiveDays].sort((a, b) => a - b);
  return classes.filter((candidate) => candidate <= days).pop() ?? classes[0]!;
};

const { min: rawMin, max: rawMax } = retentionBounds.rawEventDays;
const archiveClassList = retentionBounds.archiveDays.join(', ');

const rawEventDaysMessage = `must be a whole number of days from ${rawMin} (clicks are kept that long for attribution, and a conversion must outlive them) to ${rawMax} (this deployment's bound)`;
const archiveDaysMessage = `must be one of this deployment's archive retention classes: ${archiveClassList} days`;
const logDaysMessage = `logs are kept ${retentionBounds.logDays} days for the whole deployment (per function, not per organization) and hold no personal data: not settable per organization`;

export const retentionPatchSchema = z
  .strictObject({
    rawEventDays: z
      .number({ error: rawEventDaysMessage })
      .int({ error: rawEventDaysMessage })
      .min(rawMin, { error: rawEventDaysMessage })
      .max(rawMax, { error: rawEventDaysMessage })
      .optional()
      .meta({ description: 'Days a conversion or refund stays in the hot table' }),
    archiveDays: z
      .literal([...retentionBounds.archiveDays], { error: archiveDaysMessage })
      .optional()
      .meta({ description: 'Days archived event files are kept (one of the classes)' }),
    logDays: z.never({ error: logDaysMessage }).optional().meta({ description: 'Read only: refused (422) when sent' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });

export const organizationPatchSchema = z
  .strictObject({
    visitorCookies: z.enum(visitorCookiePolicies).optional(),
    rankingDefault: rankingVisibilitySchema.optional(),
    retention: retentionPatchSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });
export type OrganizationPatch = z.infer<typeof organizationPatchSchema>;

/** The settings after a patch (the patch is already validated). */
export const applyOrganizationPatch = (current: OrganizationSettings, patch: OrganizationPatch): OrganizationSettings => ({
  visitorCookies: patch.visitorCookies ?? current.visitorCookies,
  rankingDefault: patch.rankingDefault ?? current.rankingDefault,
  retention: {
    rawEventDays: patch.retention?.rawEventDays ?? current.retention.rawEventDays,
    archiveDays: patch.retention?.archiveDays ?? current.retention.archiveDays,
    logDays: current.retention.logDays,
  },
});

export const organizationSettingsSchema = z
  .object({
    visitorCookies: z.enum(visitorCookiePolicies).meta({ description: '`respect-gpc` (default): no visitor cookie when the request carries `Sec-GPC: 1`; `never`: none; `always`: on every human click' }),
    rankingDefault: rankingVisibilitySchema.meta({ description: "How advocates appear in others' rankings unless they choose otherwise" }),
    retention: z.object({
      rawEventDays: z.number().int().meta({ description: `Days a conversion or refund stays in the hot table (${rawMin}–${rawMax}); clicks stay ${rawMin}` }),
      archiveDays: z.number().int().meta({ description: `Days archived events are kept (one of ${archiveClassList})` }),
      logDays: z.number().int().meta({ description: 'Days logs are kept: the deployment\'s, read only' }),
    }),
  })
  .meta({ id: 'OrganizationSettings' });
