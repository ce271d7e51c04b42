/**
 * The flood cap's clock (spec section 15): shares are counted per advocate and UTC minute, and a
 * refused share is told to retry when its minute ends. Pure.
 */

export interface ShareMinute {
  /** `YYYY-MM-DDTHH:MM` (UTC). */
  minute: string;
  /** Epoch ms at which the next minute starts. */
  endMs: number;
  /** Whole seconds until then, at least 1: the `Retry-After` of a refused share. */
  retryAfterSeconds: number;
}

const MINUTE_MS = 60_000;

export const shareMinuteOf = (nowMs: number): ShareMinute => {
  const startMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const endMs = startMs + MINUTE_MS;
  return {
    minute: new Date(startMs).toISOString().slice(0, 16),
    endMs,
    retryAfterSeconds: Math.max(1, Math.ceil((endMs - nowMs) / 1000)),
  };
};
