// The designer: a flow's draft as a graph laid out by elkjs. Steps are added from the component catalog, connected by
// dragging, configured in a form generated from the action's JSON Schema (raw JSON otherwise); mappings and edge
// conditions are previewed by the silo's own evaluator (/api/expressions/evaluate), never by a second one in the
// browser. Everything goes through the public HTTP API, so anything done here can also be scripted.
import { api, el, svg, badge, isActive, live, showError } from './console.js';

const flowId = new URLSearchParams(location.search).get('id') ?? '';
const path = `/api/flows/${encodeURIComponent(flowId)}`;
const byId = id => document.getElementById(id);
const NODE = { width: 180, height: 58 };

let draft = { name: flowId, steps: [], edges: [] };
let published = null;   // the published definition, or null before the first publish
let status = null;      // the flow's status (lifecycle, mode, revisions), refreshed live
let catalog = [];       // the newest revision of every component
let credentials = [];   // credential names
let selection = null;   // { kind: 'step', id } or { kind: 'edge', index }
const undoStack = [];
const redoStack = [];
let editKey = null;     // the field a run of keystrokes is editing: one undo step per run, not per key
let layoutToken = 0;

byId('crumb').textContent = flowId;
byId('crumb').href = `/console/flow?id=${encodeURIComponent(flowId)}`;

// ---- loading ----------------------------------------------------------------------------------------------------

async function load() {
  const [components, names, saved, overview] = await Promise.all([
    api('/api/components'),
    api('/api/credentials').catch(() => ({ data: [] })),
    api(`${path}/draft`).catch(() => null), // a new flow has no draft yet
    api(`/api/overview/flows/${encodeURIComponent(flowId)}?executions=0`).catch(() => null)]);
  catalog = components.data ?? [];
  credentials = (names.data ?? []).map(c => c.id);
  if (saved?.data) draft = normalize(saved.data);
  published = overview?.data?.flow?.publishedRevision ? normalize(overview.data.definition) : null;
  fillCatalog();
  byId('flow-name').value = draft.name ?? '';
  await render();
}

/** The draft as the designer keeps it: every field present that it edits. */
function normalize(definition) {
  return {
    ...definition,
    name: definition.name ?? flowId,
    steps: (definition.steps ?? []).map(s => ({ ...s })),
    edges: (definition.edges ?? []).map(e => ({ ...e })),
  };
}

const component = id => catalog.find(c => c.componentId === id);
const actionsOf = c => [...(c?.descriptor?.actions ?? []), ...(c?.descriptor?.triggers ?? [])];
const detailsOf = step => component(step.componentId)?.descriptor?.details?.[step.action] ?? null;

function fillCatalog() {
  const pick = byId('new-component');
  pick.replaceChildren(...catalog.map(c => el('option', { value: c.componentId }, c.componentId)));
  fillActions();
}

function fillActions() {
  const c = component(byId('new-component').value);
  byId('new-action').replaceChildren(...actionsOf(c).map(a =>
    el('option', { value: a }, c.descriptor.details?.[a]?.title ? `${a} — ${c.descriptor.details[a].title}` : a)));
}

// ---- editing with undo -----------------------------------------------------------------------------------------

/** A structural change: one undo step, then the graph is laid out again. */
function change(mutate) {
  editKey = null;
  undoStack.push(JSON.stringify(draft));
  redoStack.length = 0;
  mutate(draft);
  render();
}

/** A change typed into a field: one undo step for a run of edits to the same field; the graph keeps its layout. */
function edit(key, mutate) {
  if (editKey !== key) {
    undoStack.push(JSON.stringify(draft));
    redoStack.length = 0;
    editKey = key;
  }
  mutate(draft);
  renderChrome();
}

function undo() {
  if (!undoStack.length) return;
  redoStack.push(JSON.stringify(draft));
  draft = JSON.parse(undoStack.pop());
  editKey = null;
  render();
}

function redo() {
  if (!redoStack.length) return;
  undoStack.push(JSON.stringify(draft));
  draft = JSON.parse(redoStack.pop());
  editKey = null;
  render();
}

function addStep() {
  const componentId = byId('new-component').value;
  const action = byId('new-action').value;
  const id = byId('new-step').value.trim() || uniqueId(action || 'step');
  if (!componentId || !action) return showError('Pick a component and one of its actions first.');
  if (draft.steps.some(s => s.id === id)) return showError(`The draft already has a step '${id}'; choose another id.`);
  showError(null);
  change(d => d.steps.push({ id, componentId, action }));
  byId('new-step').value = '';
  select({ kind: 'step', id });
}

function uniqueId(base) {
  let id = base, n = 2;
  while (draft.steps.some(s => s.id === id)) id = `${base}-${n++}`;
  return id;
}

function connect(from, to) {
  if (from === to) return;
  if (draft.edges.some(e => e.from === from && e.to === to)) return showError(`'${from}' is already connected to '${to}'.`);
  showError(null);
  change(d => d.edges.push({ from, to }));
  select({ kind: 'edge', index: draft.edges.length - 1 });
}

function removeSelected() {
  if (selection?.kind === 'step') {
    const id = selection.id;
    selection = null;
    change(d => {
      d.steps = d.steps.filter(s => s.id !== id);
      d.edges = d.edges.filter(e => e.from !== id && e.to !== id);
    });
  } else if (selection?.kind === 'edge') {
    const index = selection.index;
    selection = null;
    change(d => d.edges.splice(index, 1));
  }
}

// ---- rendering -------------------------------------------------------------------------------------------------

async function render() {
  renderChrome();
  renderSelection();
  await layout();
}

/** The toolbar, the name and the diff: cheap, done on every keystroke. */
function renderChrome() {
  byId('undo').disabled = !undoStack.length;
  byId('redo').disabled = !redoStack.length;
  if (document.activeElement !== byId('flow-name')) byId('flow-name').value = draft.name ?? '';
  byId('diff').replaceChildren(...diff(published, draft).map(line => el('li', { class: line.kind }, line.text)));
}

function renderStatus() {
  if (!status) return;
  const active = isActive(status) || status.lifecycle === 'Stopping';
  byId('status').replaceChildren(badge(status.lifecycle));
  byId('start').disabled = active || !status.publishedRevision;
  byId('start').title = status.publishedRevision ? '' : 'Publish the draft first.';
  byId('stop').disabled = !isActive(status);
  const realtime = byId('realtime');
  realtime.checked = status.mode === 'Realtime';
  realtime.disabled = active; // as on the flows page: the mode changes only while the flow is stopped
  realtime.parentElement.title = active ? 'Stop the flow to switch its mode.' : '';
}

/** Lays the graph out with elkjs and draws it as SVG with ARIA roles; the time it took is shown (and kept for tests). */
async function layout() {
  const token = ++layoutToken;
  const started = performance.now();
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered', 'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '28', 'elk.layered.spacing.nodeNodeBetweenLayers': '56', 'elk.edgeRouting': 'POLYLINE',
    },
    children: draft.steps.map(s => ({ id: s.id, ...NODE })),
    edges: draft.edges
      .map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] }))
      .filter(e => draft.steps.some(s => s.id === e.sources[0]) && draft.steps.some(s => s.id === e.targets[0])),
  };
  const laid = await elk().layout(graph);
  if (token !== layoutToken) return; // a newer layout is under way
  draw(laid);
  const elapsed = performance.now() - started;
  const container = byId('graph');
  container.dataset.layoutMs = elapsed.toFixed(1);
  container.dataset.steps = String(draft.steps.length);
  container.dataset.readyMs ??= performance.now().toFixed(1); // since navigation: the first draft opened and laid out
  byId('layout-time').textContent = `${draft.steps.length} steps laid out in ${Math.round(elapsed)} ms.`;
}

let elkInstance = null;
function elk() {
  elkInstance ??= new window.ELK();
  return elkInstance;
}

function draw(laid) {
  const width = Math.max(laid.width ?? 0, 300) + 24;
  const height = Math.max(laid.height ?? 0, 120) + 24;
  const positions = new Map((laid.children ?? []).map(n => [n.id, n]));
  const root = svg('svg', {
    class: 'flow-graph', viewBox: `-12 -12 ${width} ${height}`, width, height,
    role: 'group', 'aria-label': `Flow graph: ${draft.steps.length} steps, ${draft.edges.length} edges`,
  },
  svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
    svg('path', { d: 'M0 0L10 5L0 10z', class: 'arrow' }))),
  (laid.edges ?? []).map(e => edgeNode(e)),
  draft.steps.map(s => stepNode(s, positions.get(s.id))));
  byId('graph').replaceChildren(root);
  if (empty()) byId('graph').append(el('p', { class: 'empty' }, 'No steps yet: pick a component and an action, then "Add step".'));
}

const empty = () => draft.steps.length === 0;

function edgeNode(laidEdge) {
  const index = Number(laidEdge.id.slice(1));
  const edge = draft.edges[index];
  const section = laidEdge.sections?.[0];
  if (!section) return null;
  const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x} ${p.y}`).join(' ');
  const mid = points[Math.floor(points.length / 2)];
  const label = edge.otherwise ? 'otherwise' : edge.when ? `when ${edge.when}` : '';
  const selected = selection?.kind === 'edge' && selection.index === index;
  return svg('g', {
    class: `edge${selected ? ' selected' : ''}${label ? ' routed' : ''}`, role: 'button', tabindex: '0',
    'aria-roledescription': 'edge', 'aria-pressed': String(selected), 'data-edge': `${edge.from}->${edge.to}`,
    'aria-label': `Edge from ${edge.from} to ${edge.to}${label ? `, ${label}` : ''}`,
    onclick: () => select({ kind: 'edge', index }),
    onkeydown: event => keyOnItem(event, { kind: 'edge', index }),
  },
  svg('path', { class: 'hit', d }),
  svg('path', { class: 'line', d, 'marker-end': 'url(#arrow)' }),
  label ? svg('text', { class: 'edge-label', x: mid.x + 4, y: mid.y - 6 }, label.length > 28 ? `${label.slice(0, 27)}…` : label) : null);
}

function stepNode(step, at) {
  if (!at) return null;
  const selected = selection?.kind === 'step' && selection.id === step.id;
  const marks = [step.mapping ? 'mapping' : '', step.credential ? `🔑 ${step.credential}` : ''].filter(Boolean).join(' · ');
  return svg('g', {
    class: `step${selected ? ' selected' : ''}`, transform: `translate(${at.x} ${at.y})`, role: 'button', tabindex: '0',
    'aria-roledescription': 'step', 'aria-pressed': String(selected), 'data-step': step.id,
    'aria-label': `Step ${step.id}: ${step.componentId} ${step.action}${marks ? `, ${marks}` : ''}`,
    onclick: () => select({ kind: 'step', id: step.id }),
    onkeydown: event => keyOnItem(event, { kind: 'step', id: step.id }),
  },
  svg('rect', { width: NODE.width, height: NODE.height, rx: '8' }),
  svg('text', { class: 'step-id', x: '12', y: '22' }, step.id),
  svg('text', { class: 'step-sub', x: '12', y: '40' }, `${step.componentId} · ${step.action}`),
  marks ? svg('text', { class: 'step-mark', x: '12', y: '53' }, marks) : null,
  svg('circle', {
    class: 'port', cx: NODE.width, cy: NODE.height / 2, r: '7', 'data-port': step.id, 'aria-hidden': 'true',
    onpointerdown: event => startDrag(event, step.id),
  }));
}

function keyOnItem(event, item) {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    select(item);
  } else if (event.key === 'Delete' || event.key === 'Backspace') {
    event.preventDefault();
    selection = item;
    removeSelected();
  }
}

/** Connecting by dragging from a step's port onto another step; the drop target is found under the pointer. */
function startDrag(event, from) {
  event.preventDefault();
  event.stopPropagation();
  const root = byId('graph').querySelector('svg');
  const toGraph = e => {
    const point = root.createSVGPoint();
    point.x = e.clientX;
    point.y = e.clientY;
    return point.matrixTransform(root.getScreenCTM().inverse());
  };
  const start = toGraph(event);
  const line = svg('line', { class: 'dragging', x1: start.x, y1: start.y, x2: start.x, y2: start.y });
  root.append(line);
  const move = e => {
    const p = toGraph(e);
    line.setAttribute('x2', p.x);
    line.setAttribute('y2', p.y);
  };
  const up = e => {
    document.removeEventListener('pointermove', move);
    document.removeEventListener('pointerup', up);
    line.remove();
    const target = document.elementFromPoint(e.clientX, e.clientY)?.closest('[data-step]');
    if (target) connect(from, target.dataset.step);
  };
  document.addEventListener('pointermove', move);
  document.addEventListener('pointerup', up);
}

function select(item) {
  selection = item;
  editKey = null;
  renderSelection();
  for (const node of byId('graph').querySelectorAll('[data-step], [data-edge]')) {
    const on = item?.kind === 'step' ? node.dataset.step === item.id
      : item?.kind === 'edge' && node.dataset.edge === edgeKey(draft.edges[item.index]);
    node.classList.toggle('selected', Boolean(on));
    node.setAttribute('aria-pressed', String(Boolean(on)));
  }
}

const edgeKey = e => (e ? `${e.from}->${e.to}` : '');

// ---- the selection panel ---------------------------------------------------------------------------------------

function renderSelection() {
  const panel = byId('selection');
  const step = selection?.kind === 'step' ? draft.steps.find(s => s.id === selection.id) : null;
  const edge = selection?.kind === 'edge' ? draft.edges[selection.index] : null;
  if (step) panel.replaceChildren(...stepPanel(step));
  else if (edge) panel.replaceChildren(...edgePanel(edge, selection.index));
  else {
    selection = null;
    panel.replaceChildren(el('h2', { id: 'selection-title' }, 'Nothing selected'), el('p', { class: 'sub' }, 'Select a step or an edge to edit it.'));
  }
}

function stepPanel(step) {
  const details = detailsOf(step);
  const schema = details?.configurationSchema;
  const others = draft.steps.filter(s => s.id !== step.id);
  const sampleId = `sample-${step.id}`;
  const sample = el('textarea', { id: sampleId, rows: '4', spellcheck: 'false' }, sampleFor(step));
  const preview = el('pre', { class: 'preview', id: 'mapping-preview', 'aria-live': 'polite', 'aria-label': 'Mapping preview' },
    step.mapping ? '…' : 'No mapping: the step receives the message as it is.');
  const mapping = el('textarea', {
    id: 'step-mapping', rows: '4', spellcheck: 'false', placeholder: '{ "name": customer.first & " " & customer.last }',
    oninput: event => {
      const text = event.target.value;
      edit(`mapping:${step.id}`, () => { step.mapping = text.trim() ? text : undefined; });
      previewSoon(preview, text, sample.value, step, false);
    },
  }, step.mapping ?? '');
  sample.addEventListener('input', () => previewSoon(preview, mapping.value, sample.value, step, false));
  if (step.mapping) previewSoon(preview, step.mapping, sample.value, step, false);

  const target = el('select', { id: 'connect-to' }, others.map(s => el('option', { value: s.id }, s.id)));
  return [
    el('h2', { id: 'selection-title' }, `Step ${step.id}`),
    el('p', { class: 'sub' }, `${step.componentId} · ${step.action}${details?.title ? ` — ${details.title}` : ''}`),
    el('h3', {}, 'Configuration'),
    schema && schema.type === 'object' && schema.properties ? schemaForm(step, schema) : rawConfiguration(step),
    el('label', { for: 'step-credential' }, 'Credential'),
    el('select', {
      id: 'step-credential',
      onchange: event => change(() => { step.credential = event.target.value || undefined; }),
    }, el('option', { value: '' }, 'none'), credentials.map(c => el('option', { value: c, selected: step.credential === c }, c))),
    el('h3', {}, 'Mapping'),
    el('label', { for: 'step-mapping' }, 'Mapping (JSONata)'),
    mapping,
    el('label', { class: 'inline' }, el('input', {
      type: 'checkbox', id: 'step-each', checked: Boolean(step.each),
      onchange: event => change(() => { step.each = event.target.checked || undefined; }),
    }), ' One message per element of an array result (each)'),
    el('label', { for: sampleId }, 'Sample message'),
    sample,
    el('div', { class: 'sub' }, 'Preview, by the silo’s evaluator:'),
    preview,
    el('h3', {}, 'Connections'),
    others.length ? el('div', { class: 'toolbar' },
      el('label', { for: 'connect-to' }, 'Connect to'), target,
      el('button', { type: 'button', onclick: () => connect(step.id, target.value) }, 'Connect')) : el('p', { class: 'sub' }, 'Add another step to connect this one.'),
    el('div', { class: 'toolbar' }, el('button', { type: 'button', class: 'danger', onclick: removeSelected }, 'Remove step')),
  ];
}

/** The sample a step's preview starts from: the action's own sample input, else a small object. */
function sampleFor(step) {
  const sample = detailsOf(step)?.sampleInput;
  return JSON.stringify(sample ?? { name: 'ada' }, null, 2);
}

/** A form for the configuration's top-level properties: text, numbers, switches and choices, named by their titles. */
function schemaForm(step, schema) {
  const configuration = step.configuration ?? {};
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(([name, property]) => {
    const id = `config-${name}`;
    const label = `${property.title ?? name}${required.has(name) ? ' (required)' : ''}`;
    const value = configuration[name] ?? '';
    const set = parse => event => edit(`config:${step.id}:${name}`, () => {
      const parsed = parse(event.target);
      const next = { ...(step.configuration ?? {}) };
      if (parsed === undefined) delete next[name]; else next[name] = parsed;
      step.configuration = Object.keys(next).length ? next : undefined;
    });
    let input;
    if (Array.isArray(property.enum)) {
      input = el('select', { id, onchange: set(t => (t.value === '' ? undefined : property.enum[Number(t.value)])) },
        el('option', { value: '' }, '—'),
        property.enum.map((option, i) => el('option', { value: String(i), selected: value === option }, String(option))));
    } else if (property.type === 'boolean') {
      input = el('input', { id, type: 'checkbox', checked: value === true, onchange: set(t => t.checked || undefined) });
    } else if (property.type === 'integer' || property.type === 'number') {
      input = el('input', {
        id, type: 'number', value: String(value), min: property.minimum, max: property.maximum,
        step: property.type === 'integer' ? '1' : 'any', placeholder: property.default === undefined ? null : String(property.default),
        oninput: set(t => (t.value === '' ? undefined : Number(t.value))),
      });
    } else if (property.type === 'string') {
      input = el('input', {
        id, type: 'text', value: String(value), maxlength: property.maxLength, pattern: property.pattern, spellcheck: 'false',
        placeholder: property.default === undefined ? null : String(property.default),
        oninput: set(t => (t.value === '' ? undefined : t.value)),
      });
    } else {
      input = el('textarea', {
        id, rows: '3', spellcheck: 'false',
        oninput: set(t => { try { return t.value.trim() ? JSON.parse(t.value) : undefined; } catch { return configuration[name]; } }),
      }, value === '' ? '' : JSON.stringify(value, null, 2));
    }
    return el('div', { class: 'field' }, el('label', { for: id }, label), input,
      property.description ? el('div', { class: 'hint' }, property.description) : null);
  });
  return el('fieldset', { class: 'schema-form' }, el('legend', {}, schema.title ?? 'Configuration'), rows);
}

/** Raw JSON for an action that declares no schema; a value that is not a JSON object is named, not saved. */
function rawConfiguration(step) {
  const problem = el('div', { class: 'hint', role: 'status' });
  return el('div', {},
    el('label', { for: 'step-configuration' }, 'Configuration (JSON)'),
    el('textarea', {
      id: 'step-configuration', rows: '4', spellcheck: 'false',
      oninput: event => {
        const text = event.target.value.trim();
        try {
          const value = text ? JSON.parse(text) : undefined;
          if (value !== undefined && (typeof value !== 'object' || Array.isArray(value) || value === null)) throw new Error('it must be a JSON object such as {"field": "name"}');
          problem.textContent = '';
          edit(`config:${step.id}`, () => { step.configuration = value; });
        } catch (error) {
          problem.textContent = `Not saved yet: ${error.message}`;
        }
      },
    }, step.configuration ? JSON.stringify(step.configuration, null, 2) : ''),
    problem);
}

function edgePanel(edge, index) {
  const kind = edge.otherwise ? 'otherwise' : edge.when !== undefined && edge.when !== null ? 'when' : 'always';
  const source = draft.steps.find(s => s.id === edge.from);
  const sample = el('textarea', { id: 'edge-sample', rows: '4', spellcheck: 'false' }, source ? sampleFor(source) : '{}');
  const preview = el('pre', { class: 'preview', id: 'condition-preview', 'aria-live': 'polite', 'aria-label': 'Condition preview' },
    kind === 'when' ? '…' : '—');
  const condition = el('textarea', {
    id: 'edge-condition', rows: '3', spellcheck: 'false', disabled: kind !== 'when', placeholder: 'country = "DE"',
    oninput: event => {
      const text = event.target.value;
      edit(`when:${index}`, () => { edge.when = text; });
      previewSoon(preview, text, sample.value, source, true);
    },
  }, edge.when ?? '');
  sample.addEventListener('input', () => previewSoon(preview, condition.value, sample.value, source, true));
  if (kind === 'when' && edge.when) previewSoon(preview, edge.when, sample.value, source, true);
  const radio = (value, label) => el('label', { class: 'inline' }, el('input', {
    type: 'radio', name: 'route', value, checked: kind === value,
    onchange: () => change(() => {
      delete edge.when;
      delete edge.otherwise;
      if (value === 'when') edge.when = condition.value.trim() || 'true';
      if (value === 'otherwise') edge.otherwise = true;
    }),
  }), ` ${label}`);
  return [
    el('h2', { id: 'selection-title' }, `Edge ${edge.from} → ${edge.to}`),
    el('fieldset', { role: 'radiogroup' }, el('legend', {}, 'Route'),
      radio('always', 'Always'), radio('when', 'When a condition holds'), radio('otherwise', 'Otherwise (no other edge took it)')),
    el('label', { for: 'edge-condition' }, 'Condition (JSONata, on the step’s output)'),
    condition,
    el('label', { for: 'edge-sample' }, `Sample output of ${edge.from}`),
    sample,
    el('div', { class: 'sub' }, 'Preview, by the silo’s evaluator:'),
    preview,
    el('div', { class: 'toolbar' }, el('button', { type: 'button', class: 'danger', onclick: removeSelected }, 'Remove edge')),
  ];
}

// ---- live preview by the silo's evaluator ------------------------------------------------------------------------

const previewTimers = new WeakMap();
function previewSoon(target, expression, sampleText, step, condition) {
  clearTimeout(previewTimers.get(target));
  previewTimers.set(target, setTimeout(() => preview(target, expression, sampleText, step, condition), 200));
}

async function preview(target, expression, sampleText, step, condition) {
  if (!expression.trim()) {
    target.textContent = condition ? '—' : 'No mapping: the step receives the message as it is.';
    return;
  }
  let input;
  try { input = JSON.parse(sampleText); } catch (error) {
    target.textContent = `The sample is not JSON: ${error.message}`;
    return;
  }
  try {
    const { data } = await api('/api/expressions/evaluate', {
      method: 'POST',
      body: { expression, input, condition, flowId, stepId: step?.id, configuration: step?.configuration ?? null },
    });
    target.classList.toggle('failed', Boolean(data.error));
    target.textContent = data.error
      ? `${data.error}${data.position !== null && data.position !== undefined ? ` (position ${data.position})` : ''}`
      : condition ? `${data.result === true ? 'Takes this edge' : 'Does not take this edge'} (${data.undefined ? 'undefined' : JSON.stringify(data.result)})`
        : data.undefined ? 'undefined: the step would receive nothing' : JSON.stringify(data.result, null, 2);
  } catch (error) {
    target.classList.add('failed');
    target.textContent = error.message;
  }
}

// ---- the diff against the published revision ----------------------------------------------------------------------

/** What changed, step by step and edge by edge. Field order does not count as a change. */
function diff(before, after) {
  if (!before) return [{ kind: 'note', text: 'Not published yet: publishing makes this draft revision 1.' }];
  const lines = [];
  const unset = v => (v === undefined || v === null || v === false || v === '' ? null : v); // as the API leaves them out
  const stable = value => JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().filter(k => v[k] !== undefined && v[k] !== null && v[k] !== false).map(k => [k, v[k]])) : v));
  if ((before.name ?? '') !== (after.name ?? '')) lines.push({ kind: 'changed', text: `Name: "${before.name}" → "${after.name}"` });
  const old = new Map(before.steps.map(s => [s.id, s]));
  const now = new Map(after.steps.map(s => [s.id, s]));
  for (const [id, step] of now) {
    if (!old.has(id)) lines.push({ kind: 'added', text: `+ step ${id} (${step.componentId} · ${step.action})` });
    else {
      const fields = ['componentId', 'action', 'configuration', 'credential', 'mapping', 'each', 'delivery']
        .filter(f => stable(unset(old.get(id)[f])) !== stable(unset(step[f])));
      if (fields.length) lines.push({ kind: 'changed', text: `~ step ${id}: ${fields.join(', ')}` });
    }
  }
  for (const id of old.keys()) if (!now.has(id)) lines.push({ kind: 'removed', text: `− step ${id}` });
  const route = e => (e.otherwise ? 'otherwise' : e.when ? `when ${e.when}` : 'always');
  const oldEdges = new Map(before.edges.map(e => [edgeKey(e), e]));
  const newEdges = new Map(after.edges.map(e => [edgeKey(e), e]));
  for (const [key, e] of newEdges) {
    if (!oldEdges.has(key)) lines.push({ kind: 'added', text: `+ edge ${e.from} → ${e.to} (${route(e)})` });
    else if (route(oldEdges.get(key)) !== route(e)) lines.push({ kind: 'changed', text: `~ edge ${e.from} → ${e.to}: ${route(oldEdges.get(key))} → ${route(e)}` });
  }
  for (const [key, e] of oldEdges) if (!newEdges.has(key)) lines.push({ kind: 'removed', text: `− edge ${e.from} → ${e.to}` });
  return lines.length ? lines : [{ kind: 'note', text: 'No changes: the draft is the published revision.' }];
}

// ---- saving, publishing, running ---------------------------------------------------------------------------------

/** The draft as the API takes it: unset fields left out. */
function payload() {
  const clean = o => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== false && v !== ''));
  return { ...clean({ ...draft, steps: undefined, edges: undefined }), steps: draft.steps.map(clean), edges: draft.edges.map(clean) };
}

async function act(label, action) {
  showError(null);
  byId('result').textContent = `${label}…`;
  try {
    const message = await action();
    byId('result').textContent = message;
    await refreshStatus();
  } catch (error) {
    byId('result').textContent = '';
    showError(error.message);
  }
}

async function save() {
  await api(`${path}/draft`, { method: 'PUT', body: payload() });
  return `Saved the draft of ${flowId}.`;
}

async function publish() {
  await save();
  const { data } = await api(`${path}/publish`, { method: 'POST' });
  const overview = await api(`/api/overview/flows/${encodeURIComponent(flowId)}?executions=0`);
  published = normalize(overview.data.definition);
  renderChrome();
  return `Published revision ${data.revision ?? overview.data.flow.publishedRevision}.`;
}

let refreshStatus = async () => {};

byId('new-component').addEventListener('change', fillActions);
byId('add-step').addEventListener('click', addStep);
byId('undo').addEventListener('click', undo);
byId('redo').addEventListener('click', redo);
byId('save').addEventListener('click', () => act('Saving', save));
byId('publish').addEventListener('click', () => act('Publishing', publish));
byId('start').addEventListener('click', () => act('Starting', async () => { await api(`${path}/start`, { method: 'POST' }); return `Started ${flowId}.`; }));
byId('stop').addEventListener('click', () => act('Stopping', async () => { await api(`${path}/stop`, { method: 'POST' }); return `Stopped ${flowId}.`; }));
byId('realtime').addEventListener('change', event => act('Switching mode', async () => {
  await api(`${path}/mode`, { method: 'PUT', body: { mode: event.target.checked ? 'Realtime' : 'Ordinary' } });
  return `${flowId} is now ${event.target.checked ? 'a real-time' : 'an ordinary'} flow.`;
}));
byId('flow-name').addEventListener('input', event => edit('name', d => { d.name = event.target.value; }));
document.addEventListener('keydown', event => {
  const typing = event.target.closest?.('input, textarea, select');
  if ((event.ctrlKey || event.metaKey) && !typing && event.key.toLowerCase() === 'z') { event.preventDefault(); if (event.shiftKey) redo(); else undo(); }
  if ((event.ctrlKey || event.metaKey) && !typing && event.key.toLowerCase() === 'y') { event.preventDefault(); redo(); }
});

async function main() {
  if (!window.ELK) await new Promise(resolve => window.addEventListener('load', resolve, { once: true }));
  try {
    await load();
  } catch (error) {
    showError(error.message);
  }
  refreshStatus = live(
    async () => (await api(path).catch(() => ({ data: { lifecycle: 'Stopped', mode: 'Ordinary', publishedRevision: 0 } }))).data,
    data => { status = data; renderStatus(); },
    data => data.lifecycle === 'WarmingUp' || data.lifecycle === 'Stopping');
}

main();
