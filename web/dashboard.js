// Campaign dashboard: reads only the public report APIs with an analytics:read key the user
// pastes. Every number shown comes from one API answer and carries it in `data-value`.
import {
  ApiError,
  api,
  attributionModels,
  download,
  el,
  formatConversions,
  formatInteger,
  formatPercent,
  formatRevenue,
  mapWithLimit,
  showState,
  tabStorage,
  utcDay,
  $,
} from '/assets/common.js';
import { FUNNEL_ROWS, funnelSection } from '/assets/funnel.js';

const KEY_STORAGE = 'advocacy.analyticsKey';
const MAX_CAMPAIGN_PAGES = 10;
/** The breakdowns of `groupBy` (spec section 7) the dashboard offers, with their headings. */
const breakdowns = [
  ['country', 'Country'],
  ['device', 'Device'],
  ['browser', 'Browser'],
  ['os', 'OS'],
  ['referrer', 'Referrer'],
];
const breakdownLabel = Object.fromEntries(breakdowns);
/** Rows a breakdown shows: its biggest values (the API's order: conversions, then clicks). */
const BREAKDOWN_ROWS = 10;

const state = {
  key: tabStorage.get(KEY_STORAGE),
  campaigns: [],
  selectedId: undefined,
  model: undefined,
  rangePreset: '30',
  breakdown: 'country',
  custom: { from: utcDay(29), to: utcDay(0) },
  /** Per range: totals of every campaign and the organization's unattributed conversions. */
  orgTotals: new Map(),
  /** Drops answers of a view the user already left. */
  generation: 0,
  chart: undefined,
};

const modelLabel = Object.fromEntries(attributionModels);

// ---------------------------------------------------------------------------------------------
// URL state (no credential in it): #campaign=…&model=…&range=30|all|custom&from=…&to=…&breakdown=…

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  state.selectedId = params.get('campaign') ?? undefined;
  state.model = modelLabel[params.get('model')] ? params.get('model') : undefined;
  const range = params.get('range');
  if (['7', '30', '90', 'all', 'custom'].includes(range)) state.rangePreset = range;
  if (params.get('from')) state.custom.from = params.get('from');
  if (params.get('to')) state.custom.to = params.get('to');
  if (breakdownLabel[params.get('breakdown')]) state.breakdown = params.get('breakdown');
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.selectedId) params.set('campaign', state.selectedId);
  if (state.model) params.set('model', state.model);
  params.set('range', state.rangePreset);
  if (state.rangePreset === 'custom') {
    params.set('from', state.custom.from);
    params.set('to', state.custom.to);
  }
  params.set('breakdown', state.breakdown);
  history.replaceState(null, '', `#${params}`);
}

/** The selected range as API parameters; {} for all time. */
function range() {
  if (state.rangePreset === 'all') return {};
  if (state.rangePreset === 'custom') return { ...state.custom };
  return { from: utcDay(Number(state.rangePreset) - 1), to: utcDay(0) };
}

const query = (params) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, value);
  return search.toString();
};

const call = (path, options = {}) => api(path, { ...options, token: state.key });

// ---------------------------------------------------------------------------------------------
// Key

function showKeyPanel(message) {
  $('#dashboard').hidden = true;
  $('#key-status').hidden = true;
  $('#key-panel').hidden = false;
  const error = $('#key-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  $('#key-input').focus();
}

function forgetKey(message) {
  state.key = undefined;
  tabStorage.remove(KEY_STORAGE);
  state.orgTotals.clear();
  showKeyPanel(message);
}

async function submitKey(event) {
  event.preventDefault();
  const key = $('#key-input').value.trim();
  if (!key) return;
  const button = event.submitter ?? $('#key-form button');
  button.disabled = true;
  try {
    // A report call proves the scope; listing campaigns alone would accept any key.
    await api('/v1/conversions/unattributed', { token: key });
    state.key = key;
    tabStorage.set(KEY_STORAGE, key);
    $('#key-input').value = '';
    await start();
  } catch (error) {
    showKeyPanel(keyProblem(error));
  } finally {
    button.disabled = false;
  }
}

const keyProblem = (error) =>
  error instanceof ApiError && error.status === 401
    ? 'This key was refused. Check that it is complete and not revoked.'
    : error instanceof ApiError && error.status === 403
      ? 'This key lacks the analytics:read scope.'
      : error.message;

/** A refused key sends the user back to the key form; other errors stay where they happened. */
function handleError(error, region, retry) {
  if (error instanceof ApiError && error.status === 401) {
    forgetKey('The key was refused (expired or revoked). Paste a valid key.');
    return;
  }
  const title = error instanceof ApiError && error.status === 403 ? 'Not allowed' : 'Could not load this view';
  showState(region, 'error', { title, message: error instanceof ApiError && error.status === 403 ? keyProblem(error) : error.message, retry });
}

// ---------------------------------------------------------------------------------------------
// Campaigns

async function start() {
  $('#key-panel').hidden = true;
  $('#dashboard').hidden = false;
  $('#key-status').hidden = false;
  // The key id (after `ak_`) is not secret; the part after it is never shown.
  $('#key-hint').textContent = `Key ${state.key.slice(0, 7)}…`;
  await loadCampaigns();
}

async function loadCampaigns() {
  const list = $('#campaigns');
  showState(list, 'loading', { message: 'Loading campaigns…' });
  showState($('#detail'), 'loading');
  try {
    const campaigns = [];
    let cursor;
    for (let page = 0; page < MAX_CAMPAIGN_PAGES; page++) {
      const { body } = await call(`/v1/campaigns?${query({ limit: 100, cursor })}`);
      campaigns.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    state.campaigns = campaigns.sort((a, b) => (a.status === b.status ? b.createdAt.localeCompare(a.createdAt) : a.status === 'active' ? -1 : 1));
  } catch (error) {
    handleError(error, list, loadCampaigns);
    $('#detail').replaceChildren();
    return;
  }
  if (state.campaigns.length === 0) {
    showState(list, 'empty', { title: 'No campaigns yet', message: 'Create one with POST /v1/campaigns.' });
    $('#campaign-title').textContent = 'No campaigns';
    showState($('#detail'), 'empty', {
      title: 'Nothing to show yet',
      message: 'Campaigns appear here once they exist; their numbers follow the first clicks. See the API reference to create one.',
    });
    return;
  }
  if (!state.campaigns.some((c) => c.campaignId === state.selectedId)) state.selectedId = state.campaigns[0].campaignId;
  renderCampaignList();
  await refresh();
}

function renderCampaignList() {
  const totals = state.orgTotals.get(rangeKey())?.byCampaign;
  $('#campaigns').replaceChildren(
    el(
      'ul',
      { class: 'plain' },
      state.campaigns.map((campaign) => {
        const numbers = totals?.get(campaign.campaignId);
        const selected = campaign.campaignId === state.selectedId;
        return el(
          'li',
          {},
          el(
            'button',
            {
              type: 'button',
              class: `campaign-item${selected ? ' selected' : ''}`,
              'aria-current': selected ? 'true' : undefined,
              dataset: { campaignId: campaign.campaignId, testid: 'campaign-item' },
              onclick: () => selectCampaign(campaign.campaignId),
            },
            el('span', { class: 'campaign-name' }, campaign.name),
            el('span', { class: `badge ${campaign.status}` }, campaign.status),
            el(
              'span',
              { class: 'campaign-numbers' },
              numbers ? `${formatInteger(numbers.clicks)} clicks · ${formatConversions(numbers.conversions)} conv.` : '…',
            ),
          ),
        );
      }),
    ),
  );
}

async function selectCampaign(campaignId) {
  state.selectedId = campaignId;
  state.model = undefined; // each campaign opens on its own default model
  renderCampaignList();
  await refresh();
}

const rangeKey = () => JSON.stringify(range());

/**
 * Attribution coverage needs the whole organization: every campaign's credited conversions
 * (each attributed conversion's credit sums to one across campaigns) against the conversions no
 * click could be found for. Loaded once per range.
 */
async function loadOrgTotals() {
  const key = rangeKey();
  if (state.orgTotals.has(key)) return state.orgTotals.get(key);
  const { from, to } = range();
  const [unattributed, perCampaign] = await Promise.all([
    call(`/v1/conversions/unattributed?${query({ from, to })}`),
    mapWithLimit(state.campaigns, 4, (campaign) =>
      call(`/v1/campaigns/${encodeURIComponent(campaign.campaignId)}/attribution?${query({ groupBy: 'channel', limit: 1, from, to })}`),
    ),
  ]);
  const byCampaign = new Map(perCampaign.map(({ body }) => [body.campaignId, body.totals]));
  const attributed = [...byCampaign.values()].reduce((sum, totals) => sum + totals.conversions, 0);
  const all = attributed + unattributed.body.conversions;
  const entry = { byCampaign, attributed, unattributed: unattributed.body.conversions, coverage: all > 0 ? attributed / all : null };
  state.orgTotals.set(key, entry);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// One campaign

async function refresh() {
  writeHash();
  syncFilters();
  const generation = ++state.generation;
  const campaign = state.campaigns.find((c) => c.campaignId === state.selectedId);
  const detail = $('#detail');
  $('#campaign-title').textContent = campaign.name;
  showState(detail, 'loading', { message: 'Loading numbers…' });
  const model = state.model ?? campaign.attribution.model;
  const { from, to } = range();
  const base = `/v1/campaigns/${encodeURIComponent(campaign.campaignId)}`;
  try {
    const [channels, days, leaderboard, breakdown, advocates, org] = await Promise.all([
      call(`${base}/attribution?${query({ model, groupBy: 'channel', limit: 100, from, to })}`),
      allRows(`${base}/attribution`, { model, groupBy: 'day', from, to }),
      call(`${base}/leaderboard?${query({ model, metric: 'conversions', limit: 10, from, to })}`),
      call(`${base}/attribution?${query({ model, groupBy: state.breakdown, limit: BREAKDOWN_ROWS, from, to })}`),
      call(`${base}/attribution?${query({ model, groupBy: 'advocate', limit: FUNNEL_ROWS, from, to })}`),
      loadOrgTotals(),
    ]);
    if (generation !== state.generation) return;
    renderCampaignList();
    const funnel = funnelSection({
      campaign,
      model,
      period: from ? `${from}_${to}` : 'all-time',
      totals: channels.body.totals,
      advocateRows: advocates.body.rows,
      hasMore: advocates.body.nextCursor !== null,
      loadAllAdvocateRows: () => allRows(`${base}/attribution`, { model, groupBy: 'advocate', from, to }),
      onError: (error) => {
        if (error instanceof ApiError && error.status === 401) forgetKey('The key was refused (expired or revoked). Paste a valid key.');
        else alert(`The download failed: ${error.message}`);
      },
    });
    renderDetail(campaign, model, channels.body, days, leaderboard.body, breakdown.body, org, funnel);
  } catch (error) {
    if (generation === state.generation) handleError(error, detail, refresh);
  }
}

/** Every row of a paged report (a year of days is four pages). */
async function allRows(path, params) {
  const rows = [];
  let cursor;
  do {
    const { body } = await call(`${path}?${query({ ...params, limit: 100, cursor })}`);
    rows.push(...body.rows);
    cursor = body.nextCursor;
  } while (cursor);
  return rows;
}

const kpi = (testid, label, value, formatted, hint) =>
  el(
    'div',
    { class: 'kpi' },
    el('span', { class: 'kpi-label' }, label),
    el('span', { class: 'kpi-value', dataset: { testid, value: typeof value === 'object' ? JSON.stringify(value) : String(value) } }, formatted),
    hint ? el('span', { class: 'kpi-hint' }, hint) : null,
  );

function renderDetail(campaign, model, channelReport, dayRows, leaderboard, breakdownReport, org, funnel) {
  const { totals } = channelReport;
  const requests = totals.clicks + totals.botClicks;
  const botShare = requests > 0 ? totals.botClicks / requests : null;
  const quiet = totals.clicks === 0 && totals.botClicks === 0 && totals.conversions === 0;

  const kpis = el(
    'div',
    { class: 'kpis' },
    kpi('kpi-shares', 'Shares', totals.shares, formatInteger(totals.shares), 'started by advocates'),
    kpi('kpi-clicks', 'Clicks', totals.clicks, formatInteger(totals.clicks), 'human visitors'),
    kpi('kpi-unique-clicks', 'Unique clicks', totals.uniqueClicks, formatInteger(totals.uniqueClicks), 'first per visitor and link in 24 h'),
    kpi('kpi-bot-share', 'Bot share', botShare ?? '', formatPercent(botShare), `${formatInteger(totals.botClicks)} bot request${totals.botClicks === 1 ? '' : 's'} (previews, scanners, crawlers) kept out`),
    kpi('kpi-conversions', 'Conversions', totals.conversions, formatConversions(totals.conversions), `credited by ${modelLabel[model].toLowerCase()}`),
    kpi('kpi-revenue', 'Revenue', totals.revenue, formatRevenue(totals.revenue), 'per currency, never summed'),
    kpi(
      'kpi-coverage',
      'Attribution coverage',
      org.coverage ?? '',
      formatPercent(org.coverage),
      `of the organization's ${formatConversions(org.attributed + org.unattributed)} conversions in this range matched a click`,
    ),
  );

  const chartRegion = el('div', { class: 'chart', id: 'chart', dataset: { testid: 'daily-chart' } });
  const series = dailySeries(dayRows);
  const chartSection = el(
    'section',
    { class: 'card', 'aria-labelledby': 'chart-title' },
    el('h2', { id: 'chart-title' }, 'Daily clicks and conversions'),
    chartRegion,
    dailyTable(series),
  );

  const leaderboardSection = el('section', { class: 'card', 'aria-labelledby': 'leaderboard-title' }, el('h2', { id: 'leaderboard-title' }, 'Leaderboard'));
  leaderboardSection.append(
    leaderboard.rows.length === 0
      ? emptyNote('No advocate has clicks or conversions in this range yet.')
      : table(
          ['#', 'Advocate', 'Clicks', 'Conversions', 'Revenue'],
          leaderboard.rows.map((row) =>
            el(
              'tr',
              { dataset: { testid: 'leaderboard-row', advocateId: row.advocateId } },
              el('td', { dataset: { field: 'rank', value: row.rank } }, String(row.rank)),
              el('td', {}, row.displayName, row.department ? el('span', { class: 'muted' }, ` · ${row.department}`) : null),
              numberCell('clicks', row.clicks, formatInteger),
              numberCell('conversions', row.conversions, formatConversions),
              el('td', { class: 'num', dataset: { field: 'revenue', value: JSON.stringify(row.revenue) } }, formatRevenue(row.revenue)),
            ),
          ),
        ),
  );

  const channelSection = el('section', { class: 'card', 'aria-labelledby': 'channels-title' }, el('h2', { id: 'channels-title' }, 'Channels'));
  channelSection.append(
    channelReport.rows.length === 0
      ? emptyNote('No channel has traffic in this range yet.')
      : table(
          ['Channel', 'Clicks', 'Share', 'Conversions'],
          channelReport.rows.map((row) => {
            const share = totals.clicks > 0 ? row.clicks / totals.clicks : 0;
            return el(
              'tr',
              { dataset: { testid: 'channel-row', channel: row.key } },
              el('td', {}, row.label),
              numberCell('clicks', row.clicks, formatInteger),
              el('td', { class: 'share' }, el('meter', { min: 0, max: 1, value: share, 'aria-label': `${row.key} share of clicks` }), ` ${formatPercent(share)}`),
              numberCell('conversions', row.conversions, formatConversions),
            );
          }),
        ),
  );

  const exportSection = el(
    'section',
    { class: 'card export', 'aria-labelledby': 'export-title' },
    el('h2', { id: 'export-title' }, 'Raw events'),
    el('p', { class: 'muted' }, 'CSV of every click or conversion of this campaign in the selected range.'),
    el(
      'div',
      { class: 'row' },
      csvButton(campaign, 'click', 'Download clicks (CSV)'),
      csvButton(campaign, 'conversion', 'Download conversions (CSV)'),
    ),
  );

  $('#detail').replaceChildren(
    kpis,
    funnel,
    chartSection,
    el('div', { class: 'two-columns' }, leaderboardSection, channelSection),
    breakdownSection(breakdownReport),
    exportSection,
  );
  $('#detail').dataset.state = 'ready';
  $('#detail').setAttribute('aria-busy', 'false');
  if (quiet || series.days.length === 0) {
    showState(chartRegion, 'empty', { title: 'No activity in this range', message: 'Clicks and conversions appear here within seconds of happening.' });
  } else {
    drawChart(chartRegion, series);
  }
}

// ---------------------------------------------------------------------------------------------
// Breakdowns: clicks and conversions by country, device, browser, OS or referrer

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element: attributes only (presentation attributes, no inline style: the CSP forbids it). */
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/**
 * Horizontal bars, one pair per row: clicks (blue, to the row with most clicks) and credited
 * conversions (green, to the row with most conversions), each with its number. The two scales are
 * apart because conversions are a small fraction of clicks; the numbers say what the bars mean.
 */
function breakdownChart(report) {
  const LABEL_WIDTH = 170;
  const BAR_WIDTH = 300;
  const ROW_HEIGHT = 34;
  const maxClicks = Math.max(1, ...report.rows.map((row) => row.clicks));
  const maxConversions = Math.max(1e-9, ...report.rows.map((row) => row.conversions));
  const height = report.rows.length * ROW_HEIGHT + 4;
  const truncate = (text) => (text.length > 24 ? `${text.slice(0, 23)}…` : text);
  return svg(
    'svg',
    {
      class: 'breakdown-chart',
      viewBox: `0 0 ${LABEL_WIDTH + BAR_WIDTH + 130} ${height}`,
      role: 'img',
      'aria-label': `Clicks and conversions by ${breakdownLabel[report.groupBy].toLowerCase()}`,
      dataset: { testid: 'breakdown-chart' },
    },
    report.rows.map((row, i) => {
      const y = i * ROW_HEIGHT + 4;
      const clicksWidth = (row.clicks / maxClicks) * BAR_WIDTH;
      const conversionsWidth = (row.conversions / maxConversions) * BAR_WIDTH;
      return svg(
        'g',
        { dataset: { testid: 'breakdown-bar', key: row.key, clicks: row.clicks, conversions: row.conversions } },
        svg('title', {}, `${row.label}: ${formatInteger(row.clicks)} clicks, ${formatConversions(row.conversions)} conversions`),
        svg('text', { x: 0, y: y + 16, class: 'bar-label' }, truncate(row.label)),
        svg('rect', { x: LABEL_WIDTH, y, width: clicksWidth.toFixed(2), height: 14, class: 'bar-clicks', dataset: { share: (row.clicks / maxClicks).toFixed(4) } }),
        svg('text', { x: LABEL_WIDTH + clicksWidth + 6, y: y + 12, class: 'bar-value' }, formatInteger(row.clicks)),
        svg('rect', { x: LABEL_WIDTH, y: y + 17, width: conversionsWidth.toFixed(2), height: 8, class: 'bar-conversions' }),
        svg('text', { x: LABEL_WIDTH + conversionsWidth + 6, y: y + 26, class: 'bar-value conversions' }, row.conversions > 0 ? `${formatConversions(row.conversions)} conv.` : ''),
      );
    }),
  );
}

function breakdownSection(report) {
  const select = el(
    'select',
    {
      id: 'breakdown-select',
      dataset: { testid: 'breakdown-select' },
      onchange: (event) => {
        state.breakdown = event.target.value;
        refresh();
      },
    },
    breakdowns.map(([value, label]) => el('option', { value, selected: value === state.breakdown }, label)),
  );
  const section = el(
    'section',
    { class: 'card', 'aria-labelledby': 'breakdown-title' },
    el(
      'div',
      { class: 'card-head' },
      el('h2', { id: 'breakdown-title' }, `Clicks by ${breakdownLabel[report.groupBy].toLowerCase()}`),
      el('label', {}, 'Break down by ', select),
    ),
  );
  if (report.rows.length === 0) {
    section.append(emptyNote('No clicks in this range yet.'));
    return section;
  }
  section.append(
    el(
      'p',
      { class: 'legend muted' },
      el('span', { class: 'swatch clicks' }),
      ' clicks ',
      el('span', { class: 'swatch conversions' }),
      ` conversions (credited through the clicks)${report.nextCursor ? ` · top ${BREAKDOWN_ROWS}` : ''}`,
    ),
    breakdownChart(report),
    table(
      [breakdownLabel[report.groupBy], 'Clicks', 'Unique', 'Conversions', 'Revenue'],
      report.rows.map((row) =>
        el(
          'tr',
          { dataset: { testid: 'breakdown-row', key: row.key } },
          el('td', {}, row.label),
          numberCell('clicks', row.clicks, formatInteger),
          numberCell('uniqueClicks', row.uniqueClicks, formatInteger),
          numberCell('conversions', row.conversions, formatConversions),
          el('td', { class: 'num', dataset: { field: 'revenue', value: JSON.stringify(row.revenue) } }, formatRevenue(row.revenue)),
        ),
      ),
    ),
  );
  return section;
}

const emptyNote = (text) => el('p', { class: 'state state-empty' }, text);

const numberCell = (field, value, format) => el('td', { class: 'num', dataset: { field, value } }, format(value));

const table = (headings, rows) =>
  el('div', { class: 'table-scroll' }, el('table', {}, el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)));

/** Consecutive UTC days of the range (or of the data, for all time), zero where nothing happened. */
function dailySeries(rows) {
  const byDay = new Map(rows.map((row) => [row.key, row]));
  let { from, to } = range();
  if (!from) {
    // All time: from the first active day to today, and at least a week so one day is not a dot.
    if (rows.length === 0) return { days: [], clicks: [], conversions: [] };
    to = utcDay(0) > rows[rows.length - 1].key ? utcDay(0) : rows[rows.length - 1].key;
    const weekBefore = new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    from = rows[0].key < weekBefore ? rows[0].key : weekBefore;
  }
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return {
    days,
    clicks: days.map((day) => byDay.get(day)?.clicks ?? 0),
    conversions: days.map((day) => byDay.get(day)?.conversions ?? 0),
  };
}

/**
 * The chart's numbers as a table, for screen readers (and for checking the chart's data). Hidden
 * through a wrapper: a table never gets shorter than its rows, whatever its own height says.
 */
const dailyTable = (series) =>
  el(
    'div',
    { class: 'visually-hidden' },
    el(
      'table',
      { dataset: { testid: 'daily-table' } },
      el('caption', {}, 'Daily clicks and conversions'),
      el('thead', {}, el('tr', {}, el('th', {}, 'Day'), el('th', {}, 'Clicks'), el('th', {}, 'Conversions'))),
      el(
        'tbody',
        {},
        series.days.map((day, i) =>
          el(
            'tr',
            { dataset: { day } },
            el('td', {}, day),
            el('td', { dataset: { field: 'clicks', value: series.clicks[i] } }, String(series.clicks[i])),
            el('td', { dataset: { field: 'conversions', value: series.conversions[i] } }, String(series.conversions[i])),
          ),
        ),
      ),
    ),
  );

function drawChart(region, series) {
  state.chart?.destroy();
  const uPlot = window.uPlot;
  const size = () => ({ width: Math.max(region.clientWidth, 280), height: region.clientWidth < 500 ? 200 : 260 });
  state.chart = new uPlot(
    {
      ...size(),
      // Days are UTC dates: show them as such whatever the viewer's time zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // Counts start at zero; bars need room for half a day on each side.
      scales: {
        x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] },
        clicks: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
        conversions: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
      },
      series: [
        { label: 'Day' },
        // Clicks as bars and conversions as a line: the two never hide each other.
        { label: 'Clicks', scale: 'clicks', stroke: '#1d4ed8', width: 1, fill: 'rgba(29, 78, 216, 0.35)', paths: uPlot.paths.bars({ size: [0.6, 48] }), points: { show: false } },
        { label: 'Conversions', scale: 'conversions', stroke: '#047857', width: 2.5, points: { show: series.days.length < 40, size: 6 } },
      ],
      axes: [{}, { scale: 'clicks', label: 'Clicks' }, { scale: 'conversions', side: 1, label: 'Conversions', grid: { show: false } }],
    },
    [series.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000), series.clicks, series.conversions],
    region,
  );
  const chart = state.chart;
  new ResizeObserver(() => {
    if (state.chart === chart) chart.setSize(size());
  }).observe(region);
}

function csvButton(campaign, type, label) {
  const button = el('button', { type: 'button', class: 'button secondary', dataset: { testid: `csv-${type}` } }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Preparing…';
    try {
      const { from, to } = range();
      // One answer holds at most 10 000 rows; X-Next-Cursor names the rest.
      const parts = [];
      let cursor;
      do {
        const { body, headers } = await call(`/v1/campaigns/${encodeURIComponent(campaign.campaignId)}/events?${query({ type, from, to, cursor })}`, {
          accept: 'text/csv',
          as: 'text',
        });
        parts.push(parts.length === 0 ? body : body.slice(body.indexOf('\r\n') + 2));
        cursor = headers.get('x-next-cursor');
      } while (cursor);
      const period = from ? `${from}_${to}` : 'all-time';
      download(new Blob(parts, { type: 'text/csv' }), `${campaign.utm.campaign}-${type}s-${period}.csv`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) forgetKey('The key was refused (expired or revoked). Paste a valid key.');
      else alert(`The download failed: ${error.message}`);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}

// ---------------------------------------------------------------------------------------------
// Filters

function syncFilters() {
  const campaign = state.campaigns.find((c) => c.campaignId === state.selectedId);
  const modelSelect = $('#model-select');
  modelSelect.value = state.model ?? campaign?.attribution.model ?? 'last_click';
  $('#range-select').value = state.rangePreset;
  const custom = state.rangePreset === 'custom';
  for (const label of document.querySelectorAll('.custom-range')) label.hidden = !custom;
  $('#from-input').value = state.custom.from;
  $('#to-input').value = state.custom.to;
}

function setUpFilters() {
  $('#model-select').replaceChildren(...attributionModels.map(([value, label]) => el('option', { value }, label)));
  $('#model-select').addEventListener('change', (event) => {
    state.model = event.target.value;
    refresh();
  });
  $('#range-select').addEventListener('change', (event) => {
    state.rangePreset = event.target.value;
    refresh();
  });
  for (const [id, field] of [
    ['#from-input', 'from'],
    ['#to-input', 'to'],
  ]) {
    $(id).addEventListener('change', (event) => {
      if (!event.target.value) return;
      state.custom[field] = event.target.value;
      if (state.custom.from > state.custom.to) return; // wait for the other end
      refresh();
    });
  }
}

// ---------------------------------------------------------------------------------------------

readHash();
setUpFilters();
$('#key-form').addEventListener('submit', submitKey);
$('#forget-key').addEventListener('click', () => forgetKey());
if (state.key) start();
else showKeyPanel();
