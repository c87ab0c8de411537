/**
 * The review page: one HTML document with its style and script inline (nothing fetched from
 * elsewhere). The script reads /api/review every few seconds, so every reviewer sees the one state
 * of the review workflow, and sends each decision to /api/documents/<index>/<action>.
 */
export function renderReviewPage(batchId: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review: ${escapeHtml(batchId)}</title>
<style>${styles}</style>
</head>
<body>
<header>
  <div class="title"><h1>Review <span class="batch">${escapeHtml(batchId)}</span></h1><span id="state" class="state"></span></div>
  <div class="progress"><div class="track"><span id="progress-bar"></span></div><span id="counts"></span></div>
  <div class="who">reviewing as <strong id="reviewer"></strong></div>
</header>
<div class="filters">
  <label>Status <select id="filter-status"><option value="">all</option><option value="pending" selected>pending</option><option value="approved">approved</option><option value="corrected">corrected</option><option value="rejected">rejected</option></select></label>
  <label>Check failed <select id="filter-check"><option value="">any</option></select></label>
  <label>Issuer <select id="filter-issuer"><option value="">any</option></select></label>
  <label>Failure type <select id="filter-failure"><option value="">any</option></select></label>
  <span class="keys"><kbd>a</kbd> approve / save <kbd>r</kbd> reject <kbd>u</kbd> reopen <kbd>j</kbd>/<kbd>k</kbd> next / previous <kbd>Ctrl</kbd>+<kbd>Enter</kbd> save from a field</span>
</div>
<main>
  <nav id="queue" aria-label="documents to review"></nav>
  <section id="document" aria-label="the document"><p class="empty">Select a document.</p></section>
  <section id="fields" aria-label="extracted fields"></section>
</main>
<div id="toast" role="status" aria-live="polite"></div>
<script>${script}</script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

const styles = `
:root { --ink:#1d2433; --muted:#667085; --line:#e4e7ec; --bg:#f6f7f9; --good:#12805c; --bad:#c4320a; --warn:#b54708; --accent:#3355dd; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); height:100vh; display:flex; flex-direction:column; }
header { display:flex; gap:24px; align-items:center; padding:10px 18px; background:#fff; border-bottom:1px solid var(--line); }
h1 { font-size:18px; margin:0; } .batch { font-weight:500; color:var(--muted); }
.title { display:flex; gap:10px; align-items:center; }
.state { font-size:12px; padding:2px 8px; border-radius:10px; background:#eef2ff; color:var(--accent); }
.progress { flex:1; display:flex; gap:10px; align-items:center; }
.track { flex:1; height:8px; background:var(--line); border-radius:4px; overflow:hidden; max-width:360px; }
#progress-bar { display:block; height:100%; background:var(--good); width:0; }
.who { color:var(--muted); }
.filters { display:flex; flex-wrap:wrap; gap:14px; align-items:center; padding:8px 18px; background:#fff; border-bottom:1px solid var(--line); }
.filters label { color:var(--muted); font-size:13px; }
.keys { margin-left:auto; color:var(--muted); font-size:12px; }
kbd { border:1px solid var(--line); border-bottom-width:2px; border-radius:4px; padding:0 4px; font-size:11px; background:#fff; }
main { flex:1; display:grid; grid-template-columns:240px minmax(0, 1.3fr) minmax(340px, 0.9fr); min-height:0; }
#queue { overflow:auto; border-right:1px solid var(--line); background:#fff; }
.item { display:block; width:100%; text-align:left; border:0; border-bottom:1px solid var(--line); background:none; padding:8px 12px; cursor:pointer; font:inherit; }
.item:hover { background:#f9fafb; } .item.selected { background:#eef2ff; box-shadow:inset 3px 0 var(--accent); }
.item .name { font-weight:600; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; display:block; }
.item .meta { color:var(--muted); font-size:12px; }
.badge { display:inline-block; font-size:11px; padding:0 6px; border-radius:8px; margin-right:4px; }
.badge.pending { background:#fef0c7; color:var(--warn); } .badge.approved, .badge.corrected { background:#d1fadf; color:var(--good); } .badge.rejected { background:#fee4e2; color:var(--bad); }
#document { overflow:auto; padding:14px; }
#document img { display:block; max-width:100%; margin:0 auto 12px; box-shadow:0 1px 4px rgba(0,0,0,.15); background:#fff; }
#document pre { background:#fff; border:1px solid var(--line); padding:12px; white-space:pre; overflow:auto; font-size:11px; }
#fields { overflow:auto; border-left:1px solid var(--line); background:#fff; padding:14px; }
#fields h2 { font-size:15px; margin:0 0 4px; word-break:break-all; }
.sub { color:var(--muted); font-size:12px; margin-bottom:10px; }
.warnings { list-style:none; padding:0; margin:0 0 12px; }
.warnings li { border-left:3px solid var(--warn); background:#fffaeb; padding:6px 8px; margin-bottom:4px; font-size:13px; }
.warnings li.error { border-color:var(--bad); background:#fef3f2; }
.field { display:grid; grid-template-columns:120px 1fr; gap:8px; align-items:center; margin-bottom:6px; }
.field label { color:var(--muted); font-size:13px; }
input, textarea, select { font:inherit; padding:4px 6px; border:1px solid #d0d5dd; border-radius:4px; width:100%; }
select { width:auto; }
.flagged input, .flagged textarea, table.flagged { outline:2px solid var(--warn); background:#fffaeb; }
.changed input { border-color:var(--accent); }
table.items { width:100%; border-collapse:collapse; margin:6px 0 10px; }
table.items th { text-align:left; font-size:12px; color:var(--muted); font-weight:500; }
table.items td { padding:2px; }
.actions { display:flex; gap:8px; flex-wrap:wrap; margin-top:12px; position:sticky; bottom:0; background:#fff; padding:8px 0; }
button.act { border:1px solid #d0d5dd; background:#fff; border-radius:6px; padding:6px 12px; cursor:pointer; font:inherit; }
button.primary { background:var(--good); color:#fff; border-color:var(--good); }
button.danger { color:var(--bad); }
.refusal { border:1px solid var(--bad); background:#fef3f2; color:var(--bad); padding:8px; border-radius:6px; margin-top:10px; }
.decision { padding:8px; border-radius:6px; background:#ecfdf3; color:var(--good); margin-bottom:10px; font-size:13px; }
.decision.rejected { background:#fef3f2; color:var(--bad); }
#toast { position:fixed; bottom:14px; left:50%; transform:translateX(-50%); background:var(--ink); color:#fff; padding:6px 14px; border-radius:6px; opacity:0; transition:opacity .2s; pointer-events:none; }
#toast.show { opacity:.92; }
.empty { color:var(--muted); }
`;

// The page's script: plain ES2020, no build step, no dependency.
const script = String.raw`
const $ = (selector) => document.querySelector(selector);
let state = null;
let selected = null;
let formFor = null;
let initial = null;
let previewFor = null;

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json', 'x-docbatch-review': '1' }, body: JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || response.statusText);
  return json;
}

function toast(text) {
  const el = $('#toast');
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 2500);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}

const basename = (path) => path.split(/[\\/]/).pop();

function visibleItems() {
  const status = $('#filter-status').value, check = $('#filter-check').value, issuer = $('#filter-issuer').value, failure = $('#filter-failure').value;
  return state.view.items.filter((item) =>
    (!status || item.status === status) && (!check || item.checks.includes(check)) && (!issuer || item.issuer === issuer) && (!failure || item.failureType === failure));
}

function fillFilter(select, values) {
  const current = select.value;
  const wanted = ['', ...[...new Set(values.filter(Boolean))].sort()];
  const have = [...select.options].map((option) => option.value);
  if (wanted.join('\n') === have.join('\n')) return;
  select.replaceChildren(...wanted.map((value) => el('option', { value }, value || 'any')));
  select.value = wanted.includes(current) ? current : '';
}

async function refresh() {
  try {
    state = await api('/api/review');
  } catch (error) {
    toast('cannot reach the review: ' + error.message);
    return;
  }
  const { counts } = state.view;
  $('#reviewer').textContent = state.reviewer;
  $('#state').textContent = state.view.state + (state.view.outputProblem ? ' · outputs not written: ' + state.view.outputProblem : '');
  const decided = counts.total - counts.pending;
  $('#counts').textContent = decided + ' of ' + counts.total + ' decided · ' + counts.pending + ' pending · ' + counts.approved + ' approved · ' + counts.corrected + ' corrected · ' + counts.rejected + ' rejected';
  $('#progress-bar').style.width = (counts.total ? (decided / counts.total) * 100 : 100) + '%';
  fillFilter($('#filter-check'), state.view.items.flatMap((item) => item.checks));
  fillFilter($('#filter-issuer'), state.view.items.map((item) => item.issuer));
  fillFilter($('#filter-failure'), state.view.items.map((item) => item.failureType));
  renderQueue();
  const item = current();
  if (item && (formFor === null || formFor.index !== item.index || (formFor.revision !== item.revision && !formDirty()))) renderDocument(item);
}

function current() {
  return state && selected !== null ? state.view.items.find((item) => item.index === selected) : undefined;
}

function renderQueue() {
  const items = visibleItems();
  if (selected === null && items.length > 0) selected = items[0].index;
  $('#queue').replaceChildren(
    ...(items.length === 0 ? [el('p', { class: 'empty', style: 'padding:12px' }, 'No document matches.')] : []),
    ...items.map((item) =>
      el('button', { class: 'item' + (item.index === selected ? ' selected' : ''), 'data-index': item.index, onclick: () => select(item.index) },
        el('span', { class: 'name' }, '#' + item.index + ' ' + basename(item.path)),
        el('span', { class: 'meta' }, el('span', { class: 'badge ' + item.status }, item.status), item.kind === 'failed' ? 'failed: ' + (item.failureType || '?') : item.checks.join(', ')),
      )),
  );
}

function select(index) {
  selected = index;
  renderQueue();
  const item = current();
  if (item) renderDocument(item);
}

function move(step) {
  const items = visibleItems();
  if (items.length === 0) return;
  const at = items.findIndex((item) => item.index === selected);
  const next = items[Math.max(0, Math.min(items.length - 1, at + step))];
  if (next) select(next.index);
}

/** After a decision: the next document still pending, in queue order after this one. */
function moveToNextPending(from) {
  const items = state.view.items;
  const after = items.filter((item) => item.status === 'pending' && item.index > from);
  const next = after[0] || items.find((item) => item.status === 'pending');
  if (next) select(next.index);
  else toast('Every document is decided.');
}

async function renderDocument(item) {
  const doc = state.documents[item.index];
  renderForm(item, doc);
  if (previewFor === item.index) return;
  previewFor = item.index;
  const pane = $('#document');
  pane.replaceChildren(el('p', { class: 'empty' }, 'Loading ' + basename(item.path) + '…'));
  let preview;
  try {
    preview = await api('/api/documents/' + item.index + '/preview');
  } catch (error) {
    preview = { kind: 'none', message: error.message };
  }
  if (previewFor !== item.index) return;
  if (preview.kind === 'pdf') pane.replaceChildren(...Array.from({ length: preview.pages }, (_, page) => el('img', { src: '/api/documents/' + item.index + '/pages/' + (page + 1), alt: 'page ' + (page + 1) })));
  else if (preview.kind === 'image') pane.replaceChildren(el('img', { src: '/api/documents/' + item.index + '/raw', alt: basename(item.path) }));
  else if (preview.kind === 'text') pane.replaceChildren(el('pre', { class: 'text' }, preview.text || '(empty)'));
  else pane.replaceChildren(el('p', { class: 'empty' }, 'No preview: ' + preview.message));
}

// --- the form: one input per field of the schema, line items as a table ---

function typeOf(node) {
  if (!node) return 'any';
  const types = [node.type, ...(node.anyOf || []).map((member) => member.type)].flat().filter((type) => type && type !== 'null');
  if (types.includes('array')) return 'array';
  if (types.includes('object')) return 'object';
  if (types.includes('number') || types.includes('integer')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('string')) return 'string';
  return 'any';
}

function itemSchema(node) {
  const array = node.type === 'array' ? node : (node.anyOf || []).find((member) => member.type === 'array');
  return array && array.items && array.items.properties ? array.items : null;
}

/** Field names a warning speaks of: named outright, or the line items when it speaks of lines. */
function flaggedFields(warnings, properties) {
  const flagged = new Set();
  for (const warning of warnings) {
    const text = warning.toLowerCase();
    for (const name of Object.keys(properties)) {
      const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      if (new RegExp('\\b(' + name.toLowerCase() + '|' + words + ')\\b').test(text)) flagged.add(name);
      if (typeOf(properties[name]) === 'array' && /\bline/.test(text)) flagged.add(name);
    }
  }
  return flagged;
}

function inputFor(name, type, value, onchange) {
  if (type === 'boolean') {
    return el('select', { name, onchange, 'data-type': type }, el('option', { value: '' }, '—'), el('option', { value: 'true' }, 'true'), el('option', { value: 'false' }, 'false'));
  }
  const input = el('input', { name, value: value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value), inputmode: type === 'number' ? 'decimal' : undefined, oninput: onchange, autocomplete: 'off', 'data-type': type });
  return input;
}

function readValue(type, raw) {
  const text = raw.trim();
  if (text === '') return null;
  if (type === 'number') {
    const number = Number(text.replace(/,/g, ''));
    // Not a number: sent as typed, so the schema's refusal names the field.
    return Number.isFinite(number) ? number : text;
  }
  if (type === 'boolean') return text === 'true';
  if (type === 'object' || type === 'any') {
    try { return JSON.parse(text); } catch { return text; }
  }
  return text;
}

function renderForm(item, doc) {
  const properties = state.schema.jsonSchema.properties || {};
  const data = doc.corrected || doc.extracted || blank(properties);
  const warnings = item.status === 'corrected' ? doc.correctionWarnings : doc.warnings;
  const flagged = flaggedFields(warnings, properties);
  const form = el('form', { id: 'field-form', onsubmit: (event) => { event.preventDefault(); save(); } });
  const onchange = () => markChanged();
  for (const [name, node] of Object.entries(properties)) {
    const type = typeOf(node);
    const rowSchema = type === 'array' ? itemSchema(node) : null;
    if (rowSchema) {
      form.append(itemsTable(name, rowSchema, Array.isArray(data[name]) ? data[name] : [], flagged.has(name), onchange));
      continue;
    }
    const input = inputFor(name, type, data[name], onchange);
    if (type === 'boolean' && typeof data[name] === 'boolean') input.value = String(data[name]);
    form.append(el('div', { class: 'field' + (flagged.has(name) ? ' flagged' : ''), 'data-field': name }, el('label', { for: 'f-' + name }, name), (input.id = 'f-' + name, input)));
  }
  form.append(el('button', { type: 'submit', hidden: true }));
  const decision = item.status === 'pending' ? null : el('div', { class: 'decision ' + item.status }, item.status + (item.by ? ' by ' + item.by : '') + (item.at ? ' at ' + new Date(item.at).toLocaleString() : '') + (item.changedFields && item.changedFields.length ? ' · changed ' + item.changedFields.join(', ') : '') + (item.reason ? ' · ' + item.reason : ''));
  const problems = [
    ...(doc.error ? [el('li', { class: 'error' }, doc.error.type + ': ' + doc.error.message)] : []),
    ...warnings.map((warning) => el('li', {}, warning)),
  ];
  const pending = item.status === 'pending';
  $('#fields').replaceChildren(...[
    el('h2', {}, '#' + item.index + ' ' + basename(item.path)),
    el('div', { class: 'sub' }, item.path + (item.issuer ? ' · ' + item.issuer : '')),
    decision,
    problems.length ? el('ul', { class: 'warnings' }, problems) : null,
    form,
    el('div', { class: 'actions' },
      pending ? el('button', { class: 'act primary', id: 'approve', type: 'button', onclick: () => save() }, item.kind === 'failed' ? 'Save (a)' : 'Approve (a)') : null,
      pending ? el('button', { class: 'act danger', id: 'reject', type: 'button', onclick: () => reject() }, 'Reject (r)') : null,
      pending ? null : el('button', { class: 'act', id: 'reopen', type: 'button', onclick: () => reopen() }, 'Reopen (u)'),
      el('button', { class: 'act', type: 'button', onclick: () => move(1) }, 'Next (j)'),
    ),
    el('div', { id: 'refusal' }),
  ].filter(Boolean));
  if (!pending) for (const input of document.querySelectorAll('#fields input, #fields select, #fields textarea, #fields .items-field button')) input.disabled = true;
  formFor = { index: item.index, revision: item.revision };
  initial = JSON.stringify(collect());
}

function blank(properties) {
  return Object.fromEntries(Object.entries(properties).map(([name, node]) => [name, typeOf(node) === 'array' ? [] : null]));
}

function itemsTable(name, rowSchema, rows, flagged, onchange) {
  const columns = Object.keys(rowSchema.properties);
  const body = el('tbody');
  const addRow = (row) => {
    body.append(el('tr', {}, ...columns.map((column) => el('td', {}, inputFor(column, typeOf(rowSchema.properties[column]), row[column], onchange))),
      el('td', {}, el('button', { class: 'act', type: 'button', title: 'remove the line', onclick: (event) => { event.target.closest('tr').remove(); onchange(); } }, '×'))));
  };
  rows.forEach(addRow);
  return el('div', { 'data-field': name, class: 'items-field' },
    el('label', {}, name),
    el('table', { class: 'items' + (flagged ? ' flagged' : ''), 'data-items': name }, el('thead', {}, el('tr', {}, ...columns.map((column) => el('th', {}, column)), el('th'))), body),
    el('button', { class: 'act', type: 'button', onclick: () => { addRow({}); onchange(); } }, '+ line'));
}

function collect() {
  const properties = state.schema.jsonSchema.properties || {};
  const form = $('#field-form');
  const data = {};
  for (const [name, node] of Object.entries(properties)) {
    const table = form.querySelector('table[data-items="' + name + '"]');
    if (table) {
      data[name] = [...table.querySelectorAll('tbody tr')].map((row) => Object.fromEntries([...row.querySelectorAll('input, select')].map((input) => [input.name, readValue(input.dataset.type, input.value)])));
      continue;
    }
    const input = form.querySelector('[name="' + name + '"]');
    data[name] = input ? readValue(input.dataset.type || typeOf(node), input.value) : null;
  }
  return data;
}

function formDirty() {
  return $('#field-form') !== null && initial !== null && JSON.stringify(collect()) !== initial;
}

function markChanged() {
  const original = JSON.parse(initial);
  const now = collect();
  for (const field of document.querySelectorAll('#field-form [data-field]')) {
    const name = field.dataset.field;
    field.classList.toggle('changed', JSON.stringify(original[name]) !== JSON.stringify(now[name]));
  }
}

function showRefusal(message, retry) {
  $('#refusal').replaceChildren(el('div', { class: 'refusal' }, message, retry ? el('div', {}, el('button', { class: 'act', type: 'button', id: 'accept-warnings', onclick: retry }, 'Save anyway: the document says so')) : null));
}

/** Approve, or correct when a field changed (a failed document is always a correction). */
async function save(acceptWarnings = false) {
  const item = current();
  if (!item || item.status !== 'pending') return;
  const changed = formDirty() || item.kind === 'failed';
  try {
    if (changed) await api('/api/documents/' + item.index + '/correct', { data: collect(), ...(acceptWarnings ? { acceptWarnings: true } : {}) });
    else await api('/api/documents/' + item.index + '/approve', {});
  } catch (error) {
    showRefusal(error.message, /acceptWarnings/.test(error.message) ? () => save(true) : null);
    return;
  }
  toast((changed ? 'Corrected' : 'Approved') + ' #' + item.index);
  formFor = null;
  await refresh();
  moveToNextPending(item.index);
}

async function reject() {
  const item = current();
  if (!item || item.status !== 'pending') return;
  const reason = window.prompt('Why is #' + item.index + ' rejected?');
  if (reason === null) return;
  try {
    await api('/api/documents/' + item.index + '/reject', { reason });
  } catch (error) {
    showRefusal(error.message);
    return;
  }
  toast('Rejected #' + item.index);
  formFor = null;
  await refresh();
  moveToNextPending(item.index);
}

async function reopen() {
  const item = current();
  if (!item || item.status === 'pending') return;
  try {
    await api('/api/documents/' + item.index + '/reopen', {});
  } catch (error) {
    showRefusal(error.message);
    return;
  }
  toast('Reopened #' + item.index);
  formFor = null;
  await refresh();
}

document.addEventListener('keydown', (event) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
  if (typing) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); save(); }
    if (event.key === 'Escape') event.target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const actions = { a: () => save(), r: () => reject(), u: () => reopen(), j: () => move(1), k: () => move(-1), ArrowDown: () => move(1), ArrowUp: () => move(-1) };
  const run = actions[event.key];
  if (run) { event.preventDefault(); run(); }
});
for (const id of ['#filter-status', '#filter-check', '#filter-issuer', '#filter-failure']) $(id).addEventListener('change', () => { selected = null; renderQueue(); const item = current(); if (item) renderDocument(item); });

refresh();
setInterval(refresh, 3000);
`;
