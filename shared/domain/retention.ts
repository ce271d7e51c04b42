/** Retention as the stores apply it (spec section 16). Pure. */

const DAY_SECONDS = 24 * 60 * 60;

/** The DynamoDB TTL (epoch seconds) of an item kept `days` after the instant `fromIso`. */
export const expiresAfterDays = (fromIso: string, days: number): number => Math.floor(Date.parse(fromIso) / 1000) + days * DAY_SECONDS;

/**
 * The S3 object tag that puts an archive file under its organization's retention class: the
 * bucket has one lifecycle rule per class (infra/constructs/history-archive.ts), matching this tag.
 */
export const ARCHIVE_RETENTION_TAG = 'retention-days';
export const archiveRetentionTag = (days: number): Record<string, string> => ({ [ARCHIVE_RETENTION_TAG]: String(days) });
