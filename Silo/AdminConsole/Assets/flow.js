// A flow's page: its steps as a diagram and a table, what each step holds, recent executions and a test message box.
import { api, el, svg, rocket, badge, modeText, isActive, ms, ago, live, showError, chart, msLabel, windowText, staleSteps } from './console.js';

const flowId = new URLSearchParams(location.search).get('id') ?? '';
const path = `/api/flows/${encodeURIComponent(flowId)}`;
const byId = id => document.getElementById(id);
let renderedKey = '';
let current = null;

byId('crumb').textContent = flowId;
byId('open-designer').href = `/console/designer?id=${encodeURIComponent(flowId)}`;

const refresh = live(
  async () => {
    const [overview, charts, triggers] = await Promise.all([
      api(`/api/overview/flows/${encodeURIComponent(flowId)}?executions=20`),
      api(`/api/overview/flows/${encodeURIComponent(flowId)}/charts`),
      api(`${path}/triggers`).catch(() => null)]); // the page still shows the flow if its triggers cannot be read
    return { ...overview.data, charts: charts.data, triggers: triggers?.data ?? null };
  },
  render,
  detail => detail.flow.lifecycle === 'WarmingUp' || detail.flow.lifecycle === 'Stopping');

function render(detail) {
  const key = JSON.stringify(detail);
  if (key === renderedKey) return;
  renderedKey = key;
  current = detail.flow;
  const flow = detail.flow;
  const realtime = flow.mode === 'Realtime';
  document.title = `${flow.name} · FlowActors`;
  byId('title').replaceChildren(realtime ? rocket() : '', flow.name);
  byId('status').replaceChildren(badge(flow.lifecycle),
    flow.lifecycle === 'WarmingUp' ? el('span', { class: 'sub' }, ` ${flow.readySteps}/${flow.steps.length} steps ready`) : '');

  const start = byId('start');
  const stop = byId('stop');
  start.disabled = isActive(flow) || flow.lifecycle === 'Stopping' || !flow.publishedRevision;
  start.title = flow.publishedRevision ? '' : 'Publish a draft first.';
  stop.disabled = !isActive(flow);

  const stale = flow.steps.filter(s => s.stale);
  byId('notices').replaceChildren(
    flow.error ? el('p', { class: 'alert' }, flow.error) : '',
    stale.length ? el('p', { class: 'notice', role: 'status' },
      `This real-time flow runs older component revisions than the newest deployed: ${staleSteps(stale)}. `,
      'Restart to pick up the new revisions: stop the flow and start it again.') : '');

  byId('facts').replaceChildren(
    fact('Mode', modeText(flow.mode)),
    fact('Published revision', flow.publishedRevision || 'none'),
    fact('Running revision', isActive(flow) ? flow.runningRevision : '—'),
    fact('Draft', flow.unpublishedChanges ? 'unpublished changes' : flow.publishedRevision ? 'published' : 'none'),
    fact('Last execution', flow.recentExecutions.length ? ago(flow.recentExecutions[0].lastEventAt) : 'none yet'));

  byId('diagram').replaceChildren(diagram(detail.definition, flow.steps));
  byId('holds-title').textContent = realtime ? 'Container lease' : 'Last activation';
  byId('steps').replaceChildren(...flow.steps.map(s => stepRow(s, realtime, flow)));
  byId('charts').replaceChildren(...charts(detail.charts, detail.definition?.steps ?? []));
  byId('triggers').replaceChildren(...triggerRows(detail.triggers));
  byId('executions').replaceChildren(...(flow.recentExecutions.length
    ? flow.recentExecutions.map(executionRow)
    : [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'No executions yet. Send a test message.'))]));
}

const fact = (term, value) => el('div', {}, el('dt', {}, term), el('dd', {}, String(value)));

/** The flow's chart, then one per step in the definition's order; the step with the highest median is marked slowest. */
function charts(data, steps) {
  if (!data?.enabled) return [el('p', { class: 'sub' }, 'Charts are off on this silo (FlowActors:Telemetry:ConsoleMetrics).')];
  byId('charts-window').textContent = `last ${windowText(data.bucketSeconds)}, as this silo measured them`;
  const byStep = new Map(data.steps.map(s => [s.stepId, s]));
  const slowest = data.steps.filter(s => s.p50Ms !== null).sort((a, b) => b.p50Ms - a.p50Ms)[0]?.stepId;
  const card = (title, series, note, extra) => el('figure', { class: 'chart-card', 'data-chart': series?.stepId ?? 'flow' },
    el('figcaption', {}, el('b', {}, title), extra ?? '', el('span', { class: 'sub' }, ` ${note}`), el('div', { class: 'sub' }, summary(series, data.bucketSeconds))),
    chart(series, data.bucketSeconds, title));
  return [el('div', { class: 'chart-grid' },
    card('Flow', data.flow, 'executions, messages accepted'),
    steps.map(s => card(s.id, byStep.get(s.id) ?? { stepId: s.id, points: [] }, 'time in step, messages processed',
      s.id === slowest && data.steps.length > 1 ? el('span', { class: 'tag warn' }, 'slowest') : null)))];
}

function summary(series, bucketSeconds) {
  if (!series?.count && !series?.errors) return `No messages in the last ${windowText(bucketSeconds)}.`;
  return `p50 ${msLabel(series.p50Ms)} · p99 ${msLabel(series.p99Ms)} · ${series.count} messages · ${series.errors} error${series.errors === 1 ? '' : 's'}`;
}

function stepRow(step, realtime, flow) {
  const holds = realtime
    ? (step.containerId ? [el('span', { class: 'mono' }, step.containerId), el('div', { class: 'sub' }, 'leased until the flow stops')] : '—')
    : (step.containerId ? [el('span', { class: 'mono' }, step.containerId), el('div', { class: 'sub' }, 'active now')] : ago(step.lastActivityAt));
  return el('tr', {},
    el('td', {}, el('b', {}, step.stepId), el('div', { class: 'sub' }, step.action ?? '')),
    el('td', {}, step.componentId),
    el('td', {}, step.revision ? `revision ${step.revision}` : isActive(flow) ? 'newest at start' : '—',
      step.stale ? el('span', { class: 'tag warn' }, `newest is ${step.latestRevision}`) : ''),
    el('td', {}, badge(step.phase), step.error ? el('div', { class: 'error-text' }, step.error) : ''),
    el('td', {}, holds));
}

/** The flow's webhook, Service Bus trigger and schedule, with what each has done (docs/triggers.md). */
function triggerRows(triggers) {
  const rows = [];
  if (triggers?.webhook) {
    rows.push(el('tr', {}, el('td', {}, el('b', {}, 'Webhook')), el('td', { class: 'mono' }, `/hooks/${flowId}`),
      el('td', {}, 'secret set'), el('td', {}, '—')));
  }
  const bus = triggers?.serviceBus;
  if (bus) {
    const entity = bus.queue ?? `${bus.topic}/Subscriptions/${bus.subscription}`;
    rows.push(el('tr', {},
      el('td', {}, el('b', {}, 'Service Bus'), el('div', { class: 'sub' }, `${bus.sessions ? 'sessions, ' : ''}concurrency ${bus.concurrency}, prefetch ${bus.prefetch}`)),
      el('td', {}, el('span', { class: 'mono' }, entity), el('div', { class: 'sub' }, `${bus.namespace} (${bus.authentication})`)),
      el('td', {}, badge(bus.receiving ? 'Running' : 'Stopped', bus.receiving ? 'Receiving' : 'Not receiving'),
        bus.lastError ? el('div', { class: 'error-text' }, bus.lastError) : ''),
      el('td', {}, `received ${bus.received} · completed ${bus.completed} · abandoned ${bus.abandoned} · dead-lettered ${bus.deadLettered}`)));
  }
  const schedule = triggers?.schedule;
  if (schedule) {
    const s = schedule.settings;
    rows.push(el('tr', {},
      el('td', {}, el('b', {}, 'Schedule')),
      el('td', { class: 'mono' }, s.interval ? `every ${s.interval}` : `${s.cron}${s.timeZone ? ` (${s.timeZone})` : ' (UTC)'}`),
      el('td', {}, badge(schedule.active ? 'Running' : 'Stopped', schedule.active ? 'Ticking' : 'Not ticking'),
        schedule.nextTick ? el('div', { class: 'sub' }, `next ${new Date(schedule.nextTick).toLocaleTimeString()}`) : '',
        schedule.lastError ? el('div', { class: 'error-text' }, schedule.lastError) : ''),
      el('td', {}, `fired ${schedule.fired} · skipped ${schedule.skipped} · missed ${schedule.missed} · failed ${schedule.failed} · emitted ${schedule.emitted}`,
        schedule.snapshot ? el('div', { class: 'sub mono', title: schedule.snapshot }, `snapshot ${schedule.snapshot.slice(0, 80)}`) : '')));
  }
  return rows.length ? rows : [el('tr', {}, el('td', { colspan: 4, class: 'empty' },
    'Started by the API only. Add a webhook, a Service Bus trigger or a schedule through the API: see docs/triggers.md.'))];
}

function executionRow(execution) {
  return el('tr', {},
    el('td', {}, el('span', { class: 'mono', title: execution.executionId }, execution.executionId.slice(0, 8)),
      el('div', { class: 'sub' }, ago(execution.lastEventAt))),
    el('td', {}, badge(execution.status), execution.error ? el('div', { class: 'error-text' }, execution.error) : ''),
    el('td', { class: 'timings' }, execution.steps.flatMap((s, i) => [i ? ' → ' : '', el('b', {}, s.stepId), ` ${ms(s.elapsedMs)}`])),
    el('td', { class: 'output' }, ...execution.outputs.map(output)));
}

/** An output's body as compact JSON, cut for the table (the whole of it is in the title); truncation says so. */
function output(o) {
  const text = o.body === null ? '' : typeof o.body === 'string' && o.truncated ? o.body : JSON.stringify(o.body);
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return el('div', { class: 'mono', title: text },
    el('b', {}, o.stepId), ' ', shown,
    o.truncated ? el('span', { class: 'tag warn' }, `truncated, ${o.bytes} bytes`) : '');
}

/** The steps as boxes in columns by depth, with arrows along the edges. */
function diagram(definition, steps) {
  const W = 190, H = 66, GAP_X = 64, GAP_Y = 22, PAD = 14;
  const nodes = definition?.steps ?? [];
  const edges = definition?.edges ?? [];
  const state = new Map(steps.map(s => [s.stepId, s]));
  const depth = new Map(nodes.map(n => [n.id, 0]));
  nodes.forEach(() => edges.forEach(e => depth.set(e.to, Math.max(depth.get(e.to) ?? 0, (depth.get(e.from) ?? 0) + 1))));
  const perColumn = new Map();
  const at = new Map();
  for (const n of nodes) {
    const column = depth.get(n.id);
    const row = perColumn.get(column) ?? 0;
    perColumn.set(column, row + 1);
    at.set(n.id, { x: PAD + column * (W + GAP_X), y: PAD + row * (H + GAP_Y) });
  }
  const columns = Math.max(1, ...[...perColumn.keys()].map(c => c + 1));
  const rows = Math.max(1, ...perColumn.values());
  const width = PAD * 2 + columns * W + (columns - 1) * GAP_X;
  const height = PAD * 2 + rows * H + (rows - 1) * GAP_Y;

  const arrows = edges.filter(e => at.has(e.from) && at.has(e.to)).map(e => {
    const a = at.get(e.from), b = at.get(e.to);
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 2, y2 = b.y + H / 2, mid = (x1 + x2) / 2;
    return svg('path', { class: 'edge', d: `M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}`, 'marker-end': 'url(#arrow)' });
  });
  const boxes = nodes.map(n => {
    const { x, y } = at.get(n.id);
    const s = state.get(n.id);
    const phase = s?.phase ?? 'Idle';
    const revision = s?.revision ? ` · rev ${s.revision}` : '';
    return svg('g', {},
      svg('rect', { class: `box ${phase}`, x, y, width: W, height: H, rx: 8 }),
      svg('circle', { class: `dot ${phase}`, cx: x + 16, cy: y + 20, r: 5 }),
      svg('text', { class: 'title', x: x + 28, y: y + 24 }, n.id),
      svg('text', { class: 'detail', x: x + 14, y: y + 43 }, `${n.componentId}${revision}`),
      svg('text', { class: 'detail', x: x + 14, y: y + 58 }, `${n.action} · ${phase}`));
  });
  return svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Steps: ${nodes.map(n => n.id).join(' → ')}` },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
      svg('path', { class: 'arrowhead', d: 'M0 0L10 5L0 10z' }))),
    arrows, boxes);
}

async function lifecycle(action) {
  showError(null);
  try {
    await api(`${path}/${action}`, { method: 'POST' });
  } catch (error) {
    showError(`${action === 'start' ? 'Start' : 'Stop'} ${flowId}: ${error.message}`);
  }
  refresh();
}

byId('start').addEventListener('click', () => lifecycle('start'));
byId('stop').addEventListener('click', () => lifecycle('stop'));

byId('send').addEventListener('click', async () => {
  const state = byId('send-state');
  const reply = byId('reply');
  state.textContent = current?.lifecycle === 'WarmingUp' ? 'Waiting for the warm-up and the reply…' : 'Waiting for the reply…';
  reply.textContent = '';
  const started = performance.now();
  try {
    const { status, data } = await api(`${path}/messages?wait=true&timeout=20`, { method: 'POST', body: byId('message').value });
    const took = Math.round(performance.now() - started);
    if (status === 202) {
      state.textContent = `No reply within 20 s; execution ${data.executionId.slice(0, 8)} goes on.`;
    } else {
      state.textContent = `Reply from step ${data.step} in ${took} ms (execution ${data.executionId.slice(0, 8)}).`;
      reply.textContent = JSON.stringify(data.body, null, 2);
    }
  } catch (error) {
    state.textContent = '';
    reply.textContent = `Error: ${error.message}`;
  }
  refresh();
});
