// What every console page shares: API calls, building DOM safely, live refresh, icons and formats.

/** Calls the admin API with the session cookie. A 401 sends the browser to the login page. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json', 'X-FlowActors-Console': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  if (response.status === 401) {
    location.assign(`/console/login?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
    throw new Error('Your session has ended; log in again.');
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(problemText(data) || `${response.status} ${response.statusText}`);
  return { status: response.status, data };
}

/** A ProblemDetails answer as one readable line, with validation errors by field. */
function problemText(problem) {
  if (!problem) return '';
  const fields = Object.entries(problem.errors ?? {}).map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`);
  return [problem.detail || problem.title, ...fields].filter(Boolean).join(' — ');
}

/** Builds an element. Text goes in as text, never as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Builds an SVG element (attributes set verbatim). */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : String(child));
  return node;
}

/** The rocket that marks a real-time flow. */
export function rocket() {
  return svg('svg', { class: 'rocket', viewBox: '0 0 24 24', role: 'img', 'aria-label': 'Real-time flow' },
    svg('title', {}, 'Real-time flow'),
    svg('path', { d: 'M12 1.8c3.4 2.3 5.2 5.9 5.2 10.2v4.2l-1.8 1.8H8.6l-1.8-1.8V12c0-4.3 1.8-7.9 5.2-10.2z', fill: '#e8edf5', stroke: '#2b3a55', 'stroke-width': '1.3', 'stroke-linejoin': 'round' }),
    svg('circle', { cx: '12', cy: '9.6', r: '2.1', fill: '#4aa3f0', stroke: '#2b3a55', 'stroke-width': '1.2' }),
    svg('path', { d: 'M6.8 12.6L3.8 15.6v3.2l3-1.8zM17.2 12.6l3 3v3.2l-3-1.8z', fill: '#e2483d', stroke: '#2b3a55', 'stroke-width': '1.1', 'stroke-linejoin': 'round' }),
    svg('path', { d: 'M9.9 18.6c0 1.9.9 3 2.1 3.7 1.2-.7 2.1-1.8 2.1-3.7z', fill: '#f5a524' }));
}

/** A check mark, for a checked menu item. */
export function check() {
  return svg('svg', { class: 'check', viewBox: '0 0 16 16', 'aria-hidden': 'true' },
    svg('path', { d: 'M3 8.5l3.2 3.2L13 4.8', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }));
}

const LIFECYCLE_TEXT = { Stopped: 'Stopped', WarmingUp: 'Warming up', Running: 'Running', Stopping: 'Stopping', Failed: 'Failed' };

/** A coloured status badge. */
export function badge(state, text = LIFECYCLE_TEXT[state] ?? state) {
  return el('span', { class: `badge ${state}` }, text);
}

export const modeText = mode => (mode === 'Realtime' ? 'Real-time' : 'Ordinary');
export const isActive = flow => flow.lifecycle === 'Running' || flow.lifecycle === 'WarmingUp';
export const ms = value => (value < 10 ? value.toFixed(1) : Math.round(value).toString()) + ' ms';
export const totalMs = execution => execution.steps.reduce((sum, s) => sum + s.elapsedMs, 0);

/** "12 s ago", "3 min ago", or the local time for older moments. */
export function ago(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

/**
 * Keeps a page live: loads, renders, and loads again — every second while something is warming up or stopping,
 * every 4 seconds otherwise, and not at all while the tab is hidden. Returns a function that refreshes at once.
 */
export function live(load, render, busy) {
  const indicator = document.getElementById('live');
  let timer;
  async function tick() {
    clearTimeout(timer);
    let next = 4000;
    try {
      const data = await load();
      render(data);
      if (busy(data)) next = 1000;
      indicator?.classList.remove('stale');
      if (indicator) indicator.textContent = `Live · updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      indicator?.classList.add('stale');
      if (indicator) indicator.textContent = `Not updated: ${error.message}`;
    }
    if (!document.hidden) timer = setTimeout(tick, next);
  }
  document.addEventListener('visibilitychange', () => { if (!document.hidden) tick(); });
  tick();
  return tick;
}

/** Shows an error in the page's alert region (role="alert"), or hides it. */
export function showError(message) {
  const region = document.getElementById('error');
  region.textContent = message ?? '';
  region.hidden = !message;
}
