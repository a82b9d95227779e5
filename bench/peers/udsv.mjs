// uDSV, incremental: UTF-8 chunks of a file stream fed to parser.chunk() with a row callback (no
// accumulation), the schema inferred from the first chunk, the columns summed in doubles from the
// string fields (see common.mjs). Usage: node bench/peers/udsv.mjs count|sum|stats FILE [COLUMN ...]

import { createReadStream } from 'node:fs';
import { columnIndexes, printResult, startRunner, STREAM_CHUNK_BYTES } from './common.mjs';

const { file, columns, peer, accumulators } = await startRunner('udsv');
const { inferSchema, initParser } = peer;
let indexes = [];
let rows = 0;

const addRecord = (record) => {
  rows++;
  for (let i = 0; i < indexes.length; i++) accumulators[i].add(record[indexes[i]]);
};

let parser = null;
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: STREAM_CHUNK_BYTES })) {
  if (parser === null) {
    // The schema (delimiters, quoting, header names) comes from the first chunk; its header row is
    // consumed by the parser, not passed to addRecord.
    parser = initParser(inferSchema(chunk));
    indexes = columnIndexes(parser.schema.cols.map((column) => column.name), columns);
  }
  parser.chunk(chunk, parser.stringArrs, addRecord);
}
parser?.end();

printResult('udsv', 1, rows, accumulators);
