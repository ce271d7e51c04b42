/**
 * The organization's privacy settings (spec section 16) as pure rules: defaults, the patch's
 * bounds and their messages, stored values read back within the deployment's bounds, the cookie
 * decision per setting and GPC signal, and the cookie lifetime.
 */
import { describe, expect, it } from 'vitest';
import { organizationSettingAttributes, organizationSettingsRules } from '../../shared/domain/organization-settings.js';
import { VISITOR_COOKIE_MAX_AGE_SECONDS, visitorCookiesAllowed } from '../../shared/domain/visitor-cookies.js';
import { fieldErrorsFromZod } from '../../shared/domain/field-errors.js';
import { archiveRetentionClassesDays, historyRetentionDays, hotClickRetentionDays, logRetentionDays, maxLookbackDays, rawEventRetentionDays, retentionBounds } from '../../shared/settings.js';

const rules = organizationSettingsRules(retentionBounds);
const { applyPatch: applyOrganizationPatch, archiveClassFor, defaults: defaultOrganizationSettings, patchSchema: organizationPatchSchema, settingsOf: organizationSettingsOf } = rules;

const errorsOf = (body: unknown) => {
  const result = organizationPatchSchema.safeParse(body);
  return result.success ? [] : fieldErrorsFromZod(result.error);
};

describe('organization settings', () => {
  it('default to respect-gpc, named, and the longest retention the deployment allows', () => {
    expect(organizationSettingsOf(undefined)).toEqual(defaultOrganizationSettings);
    expect(organizationSettingsOf({ pk: 'ORG#o', sk: 'ORG', name: 'Acme' })).toEqual({
      visitorCookies: 'respect-gpc',
      rankingDefault: 'named',
      retention: { rawEventDays: rawEventRetentionDays, archiveDays: historyRetentionDays, logDays: logRetentionDays },
    });
  });

  it('store the ranking default under the attribute the rankings read', () => {
    expect(organizationSettingAttributes.rankingDefault).toBe('rankingDefault');
    expect(organizationSettingsOf({ rankingDefault: 'hidden' }).rankingDefault).toBe('hidden');
  });

  it('read stored values back within the bounds, whatever was stored', () => {
    expect(organizationSettingsOf({ visitorCookies: 'never', rawEventRetentionDays: 150, archiveRetentionDays: 200 })).toMatchObject({
      visitorCookies: 'never',
      retention: { rawEventDays: 150, archiveDays: 200 },
    });
    // A bound lowered by the deployment after the value was stored: the bound wins.
    expect(organizationSettingsOf({ rawEventRetentionDays: 5000, archiveRetentionDays: 5000 }).retention).toMatchObject({
      rawEventDays: rawEventRetentionDays,
      archiveDays: historyRetentionDays,
    });
    expect(organizationSettingsOf({ rawEventRetentionDays: 1, archiveRetentionDays: 1 }).retention).toMatchObject({
      rawEventDays: hotClickRetentionDays,
      archiveDays: Math.min(...archiveRetentionClassesDays),
    });
    expect(organizationSettingsOf({ visitorCookies: 'sometimes', rankingDefault: 'famous' })).toMatchObject({ visitorCookies: 'respect-gpc', rankingDefault: 'named' });
    expect(archiveClassFor(250)).toBe(200);
  });

  it('keep every bound consistent with attribution and the history', () => {
    // Conversions outlive the clicks attribution reads; every archive class outlives the hot clicks.
    expect(hotClickRetentionDays).toBeGreaterThan(maxLookbackDays);
    expect(Math.min(...archiveRetentionClassesDays)).toBeGreaterThanOrEqual(hotClickRetentionDays);
    expect(Math.max(...archiveRetentionClassesDays)).toBe(historyRetentionDays);
  });

  it('accept patches within the bounds and change only what they name', () => {
    const patch = organizationPatchSchema.parse({ visitorCookies: 'always', retention: { rawEventDays: hotClickRetentionDays, archiveDays: 100 } });
    expect(applyOrganizationPatch(defaultOrganizationSettings, patch)).toEqual({
      visitorCookies: 'always',
      rankingDefault: 'named',
      retention: { rawEventDays: hotClickRetentionDays, archiveDays: 100, logDays: logRetentionDays },
    });
    expect(applyOrganizationPatch(defaultOrganizationSettings, organizationPatchSchema.parse({ rankingDefault: 'pseudonymous' }))).toMatchObject({
      rankingDefault: 'pseudonymous',
      retention: defaultOrganizationSettings.retention,
    });
  });

  it('refuse out-of-bounds and unknown values, naming the field and the bounds', () => {
    for (const days of [hotClickRetentionDays - 1, rawEventRetentionDays + 1, 120.5, '120', null]) {
      const [error] = errorsOf({ retention: { rawEventDays: days } });
      expect(error?.field).toBe('retention.rawEventDays');
      expect(error?.message).toContain(`from ${hotClickRetentionDays}`);
      expect(error?.message).toContain(`to ${rawEventRetentionDays}`);
    }
    const [archive] = errorsOf({ retention: { archiveDays: 150 } });
    expect(archive).toEqual({ field: 'retention.archiveDays', message: expect.stringContaining(archiveRetentionClassesDays.join(', ')) });
    const [logs] = errorsOf({ retention: { logDays: logRetentionDays } });
    expect(logs).toEqual({ field: 'retention.logDays', message: expect.stringContaining('whole deployment') });
    expect(errorsOf({ visitorCookies: 'sometimes' })[0]?.field).toBe('visitorCookies');
    expect(errorsOf({ rankingDefault: 'famous' })[0]?.field).toBe('rankingDefault');
    expect(errorsOf({ colour: 'red' })).not.toEqual([]);
    expect(errorsOf({})).not.toEqual([]);
    expect(errorsOf({ retention: {} })).not.toEqual([]);
  });
});

describe('visitor cookies', () => {
  it('are allowed by always whatever the signal, by respect-gpc unless Sec-GPC is 1, by never not at all', () => {
    expect(visitorCookiesAllowed('always', '1')).toBe(true);
    expect(visitorCookiesAllowed('respect-gpc', undefined)).toBe(true);
    expect(visitorCookiesAllowed('respect-gpc', '0')).toBe(true);
    expect(visitorCookiesAllowed('respect-gpc', '1')).toBe(false);
    expect(visitorCookiesAllowed('respect-gpc', ' 1 ')).toBe(false);
    expect(visitorCookiesAllowed('never', undefined)).toBe(false);
  });

  it('live at most 13 calendar months from any day they are set', () => {
    const start = Date.UTC(2026, 0, 1);
    for (let day = 0; day < 4 * 366; day++) {
      const setAt = new Date(start + day * 86_400_000);
      const thirteenMonthsLater = Date.UTC(setAt.getUTCFullYear(), setAt.getUTCMonth() + 13, setAt.getUTCDate());
      expect(setAt.getTime() + VISITOR_COOKIE_MAX_AGE_SECONDS * 1000, setAt.toISOString()).toBeLessThanOrEqual(thirteenMonthsLater);
    }
    // And not needlessly shorter: within two days of the shortest 13 months.
    expect(VISITOR_COOKIE_MAX_AGE_SECONDS).toBeGreaterThan(391 * 86_400);
  });
});
