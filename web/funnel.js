// The share funnel of a campaign (spec section 15): shares → clicks → unique clicks → conversions
// → revenue, for the campaign and per advocate, under the dashboard's model and dates. Every
// number comes from the attribution answer (its totals and its advocate rows) and carries it in
// `data-value`; a rate whose previous step is 0 is not a number, shown as "–" with an empty value.
import { download, el, formatConversions, formatInteger, formatPercent, formatRevenue } from '/assets/common.js';

/** Advocate rows shown on the page (the API's order: conversions, then clicks); the CSV has all. */
export const FUNNEL_ROWS = 50;

/** The steps of one funnel line and the rate from each step to the next (null: previous step 0). */
export function funnelOf(numbers) {
  const { shares, clicks, uniqueClicks, conversions, revenue } = numbers;
  const currencies = Object.keys(revenue ?? {}).sort();
  return {
    shares,
    clicks,
    uniqueClicks,
    conversions,
    revenue: revenue ?? {},
    /** Clicks each share brought (may exceed 1: a post is seen by many). */
    clicksPerShare: shares > 0 ? clicks / shares : null,
    /** Unique clicks among clicks. */
    uniqueRate: clicks > 0 ? uniqueClicks / clicks : null,
    /** Conversions per unique click. */
    conversionRate: uniqueClicks > 0 ? conversions / uniqueClicks : null,
    /** Revenue per credited conversion, per currency. */
    revenuePerConversion: conversions > 0 ? Object.fromEntries(currencies.map((currency) => [currency, Number(revenue[currency]) / conversions])) : null,
  };
}

const rateText = (value, format) => (value === null ? '–' : format(value));
const ratio = (value) => new Intl.NumberFormat(navigator.language || 'en-US', { maximumFractionDigits: 2 }).format(value);
const perConversion = (amounts) => formatRevenue(Object.fromEntries(Object.entries(amounts).map(([currency, amount]) => [currency, amount.toFixed(2)])));

const cell = (field, value, text, title) =>
  el('td', { class: 'num', title, dataset: { field, value: value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value) } }, text);

/** One line of the funnel table: steps and, between them, the rates. */
function funnelRow(testid, key, label, numbers) {
  const funnel = funnelOf(numbers);
  return el(
    'tr',
    { dataset: { testid, key } },
    el('th', { scope: 'row' }, label),
    cell('shares', funnel.shares, formatInteger(funnel.shares)),
    cell('clicksPerShare', funnel.clicksPerShare, rateText(funnel.clicksPerShare, ratio), funnel.clicksPerShare === null ? 'No shares in this range' : 'Clicks per share'),
    cell('clicks', funnel.clicks, formatInteger(funnel.clicks)),
    cell('uniqueRate', funnel.uniqueRate, rateText(funnel.uniqueRate, formatPercent), funnel.uniqueRate === null ? 'No clicks in this range' : 'Unique clicks among clicks'),
    cell('uniqueClicks', funnel.uniqueClicks, formatInteger(funnel.uniqueClicks)),
    cell('conversionRate', funnel.conversionRate, rateText(funnel.conversionRate, formatPercent), funnel.conversionRate === null ? 'No unique clicks in this range' : 'Conversions per unique click'),
    cell('conversions', funnel.conversions, formatConversions(funnel.conversions)),
    cell('revenuePerConversion', funnel.revenuePerConversion, rateText(funnel.revenuePerConversion, perConversion), funnel.revenuePerConversion === null ? 'No conversions in this range' : 'Revenue per conversion'),
    cell('revenue', funnel.revenue, formatRevenue(funnel.revenue)),
  );
}

const headings = ['', 'Shares', 'Clicks / share', 'Clicks', 'Unique %', 'Unique clicks', 'Conv. rate', 'Conversions', 'Revenue / conv.', 'Revenue'];

/**
 * The funnel card: the campaign's line, then its advocates' lines (first page), and a CSV of every
 * advocate's line (`loadAllAdvocateRows` pages through the attribution answer).
 */
export function funnelSection({ campaign, model, period, totals, advocateRows, hasMore, loadAllAdvocateRows, onError }) {
  const csv = el('button', { type: 'button', class: 'button secondary', dataset: { testid: 'csv-funnel' } }, 'Download funnel (CSV)');
  csv.addEventListener('click', async () => {
    csv.disabled = true;
    csv.textContent = 'Preparing…';
    try {
      const rows = await loadAllAdvocateRows();
      download(new Blob([funnelCsv(totals, rows)], { type: 'text/csv' }), `${campaign.utm.campaign}-funnel-${model}-${period}.csv`);
    } catch (error) {
      onError(error);
    } finally {
      csv.disabled = false;
      csv.textContent = 'Download funnel (CSV)';
    }
  });
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'funnel-title', dataset: { testid: 'funnel' } },
    el('div', { class: 'card-head' }, el('h2', { id: 'funnel-title' }, 'Funnel: shares → clicks → conversions'), csv),
    el(
      'p',
      { class: 'muted' },
      `Shares advocates started, the clicks and unique clicks on their links, and the conversions and revenue credited under this model. A rate is “–” when the step before it is 0.${hasMore ? ` Advocates: top ${FUNNEL_ROWS} by conversions; the CSV has all.` : ''}`,
    ),
    el(
      'div',
      { class: 'table-scroll' },
      el(
        'table',
        { class: 'funnel' },
        el('thead', {}, el('tr', {}, headings.map((heading) => el('th', { scope: 'col' }, heading)))),
        el(
          'tbody',
          {},
          funnelRow('funnel-campaign', campaign.campaignId, 'Whole campaign', totals),
          advocateRows.slice(0, FUNNEL_ROWS).map((row) => funnelRow('funnel-advocate', row.key, row.label, row)),
        ),
      ),
    ),
  );
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
const csvField = (value) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Rates with 6 decimals; empty where the previous step is 0. */
const csvRate = (value) => (value === null ? '' : value.toFixed(6));

/** The funnel as CSV: the campaign's line, then every advocate's; one revenue column pair per currency. */
export function funnelCsv(totals, advocateRows) {
  const currencies = [...new Set([totals, ...advocateRows].flatMap((row) => Object.keys(row.revenue ?? {})))].sort();
  const header = [
    'level',
    'key',
    'label',
    'shares',
    'clicks_per_share',
    'clicks',
    'unique_rate',
    'unique_clicks',
    'conversion_rate',
    'conversions',
    ...currencies.flatMap((currency) => [`revenue_per_conversion_${currency}`, `revenue_${currency}`]),
  ];
  const line = (level, key, label, numbers) => {
    const funnel = funnelOf(numbers);
    return [
      level,
      key,
      label,
      funnel.shares,
      csvRate(funnel.clicksPerShare),
      funnel.clicks,
      csvRate(funnel.uniqueRate),
      funnel.uniqueClicks,
      csvRate(funnel.conversionRate),
      funnel.conversions,
      ...currencies.flatMap((currency) => [
        funnel.revenuePerConversion && currency in funnel.revenuePerConversion ? funnel.revenuePerConversion[currency].toFixed(6) : '',
        funnel.revenue[currency] ?? '0',
      ]),
    ]
      .map(csvField)
      .join(',');
  };
  return [header.join(','), line('campaign', 'all', 'Whole campaign', totals), ...advocateRows.map((row) => line('advocate', row.key, row.label, row))].join('\r\n') + '\r\n';
}
