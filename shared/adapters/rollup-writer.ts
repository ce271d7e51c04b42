/**
 * Applies roll-up transaction plans exactly once.
 *
 * Each plan becomes one TransactWriteItems call: a conditional Put of a ledger item per event
 * (`APPLIED#<eventId>`, attribute_not_exists) and one ADD update per touched row. The call is
 * atomic, so either every event of the plan is marked applied and every counter moved, or
 * nothing happened. A retried, duplicated, overlapping or reordered delivery finds the ledger
 * items of events already applied, the transaction is cancelled with ConditionalCheckFailed on
 * exactly those ledger actions, and the plan is rebuilt without them. Counting never depends
 * on the order or the number of deliveries.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from './config.js';
import { coalesce, type Contribution, type PlannedEvent, type RefundSideWrite, type SideWrite, type TransactionPlan } from '../domain/rollup.js';
import { documentClient } from './dynamo.js';
import { rollupKeys } from './keys.js';

/** Ledger entries outlive any possible redelivery: stream retention is 24 h. */
export const LEDGER_TTL_SECONDS = 8 * 24 * 60 * 60;
const MAX_CONFLICT_RETRIES = 6;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The update of one roll-up row: ADD its counter deltas, SET its identity (the row is created by
 * its first update). `fence`: the click fold's receipt sequence (shared/adapters/click-fold-store.ts)
 * — the row refuses a receipt it has applied already.
 */
/** The click fold's fence on a row: bookkeeping, not a counter (readers leave it out). */
export const FOLD_FENCE_ATTRIBUTE = 'foldSequence';

export const rowUpdateInput = (table: string, { row, counters }: Contribution, updatedAt: string, fence?: number) => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':updatedAt': updatedAt };
  const adds = Object.entries(counters).map(([counter, delta], i) => {
    names[`#c${i}`] = counter;
    values[`:c${i}`] = delta;
    return `#c${i} :c${i}`;
  });
  values[':orgId'] = row.orgId;
  values[':campaignId'] = row.campaignId;
  values[':dimension'] = row.dimension;
  values[':period'] = row.period;
  values[':key'] = row.key;
  names['#key'] = 'key';
  if (fence !== undefined) {
    values[':fence'] = fence;
    names['#fence'] = FOLD_FENCE_ATTRIBUTE;
  }
  return {
    TableName: table,
    // The row's one item, in the partition its key is sharded to (rollupPartitionShards).
    Key: rollupKeys.row(row),
    UpdateExpression:
      `ADD ${adds.join(', ')} SET updatedAt = :updatedAt, orgId = :orgId, campaignId = :campaignId, dimension = :dimension, period = :period, #key = :key` +
      (fence === undefined ? '' : ', #fence = :fence'),
    ...(fence === undefined ? {} : { ConditionExpression: 'attribute_not_exists(#fence) OR #fence < :fence' }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

const rowUpdate = (table: string, contribution: Contribution, updatedAt: string): TransactItem => ({
  Update: rowUpdateInput(table, contribution, updatedAt),
});

const ledgerPut = (table: string, eventId: string, appliedAt: Date): TransactItem => ({
  Put: {
    TableName: table,
    Item: {
      ...rollupKeys.applied(eventId),
      appliedAt: appliedAt.toISOString(),
      expiresAt: Math.floor(appliedAt.getTime() / 1000) + LEDGER_TTL_SECONDS,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

export interface ApplyOutcome {
  /** Events applied (the second part of an event split by `inLedgerParts` is not another one). */
  applied: number;
  /** Of `applied`, the clicks (ledger-skipped redeliveries are not counted again). */
  appliedClicks: number;
  alreadyApplied: number;
  rowWrites: number;
  transactions: number;
  /** Of `appliedClicks`, those the click fold counted (shared/application/fold-clicks.ts). */
  foldedClicks: number;
}

export const emptyOutcome: Readonly<ApplyOutcome> = { applied: 0, appliedClicks: 0, alreadyApplied: 0, rowWrites: 0, transactions: 0, foldedClicks: 0 };

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A side write of the domain (credit record, customer path) as a DynamoDB action. */
export const sideWriteAction = (table: string, write: SideWrite): TransactItem => {
  if (write.kind === 'conversionRecord') {
    const { record } = write;
    const key = rollupKeys.conversionRecord(record.orgId, record.campaignId, record.occurredAt, record.eventId);
    return { Put: { TableName: table, Item: { ...key, type: 'conversionRecord', ...record } } };
  }
  if (write.kind !== 'customerPath') return refundSideWriteAction(table, write);
  // if_not_exists: a path another conversion fixed first stays.
  return {
    Update: {
      TableName: table,
      Key: rollupKeys.customerPath(write.orgId, write.customerId),
      UpdateExpression: 'SET touchpoints = if_not_exists(touchpoints, :touchpoints), fixedBy = if_not_exists(fixedBy, :conversionId)',
      ExpressionAttributeValues: { ':touchpoints': write.touchpoints, ':conversionId': write.fixedBy },
    },
  };
};

/** The refund side writes (RefundSideWrite) as DynamoDB actions. */
const refundSideWriteAction = (table: string, write: RefundSideWrite): TransactItem => {
  switch (write.kind) {
    case 'refundRecord': {
      const { record } = write;
      const key = rollupKeys.refundRecord(record.orgId, record.campaignId, record.occurredAt, record.eventId);
      return { Put: { TableName: table, Item: { ...key, type: 'refundRecord', ...record } } };
    }
    case 'refundApplied':
      return ledgerPut(table, write.eventId, new Date());
    case 'conversionCredited':
      return {
        Update: {
          TableName: table,
          Key: rollupKeys.conversionCredit(write.conversionEventId),
          UpdateExpression: 'SET appliedAt = :now, orgId = :orgId, occurredAt = :occurredAt, campaignIds = :campaignIds',
          // Refunds parked since they were read would be left out: the plan is stale (parked sets only grow).
          ConditionExpression: write.parkedSeen === 0 ? 'attribute_not_exists(parkedRefunds)' : 'size(parkedRefunds) = :seen',
          ExpressionAttributeValues: {
            ':now': new Date().toISOString(),
            ':orgId': write.orgId,
            ':occurredAt': write.occurredAt,
            ':campaignIds': write.campaignIds,
            ...(write.parkedSeen === 0 ? {} : { ':seen': write.parkedSeen }),
          },
        },
      };
  }
};

/**
 * A side write's condition failed: what the plan was built from changed (a refund was parked
 * on its conversion meanwhile). Retryable: planning again reads the change.
 */
export class StalePlanError extends Error {
  readonly $retryable = true;
  constructor() {
    super('A side write found its item changed since the plan was made');
    this.name = 'StalePlanError';
  }
}

/** How the stream batch use case applies its plans; tests wrap it to inject crashes. */
export interface RollupWriter {
  applyPlan<E>(plan: TransactionPlan<E>, outcome: ApplyOutcome): Promise<void>;
}

const applyPlan = async <E>(plan: TransactionPlan<E>, outcome: ApplyOutcome): Promise<void> => {
  const table = tableName('rollups');
  let events: PlannedEvent<E>[] = plan.events;
  let rows: Contribution[] = plan.rows;
  for (let attempt = 0; events.length > 0; attempt++) {
    const now = new Date();
    // Ledger actions first: a cancellation reason's index then names the event directly.
    const items = [
      ...events.map((e) => ledgerPut(table, e.eventId, now)),
      ...events.flatMap((e) => (e.sideWrites ?? []).map((w) => sideWriteAction(table, w))),
      ...rows.map((row) => rowUpdate(table, row, now.toISOString())),
    ];
    try {
      await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
      outcome.transactions++;
      outcome.applied += events.filter((e) => !e.part).length;
      outcome.appliedClicks += events.filter((e) => e.kind === 'click' && !e.part).length;
      outcome.rowWrites += rows.length;
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const done = new Set<number>();
      reasons.forEach((reason, index) => {
        if (index < events.length && reason.Code === 'ConditionalCheckFailed') done.add(index);
      });
      const stale = reasons.some((reason, index) => index >= events.length && reason.Code === 'ConditionalCheckFailed');
      if (done.size === 0 && stale) throw new StalePlanError();
      if (done.size > 0) {
        outcome.alreadyApplied += events.filter((e, index) => done.has(index) && !e.part).length;
        events = events.filter((_, index) => !done.has(index));
        rows = [...coalesce(events.flatMap((e) => e.contributions)).values()];
        continue;
      }
      // Conflicts with a concurrent transaction or throttling: back off and try again.
      if (attempt >= MAX_CONFLICT_RETRIES) throw error;
      await delay(Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
};

/** The roll-ups in DynamoDB: one TransactWriteItems call per plan, exactly once. */
export const dynamoRollupWriter: RollupWriter = { applyPlan };
