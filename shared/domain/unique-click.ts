/**
 * The 24-hour unique-click rule (spec section 4): a human click is unique when the same
 * visitor did not click the same link in the previous 24 hours.
 */

export const UNIQUE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** An instant as the tables store it (ISO 8601 string), as a Date, or as epoch milliseconds. */
export type Instant = string | number | Date;

export interface ClickMoment {
  at: Instant;
  slug: string;
  /** When both sides carry one, a click is never compared with itself. */
  clickId?: string;
}

export const toEpochMs = (instant: Instant): number =>
  instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);

/** Earliest instant (exclusive) whose click of the same link makes a click at `at` not unique. */
export const uniqueWindowStartMs = (at: Instant): number => toEpochMs(at) - UNIQUE_WINDOW_MS;

/**
 * Unique iff no previous click of the same visitor on the same slug lies in (at − 24 h, at].
 * A click exactly 24 h earlier no longer counts; clicks after `at` are ignored (late, reordered
 * events must not change an earlier click's verdict). Unparseable previous instants are ignored.
 */
export const isUniqueClick = (click: ClickMoment, previousClicksOfVisitor: readonly ClickMoment[]): boolean => {
  const atMs = toEpochMs(click.at);
  if (Number.isNaN(atMs)) throw new RangeError(`Invalid click time: ${String(click.at)}`);
  const windowStartMs = atMs - UNIQUE_WINDOW_MS;
  for (const previous of previousClicksOfVisitor) {
    if (previous.slug !== click.slug) continue;
    if (click.clickId !== undefined && previous.clickId === click.clickId) continue;
    const previousMs = toEpochMs(previous.at);
    if (previousMs > windowStartMs && previousMs <= atMs) return false;
  }
  return true;
};
