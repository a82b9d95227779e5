// Papa Parse, streaming: a UTF-8 file stream parsed chunk by chunk, the columns summed in doubles
// (see common.mjs). Usage: node bench/peers/papaparse.mjs count|sum|stats FILE [COLUMN ...]

import { createReadStream } from 'node:fs';
import { columnIndexes, printResult, startRunner, STREAM_CHUNK_BYTES } from './common.mjs';

const { file, columns, peer, accumulators } = await startRunner('papaparse');
const Papa = peer.default;
let indexes = null;
let rows = 0;

await new Promise((resolve, reject) => {
  Papa.parse(createReadStream(file, { encoding: 'utf8', highWaterMark: STREAM_CHUNK_BYTES }), {
    skipEmptyLines: true,
    chunk(results) {
      for (const record of results.data) {
        if (indexes === null) {
          // The first record is the header: it names the columns.
          indexes = columnIndexes(record, columns);
          continue;
        }
        rows++;
        for (let i = 0; i < indexes.length; i++) accumulators[i].add(record[indexes[i]]);
      }
    },
    complete: resolve,
    error: reject,
  });
});

printResult('papaparse', 1, rows, accumulators);
