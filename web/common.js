// Shared by the dashboard, the advocate page and the API reference: API calls, safe DOM
// building (never innerHTML with data), number formats and the loading/empty/error states.

/** An API answer that is not 2xx, with the problem+json detail when there is one. */
export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Calls the API on this origin. `token` goes in the Authorization header only; answers are
 * parsed as JSON unless `as` says 'text' or 'blob'. Throws ApiError on any non-2xx answer.
 */
export async function api(path, { token, accept = 'application/json', method = 'GET', body, as = 'json' } = {}) {
  const headers = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'The API cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = undefined;
    }
    throw new ApiError(response.status, problem?.detail ?? problem?.message ?? `The API answered ${response.status}`, problem);
  }
  if (as === 'text') return { body: await response.text(), headers: response.headers, status: response.status };
  if (as === 'blob') return { body: await response.blob(), headers: response.headers, status: response.status };
  return { body: await response.json(), headers: response.headers, status: response.status };
}

/** `el('a', { href, class: 'x', dataset: { id } }, 'text', child)`: children are text or nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

const locale = () => navigator.language || 'en-US';

export const formatInteger = (value) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(value);

/** Conversions are fractional under multi-touch models: show up to two decimals. */
export const formatConversions = (value) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(value);

export const formatPercent = (share) =>
  share === null || Number.isNaN(share) ? '–' : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(share);

/** `{ EUR: "129.90", USD: "20.00" }` → "€129.90 · $20.00"; amounts stay per currency. */
export function formatRevenue(revenue) {
  const entries = Object.entries(revenue ?? {});
  if (entries.length === 0) return '–';
  return entries
    .map(([currency, amount]) => {
      try {
        return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(Number(amount));
      } catch {
        return `${amount} ${currency}`;
      }
    })
    .join(' · ');
}

/** Replaces a region's content with a designed state: loading, empty or error (with retry). */
export function showState(region, state, { message, retry, title } = {}) {
  region.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  region.dataset.state = state;
  if (state === 'loading') {
    region.replaceChildren(el('div', { class: 'state state-loading', role: 'status' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), message ?? 'Loading…'));
  } else if (state === 'empty') {
    region.replaceChildren(el('div', { class: 'state state-empty' }, title ? el('strong', {}, title) : null, el('p', {}, message ?? 'Nothing here yet.')));
  } else if (state === 'error') {
    region.replaceChildren(
      el(
        'div',
        { class: 'state state-error', role: 'alert' },
        el('strong', {}, title ?? 'Something went wrong'),
        el('p', {}, message ?? ''),
        retry ? el('button', { type: 'button', class: 'button secondary', onclick: retry }, 'Try again') : null,
      ),
    );
  }
}

/** Kept for this browser tab only: closing the tab forgets the credential. */
export const tabStorage = {
  get: (name) => {
    try {
      return sessionStorage.getItem(name) ?? undefined;
    } catch {
      return undefined;
    }
  },
  set: (name, value) => {
    try {
      sessionStorage.setItem(name, value);
    } catch {
      // Storage may be disabled; the page still works until it is reloaded.
    }
  },
  remove: (name) => {
    try {
      sessionStorage.removeItem(name);
    } catch {
      // Nothing was stored.
    }
  },
};

/** Starts a browser download of a Blob under a file name. */
export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: fileName, class: 'visually-hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Runs tasks with at most `limit` in flight. */
export async function mapWithLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** UTC date `YYYY-MM-DD`, `days` before today. */
export const utcDay = (daysAgo = 0) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

export const attributionModels = [
  ['last_click', 'Last click'],
  ['first_click', 'First click'],
  ['linear', 'Linear'],
  ['time_decay', 'Time decay'],
  ['position_based', 'Position based'],
];
