/**
 * Write amplification on paper, from the workload itself: how many roll-up rows a window of
 * consecutive events touches (the fewest counter writes ANY design can make if each window's
 * counts become visible when the window is done), and what the product's planner
 * (shared/domain/rollup.ts) makes of each stream batch. Clicks only: a conversion's rows depend
 * on attribution, which needs the database.
 */
import { clickEventSchema } from '../../shared/domain/events.js';
import { clickContributions, coalesce, planTransactions, type PlannedEvent } from '../../shared/domain/rollup.js';
import type { RawItem } from './dataset.js';

export interface WindowFigures {
  window: number;
  rowsPerEvent: number;
}

export interface PlannerFigures {
  batchSize: number;
  rowWritesPerEvent: number;
  ledgerWritesPerEvent: number;
  transactionsPerEvent: number;
}

const plannedClicks = (items: RawItem[]): PlannedEvent<null>[] =>
  items
    .filter((item) => item.type === 'click')
    .map((item) => {
      const event = clickEventSchema.parse(item);
      return { event: null, eventId: event.eventId, contributions: clickContributions(event) };
    });

export const coalescingBound = (items: RawItem[], windows: number[]): WindowFigures[] => {
  const clicks = plannedClicks(items);
  return windows.map((window) => {
    let rows = 0;
    for (let i = 0; i < clicks.length; i += window) {
      rows += coalesce(clicks.slice(i, i + window).flatMap((e) => e.contributions)).size;
    }
    return { window: Math.min(window, clicks.length), rowsPerEvent: rows / clicks.length };
  });
};

export const plannerFigures = (items: RawItem[], batchSize: number): PlannerFigures => {
  const clicks = plannedClicks(items);
  let rows = 0;
  let transactions = 0;
  for (let i = 0; i < clicks.length; i += batchSize) {
    const plans = planTransactions(clicks.slice(i, i + batchSize));
    transactions += plans.length;
    rows += plans.reduce((sum, plan) => sum + plan.rows.length, 0);
  }
  return {
    batchSize,
    rowWritesPerEvent: rows / clicks.length,
    ledgerWritesPerEvent: 1,
    transactionsPerEvent: transactions / clicks.length,
  };
};
