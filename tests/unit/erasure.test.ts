/**
 * The pure planning of an erasure (shared/domain/erasure.ts): which requests are well formed, what
 * each stored shape becomes, and that nothing a count or a credit depends on changes.
 */
import { describe, expect, it } from 'vitest';
import { archiveRowOf } from '../../shared/domain/archive.js';
import { clickContributions } from '../../shared/domain/rollup.js';
import {
  archiveFileDate,
  archivedAwaited,
  conversionFieldsToErase,
  erasedArchiveRow,
  erasedClick,
  erasedCreditRecord,
  eraseArchiveRows,
  erasureSubjectOf,
  isErasureRekey,
  nextStep,
  pseudonymousClickId,
  subjectDigest,
  type ErasureSubject,
} from '../../shared/domain/erasure.js';
import { locateClick } from '../../shared/domain/click-id.js';
import { newClickId, newVisitorId } from '../../shared/domain/ids.js';
import { sampleClick, sampleConversion } from '../support/archive-events.js';

const visitorId = newVisitorId();
const otherVisitor = newVisitorId();
const clickIdOf = (visitor: string) => `${newClickId()}${visitor}`;
const visitor: ErasureSubject = { kind: 'visitor', visitorId };
const customer: ErasureSubject = { kind: 'customer', customerId: 'cus_42' };

describe('erasure requests', () => {
  it('take exactly one well-formed identifier', () => {
    expect(erasureSubjectOf({ visitorId })).toEqual({ subject: visitor });
    expect(erasureSubjectOf({ customerId: 'cus_42' })).toEqual({ subject: customer });
    for (const bad of [{}, { visitorId, customerId: 'cus_42' }, { visitorId: 'not-a-visitor' }, { visitorId: `${visitorId.slice(0, 21)}B` }, { customerId: '' }, { customerId: ' padded ' }, { customerId: 'x'.repeat(201) }, { customerId: 'a\u0000b' }]) {
      const result = erasureSubjectOf(bad);
      expect(result, JSON.stringify(bad)).toHaveProperty('errors');
      expect((result as { errors: Array<{ field: string }> }).errors[0]!.field).toMatch(/^(visitorId|customerId)$/);
    }
  });

  it('find an unfinished erasure by a digest that differs per organization and kind, and holds no identifier', () => {
    const digest = subjectDigest('org_a', visitor);
    expect(digest).not.toContain(visitorId);
    expect(digest).toBe(subjectDigest('org_a', visitor));
    expect(digest).not.toBe(subjectDigest('org_b', visitor));
    expect(subjectDigest('org_a', { kind: 'customer', customerId: visitorId })).not.toBe(digest);
  });
});

describe('erased shapes', () => {
  it("re-key a visitor's click under its time id: no visitor left, every count the same", () => {
    const id = clickIdOf(visitorId);
    const click = sampleClick(2, { clickId: id, eventId: id, visitorId });
    const erased = erasedClick(click);
    expect(erased.clickId).toBe(id.slice(0, 26));
    expect(erased.eventId).toBe(erased.clickId);
    expect(erased).not.toHaveProperty('visitorId');
    expect(JSON.stringify(erased)).not.toContain(visitorId);
    expect(locateClick(erased.clickId)).toBeUndefined();
    expect(clickContributions(erased)).toEqual(clickContributions(click));
  });

  it("strip a conversion of the visitor's identifiers, or of the customer's and the browser ids tied to them", () => {
    const ours = clickIdOf(visitorId);
    expect(conversionFieldsToErase({ visitorId, clickId: ours, customerId: 'cus_42' }, visitor)).toEqual(['visitorId', 'clickId']);
    expect(conversionFieldsToErase({ visitorId: otherVisitor, clickId: ours }, visitor)).toEqual(['clickId']);
    expect(conversionFieldsToErase({ visitorId: otherVisitor, clickId: clickIdOf(otherVisitor), customerId: 'cus_42' }, visitor)).toEqual([]);
    expect(conversionFieldsToErase({ visitorId, clickId: ours, customerId: 'cus_42' }, customer)).toEqual(['customerId', 'visitorId', 'clickId']);
    expect(conversionFieldsToErase({ customerId: 'cus_42' }, customer)).toEqual(['customerId']);
    expect(conversionFieldsToErase({ customerId: 'cus_43', visitorId }, customer)).toEqual([]);
  });

  it('keep a credit record\'s touches, order and shares, renaming only the visitor\'s click ids', () => {
    const ours = clickIdOf(visitorId);
    const theirs = clickIdOf(otherVisitor);
    const record = { customerId: 'cus_42', touches: [{ clickId: theirs, advocateId: 'a' }, { clickId: ours, advocateId: 'b' }], credits: { linear: [{ touch: 0, credit: 500_000 }, { touch: 1, credit: 500_000 }] } };
    const erased = erasedCreditRecord(record, visitor)!;
    expect(erased.touches).toEqual([{ clickId: theirs, advocateId: 'a' }, { clickId: pseudonymousClickId(ours), advocateId: 'b' }]);
    expect(erased.credits).toBe(record.credits);
    expect(erased.customerId).toBe('cus_42');
    expect(erasedCreditRecord(erased, visitor)).toBeUndefined();
    const forgotten = erasedCreditRecord(record, customer)!;
    expect(forgotten).not.toHaveProperty('customerId');
    expect(forgotten.touches).toBe(record.touches);
    expect(erasedCreditRecord(forgotten, customer)).toBeUndefined();
  });

  it('rewrite archive rows of the subject only, and report which re-keyed clicks the archive holds', () => {
    const ours = clickIdOf(visitorId);
    const mine = archiveRowOf(sampleClick(2, { clickId: ours, eventId: ours, visitorId }));
    const other = archiveRowOf(sampleClick(4, { clickId: clickIdOf(otherVisitor), visitorId: otherVisitor }));
    const { rows, changed } = eraseArchiveRows('click', [mine, other], visitor);
    expect(changed).toBe(1);
    expect(rows[0]).toMatchObject({ event_id: ours.slice(0, 26), click_id: ours.slice(0, 26), visitor_id: null, unique: mine.unique, advocate_id: mine.advocate_id });
    expect(rows[1]).toBe(other);
    expect(eraseArchiveRows('click', rows, visitor).changed).toBe(0);
    // Awaited under the old id, or found already re-keyed by an earlier attempt.
    expect(archivedAwaited([mine], new Set([ours]))).toEqual([ours]);
    expect(archivedAwaited(rows, new Set([ours]))).toEqual([ours]);
    expect(archivedAwaited([other], new Set([ours]))).toEqual([]);

    const conversion = archiveRowOf(sampleConversion(2, { customerId: 'cus_42', visitorId, clickId: ours }));
    expect(erasedArchiveRow('conversion', conversion, customer)).toMatchObject({ customer_id: null, visitor_id: null, click_id: null, amount: '19.99' });
    expect(erasedArchiveRow('conversion', conversion, visitor)).toMatchObject({ customer_id: 'cus_42', visitor_id: null, click_id: null });
    expect(erasedArchiveRow('conversion', archiveRowOf(sampleConversion(4)), customer)).toBeUndefined();
    expect(erasedArchiveRow('refund', conversion, customer)).toBeUndefined();
    expect(archiveFileDate('events/org=o/type=click/date=2026-11-02/x.parquet')).toBe('2026-11-02');
  });

  it('mark the INSERT of a re-keyed click so neither stream consumer takes it', () => {
    expect(isErasureRekey({ dynamodb: { NewImage: { erasedBy: { S: 'era_x' } } } })).toBe(true);
    expect(isErasureRekey({ dynamodb: { NewImage: { clickId: { S: 'x' } } } })).toBe(false);
    expect(isErasureRekey({})).toBe(false);
  });

  it('run its steps in order', () => {
    expect(nextStep('conversions')).toBe('credits');
    expect(nextStep('credits')).toBe('clicks');
    expect(nextStep('clicks')).toBe('archive');
    expect(nextStep('archive')).toBe('done');
  });
});
