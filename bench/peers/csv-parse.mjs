// csv-parse (the node-csv project), streaming: a file stream piped through its parser, one record
// per 'data' event, the columns summed in doubles (see common.mjs).
// Usage: node bench/peers/csv-parse.mjs count|sum|stats FILE [COLUMN ...]

import { createReadStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { columnIndexes, printResult, startRunner, STREAM_CHUNK_BYTES } from './common.mjs';

const { file, columns, peer, accumulators } = await startRunner('csv-parse');
const { parse } = peer;
let indexes = null;
let rows = 0;

// relax_column_count: a short or long record is counted like csvscan does, not an error.
const parser = createReadStream(file, { highWaterMark: STREAM_CHUNK_BYTES }).pipe(
  parse({ skip_empty_lines: true, relax_column_count: true }),
);
parser.on('data', (record) => {
  if (indexes === null) {
    // The first record is the header: it names the columns.
    indexes = columnIndexes(record, columns);
    return;
  }
  rows++;
  for (let i = 0; i < indexes.length; i++) accumulators[i].add(record[indexes[i]]);
});
await finished(parser);

printResult('csv-parse', 1, rows, accumulators);
