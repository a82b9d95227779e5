// The page's script: take a dropped or chosen file, scan it in a worker with scanBlob(), move the
// progress bar, and fill the stats table. Then the "count rows by" chooser lists the file's columns:
// choosing one runs `count` with `by: [column]` and `top: GROUP_TOP` in the worker and fills the
// grouped table (key, rows), as `csvscan count FILE --by COLUMN --top 100` prints it. Served from the
// package root (see serve.mjs), so the library is reached by a relative URL. `?window=BYTES` sets the
// window size (tests use small ones).

/** Groups shown at most (the most frequent first); group_count says how many there are in all. */
const GROUP_TOP = 100;

import { scanBlob } from '../../build/host/src/browser/index.js';

const $ = (id) => document.getElementById(id);
const input = $('file');
const drop = $('drop');
const progress = $('progress');
const status = $('status');
const table = $('stats');
const rowsBody = table.querySelector('tbody');
const windowParameter = new URLSearchParams(location.search).get('window');

/** The CLI's text forms: the exact sum when there is one, shortest round-trip numbers, blank for null. */
const numberText = (value) => (value === null ? '' : String(value));
const sumText = (column) => column.sum_text ?? numberText(column.sum);
const invalidText = (column) => (column.first_invalid ? `line ${column.first_invalid.line}: ${column.first_invalid.value}` : '');

let running = null; // the AbortController of the scan in progress
let grouping = null; // the AbortController of the grouped scan in progress
let current = null; // the file and the options its stats were scanned with

/** Options of the file's scans: delimiter, header and window as the page's controls say. */
function scanOptions() {
  return {
    delimiter: $('delimiter').value.charCodeAt(0),
    header: $('header').checked,
    ...(windowParameter ? { window: Number(windowParameter) } : {}),
  };
}

/** Hides the grouped part: a new file (or a failed scan) has other columns. */
function resetGrouping() {
  grouping?.abort();
  grouping = null;
  $('grouping').hidden = true;
  $('groups').hidden = true;
  $('group-error').textContent = '';
  $('group-status').textContent = '';
  $('groups').querySelector('tbody').replaceChildren();
  const chooser = $('group-by');
  chooser.replaceChildren(chooser.options[0]);
  chooser.value = '';
  delete document.body.dataset.groups;
}

async function scan(file) {
  running?.abort();
  resetGrouping();
  const controller = new AbortController();
  running = controller;
  current = { file, options: scanOptions() };
  document.body.dataset.state = 'scanning';
  $('error').textContent = '';
  table.hidden = true;
  $('summary').hidden = true;
  rowsBody.replaceChildren();
  progress.max = Math.max(file.size, 1);
  progress.value = 0;
  status.textContent = `Scanning ${file.name}…`;
  const started = performance.now();
  try {
    const result = await scanBlob(file, {
      mode: 'stats',
      // the column profile: distinct values and quartiles (csvscan stats --all)
      distinct: true,
      quantiles: true,
      ...current.options,
      signal: controller.signal,
      onProgress(done, total) {
        progress.value = done;
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? ` at ${(done / 1e6 / seconds).toFixed(1)} MB/s` : '';
        status.textContent = `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB${rate}`;
      },
    });
    progress.value = progress.max;
    show(result);
    const seconds = (performance.now() - started) / 1000;
    status.textContent = `Done: ${result.rows} rows in ${seconds.toFixed(2)} s`;
    document.body.dataset.state = 'done';
  } catch (error) {
    if (controller.signal.aborted) return; // a newer file took over
    $('error').textContent = error.message;
    status.textContent = '';
    document.body.dataset.state = 'error';
  }
}

/** The distinct count, `~` marking an estimate (as the CLI's table does). */
function distinctText(column) {
  if (column.distinct === null) return '';
  return `${column.distinct_exact ? '' : '~'}${column.distinct}`;
}

function show(result) {
  $('summary-file').textContent = result.file;
  $('summary-rows').textContent = String(result.rows);
  $('summary-bytes').textContent = String(result.bytes);
  $('summary-short').textContent = String(result.ragged.short);
  $('summary-long').textContent = String(result.ragged.long);
  $('summary').hidden = false;
  for (const column of result.columns ?? []) {
    const row = document.createElement('tr');
    const cells = [
      column.name, column.type, numberText(column.count), numberText(column.empty), numberText(column.invalid), sumText(column),
      numberText(column.min), numberText(column.max), numberText(column.mean), numberText(column.stddev),
      numberText(column.min_length), numberText(column.max_length), distinctText(column),
      numberText(column.q1), numberText(column.median), numberText(column.q3), invalidText(column),
    ];
    cells.forEach((text, index) => {
      const cell = document.createElement(index === 0 ? 'th' : 'td');
      if (index === 0) cell.scope = 'row';
      if (index === cells.length - 1) cell.className = 'text';
      cell.textContent = text;
      row.append(cell);
    });
    rowsBody.append(row);
  }
  table.hidden = false;
  offerGrouping(result.columns ?? []);
}

/** Lists the file's columns in the chooser: by 1-based index, so that duplicate names still work. */
function offerGrouping(columns) {
  const chooser = $('group-by');
  for (const column of columns) {
    const option = document.createElement('option');
    option.value = String(column.index);
    option.textContent = column.name;
    chooser.append(option);
  }
  $('grouping').hidden = columns.length === 0;
}

async function countBy(index) {
  grouping?.abort();
  const controller = new AbortController();
  grouping = controller;
  const { file, options } = current;
  const body = $('groups').querySelector('tbody');
  document.body.dataset.groups = 'scanning';
  $('group-error').textContent = '';
  $('groups').hidden = true;
  body.replaceChildren();
  $('group-status').textContent = 'Counting…';
  const started = performance.now();
  try {
    const result = await scanBlob(file, { mode: 'count', by: [index], top: GROUP_TOP, ...options, signal: controller.signal });
    $('group-key').textContent = result.by[0];
    for (const group of result.groups) {
      const row = document.createElement('tr');
      const key = document.createElement('td');
      key.textContent = group.key[0];
      const rows = document.createElement('td');
      rows.textContent = String(group.rows);
      row.append(key, rows);
      body.append(row);
    }
    $('group-count').textContent = String(result.group_count);
    $('group-shown').textContent = result.groups.length < result.group_count ? `, the ${result.groups.length} most frequent shown` : '';
    $('groups').hidden = false;
    $('group-status').textContent = `Done in ${((performance.now() - started) / 1000).toFixed(2)} s`;
    document.body.dataset.groups = 'done';
  } catch (error) {
    if (controller.signal.aborted) return; // another column or file took over
    $('group-error').textContent = error.message;
    $('group-status').textContent = '';
    document.body.dataset.groups = 'error';
  }
}

$('group-by').addEventListener('change', () => {
  const index = Number($('group-by').value);
  if (index > 0 && current) countBy(index);
});

input.addEventListener('change', () => {
  if (input.files?.[0]) scan(input.files[0]);
});
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer?.files?.[0];
  if (file) scan(file);
});
