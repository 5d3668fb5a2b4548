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

/** Builds an SVG element (attributes set verbatim; a function under an `on…` name is an event listener). */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
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

/**
 * The stale steps of one flow, once per component revision: "a, b and c run echo revision 1 (newest 2)". Steps are
 * `{stepId, componentId, revision, latestRevision}`.
 */
export function staleSteps(steps) {
  const groups = new Map();
  for (const s of steps) {
    const key = `${s.componentId} revision ${s.revision} (newest ${s.latestRevision})`;
    groups.set(key, [...(groups.get(key) ?? []), s.stepId]);
  }
  const and = names => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
  return [...groups].map(([revision, names]) => `${and(names)} run${names.length === 1 ? 's' : ''} ${revision}`).join('; ');
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

/** The span the charts cover, 60 buckets: "15 minutes" at the default 15-second buckets. */
export function windowText(bucketSeconds, short = false) {
  const seconds = 60 * bucketSeconds;
  if (seconds % 3600 === 0) return short ? `${seconds / 3600} h` : `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return short ? `${seconds / 60} min` : `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return short ? `${seconds} s` : `${seconds} seconds`;
}

/** Milliseconds as a short axis or summary label. */
export const msLabel = value => (value === null || value === undefined ? '—' : value < 1 ? `${value.toFixed(2)} ms` : ms(value));

/**
 * A chart of one series over 60 buckets (see /api/overview/flows/{id}/charts): throughput as bars, p50 and p99 latency as
 * lines with a dot per bucket that timed anything, and a red mark over each bucket with errors.
 */
export function chart(series, bucketSeconds, label) {
  const W = 380, H = 150, L = 56, R = 38, T = 14, B = 22;
  const points = series?.points ?? [];
  const n = Math.max(points.length, 1);
  const step = (W - L - R) / n;
  const x = i => L + i * step + step / 2;
  const maxRate = Math.max(...points.map(p => p.count / bucketSeconds), 0.0001);
  const maxMs = Math.max(...points.map(p => p.p99Ms ?? p.p50Ms ?? 0), 0.0001);
  const yRate = v => H - B - (v / maxRate) * (H - T - B);
  const yMs = v => H - B - (v / maxMs) * (H - T - B);
  const bars = points.map((p, i) => p.count ? svg('rect', {
    class: 'bar', x: L + i * step + 1, y: yRate(p.count / bucketSeconds), width: Math.max(step - 2, 1), height: H - B - yRate(p.count / bucketSeconds),
  }, svg('title', {}, `${p.count} messages (${(p.count / bucketSeconds).toFixed(2)}/s)`)) : null);
  const line = (key, cls) => {
    const timed = points.map((p, i) => [i, p[key]]).filter(([, v]) => v !== null && v !== undefined);
    return [
      timed.length > 1 ? svg('polyline', { class: `line ${cls}`, points: timed.map(([i, v]) => `${x(i)},${yMs(v)}`).join(' ') }) : null,
      ...timed.map(([i, v]) => svg('circle', { class: `point ${cls}`, cx: x(i), cy: yMs(v), r: 2.6 },
        svg('title', {}, `${cls} ${msLabel(v)} at ${new Date(points[i].at).toLocaleTimeString()}`))),
    ];
  };
  const errors = points.map((p, i) => p.errors ? svg('path', {
    class: 'error-mark', d: `M${x(i) - 4} ${T - 10}L${x(i) + 4} ${T - 10}L${x(i)} ${T - 3}z`,
  }, svg('title', {}, `${p.errors} error${p.errors === 1 ? '' : 's'} at ${new Date(p.at).toLocaleTimeString()}`)) : null);
  const text = (cls, tx, ty, content, anchor = 'start') => svg('text', { class: cls, x: tx, y: ty, 'text-anchor': anchor }, content);
  return svg('svg', {
    class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-series': series?.stepId ?? 'flow',
    'aria-label': `${label}: latency and throughput over the last ${windowText(bucketSeconds)}`,
  },
  svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }),
  svg('line', { class: 'grid', x1: L, y1: T, x2: W - R, y2: T }),
  text('tick', L - 6, T + 4, msLabel(maxMs), 'end'),
  text('tick', L - 6, H - B, '0', 'end'),
  text('tick rate', W - R + 6, T + 4, `${maxRate < 10 ? maxRate.toFixed(1) : Math.round(maxRate)}/s`),
  text('tick', L, H - 6, `−${windowText(bucketSeconds, true)}`),
  text('tick', W - R, H - 6, 'now', 'end'),
  bars, line('p99Ms', 'p99'), line('p50Ms', 'p50'), errors);
}

/** A small line of throughput per bucket (the flows page). */
export function sparkline(counts, label, bucketSeconds) {
  const W = 100, H = 26;
  const max = Math.max(...counts, 1);
  const total = counts.reduce((a, b) => a + b, 0);
  const step = W / Math.max(counts.length - 1, 1);
  const text = `${total} messages in the last ${windowText(bucketSeconds)}`;
  return svg('svg', { class: 'sparkline', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `${label}: ${text}` },
    svg('title', {}, text),
    svg('polyline', { points: counts.map((c, i) => `${(i * step).toFixed(1)},${(H - 2 - (c / max) * (H - 4)).toFixed(1)}`).join(' ') }));
}
