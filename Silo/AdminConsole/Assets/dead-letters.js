// A flow's dead letters: what its steps gave up on, with the body and headers, to replay to the failing step or discard.
import { api, el, ago, live, showError } from './console.js';

const PAGE = 25;
const flowId = new URLSearchParams(location.search).get('id') ?? '';
const base = `/api/flows/${encodeURIComponent(flowId)}`;
let offset = 0;
let renderedKey = '';

document.getElementById('flow-link').textContent = flowId;
document.getElementById('flow-link').href = `/console/flow?id=${encodeURIComponent(flowId)}`;

const refresh = live(
  async () => {
    const [page, counters] = await Promise.all([api(`${base}/dead-letters?offset=${offset}&limit=${PAGE}`), api(`${base}/counters`)]);
    return { page: page.data, counters: counters.data };
  },
  render,
  () => false);

function render({ page, counters }) {
  const key = JSON.stringify([page, counters]);
  if (key === renderedKey) return;
  renderedKey = key;
  document.getElementById('summary').textContent =
    `${page.total} kept · ${counters.deadLettered} dead-lettered in all · ${counters.replayed} replayed. ` +
    'A replay sends the message to the step that gave up on it, with the component revision that step runs now.';
  const rows = page.items.length ? page.items.map(row)
    : [el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No dead letters.'))];
  document.getElementById('dead-letters').replaceChildren(...rows);
  document.getElementById('newer').disabled = offset === 0;
  document.getElementById('older').disabled = offset + page.items.length >= page.total;
  document.getElementById('page').textContent = page.total ? `${offset + 1}–${offset + page.items.length} of ${page.total}` : '';
}

function row(letter) {
  const message = letter.message;
  const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  return el('tr', { 'data-dead-letter': letter.id },
    el('td', {}, ago(letter.deadLetteredAt), letter.poison ? el('div', {}, el('span', { class: 'tag warn' }, 'poison')) : null),
    el('td', { class: 'mono' }, letter.stepId),
    el('td', { class: 'error-text' }, letter.error),
    el('td', {}, el('details', {}, el('summary', {}, String(letter.attempts.length)),
      el('ol', {}, letter.attempts.map(a => el('li', {}, `${ago(a.at)}${a.componentRevision ? ` (revision ${a.componentRevision})` : ''}: ${a.error}`))))),
    el('td', {}, el('details', {}, el('summary', { class: 'mono' }, message.executionId),
      el('pre', { class: 'mono', 'aria-label': 'Body' }, message.body),
      headers ? el('pre', { class: 'mono sub', 'aria-label': 'Headers' }, headers) : null)),
    el('td', {},
      el('button', { type: 'button', 'data-replay': letter.id, onclick: () => act(letter, 'replay') }, 'Replay'),
      el('button', { type: 'button', 'data-discard': letter.id, onclick: () => act(letter, 'discard') }, 'Discard')));
}

async function act(letter, action) {
  showError(null);
  try {
    if (action === 'replay') await api(`${base}/dead-letters/${encodeURIComponent(letter.id)}/replay`, { method: 'POST' });
    else await api(`${base}/dead-letters/${encodeURIComponent(letter.id)}`, { method: 'DELETE' });
  } catch (error) {
    showError(`${action === 'replay' ? 'Replay' : 'Discard'} of ${letter.id}: ${error.message}`);
  }
  refresh();
}

document.getElementById('newer').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); refresh(); });
document.getElementById('older').addEventListener('click', () => { offset += PAGE; refresh(); });
