/**
 * An organization's privacy settings (spec section 16): whether the redirect sets visitor cookies,
 * the default ranking visibility of its advocates, and how long its data is kept within the
 * deployment's bounds. Stored as attributes of the organization's item; an attribute never written
 * reads as its default. Pure: the bounds come in (shared/settings.ts `retentionBounds`, applied by
 * shared/adapters/organization-settings.ts), nothing here reads the deployment.
 */
import * as z from 'zod';
import { defaultRankingVisibility, rankingVisibilitySchema, type RankingVisibility } from './ranking-visibility.js';
import { VISITOR_COOKIES_ATTRIBUTE, defaultVisitorCookiePolicy, visitorCookiePolicies, visitorCookiePolicyOf, type VisitorCookiePolicy } from './visitor-cookies.js';

/** What a deployment allows (shared/settings.ts `retentionBounds`). */
export interface RetentionBounds {
  rawEventDays: { min: number; max: number };
  /** The archive's retention classes: one S3 lifecycle rule each. */
  archiveDays: readonly number[];
  logDays: number;
}

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

/** The organization item's attribute of each stored setting (the rankings read `rankingDefault`). */
export const organizationSettingAttributes = {
  visitorCookies: VISITOR_COOKIES_ATTRIBUTE,
  rankingDefault: 'rankingDefault',
  rawEventDays: 'rawEventRetentionDays',
  archiveDays: 'archiveRetentionDays',
} as const;

const isRankingVisibility = (value: unknown): value is RankingVisibility => rankingVisibilitySchema.safeParse(value).success;

/** The settings' rules under a deployment's bounds: defaults, reading stored items, patches, the answer's schema. */
export const organizationSettingsRules = (bounds: RetentionBounds) => {
  const { min: rawMin, max: rawMax } = bounds.rawEventDays;
  const classes = [...bounds.archiveDays].sort((a, b) => a - b);
  const classList = classes.join(', ');

  /** What an organization that never changed a setting gets: the longest retention the deployment allows. */
  const defaults: OrganizationSettings = {
    visitorCookies: defaultVisitorCookiePolicy,
    rankingDefault: defaultRankingVisibility,
    retention: { rawEventDays: rawMax, archiveDays: classes[classes.length - 1]!, logDays: bounds.logDays },
  };

  /** The longest archive class not above `days` (the shortest class when all are above). */
  const archiveClassFor = (days: number): number => classes.filter((candidate) => candidate <= days).pop() ?? classes[0]!;

  /**
   * The settings from the organization item's attributes. A value the bounds no longer allow (the
   * deployment lowered a bound) reads as the nearest allowed one, so the deployment's bound wins.
   */
  const settingsOf = (item: Readonly<Record<string, unknown>> | undefined): OrganizationSettings => {
    const attribute = (name: keyof typeof organizationSettingAttributes): unknown => item?.[organizationSettingAttributes[name]];
    const storedRaw = attribute('rawEventDays');
    const storedArchive = attribute('archiveDays');
    const rankingDefault = attribute('rankingDefault');
    return {
      visitorCookies: visitorCookiePolicyOf(attribute('visitorCookies')),
      rankingDefault: isRankingVisibility(rankingDefault) ? rankingDefault : defaults.rankingDefault,
      retention: {
        rawEventDays: typeof storedRaw === 'number' ? Math.min(Math.max(Math.trunc(storedRaw), rawMin), rawMax) : defaults.retention.rawEventDays,
        archiveDays: typeof storedArchive === 'number' ? archiveClassFor(storedArchive) : defaults.retention.archiveDays,
        logDays: bounds.logDays,
      },
    };
  };

  const rawEventDaysMessage = `must be a whole number of days from ${rawMin} (clicks are kept that long for attribution, and a conversion must outlive them) to ${rawMax} (this deployment's bound)`;
  const archiveDaysMessage = `must be one of this deployment's archive retention classes: ${classList} days`;
  const logDaysMessage = `logs are kept ${bounds.logDays} days for the whole deployment (per function, not per organization) and hold no personal data: not settable per organization`;

  const retentionPatchSchema = z
    .strictObject({
      rawEventDays: z
        .number({ error: rawEventDaysMessage })
        .int({ error: rawEventDaysMessage })
        .min(rawMin, { error: rawEventDaysMessage })
        .max(rawMax, { error: rawEventDaysMessage })
        .optional()
        .meta({ description: 'Days a conversion or refund stays in the hot table' }),
      archiveDays: z
        .literal(classes, { error: archiveDaysMessage })
        .optional()
        .meta({ description: 'Days archived event files are kept (one of the classes)' }),
      logDays: z.never({ error: logDaysMessage }).optional().meta({ description: 'Read only: refused (422) when sent' }),
    })
    .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });

  const patchSchema = z
    .strictObject({
      visitorCookies: z.enum(visitorCookiePolicies).optional(),
      rankingDefault: rankingVisibilitySchema.optional(),
      retention: retentionPatchSchema.optional(),
    })
    .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });

  /** The settings after a patch (the patch is already validated). */
  const applyPatch = (current: OrganizationSettings, patch: z.infer<typeof patchSchema>): OrganizationSettings => ({
    visitorCookies: patch.visitorCookies ?? current.visitorCookies,
    rankingDefault: patch.rankingDefault ?? current.rankingDefault,
    retention: {
      rawEventDays: patch.retention?.rawEventDays ?? current.retention.rawEventDays,
      archiveDays: patch.retention?.archiveDays ?? current.retention.archiveDays,
      logDays: current.retention.logDays,
    },
  });

  const settingsSchema = z
    .object({
      visitorCookies: z.enum(visitorCookiePolicies).meta({
        description: '`respect-gpc` (default): no visitor cookie when the request carries `Sec-GPC: 1`; `never`: none; `always`: on every human click',
      }),
      rankingDefault: rankingVisibilitySchema.meta({ description: "How advocates appear in others' rankings unless they choose otherwise" }),
      retention: z.object({
        rawEventDays: z.number().int().meta({ description: `Days a conversion or refund stays in the hot table (${rawMin}–${rawMax}); clicks stay ${rawMin}` }),
        archiveDays: z.number().int().meta({ description: `Days archived events are kept (one of ${classList})` }),
        logDays: z.number().int().meta({ description: "Days logs are kept: the deployment's, read only" }),
      }),
    })
    .meta({ id: 'OrganizationSettings' });

  return { defaults, archiveClassFor, settingsOf, patchSchema, applyPatch, settingsSchema };
};

export type OrganizationSettingsRules = ReturnType<typeof organizationSettingsRules>;
export type OrganizationPatch = z.infer<OrganizationSettingsRules['patchSchema']>;
