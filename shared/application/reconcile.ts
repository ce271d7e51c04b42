/**
 * Reconciliation: recount a campaign from its raw events and compare with the roll-ups.
 * Used by `npm run admin -- reconcile`, and by the tests after every fault scenario.
 * This is the one place that reads raw events in bulk; dashboards never do. It reads them page
 * by page and keeps only the expected counters of each row, so its memory follows the campaign's
 * roll-up rows, not its traffic.
 */
import {
  campaignClickItemPages,
  campaignRollupRowPages,
  conversionRecordPages,
  refundRecordPages,
} from '../adapters/reconcile-reads.js';
import { rollupKeys } from '../adapters/keys.js';
import { contributionsOfConversionRecord } from '../domain/conversion-credit.js';
import { clickEventSchema } from '../domain/events.js';
import { contributionsOfRefund } from '../domain/refund-credit.js';
import { addContributions, clickContributions, type Contribution, type Counters } from '../domain/rollup.js';

export interface RowDifference {
  pk: string;
  sk: string;
  counter: string;
  expected: number;
  actual: number;
}

export interface ReconcileReport {
  orgId: string;
  campaignId: string;
  events: number;
  conversions: number;
  rowsChecked: number;
  differences: RowDifference[];
}

/** Where a recount stands, reported after every page read. */
export interface ReconcileProgress {
  phase: 'clicks' | 'conversions' | 'rows';
  /** Clicks read so far (the report's `events`). */
  events: number;
  conversions: number;
  /** Expected rows (known once the events are read; 0 before). */
  rowsChecked: number;
  /** Stored roll-up rows compared so far. */
  rowsRead: number;
  /** Differing counters found so far. */
  differences: number;
}

export interface ReconcileOptions {
  onProgress?: (progress: ReconcileProgress) => void;
}

const rowKey = (pk: string, sk: string) => `${pk}\u0000${sk}`;

const compareRow = (pk: string, sk: string, want: Counters, have: Counters): RowDifference[] => {
  const differences: RowDifference[] = [];
  for (const counter of new Set([...Object.keys(want), ...Object.keys(have)])) {
    const expected = want[counter] ?? 0;
    const actual = have[counter] ?? 0;
    if (expected !== actual) differences.push({ pk, sk, counter, expected, actual });
  }
  return differences;
};

export const reconcileCampaign = async (orgId: string, campaignId: string, options: ReconcileOptions = {}): Promise<ReconcileReport> => {
  const progress: ReconcileProgress = { phase: 'clicks', events: 0, conversions: 0, rowsChecked: 0, rowsRead: 0, differences: 0 };
  const report = () => options.onProgress?.({ ...progress });

  const expectedById = new Map<string, Contribution>();
  for await (const items of campaignClickItemPages(orgId, campaignId)) {
    for (const item of items) {
      const parsed = clickEventSchema.safeParse(item);
      if (!parsed.success) continue;
      progress.events++;
      addContributions(expectedById, clickContributions(parsed.data));
    }
    report();
  }
  // Conversions count by the credit records written atomically with their counters.
  progress.phase = 'conversions';
  for await (const records of conversionRecordPages(orgId, campaignId)) {
    for (const record of records) addContributions(expectedById, contributionsOfConversionRecord(record));
    progress.conversions += records.length;
    report();
  }
  // Refunds likewise, by the refund records written with theirs.
  for await (const records of refundRecordPages(orgId, campaignId)) {
    addContributions(expectedById, contributionsOfRefund(records));
    report();
  }

  // Where each row must be: the partition its key is sharded to. A row found anywhere else differs.
  const expected = new Map<string, { pk: string; sk: string; counters: Counters }>();
  for (const { row, counters } of expectedById.values()) {
    if (Object.keys(counters).length === 0) continue;
    const { pk, sk } = rollupKeys.row(row);
    expected.set(rowKey(pk, sk), { pk, sk, counters });
  }
  expectedById.clear();
  progress.phase = 'rows';
  progress.rowsChecked = expected.size;

  // Stored rows are compared as they arrive; the differences keep the order of a side-by-side
  // comparison: expected rows first (in recount order), then rows that should not exist.
  const differencesOfFound = new Map<string, RowDifference[]>();
  const unexpected: RowDifference[] = [];
  for await (const rows of campaignRollupRowPages(orgId, campaignId)) {
    for (const { pk, sk, counters } of rows) {
      const key = rowKey(pk, sk);
      const want = expected.get(key);
      const differences = compareRow(pk, sk, want?.counters ?? {}, counters);
      if (want) differencesOfFound.set(key, differences);
      else unexpected.push(...differences);
      progress.differences += differences.length;
    }
    progress.rowsRead += rows.length;
    report();
  }

  const differences: RowDifference[] = [];
  for (const [key, { pk, sk, counters }] of expected) {
    const found = differencesOfFound.get(key);
    if (found) differences.push(...found);
    else {
      const missing = compareRow(pk, sk, counters, {});
      progress.differences += missing.length;
      differences.push(...missing);
    }
  }
  differences.push(...unexpected);
  report();
  return { orgId, campaignId, events: progress.events, conversions: progress.conversions, rowsChecked: expected.size, differences };
};
