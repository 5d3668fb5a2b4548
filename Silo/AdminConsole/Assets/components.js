// The components page: deployed components and their revisions, which flow step runs which revision, and which
// running real-time flows hold an older revision than the newest (they pick it up only when restarted).
import { api, el, rocket, badge, ago, live, staleSteps } from './console.js';

let renderedKey = '';

live(async () => (await api('/api/overview?executions=0')).data, render,
  data => data.flows.some(f => f.lifecycle === 'WarmingUp' || f.lifecycle === 'Stopping'));

function render(data) {
  const key = JSON.stringify(data.components);
  if (key === renderedKey) return;
  renderedKey = key;
  document.getElementById('notices').replaceChildren(...staleNotice(data.components));
  document.getElementById('components').replaceChildren(...(data.components.length
    ? data.components.map(row)
    : [el('tr', {}, el('td', { colspan: 3, class: 'empty' }, 'No components deployed yet: POST /api/components/{id}/revisions.'))]));
}

/** One notice for every step of a running real-time flow that holds an older revision than the newest, by flow. */
function staleNotice(components) {
  const byFlow = new Map();
  for (const component of components) {
    for (const use of component.usedBy.filter(u => u.stale)) {
      if (!byFlow.has(use.flowId)) byFlow.set(use.flowId, []);
      byFlow.get(use.flowId).push({ ...use, componentId: component.componentId, latestRevision: component.latestRevision });
    }
  }
  if (!byFlow.size) return [];
  const flows = [...byFlow].flatMap(([flowId, steps], i) => [i ? '; ' : '', el('b', {}, flowLink(flowId)), ` (${staleSteps(steps)})`]);
  return [el('p', { class: 'notice', role: 'status' },
    `${byFlow.size === 1 ? 'A running real-time flow holds' : `${byFlow.size} running real-time flows hold`} older component revisions than the newest deployed: `,
    ...flows, '. Restart to pick up: stop the flow and start it again.')];
}

const flowLink = id => el('a', { href: `/console/flow?id=${encodeURIComponent(id)}` }, id);

function row(component) {
  return el('tr', { 'data-component': component.componentId },
    el('td', {}, el('b', {}, component.componentId), el('div', { class: 'sub' }, `newest: revision ${component.latestRevision}`)),
    el('td', {}, component.revisions.map(r => el('div', { class: 'revision', 'data-revision': r.revision },
      `revision ${r.revision}`, r.revision === component.latestRevision ? el('span', { class: 'tag' }, 'newest') : '',
      el('div', { class: 'sub' }, `${ago(r.createdAt)} · ${[r.command, ...r.arguments].filter(Boolean).join(' ') || r.image || ''} · ${r.actions.join(', ')}`),
      details(r))),
      component.revisionCount > component.revisions.length
        ? el('div', { class: 'sub' }, `and ${component.revisionCount - component.revisions.length} older: GET /api/components/${component.componentId}/revisions`)
        : ''),
    el('td', {}, component.usedBy.length ? component.usedBy.map(use) : el('span', { class: 'sub' }, 'No flow uses it')));
}

// What tells two revisions of the same command apart: the environment each was deployed with, and the digests of the files it runs.
function details(r) {
  const environment = Object.entries(r.environment);
  if (!environment.length && !r.files.length) return '';
  return el('dl', { class: 'revision-details' },
    environment.length ? [el('dt', {}, 'environment'), el('dd', { class: 'mono', 'aria-label': `Environment of revision ${r.revision}` },
      environment.map(([name, value]) => el('div', {}, `${name}=${value}`)))] : '',
    r.files.length ? [el('dt', {}, 'pinned files'), el('dd', { class: 'mono' }, r.files.map(f => el('div', {}, f)))] : '');
}

function use(u) {
  const realtime = u.mode === 'Realtime';
  return el('div', { class: 'use' },
    realtime ? rocket() : '', el('span', {}, flowLink(u.flowId), ` / ${u.stepId}`), badge(u.lifecycle),
    u.revision ? ` revision ${u.revision}` : el('span', { class: 'sub' }, realtime ? ' pins the newest at start' : ' uses the newest'),
    u.stale ? el('span', { class: 'tag warn' }, 'restart to pick up') : '');
}
