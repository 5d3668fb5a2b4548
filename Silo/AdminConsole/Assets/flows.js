// The flows page: every flow with its status, mode, revision and last executions, a menu per flow, and a draft editor.
import { api, el, rocket, check, badge, modeText, isActive, ms, totalMs, ago, live, showError, sparkline } from './console.js';

let flows = [];
let throughput = {};
let bucketSeconds = 15;
let components = [];
let openMenu = null; // the flow whose menu is open
let renderedKey = '';

const refresh = live(
  async () => {
    const [overview, charts] = await Promise.all([api('/api/overview?executions=5'), api('/api/overview/charts')]);
    return { ...overview.data, throughput: charts.data.flows, bucketSeconds: charts.data.bucketSeconds };
  },
  data => { flows = data.flows; components = data.components; throughput = data.throughput; bucketSeconds = data.bucketSeconds; render(); },
  data => data.flows.some(f => f.lifecycle === 'WarmingUp' || f.lifecycle === 'Stopping'));

/** Redraws the table when something changed, keeping the open menu and the focused control. */
function render() {
  const key = JSON.stringify([flows, throughput, openMenu]);
  if (key === renderedKey) return;
  renderedKey = key;
  const focused = document.activeElement?.dataset?.focus;
  const rows = flows.length ? flows.map(row)
    : [el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No flows yet. Create one with “New flow”.'))];
  document.getElementById('flows').replaceChildren(...rows);
  if (focused) document.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
}

function row(flow) {
  const link = el('a', { href: `/console/flow?id=${encodeURIComponent(flow.flowId)}` }, flow.name);
  return el('tr', { 'data-flow': flow.flowId },
    el('td', {},
      el('div', { class: 'flow-name' }, flow.mode === 'Realtime' ? rocket() : null, link),
      el('div', { class: 'sub mono' }, flow.flowId)),
    el('td', {}, status(flow)),
    el('td', {}, modeText(flow.mode)),
    el('td', {}, published(flow)),
    el('td', { class: 'throughput' }, bucketSeconds
      ? sparkline(throughput[flow.flowId] ?? new Array(60).fill(0), flow.flowId, bucketSeconds)
      : el('span', { class: 'sub' }, '—')),
    el('td', {}, executions(flow)),
    el('td', {}, counters(flow)),
    el('td', {}, menu(flow)));
}

function status(flow) {
  const parts = [badge(flow.lifecycle)];
  if (flow.lifecycle === 'WarmingUp') {
    const total = flow.steps.length;
    parts.push(el('div', { class: 'progress' },
      el('progress', { max: total, value: flow.readySteps, 'aria-label': `Warm-up of ${flow.flowId}` }),
      `${flow.readySteps}/${total} steps ready`));
  }
  if (flow.error) parts.push(el('div', { class: 'error-text' }, flow.error));
  if (flow.needsRestart) {
    parts.push(el('div', {}, el('span', { class: 'tag warn', title: 'A component was redeployed after this real-time flow started' },
      'Restart to pick up new revisions')));
  }
  return parts;
}

function published(flow) {
  if (!flow.publishedRevision) return el('span', { class: 'sub' }, 'Draft only');
  return [
    `Revision ${flow.publishedRevision}`,
    isActive(flow) && flow.runningRevision !== flow.publishedRevision ? el('div', { class: 'sub' }, `running revision ${flow.runningRevision}`) : null,
    flow.unpublishedChanges ? el('span', { class: 'tag' }, 'unpublished draft') : null,
  ];
}

function executions(flow) {
  if (!flow.recentExecutions.length) return el('span', { class: 'sub' }, 'None yet');
  return el('div', { class: 'chips' }, flow.recentExecutions.map(e => el('span', {
    class: `chip ${e.status}`,
    title: `${e.status} ${ago(e.lastEventAt)}${e.error ? `: ${e.error}` : ''}`,
  }, e.status === 'Failed' ? `failed at ${e.failedStep ?? '?'}` : ms(totalMs(e)))));
}

/**
 * Exact counts (not only the recent executions) in two lines that do not wrap: what came in and what became of it, then
 * what is in flight and the dead letters (a link). Rarer counts are added only when they are not zero; all are in the title.
 */
function counters(flow) {
  const c = flow.counters;
  if (!c) return el('span', { class: 'sub' }, '—');
  const link = el('a', {
    href: `/console/dead-letters?id=${encodeURIComponent(flow.flowId)}`,
    class: flow.deadLetters ? 'tag warn' : '',
    'data-dead-letters': flow.flowId,
  }, `${flow.deadLetters} dead letter${flow.deadLetters === 1 ? '' : 's'}`);
  const rare = [c.duplicatesDropped ? `${c.duplicatesDropped} duplicates dropped` : null, c.rejected ? `${c.rejected} refused` : null].filter(Boolean);
  return el('div', {
    class: 'counters', 'data-counters': flow.flowId,
    title: `${c.accepted} accepted, ${c.completed} completed, ${c.failed} failed, ${c.inFlight} in flight; ` +
      `${c.deadLettered} dead-lettered, ${c.duplicatesDropped} duplicates dropped, ${c.rejected} refused (backlog full)`,
  },
    el('div', {}, `${c.accepted} accepted · ${c.completed} completed · ${c.failed} failed`),
    el('div', { class: 'sub' }, `${c.inFlight} in flight · `, link, ...rare.map(r => ` · ${r}`)));
}

/** The per-flow menu: Start, Stop, Publish draft and the real-time switch (only while stopped). */
function menu(flow) {
  const id = flow.flowId;
  const open = openMenu === id;
  const stopped = flow.lifecycle === 'Stopped' || flow.lifecycle === 'Failed';
  const realtime = flow.mode === 'Realtime';
  const item = (label, action, disabledReason, checked) => el('button', {
    type: 'button',
    role: checked === undefined ? 'menuitem' : 'menuitemcheckbox',
    'aria-checked': checked === undefined ? null : String(checked),
    'aria-disabled': disabledReason ? 'true' : null,
    title: disabledReason,
    tabindex: '-1',
    'data-focus': `${id}:${action}`,
    onclick: () => { if (!disabledReason) act(flow, action, label); },
  }, el('span', {}, label), checked ? check() : null);

  return el('div', { class: 'menu-wrap' },
    el('button', {
      type: 'button', class: 'menu-button', 'aria-haspopup': 'menu', 'aria-expanded': String(open),
      'aria-controls': `menu-${id}`, 'aria-label': `Actions for ${id}`, 'data-focus': `${id}:menu`,
      onclick: event => { event.stopPropagation(); toggleMenu(id); },
    }, 'Actions ▾'),
    el('div', { role: 'menu', id: `menu-${id}`, 'aria-label': `Actions for ${id}`, hidden: !open, onkeydown: menuKeys },
      item('Start', 'start', isActive(flow) ? 'The flow is already running.' : flow.publishedRevision ? null : 'Publish a draft first.'),
      item('Stop', 'stop', stopped ? 'The flow is not running.' : null),
      item('Publish draft', 'publish', flow.unpublishedChanges ? null : 'There is no unpublished draft.'),
      el('hr', { role: 'separator' }),
      item('Enable real-time', 'realtime',
        stopped ? null : 'Stop the flow first: real-time can only be switched while the flow is stopped.', realtime)));
}

function toggleMenu(id) {
  openMenu = openMenu === id ? null : id;
  render();
  document.querySelector(`#menu-${CSS.escape(id)} [role^="menuitem"]`)?.focus();
}

function closeMenu(returnFocus) {
  const id = openMenu;
  if (id === null) return;
  openMenu = null;
  render();
  if (returnFocus) document.querySelector(`[data-focus="${CSS.escape(id)}:menu"]`)?.focus();
}

function menuKeys(event) {
  const items = [...event.currentTarget.querySelectorAll('[role^="menuitem"]')];
  const at = items.indexOf(document.activeElement);
  const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 };
  if (event.key === 'Escape') closeMenu(true);
  else if (event.key in moves) items[(moves[event.key] + items.length) % items.length].focus();
  else return;
  event.preventDefault();
}

document.addEventListener('click', event => {
  if (openMenu !== null && !event.target.closest('[role="menu"]')) closeMenu(false);
});

async function act(flow, action, label) {
  closeMenu(true);
  showError(null);
  const path = `/api/flows/${encodeURIComponent(flow.flowId)}`;
  try {
    if (action === 'realtime') {
      await api(`${path}/mode`, { method: 'PUT', body: { mode: flow.mode === 'Realtime' ? 'Ordinary' : 'Realtime' } });
    } else {
      await api(`${path}/${action}`, { method: 'POST' });
    }
  } catch (error) {
    showError(`${label} ${flow.flowId}: ${error.message}`);
  }
  refresh();
}

// The draft editor: a flow id and its definition as JSON.
const editor = document.getElementById('editor');
const toggle = document.getElementById('new-flow');
toggle.addEventListener('click', () => {
  editor.hidden = !editor.hidden;
  toggle.setAttribute('aria-expanded', String(!editor.hidden));
  const definition = document.getElementById('flow-definition');
  if (!editor.hidden && !definition.value) definition.value = JSON.stringify(template(), null, 2);
  if (!editor.hidden) document.getElementById('flow-id').focus();
});
document.getElementById('save-draft').addEventListener('click', () => save(false));
document.getElementById('open-designer').addEventListener('click', () => {
  const flowId = document.getElementById('flow-id').value.trim();
  if (!flowId) return showError('Name the flow first: its id goes in the address of its designer.');
  location.assign(`/console/designer?id=${encodeURIComponent(flowId)}`);
});
document.getElementById('save-publish').addEventListener('click', () => save(true));

/** A starting point made of what is deployed: a chain of up to two components, each with its first action. */
function template() {
  const steps = components.slice(0, 2).map(c => ({ id: c.componentId, componentId: c.componentId, action: c.revisions[0]?.actions[0] ?? '' }));
  return { name: 'My flow', steps, edges: steps.slice(1).map((s, i) => ({ from: steps[i].id, to: s.id })) };
}

async function save(publish) {
  const result = document.getElementById('editor-result');
  const flowId = document.getElementById('flow-id').value.trim();
  result.className = '';
  result.textContent = '';
  let definition;
  try {
    definition = JSON.parse(document.getElementById('flow-definition').value);
  } catch (error) {
    result.className = 'error-text';
    result.textContent = `The definition is not valid JSON: ${error.message}`;
    return;
  }
  try {
    const path = `/api/flows/${encodeURIComponent(flowId)}`;
    await api(`${path}/draft`, { method: 'PUT', body: definition });
    if (publish) await api(`${path}/publish`, { method: 'POST' });
    result.className = 'result-ok';
    result.textContent = publish ? `Saved and published ${flowId}.` : `Saved the draft of ${flowId}.`;
  } catch (error) {
    result.className = 'error-text';
    result.textContent = error.message;
  }
  refresh();
}
