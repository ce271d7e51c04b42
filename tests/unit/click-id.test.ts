import { describe, expect, it } from 'vitest';
import { locateClick, visitorClickId } from '../../shared/domain/click-id.js';
import { newClickId, newVisitorId } from '../../shared/domain/ids.js';

const CLICK_AT = '2026-11-27T10:00:00.123Z';

describe('public click ids', () => {
  const timeId = newClickId(Date.parse(CLICK_AT));
  const visitorId = newVisitorId();

  it("appends the visitor id to a human click's time id, and a bot's is the time id alone", () => {
    expect(visitorClickId(timeId, visitorId)).toBe(timeId + visitorId);
    expect(visitorClickId(timeId, undefined)).toBe(timeId);
    expect(visitorClickId(timeId, '')).toBe(timeId);
  });

  it('reads back the visitor and the millisecond of the click', () => {
    expect(locateClick(timeId + visitorId)).toStrictEqual({ visitorId, at: CLICK_AT });
  });

  it('refuses ids this system did not issue', () => {
    // A bot's click id has no visitor part.
    expect(locateClick(timeId)).toBeUndefined();
    expect(locateClick(`${timeId + visitorId}A`)).toBeUndefined();
    expect(locateClick((timeId + visitorId).slice(1))).toBeUndefined();
    // Right length, one bad half: a time id cannot start with 8; a visitor id cannot end with B.
    expect(locateClick(`8${timeId.slice(1)}${visitorId}`)).toBeUndefined();
    expect(locateClick(`${timeId}${visitorId.slice(0, -1)}B`)).toBeUndefined();
  });
});
