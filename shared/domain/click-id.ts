/**
 * Public click ids (`eaclid`). A human click's id is its time-sortable id (26 characters, which
 * encode the click's millisecond) followed by its visitor id (22 characters), so the click can be
 * read back with one GetItem from the visitor's partition. Bot clicks carry no visitor.
 */
import { CLICK_ID_LENGTH, VISITOR_ID_LENGTH, clickIdTimeMs, isValidClickId, isValidVisitorId } from './ids.js';

export const visitorClickId = (timeId: string, visitorId: string | undefined): string =>
  visitorId ? `${timeId}${visitorId}` : timeId;

export interface ClickLocator {
  visitorId: string;
  at: string;
}

/** Where a human click id's click is stored, or undefined for ids this system did not issue. */
export const locateClick = (clickId: string): ClickLocator | undefined => {
  if (clickId.length !== CLICK_ID_LENGTH + VISITOR_ID_LENGTH) return undefined;
  const timeId = clickId.slice(0, CLICK_ID_LENGTH);
  const visitorId = clickId.slice(CLICK_ID_LENGTH);
  if (!isValidClickId(timeId) || !isValidVisitorId(visitorId)) return undefined;
  return { visitorId, at: new Date(clickIdTimeMs(timeId)).toISOString() };
};
