// The page's script: take a dropped or chosen file, scan it in a worker with scanBlob(), move the
// progress bar, and fill the stats table. Served from the package root (see serve.mjs), so the
// library is reached by a relative URL. `?window=BYTES` sets the window size (tests use small ones).

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

async function scan(file) {
  running?.abort();
  const controller = new AbortController();
  running = controller;
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
      delimiter: $('delimiter').value.charCodeAt(0),
      header: $('header').checked,
      ...(windowParameter ? { window: Number(windowParameter) } : {}),
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
      column.name, numberText(column.count), numberText(column.empty), numberText(column.invalid), sumText(column),
      numberText(column.min), numberText(column.max), numberText(column.mean), numberText(column.stddev), invalidText(column),
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
}

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
