/**
 * The product's custom CloudWatch metrics (namespace `POWERTOOLS_METRICS_NAMESPACE`, dimension
 * `service` = the emitting function). One list, read by the code that emits them and by the
 * dashboard and alarms (infra/constructs/operations-monitoring.ts); docs/operations.md says what
 * each means.
 */
export const metricNames = {
  /** A click the redirect answered without storing (spec section 11). Emitted by `redirect`. */
  clickNotRecorded: 'ClickNotRecorded',
  /** Clicks rolled up, counted per batch by the consumer (not per click by the redirect). Emitted by `rollup`. */
  clicksRecorded: 'ClicksRecorded',
  /**
   * Of those, the clicks the click fold counted; the rest went through the ledger (older than a
   * campaign's first fold, or late into the index). A falling share costs writes. Emitted by `rollup`.
   */
  clicksFolded: 'ClicksFolded',
  /** Age in ms of the newest stream record a batch applied (now − ApproximateCreationDateTime). Emitted by `rollup`. */
  rollupLag: 'RollupLag',
  /** Conversion webhooks stored (202), repeated (200 duplicate), refused (401, 400, 422). Emitted by `conversions`. */
  conversionsAccepted: 'ConversionsAccepted',
  conversionsDuplicate: 'ConversionsDuplicate',
  conversionsRefused: 'ConversionsRefused',
} as const;
