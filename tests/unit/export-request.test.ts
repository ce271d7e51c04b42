/** Export requests (shared/domain/exports.ts): the body's schema and the ranges that can be exported. */
import { describe, expect, it } from 'vitest';
import { EXPORT_WORKER_TIMEOUT_SECONDS, STALLED_EXPORT_SECONDS, daysOf, downloadLinkMessage, exportCreateSchema, exportRangeErrors, isStalled, oldestExportableDay, shiftDay } from '../../shared/domain/exports.js';

const today = '2026-12-05';
const retention = 400;
const fields = (from: string, to: string) => exportRangeErrors({ from, to }, today, retention).map((error) => error.field);

describe('export ranges', () => {
  it('accepts any range from today − retention to today, one day included', () => {
    expect(oldestExportableDay(today, retention)).toBe('2025-10-31');
    expect(fields('2025-10-31', today)).toEqual([]);
    expect(fields(today, today)).toEqual([]);
  });

  it('names `from` when it reaches before the history kept', () => {
    expect(fields('2025-10-30', today)).toEqual(['from']);
    expect(exportRangeErrors({ from: '2025-10-30', to: today }, today, retention)[0]!.message).toContain('2025-10-31');
  });

  it('names `to` when it is in the future or before `from`', () => {
    expect(fields(today, '2026-12-06')).toEqual(['to']);
    expect(fields('2026-12-02', '2026-12-01')).toEqual(['to']);
    expect(fields('2025-01-01', '2027-01-01')).toEqual(['from', 'to']);
  });
});

describe('the request body', () => {
  const valid = { campaignId: 'cmp_1', from: '2026-11-01', to: '2026-11-30', type: 'click', format: 'csv' };

  it('takes the five fields', () => {
    expect(exportCreateSchema.parse(valid)).toEqual(valid);
    expect(exportCreateSchema.parse({ ...valid, type: 'conversion', format: 'parquet' }).format).toBe('parquet');
  });

  it.each([
    ['an unknown field', { ...valid, colour: 'red' }],
    ['a missing field', { ...valid, format: undefined }],
    ['a date that is not a day', { ...valid, from: '2026-11-01T00:00:00Z' }],
    ['an impossible day', { ...valid, to: '2026-02-30' }],
    ['an unknown type', { ...valid, type: 'refund' }],
    ['an unknown format', { ...valid, format: 'xlsx' }],
  ])('refuses %s', (_name, body) => {
    expect(exportCreateSchema.safeParse(body).success).toBe(false);
  });
});

describe('days', () => {
  it('lists every day of a range, across a month end', () => {
    expect(daysOf('2026-01-30', '2026-02-02')).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02']);
    expect(daysOf('2026-01-02', '2026-01-01')).toEqual([]);
    expect(shiftDay('2026-03-01', 1)).toBe('2026-02-28');
  });

  it('signs the organization, the export and the expiry of a download link, each apart', () => {
    const message = downloadLinkMessage('org_a', 'exp_b', 1700000000);
    expect(new Set([message, downloadLinkMessage('org_x', 'exp_b', 1700000000), downloadLinkMessage('org_a', 'exp_x', 1700000000), downloadLinkMessage('org_a', 'exp_b', 1700000001)]).size).toBe(4);
  });
});

describe('stalled exports', () => {
  const createdAt = '2026-12-05T00:00:00.000Z';
  const at = (seconds: number) => Date.parse(createdAt) + seconds * 1000;

  it('an unfinished export stalls only past three worker timeouts and a margin; a finished one never', () => {
    expect(isStalled({ status: 'running', createdAt }, at(STALLED_EXPORT_SECONDS))).toBe(false);
    expect(isStalled({ status: 'running', createdAt }, at(STALLED_EXPORT_SECONDS + 1))).toBe(true);
    expect(isStalled({ status: 'queued', createdAt }, at(STALLED_EXPORT_SECONDS + 1))).toBe(true);
    expect(isStalled({ status: 'succeeded', createdAt }, at(10 * STALLED_EXPORT_SECONDS))).toBe(false);
    expect(isStalled({ status: 'failed', createdAt }, at(10 * STALLED_EXPORT_SECONDS))).toBe(false);
    expect(STALLED_EXPORT_SECONDS).toBeGreaterThan(3 * EXPORT_WORKER_TIMEOUT_SECONDS);
  });
});
