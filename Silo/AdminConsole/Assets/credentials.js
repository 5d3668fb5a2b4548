// The credentials page: names, field names and when each changed; set, rotate (replace every field or some) and delete.
// Values are typed into password inputs, sent once, and cleared: nothing on this page ever shows a stored value.
import { api, el, ago, live, showError } from './console.js';

const refresh = live(async () => (await api('/api/credentials')).data, render, () => false);
let renderedKey = '';

function render(credentials) {
  const key = JSON.stringify(credentials);
  if (key === renderedKey) return;
  renderedKey = key;
  document.getElementById('credentials').replaceChildren(...(credentials.length
    ? credentials.map(row)
    : [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'No credentials yet: set one below.'))]));
}

function row(credential) {
  return el('tr', { 'data-credential': credential.id },
    el('td', {}, el('b', {}, credential.id), el('div', { class: 'sub' }, `revision ${credential.revision}`)),
    el('td', {}, credential.fields.map(f => el('div', { 'data-field': f.name }, f.name, el('span', { class: 'sub' }, ` · changed ${ago(f.changedAt)}`)))),
    el('td', {}, ago(credential.changedAt)),
    el('td', {},
      el('button', { type: 'button', class: 'link-button', 'data-action': 'rotate', onclick: () => edit(credential) }, 'Rotate'),
      ' ',
      el('button', { type: 'button', class: 'link-button', 'data-action': 'delete', onclick: () => remove(credential.id) }, 'Delete')));
}

function fieldRow(name = '') {
  return el('div', { class: 'field-row' },
    el('label', {}, 'Field ', el('input', { class: 'field-name', value: name, required: '', placeholder: 'apiKey' })),
    ' ',
    el('label', {}, 'Value ', el('input', { class: 'field-value', type: 'password', required: '', autocomplete: 'new-password' })));
}

function edit(credential) {
  document.getElementById('form-title').textContent = `Rotate ${credential.id}`;
  document.getElementById('credential-id').value = credential.id;
  document.getElementById('fields').replaceChildren(...credential.fields.map(f => fieldRow(f.name)));
  document.getElementById('merge').checked = false;
}

function clear() {
  document.getElementById('form-title').textContent = 'New credential';
  document.getElementById('set').reset();
  document.getElementById('fields').replaceChildren(fieldRow());
}

async function remove(id) {
  if (!confirm(`Delete credential ${id}? Steps that name it fail their next call until it is set again.`)) return;
  try {
    await api(`/api/credentials/${encodeURIComponent(id)}`, { method: 'DELETE' });
    refresh();
  } catch (e) { showError(e.message); }
}

document.getElementById('add-field').addEventListener('click', () => document.getElementById('fields').append(fieldRow()));
document.getElementById('clear').addEventListener('click', clear);
document.getElementById('set').addEventListener('submit', async event => {
  event.preventDefault();
  const id = document.getElementById('credential-id').value.trim();
  const fields = Object.fromEntries([...document.querySelectorAll('#fields .field-row')]
    .map(r => [r.querySelector('.field-name').value.trim(), r.querySelector('.field-value').value]));
  try {
    await api(`/api/credentials/${encodeURIComponent(id)}`, { method: document.getElementById('merge').checked ? 'PATCH' : 'PUT', body: { fields } });
    clear();
    refresh();
  } catch (e) { showError(e.message); }
});
clear();
