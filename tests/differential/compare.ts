/**
 * Reads what the system answers — attribution tables under every model and grouping, day ranges,
 * link stats, the unattributed count — and lists every difference from the reference model.
 * Counts must be equal; conversions and revenue may differ only by the rounding the spec allows:
 * credit is kept to 6 decimal places and revenue to the currency's minor unit, per credited touch.
 */
import type { ApiResponse, RequestOptions } from '../support/client.js';
import {
  groupings,
  linkStats,
  models,
  report,
  type DayRange,
  type Expected,
  type ExpectedNumbers,
  type Grouping,
  type Model,
} from '../reference/model.js';
import { currencies } from './plan.js';
import type { PlayedHistory } from './player.js';

/** How the comparison reaches the API: the test client, or the soak's own fetch. */
export type Request = (method: string, path: string, options: RequestOptions) => Promise<ApiResponse>;

/** What the comparison needs of a played history. */
export type Comparable = Pick<PlayedHistory, 'apiKey' | 'campaignIds' | 'slugs' | 'days'>;

interface AnswerNumbers {
  shares: number;
  clicks: number;
  uniqueClicks: number;
  botClicks?: number;
  conversions: number;
  revenue: Record<string, string>;
}

const MICRO = 1e-6;
const FLOAT_SLACK = 1e-9;

const minorUnit = (currency: string): number => 10 ** -(currencies[currency as keyof typeof currencies] ?? 2);

/** Differences between one answered row (or totals) and the model's, as readable lines. */
const differencesOf = (where: string, model: Model, expected: ExpectedNumbers | undefined, actual: AnswerNumbers | undefined, withBots: boolean) => {
  const want = expected;
  const lines: string[] = [];
  const counts: Array<'shares' | 'clicks' | 'uniqueClicks' | 'botClicks'> = withBots ? ['shares', 'clicks', 'uniqueClicks', 'botClicks'] : ['shares', 'clicks', 'uniqueClicks'];
  for (const counter of counts) {
    const e = want?.[counter] ?? 0;
    const a = actual?.[counter] ?? 0;
    // Clicks whose history may have been unreadable may count as unique (the model's bound).
    const most = counter === 'uniqueClicks' ? (want?.uniqueClicksAtMost ?? 0) : e;
    if (a < e || a > most) lines.push(`${where} ${counter}: expected ${e === most ? e : `${e}–${most}`}, got ${a}`);
  }
  const entries = want?.creditEntries ?? 0;
  const expectedConversions = want?.conversions[model] ?? 0;
  const actualConversions = actual?.conversions ?? 0;
  if (Math.abs(expectedConversions - actualConversions) > entries * MICRO + FLOAT_SLACK) {
    lines.push(`${where} conversions (${model}): expected ${expectedConversions.toFixed(6)}, got ${actualConversions}`);
  }
  const currenciesSeen = new Set([...Object.keys(want?.revenue[model] ?? {}), ...Object.keys(actual?.revenue ?? {})]);
  for (const currency of currenciesSeen) {
    const e = want?.revenue[model][currency] ?? 0;
    const a = Number(actual?.revenue[currency] ?? 0);
    if (Math.abs(e - a) > (want?.revenueRoundings ?? 0) * minorUnit(currency) + FLOAT_SLACK) {
      lines.push(`${where} revenue ${currency} (${model}): expected ${e.toFixed(4)}, got ${actual?.revenue[currency] ?? 'none'}`);
    }
  }
  return lines;
};

/** Every row of an attribution answer, following `nextCursor`. */
const attributionAnswer = async (request: Request, played: Comparable, campaignId: string, grouping: Grouping, model: Model, range: DayRange) => {
  const rows: Array<AnswerNumbers & { key: string }> = [];
  let totals: AnswerNumbers | undefined;
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ groupBy: grouping, model, limit: '100' });
    if (range.from) query.set('from', range.from);
    if (range.to) query.set('to', range.to);
    if (cursor) query.set('cursor', cursor);
    const answer = await request('GET', `/v1/campaigns/${campaignId}/attribution?${query}`, { token: played.apiKey });
    if (answer.status !== 200) throw new Error(`attribution ${query}: answered ${answer.status} ${answer.text}`);
    totals = answer.body.totals;
    rows.push(...answer.body.rows);
    cursor = answer.body.nextCursor;
  } while (cursor);
  return { totals: totals!, rows };
};

/** The spec's row order: days ascending; otherwise conversions, then clicks, descending. */
const orderDifferences = (where: string, grouping: Grouping, rows: Array<AnswerNumbers & { key: string }>) => {
  const lines: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const [before, after] = [rows[i - 1], rows[i]];
    const inOrder =
      grouping === 'day'
        ? before.key < after.key
        : before.conversions > after.conversions || (before.conversions === after.conversions && before.clicks >= after.clicks);
    if (!inOrder) lines.push(`${where}: row ${before.key} before ${after.key} breaks the order`);
  }
  return lines;
};

/** Ranges worth asking for: each single day with events, from the middle on, up to the middle, two days. */
const rangesOf = (days: string[]): DayRange[] => {
  if (days.length === 0) return [];
  const middle = days[Math.floor(days.length / 2)];
  return [{ from: days[0], to: days[0] }, { from: middle }, { to: middle }, { from: days[0], to: days[Math.min(1, days.length - 1)] }];
};

export const differencesFromModel = async (request: Request, played: Comparable, expected: Expected): Promise<string[]> => {
  const lines: string[] = [];
  // Every grouping under every model over all time; each day range under one grouping and model
  // (both rotate with the range and the campaign, so every kind is asked across a run).
  const questions: Array<{ campaignId: string; grouping: Grouping; model: Model; range: DayRange }> = [];
  for (const [c, campaignId] of played.campaignIds.entries()) {
    for (const grouping of groupings) for (const model of models) questions.push({ campaignId, grouping, model, range: {} });
    rangesOf(played.days).forEach((range, r) => {
      questions.push({ campaignId, grouping: groupings[(c + r) % groupings.length], model: models[(c * 2 + r) % models.length], range });
    });
  }
  const ask = async ({ campaignId, grouping, model, range }: (typeof questions)[number]) => {
    const want = report(expected, campaignId, grouping, range);
    const where = `${campaignId} groupBy=${grouping} model=${model}${range.from ? ` from=${range.from}` : ''}${range.to ? ` to=${range.to}` : ''}`;
    const answer = await attributionAnswer(request, played, campaignId, grouping, model, range);
    const found = differencesOf(`${where} totals`, model, want.totals, answer.totals, true);
    const answered = new Map(answer.rows.map((row) => [row.key, row]));
    for (const key of new Set([...want.rows.keys(), ...answered.keys()])) {
      found.push(...differencesOf(`${where} row ${key}`, model, want.rows.get(key), answered.get(key), false));
    }
    found.push(...orderDifferences(where, grouping, answer.rows));
    return found;
  };
  // A few questions at a time, like a dashboard loading its panels.
  for (let i = 0; i < questions.length; i += 4) {
    for (const found of await Promise.all(questions.slice(i, i + 4).map(ask))) lines.push(...found);
  }
  for (const slug of played.slugs) {
    const answer = await request('GET', `/v1/links/${slug}`, { token: played.apiKey });
    const want = linkStats(expected, slug);
    for (const counter of ['clicks', 'uniqueClicks', 'botClicks'] as const) {
      const got = answer.body.stats?.[counter];
      const most = counter === 'uniqueClicks' ? want.uniqueClicksAtMost : want[counter];
      if (!(got >= want[counter] && got <= most)) lines.push(`link ${slug} ${counter}: expected ${want[counter]}${most !== want[counter] ? `–${most}` : ''}, got ${got}`);
    }
  }
  const unattributed = await request('GET', '/v1/conversions/unattributed', { token: played.apiKey });
  if (unattributed.body.conversions !== expected.unattributed) {
    lines.push(`unattributed conversions: expected ${expected.unattributed}, got ${unattributed.body.conversions}`);
  }
  return lines;
};

const offset = (ms: number, start: number) => {
  const seconds = Math.round((ms - start) / 1000);
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  return `${sign}${Math.floor(abs / 86_400)}d${String(Math.floor((abs % 86_400) / 3600)).padStart(2, '0')}:${String(Math.floor((abs % 3600) / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** A history as a timeline a person can follow, for the message of a failing comparison. */
export const describeHistory = (played: PlayedHistory): string => {
  const { history } = played;
  const first = history.events[0];
  const start = first ? (first.kind === 'conversion' ? first.receivedAt : first.at) : 0;
  const linkOf = new Map(history.links.map((link) => [link.slug, link]));
  const campaignNo = new Map(history.campaigns.map((c, i) => [c.campaignId, i]));
  const short = (id?: string) => (id ? `…${id.slice(-6)}` : '-');
  const lines = [
    `campaigns: ${history.campaigns.map((c, i) => `#${i} ${c.campaignId} lookback ${c.lookbackDays}d`).join(', ')}`,
    `advocates: ${history.advocates.map((a) => `${a.advocateId}${a.department ? ` (${a.department})` : ''}`).join(', ')}`,
  ];
  for (const event of history.events) {
    if (event.kind === 'click') {
      const link = linkOf.get(event.slug)!;
      lines.push(
        `${offset(event.at, start)} click ${event.slug} (#${campaignNo.get(link.campaignId)} ${link.advocateId} ${link.channel}) ${event.requestClass}` +
          `${event.visitor ? ` ${event.visitor}` : ''}${event.tracked ? '' : ' [disabled]'} eaclid ${short(event.clickId)}`,
      );
    } else if (event.kind === 'share') {
      lines.push(`${offset(event.at, start)} share #${campaignNo.get(event.campaignId)} ${event.advocateId} ${event.channel}`);
    } else {
      lines.push(
        `${offset(event.receivedAt, start)} conversion ${event.conversionId} occurredAt ${offset(event.occurredAt, start)}` +
          ` clickId ${short(event.clickId)} visitor ${event.visitor ?? '-'} customer ${event.customerId ?? '-'}` +
          `${event.value ? ` ${event.value.amount} ${event.value.currency}` : ''}`,
      );
    }
  }
  return lines.join('\n');
};

/**
 * For a failing comparison: the recorded clicks (read through the raw-events API) that the
 * history does not explain, and the sent ones that were not recorded — which request the
 * difference comes from.
 */
export const unexplainedClicks = async (request: Request, played: PlayedHistory): Promise<string[]> => {
  const lines: string[] = [];
  const sent = played.history.events.filter((e) => e.kind === 'click' && e.tracked) as Array<Extract<PlayedHistory['history']['events'][number], { kind: 'click' }>>;
  const unmatched = new Set(sent);
  for (const campaignId of played.campaignIds) {
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ type: 'click', limit: '100', ...(cursor ? { cursor } : {}) });
      const answer = await request('GET', `/v1/campaigns/${campaignId}/events?${query}`, { token: played.apiKey });
      if (answer.status !== 200) return [`events of ${campaignId}: answered ${answer.status}`];
      for (const click of answer.body.items as Array<{ at: string; slug: string; botClass: string; clickId: string }>) {
        const match = [...unmatched].find((s) => s.at === Date.parse(click.at) && s.slug === click.slug && s.requestClass === click.botClass);
        if (match) unmatched.delete(match);
        else lines.push(`recorded but not sent: ${click.botClass} click on ${click.slug} at ${click.at} (${click.clickId})`);
      }
      cursor = answer.body.nextCursor;
    } while (cursor);
  }
  for (const click of unmatched) lines.push(`sent but not recorded: ${click.requestClass} click on ${click.slug} at ${new Date(click.at).toISOString()}`);
  return lines;
};
