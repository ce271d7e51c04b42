import { generateEvents } from '../bench/lib/dataset.js';
import { programProfile, playedPhases } from '../bench/lib/program-day.js';
import { clickEventSchema } from '../shared/domain/events.js';
import { breakdownDimensions, clickContributions, planTransactions, type Contribution, type PlannedEvent } from '../shared/domain/rollup.js';
import { batchesByWindow, programReplayLinks } from '../scripts/cost/levers.js';

const variants: Record<string, (c: Contribution) => boolean> = {
  all: () => true,
  breakdownDailyOnly: (c) => !((breakdownDimensions as readonly string[]).includes(c.row.dimension) && c.row.period === '*'),
  boundedDailyOnly: (c) => !(['campaign', 'channel', 'department', 'country', 'device', 'browser', 'os'].includes(c.row.dimension) && c.row.period === '*'),
  noBreakdowns: (c) => !(breakdownDimensions as readonly string[]).includes(c.row.dimension),
};
const links = programReplayLinks();
for (const window of [30]) {
  const totals: Record<string, { rows: number; tx: number; clicks: number; w: number }> = {};
  playedPhases(1800).forEach((phase, index) => {
    const { items } = generateEvents(links, { seed: 9000 + index, clicks: phase.clicks, conversions: 0, botShare: programProfile.botShare, spanMs: 1_800_000, endMs: Date.parse('2026-11-27T20:00:00.000Z'), sourceId: 'src_replay' });
    const planned = items.map((item) => { const event = clickEventSchema.parse(item); return { atMs: Date.parse(event.at), planned: { event: null, eventId: event.eventId, contributions: clickContributions(event) } satisfies PlannedEvent<null> }; });
    const batches = batchesByWindow(planned, window, 5000).map((b) => b.map((e) => e.planned));
    for (const [name, keep] of Object.entries(variants)) {
      let rows = 0, tx = 0, clicks = 0;
      for (const batch of batches) { const plans = planTransactions(batch.map((p) => ({ ...p, contributions: p.contributions.filter(keep) }))); tx += plans.length; rows += plans.reduce((s, p) => s + p.rows.length, 0); clicks += batch.length; }
      const t = (totals[name] ??= { rows: 0, tx: 0, clicks: 0, w: 0 });
      t.rows += phase.shareOfDay * rows / clicks; t.tx += phase.shareOfDay * tx / clicks; t.w += phase.shareOfDay;
    }
  });
  for (const [name, t] of Object.entries(totals)) { const rows = t.rows / t.w; const tx = t.tx / t.w; console.log(window, name, 'rows/click', rows.toFixed(2), 'WRU/click (2/row + 2 ledger)', (2 * rows + 2).toFixed(2)); }
}
