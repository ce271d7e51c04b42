// Advocate page: the active campaigns, their suggested posts filled with the advocate's own links
// and each network's share dialog, one personal link per channel (issued or returned by
// POST /v1/links), copy to clipboard, QR codes, and the advocate's own results and rank.
// The token comes from the URL fragment (never sent to a server, removed from the address bar
// at once) or is pasted; it is kept for this tab only. The advocate also chooses how colleagues
// see them in rankings.
import { ApiError, api, download, el, formatConversions, formatInteger, formatRevenue, mapWithLimit, showState, tabStorage, $ } from '/assets/common.js';
import { fillPost, nameInPost, recordShare, shareDialogs } from '/assets/share.js';

const TOKEN_STORAGE = 'advocacy.advocateToken';

const channels = [
  ['linkedin', 'LinkedIn'],
  ['x', 'X'],
  ['facebook', 'Facebook'],
  ['instagram', 'Instagram'],
  ['xing', 'XING'],
  ['email', 'E-mail'],
  ['whatsapp', 'WhatsApp'],
  ['slack', 'Slack'],
  ['teams', 'Teams'],
  ['sms', 'SMS'],
  ['qr', 'QR code'],
  ['other', 'Other'],
];
const channelLabel = Object.fromEntries(channels);

const state = {
  token: undefined,
  advocateId: undefined,
  /** campaignId → channel → link (the default-destination link of that channel). */
  links: new Map(),
  /** The display name suggested posts are signed with (the advocate id until the API says). */
  advocateName: undefined,
  /** campaignId → channel → why that post's link could not be issued. */
  postLinkErrors: new Map(),
  objectUrls: [],
};

// ---------------------------------------------------------------------------------------------
// Token

function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  tabStorage.set(TOKEN_STORAGE, token);
  // Out of the address bar, the history and any screenshot.
  history.replaceState(null, '', location.pathname + location.search);
}

/** The token's claims, read only to greet and to find the advocate id; the API verifies it. */
function claimsOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), (character) => character.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

function showTokenPanel(message) {
  $('#me').hidden = true;
  $('#who').hidden = true;
  $('#token-panel').hidden = false;
  $('#token-error').hidden = !message;
  $('#token-error').textContent = message ?? '';
}

function signOut(message) {
  tabStorage.remove(TOKEN_STORAGE);
  state.token = undefined;
  state.links.clear();
  for (const url of state.objectUrls.splice(0)) URL.revokeObjectURL(url);
  showTokenPanel(message);
}

const refused = 'Your sign-in was refused or has expired. Paste a new token.';

function submitToken(event) {
  event.preventDefault();
  const token = $('#token-input').value.trim();
  if (!claimsOf(token)) {
    showTokenPanel('This does not look like a sign-in token (three parts separated by dots).');
    return;
  }
  tabStorage.set(TOKEN_STORAGE, token);
  $('#token-input').value = '';
  start();
}

const call = (path, options = {}) => api(path, { ...options, token: state.token });

async function allPages(path) {
  const items = [];
  let cursor;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const { body } = await call(`${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}

// ---------------------------------------------------------------------------------------------

async function start() {
  state.token = tabStorage.get(TOKEN_STORAGE);
  if (!state.token) return showTokenPanel();
  const claims = claimsOf(state.token);
  if (claims?.exp && claims.exp * 1000 < Date.now()) return signOut('This token has expired. Ask for a new one.');
  $('#token-panel').hidden = true;
  $('#me').hidden = false;
  $('#who').hidden = false;
  await load(claims);
}

async function load(claims) {
  showState($('#campaigns'), 'loading', { message: 'Loading campaigns…' });
  showState($('#stats'), 'loading', { message: 'Loading your results…' });
  let campaigns;
  try {
    const [campaignItems, links] = await Promise.all([allPages('/v1/campaigns'), allPages('/v1/links')]);
    campaigns = campaignItems
      .filter((campaign) => campaign.status === 'active')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt)); // newest first, as on the dashboard
    state.links.clear();
    for (const link of links) rememberLink(link, campaigns);
    // The API's own view of who we are wins over the token's claim.
    state.advocateId = links[0]?.advocateId ?? claims?.sub;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(refused);
    showState($('#campaigns'), 'error', { title: 'Could not load your campaigns', message: error.message, retry: () => load(claims) });
    $('#stats').replaceChildren();
    return;
  }
  if (!(await prepareSuggestedPosts(campaigns))) return signOut(refused);
  $('#who-name').textContent = state.advocateId ? `Signed in as ${state.advocateId}` : 'Signed in';
  renderCampaigns(campaigns);
  await Promise.all([loadStats(), loadRankingChoice()]);
}

/** Keeps one link per campaign and channel: the one to the campaign's own destination. */
function rememberLink(link, campaigns) {
  if (link.disabled) return;
  const campaign = campaigns.find((c) => c.campaignId === link.campaignId);
  if (!campaign) return;
  const perChannel = state.links.get(link.campaignId) ?? new Map();
  if (!perChannel.has(link.channel) || link.destinationUrl === campaign.destinationUrl) perChannel.set(link.channel, link);
  state.links.set(link.campaignId, perChannel);
}

// ---------------------------------------------------------------------------------------------
// Results

async function loadStats() {
  const region = $('#stats');
  if (!state.advocateId) {
    showState(region, 'empty', { title: 'No results yet', message: 'Share your first link below; your clicks and conversions show up here.' });
    return;
  }
  try {
    const { body } = await call(`/v1/advocates/${encodeURIComponent(state.advocateId)}/stats`);
    renderStats(body);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(refused);
    if (error instanceof ApiError && error.status === 404) {
      showState(region, 'empty', { title: 'No results yet', message: 'Share your first link below; your clicks and conversions show up here.' });
      return;
    }
    showState(region, 'error', { title: 'Could not load your results', message: error.message, retry: loadStats });
  }
}

function renderStats(stats) {
  const region = $('#stats');
  region.dataset.state = 'ready';
  region.setAttribute('aria-busy', 'false');
  if (stats.campaigns.length === 0) {
    showState(region, 'empty', { title: 'No results yet', message: 'Share your first link below; your clicks and conversions show up here.' });
    return;
  }
  const number = (field, label, value, format) =>
    el('div', { class: 'stat' }, el('span', { class: 'kpi-label' }, label), el('span', { class: 'stat-value', dataset: { field, value: typeof value === 'object' ? JSON.stringify(value) : value } }, format(value)));
  region.replaceChildren(
    el(
      'div',
      { class: 'stat-cards' },
      stats.campaigns.map((campaign) =>
        el(
          'article',
          { class: 'card stat-card', dataset: { testid: 'stats-campaign', campaignId: campaign.campaignId } },
          el(
            'div',
            { class: 'stat-head' },
            el('h3', {}, campaign.campaignName),
            el(
              'span',
              { class: 'rank', dataset: { field: 'rank', value: campaign.rank ?? '' } },
              campaign.rank ? `#${campaign.rank} of ${campaign.advocates}` : 'Not ranked yet',
            ),
          ),
          el(
            'div',
            { class: 'stat-grid' },
            number('clicks', 'Clicks', campaign.clicks, formatInteger),
            number('uniqueClicks', 'Unique', campaign.uniqueClicks, formatInteger),
            number('conversions', 'Conversions', campaign.conversions, formatConversions),
            number('revenue', 'Revenue', campaign.revenue, formatRevenue),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// How colleagues see the advocate in rankings (spec section 16): the advocate's own choice, or
// the organization's default (`null` in the PATCH). The advocate item holds the choice; the stats
// route says what applies now, hence the default's value while no choice is made.

const seenAs = { named: 'your name', pseudonymous: 'a pseudonym', hidden: 'nothing' };

const rankingChoice = {
  /** 'named' | 'pseudonymous' | 'hidden' | undefined (the default applies). */
  own: undefined,
  /** The organization's default, known when the stats were read while no choice was made. */
  organizationDefault: undefined,
};

/** The advocate's choice (404: not registered yet, so no choice) and what applies now (undefined if unknown). */
async function readRankingChoice() {
  const id = encodeURIComponent(state.advocateId);
  const orNotFound = (promise) => promise.then(({ body }) => body, (error) => {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  });
  const [advocate, stats] = await Promise.all([orNotFound(call(`/v1/advocates/${id}`)), orNotFound(call(`/v1/advocates/${id}/stats`))]);
  return { own: advocate?.rankingVisibility, current: stats?.rankingVisibility };
}

async function loadRankingChoice() {
  const form = $('#visibility-form');
  const region = $('#visibility-state');
  form.hidden = true;
  if (!state.advocateId) return showState(region, 'empty', { title: 'Not available yet', message: 'Open the link your company sent you to choose how colleagues see you.' });
  showState(region, 'loading', { message: 'Loading your ranking choice…' });
  try {
    const { own, current } = await readRankingChoice();
    rankingChoice.own = own;
    if (!own) rankingChoice.organizationDefault = current;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(refused);
    return showState(region, 'error', { title: 'Could not load your ranking choice', message: error.message, retry: loadRankingChoice });
  }
  region.replaceChildren();
  region.removeAttribute('data-state');
  form.elements.visibility.value = rankingChoice.own ?? 'default';
  $('#visibility-status').textContent = '';
  renderRankingChoice();
  form.hidden = false;
}

/** The default's label and the one-line explanation of the selected option. */
function renderRankingChoice() {
  const known = rankingChoice.organizationDefault;
  $('#visibility-default-label').textContent = known ? `Organization default (now: ${seenAs[known]})` : 'Organization default';
  const selected = $('#visibility-form').elements.visibility.value;
  const applies = selected === 'default' ? known : selected;
  $('#visibility-explanation').textContent = applies
    ? `Colleagues see ${seenAs[applies]} in rankings; you always see your own rank.`
    : "Colleagues see what your organization chose; you always see your own rank.";
}

async function saveRankingChoice(event) {
  event.preventDefault();
  const form = $('#visibility-form');
  const status = $('#visibility-status');
  const selected = form.elements.visibility.value;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  status.textContent = 'Saving…';
  try {
    const { body } = await call(`/v1/advocates/${encodeURIComponent(state.advocateId)}`, {
      method: 'PATCH',
      body: { rankingVisibility: selected === 'default' ? null : selected },
    });
    rankingChoice.own = body.rankingVisibility;
    // Back to the default: the stats route tells which one that is now.
    if (!rankingChoice.own) rankingChoice.organizationDefault = (await readRankingChoice()).current;
    renderRankingChoice();
    status.textContent = 'Saved.';
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(refused);
    status.textContent = `Not saved: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Campaigns and links

function renderCampaigns(campaigns) {
  const region = $('#campaigns');
  region.dataset.state = 'ready';
  region.setAttribute('aria-busy', 'false');
  if (campaigns.length === 0) {
    showState(region, 'empty', { title: 'No active campaigns right now', message: 'When your company starts a campaign, it appears here with your links.' });
    return;
  }
  region.replaceChildren(...campaigns.map(campaignCard));
}

function campaignCard(campaign) {
  const linksRegion = el('div', { class: 'links' });
  const card = el(
    'article',
    { class: 'card campaign-card', dataset: { testid: 'campaign-card', campaignId: campaign.campaignId } },
    el('h3', {}, campaign.name),
    el('p', { class: 'muted' }, `Leads to ${new URL(campaign.destinationUrl).host}`),
    suggestedPosts(campaign),
    el(
      'div',
      { class: 'channel-grid', role: 'group', 'aria-label': `Channels for ${campaign.name}` },
      channels.map(([channel, label]) =>
        el(
          'button',
          {
            type: 'button',
            class: `channel${state.links.get(campaign.campaignId)?.has(channel) ? ' issued' : ''}`,
            dataset: { testid: `channel-${channel}`, channel },
            onclick: (event) => issueLink(campaign, channel, event.currentTarget, linksRegion),
          },
          label,
        ),
      ),
    ),
    el('p', { class: 'issue-status muted', role: 'status', 'aria-live': 'polite' }),
    linksRegion,
  );
  for (const link of state.links.get(campaign.campaignId)?.values() ?? []) linksRegion.append(linkRow(link));
  return card;
}

async function issueLink(campaign, channel, button, linksRegion) {
  const status = button.closest('.campaign-card').querySelector('.issue-status');
  button.disabled = true;
  status.textContent = `Getting your ${channelLabel[channel]} link…`;
  try {
    const { body: link, status: code } = await call('/v1/links', { method: 'POST', body: { campaignId: campaign.campaignId, channel } });
    state.advocateId ??= link.advocateId;
    const known = state.links.get(campaign.campaignId) ?? new Map();
    known.set(channel, link);
    state.links.set(campaign.campaignId, known);
    button.classList.add('issued');
    status.textContent = code === 201 ? `New ${channelLabel[channel]} link created.` : `Your ${channelLabel[channel]} link.`;
    const existing = linksRegion.querySelector(`[data-slug="${CSS.escape(link.slug)}"]`);
    const row = existing ?? linkRow(link);
    if (!existing) linksRegion.prepend(row);
    row.classList.add('highlight');
    row.querySelector('input').focus();
    row.querySelector('input').select();
    if (code === 201 && $('#stats').dataset.state === 'empty') loadStats();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(refused);
    status.textContent = `Could not get the link: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

function linkRow(link) {
  const input = el('input', { type: 'text', readonly: true, value: link.shortUrl, 'aria-label': `${channelLabel[link.channel]} link`, dataset: { testid: 'short-url' } });
  const copy = el('button', { type: 'button', class: 'button secondary', dataset: { testid: 'copy' } }, 'Copy');
  copy.addEventListener('click', () => copyText(link.shortUrl, input, copy));
  const row = el(
    'div',
    { class: 'link-row', dataset: { slug: link.slug, channel: link.channel, testid: 'link-row' } },
    el('span', { class: 'link-channel' }, channelLabel[link.channel]),
    el('div', { class: 'copy-field' }, input, copy),
  );
  if (link.channel === 'qr') row.append(qrBlock(link));
  return row;
}

async function copyText(text, input, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Older browsers, or no clipboard permission: copy the selected field the old way.
    input.select();
    document.execCommand('copy');
  }
  button.textContent = 'Copied';
  setTimeout(() => (button.textContent = 'Copy'), 2000);
}

function qrBlock(link) {
  const image = el('img', { class: 'qr', alt: `QR code for ${link.shortUrl}`, width: 192, height: 192, dataset: { testid: 'qr-image' } });
  const block = el(
    'div',
    { class: 'qr-block' },
    image,
    el(
      'div',
      { class: 'row' },
      el('button', { type: 'button', class: 'button secondary', dataset: { testid: 'qr-png' }, onclick: () => downloadQr(link, 'png') }, 'Download PNG'),
      el('button', { type: 'button', class: 'button secondary', onclick: () => downloadQr(link, 'svg') }, 'Download SVG'),
    ),
  );
  // The QR route needs the token, so the image is fetched and shown from memory.
  call(`/v1/links/${encodeURIComponent(link.slug)}/qr?format=svg`, { accept: 'image/svg+xml', as: 'blob' })
    .then(({ body }) => {
      const url = URL.createObjectURL(body);
      state.objectUrls.push(url);
      image.src = url;
    })
    .catch((error) => block.replaceChildren(el('p', { class: 'field-error' }, `The QR code could not be loaded: ${error.message}`)));
  return block;
}

async function downloadQr(link, format) {
  try {
    const { body } = await call(`/v1/links/${encodeURIComponent(link.slug)}/qr?format=${format}`, { accept: `image/${format === 'svg' ? 'svg+xml' : 'png'}`, as: 'blob' });
    download(body, `qr-${link.slug}.${format}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(refused);
    alert(`The download failed: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Suggested posts: the campaign's template per channel, filled with this advocate's own link

const templatedChannels = (campaign) => channels.filter(([channel]) => typeof campaign.shareTemplates?.[channel] === 'string').map(([channel]) => channel);

/**
 * Issues the links the suggested posts need (the same link is returned if it exists) and reads
 * the advocate's display name. False when the token was refused.
 */
async function prepareSuggestedPosts(campaigns) {
  state.postLinkErrors.clear();
  const missing = campaigns.flatMap((campaign) =>
    templatedChannels(campaign)
      .filter((channel) => !state.links.get(campaign.campaignId)?.has(channel))
      .map((channel) => ({ campaign, channel })),
  );
  if (!campaigns.some((campaign) => templatedChannels(campaign).length > 0)) return true;
  let refusedToken = false;
  await mapWithLimit(missing, 3, async ({ campaign, channel }) => {
    try {
      const { body: link } = await call('/v1/links', { method: 'POST', body: { campaignId: campaign.campaignId, channel } });
      state.advocateId ??= link.advocateId;
      const known = state.links.get(campaign.campaignId) ?? new Map();
      known.set(channel, link);
      state.links.set(campaign.campaignId, known);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) refusedToken = true;
      const errors = state.postLinkErrors.get(campaign.campaignId) ?? new Map();
      errors.set(channel, error.message);
      state.postLinkErrors.set(campaign.campaignId, errors);
    }
  });
  if (refusedToken) return false;
  state.advocateName = await displayNameOf(state.advocateId);
  return true;
}

async function displayNameOf(advocateId) {
  if (!advocateId) return '';
  try {
    return (await call(`/v1/advocates/${encodeURIComponent(advocateId)}`)).body.displayName;
  } catch {
    return advocateId; // not created by marketing yet: the token's id is the only name known
  }
}

function suggestedPosts(campaign) {
  const postChannels = templatedChannels(campaign);
  if (postChannels.length === 0) return null;
  return el(
    'section',
    { class: 'suggested-posts', dataset: { testid: 'suggested-posts' }, 'aria-label': `Suggested posts for ${campaign.name}` },
    el('h4', {}, 'Suggested posts'),
    postChannels.map((channel) => suggestedPost(campaign, channel)),
  );
}

function suggestedPost(campaign, channel) {
  const link = state.links.get(campaign.campaignId)?.get(channel);
  const head = el('span', { class: 'link-channel' }, channelLabel[channel]);
  if (!link) {
    const reason = state.postLinkErrors.get(campaign.campaignId)?.get(channel) ?? 'no link';
    return el('div', { class: 'suggested-post', dataset: { testid: 'suggested-post', channel } }, head, el('p', { class: 'field-error' }, `Your link could not be issued: ${reason}`));
  }
  const post = fillPost(campaign.shareTemplates[channel], { link: link.shortUrl, advocateName: nameInPost(state.advocateName ?? ''), campaignName: campaign.name });
  // textContent only (el() makes text nodes): a template with HTML in it shows that HTML as text.
  const text = el('p', { class: 'post-text', dataset: { testid: 'post-text' } }, post);
  const copy = el('button', { type: 'button', class: 'button secondary', dataset: { testid: 'copy-post' } }, 'Copy post');
  copy.addEventListener('click', () => copyPost(post, copy));
  const qrSlot = el('div', { class: 'post-qr' });
  const qr = el('button', { type: 'button', class: 'button secondary', 'aria-expanded': 'false', dataset: { testid: 'show-qr' } }, 'QR code');
  qr.addEventListener('click', () => toggleQr(link, qr, qrSlot));
  return el(
    'div',
    { class: 'suggested-post', dataset: { testid: 'suggested-post', channel, slug: link.slug } },
    head,
    text,
    el('div', { class: 'row' }, shareButton(campaign, channel, post, link), copy, qr),
    channel === 'facebook' ? el('p', { class: 'muted' }, "Facebook's dialog takes the link only: the post is copied when you press Share, paste it there.") : null,
    qrSlot,
  );
}

/** An anchor, not window.open: the browser opens it as a navigation (no pop-up blocker), and its URL is visible. */
function shareButton(campaign, channel, post, link) {
  const dialog = shareDialogs[channel];
  if (!dialog) return null;
  const href = dialog.url({ post, link: link.shortUrl, campaignName: campaign.name });
  const external = !href.startsWith('mailto:');
  const anchor = el(
    'a',
    { class: 'button', href, dataset: { testid: `share-${channel}` }, ...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {}) },
    dialog.label,
  );
  anchor.addEventListener('click', () => {
    recordShare(state.token, campaign.campaignId, channel);
    // Facebook's dialog takes the link only: the post goes to the clipboard, ready to paste.
    if (channel === 'facebook') navigator.clipboard?.writeText(post).catch(() => {});
  });
  return anchor;
}

async function copyPost(post, button) {
  try {
    await navigator.clipboard.writeText(post);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Select the text to copy';
  }
  setTimeout(() => (button.textContent = 'Copy post'), 2000);
}

function toggleQr(link, button, slot) {
  const open = button.getAttribute('aria-expanded') === 'true';
  button.setAttribute('aria-expanded', String(!open));
  slot.replaceChildren(...(open ? [] : [qrBlock(link)]));
}

// ---------------------------------------------------------------------------------------------

takeTokenFromFragment();
// A sign-in link opened in a tab that already shows this page changes only the fragment.
window.addEventListener('hashchange', () => {
  if (!new URLSearchParams(location.hash.slice(1)).has('token')) return;
  takeTokenFromFragment();
  start();
});
$('#token-form').addEventListener('submit', submitToken);
$('#sign-out').addEventListener('click', () => signOut());
$('#visibility-form').addEventListener('submit', saveRankingChoice);
$('#visibility-form').addEventListener('change', () => {
  $('#visibility-status').textContent = ''; // "Saved." belonged to the previous option
  renderRankingChoice();
});
start();
