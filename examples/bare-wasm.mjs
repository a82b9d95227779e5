// The csvscan kernel driven with nothing but the WebAssembly API: no csvscan host code, so this is
// what a host in another language (Go, Rust, Python, C via a Wasm runtime) has to do. The protocol
// and the memory layout are in docs/kernel-abi.md.
//
//   node examples/bare-wasm.mjs [FILE.csv [COLUMN]]      (after `npm run build:kernel`)
//
// prints the data records, the numbers in COLUMN (default: price) and their sum, exact when every
// number is in the exact domain, else the double csvscan prints: `rows`, `count` and `sum_text`
// (else `sum`) of `csvscan sum FILE -c COLUMN --json`. The input is comma-separated with a header
// record.

import { readFileSync } from 'node:fs';

// ---- the ABI (docs/kernel-abi.md; a test checks these against assembly/layout.ts) -----------------
const LAYOUT_VERSION = 9;
const PAGE_SIZE = 65536;
const CONFIG_OFFSET = 65536;
const CONFIG_DELIMITER = 0;
const CONFIG_QUOTE = 4;
const CONFIG_FLAGS = 8;
const CONFIG_SLOT_COUNT = 12;
const CONFIG_MAPPED_FIELDS = 16;
const CONFIG_START_OFFSET = 32;
const CONFIG_STOP_OFFSET = 40;
const FLAG_HEADER = 1;
const RESULTS_OFFSET = 69632;
const RESULT_RECORDS = 0;
const RESULT_QUOTE_LINE = 56;
const RESULT_QUOTE_BYTE = 64;
const STATUS_UNTERMINATED_QUOTE = 1;
const STATUS_STOPPED = 2;
const COLUMN_MAP_OFFSET = 131072;
const SLOTS_OFFSET = 262144;
const SLOT_COUNT = 0;
const SLOT_OUTSIDE = 24;
const SLOT_MIN = 32;
const SLOT_MAX = 40;
const SLOT_FSUM = 48;
const SLOT_FSUM_COMP = 56;
const SLOT_SHIFT = 160;
const SLOT_FDEV = 168;
const SLOT_FDEV_COMP = 176;
const SLOT_SUMS = 256;
const SUM_EXP_MIN = -35;
const SUM_BUCKETS = 53;
const WINDOW_OFFSET = 6553600;
const WINDOW_SLACK = 64;

const file = process.argv[2] ?? new URL('./prices.csv', import.meta.url);
const columnName = process.argv[3] ?? 'price';
const csv = readFileSync(file);
const windowSize = 256; // tiny, so that even the sample spans several windows; real hosts use ~1 MiB

// ---- 1. Instantiate. The one import rounds rare numbers (over 19 digits) with a correct parser. ----
const latin1 = new TextDecoder('latin1');
const wasm = readFileSync(new URL('../build/kernel/simd.wasm', import.meta.url));
const { instance } = await WebAssembly.instantiate(wasm, {
  env: {
    parseNumberText: (pointer, length) => Number(latin1.decode(new Uint8Array(kernel.memory.buffer, pointer, length))),
  },
});
const kernel = instance.exports;
if (kernel.layoutVersion() !== LAYOUT_VERSION) {
  throw new Error(`kernel layout ${kernel.layoutVersion()}, this host speaks ${LAYOUT_VERSION}`);
}
kernel._start?.(); // AssemblyScript's start function: initialises the kernel's globals

// ---- 2. What the kernel leaves to its host: the BOM and the column names. -----------------------
const start = csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf ? 3 : 0;
// A plain split is enough for this sample's header; a header with quoted names needs the CSV
// grammar (csvscan's host: src/scan/header.ts).
const names = latin1.decode(csv.subarray(start, csv.indexOf(0x0a, start))).replace(/\r$/, '').split(',');
let field = names.indexOf(columnName);
if (field < 0 && /^[0-9]+$/.test(columnName)) field = Number(columnName) - 1;
if (field < 0) throw new Error(`unknown column ${columnName}; columns: ${names.join(', ')}`);

// ---- 3. Room for the window. Growing detaches every view of the old buffer: take views after. ----
const needed = WINDOW_OFFSET + windowSize + WINDOW_SLACK; // the kernel reads whole blocks past the end
if (kernel.memory.buffer.byteLength < needed) {
  kernel.memory.grow(Math.ceil((needed - kernel.memory.buffer.byteLength) / PAGE_SIZE));
}
const bytes = new Uint8Array(kernel.memory.buffer);
const view = new DataView(kernel.memory.buffer);

// ---- 4. Configure, then reset(). i64 fields are BigInts; everything is little-endian. -----------
bytes.fill(0, CONFIG_OFFSET, CONFIG_OFFSET + 1024);
view.setInt32(CONFIG_OFFSET + CONFIG_DELIMITER, 0x2c, true); // ,
view.setInt32(CONFIG_OFFSET + CONFIG_QUOTE, 0x22, true); //     "
view.setInt32(CONFIG_OFFSET + CONFIG_FLAGS, FLAG_HEADER, true);
view.setInt32(CONFIG_OFFSET + CONFIG_SLOT_COUNT, 1, true);
view.setInt32(CONFIG_OFFSET + CONFIG_MAPPED_FIELDS, field + 1, true);
view.setBigInt64(CONFIG_OFFSET + CONFIG_START_OFFSET, BigInt(start), true);
view.setBigInt64(CONFIG_OFFSET + CONFIG_STOP_OFFSET, -1n, true); // no stop: scan to the end
const columnMap = new Int16Array(kernel.memory.buffer, COLUMN_MAP_OFFSET, field + 1);
columnMap.fill(-1); // fields not accumulated
columnMap[field] = 0; // this field goes to slot 0
kernel.reset();

// ---- 5. One scan() per window, then finish(). ----------------------------------------------------
for (let at = start; at < csv.length; at += windowSize) {
  const piece = csv.subarray(at, at + windowSize);
  bytes.set(piece, WINDOW_OFFSET);
  if (kernel.scan(piece.length) === STATUS_STOPPED) break; // only with a stop offset
}
if (kernel.finish() === STATUS_UNTERMINATED_QUOTE) {
  const line = view.getBigInt64(RESULTS_OFFSET + RESULT_QUOTE_LINE, true);
  const byte = view.getBigInt64(RESULTS_OFFSET + RESULT_QUOTE_BYTE, true);
  console.error(`${file}: line ${line} (byte ${byte}): quoted field never closed`);
  process.exit(1);
}

// ---- 6. Results. SUM bucket b holds an i128 count of 10^(b + SUM_EXP_MIN) units. ----------------
const rows = view.getBigInt64(RESULTS_OFFSET + RESULT_RECORDS, true);
const slot = SLOTS_OFFSET + 0; // slot 0
let units = 0n; // the exact sum in units of 10^SUM_EXP_MIN
for (let b = 0; b < SUM_BUCKETS; b++) {
  const low = view.getBigUint64(slot + SLOT_SUMS + 16 * b, true);
  const high = view.getBigInt64(slot + SLOT_SUMS + 16 * b + 8, true);
  units += ((high << 64n) | low) * 10n ** BigInt(b);
}
const numbers = view.getBigInt64(slot + SLOT_COUNT, true);
const outside = view.getBigInt64(slot + SLOT_OUTSIDE, true);
const f64 = (field) => view.getFloat64(slot + field, true);
// With a number outside the exact domain there is no exact sum: those numbers come as doubles
// (docs/kernel-abi.md, "From a slot to statistics"), added to the exact sum as exact rationals over
// 10^35 x 2^1074 and rounded once.
let sum;
if (outside === 0n) {
  sum = decimalText(units, -SUM_EXP_MIN);
} else if (f64(SLOT_MAX) === Infinity || f64(SLOT_MIN) === -Infinity) {
  sum = String(f64(SLOT_MAX) === Infinity ? (f64(SLOT_MIN) === -Infinity ? NaN : Infinity) : -Infinity);
} else {
  let doubles; // the sum of the doubles outside the domain, in units of 2^-1074
  if (Number.isFinite(f64(SLOT_FSUM)) && Number.isFinite(f64(SLOT_FSUM_COMP))) {
    doubles = doubleUnits(f64(SLOT_FSUM)) + doubleUnits(f64(SLOT_FSUM_COMP));
  } else if (Number.isFinite(f64(SLOT_FDEV) + f64(SLOT_FDEV_COMP))) {
    // the running sum overflowed: the deviations from the shift still hold it
    doubles = outside * doubleUnits(f64(SLOT_SHIFT)) + doubleUnits(f64(SLOT_FDEV)) + doubleUnits(f64(SLOT_FDEV_COMP));
  }
  const unit = 10n ** BigInt(-SUM_EXP_MIN) * 2n ** 1074n;
  sum = String(doubles === undefined ? f64(SLOT_FSUM) : nearestDouble(units * 2n ** 1074n + doubles * 10n ** BigInt(-SUM_EXP_MIN), unit));
}

console.log(`rows\t${rows}`);
console.log(`count\t${numbers}`);
console.log(`sum\t${sum}`);

/** A finite double as an exact BigInt count of 2^-1074. */
function doubleUnits(value) {
  const bits = new BigUint64Array(new Float64Array([value]).buffer)[0];
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const units = exponent === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(exponent - 1);
  return bits >> 63n ? -units : units;
}

/** The double nearest to numerator / denominator (denominator > 0), ties to even, rounded once. */
function nearestDouble(numerator, denominator) {
  if (numerator === 0n) return 0;
  const magnitude = numerator < 0n ? -numerator : numerator;
  const bits = (value) => value.toString(2).length;
  // 2^exponent <= magnitude / denominator < 2^(exponent + 1)
  let exponent = bits(magnitude) - bits(denominator);
  if (exponent >= 0 ? magnitude < denominator << BigInt(exponent) : magnitude << BigInt(-exponent) < denominator) exponent--;
  const last = Math.max(exponent - 52, -1074); // the result's last bit is worth 2^last (subnormals: 2^-1074)
  const [top, bottom] = last >= 0 ? [magnitude, denominator << BigInt(last)] : [magnitude << BigInt(-last), denominator];
  let quotient = top / bottom;
  const twice = 2n * (top - quotient * bottom);
  if (twice > bottom || (twice === bottom && (quotient & 1n) === 1n)) quotient++;
  const value = Number(quotient) * 2 ** last; // exact: quotient <= 2^53 (Infinity past the double range)
  return numerator < 0n ? -value : value;
}

/** `units` x 10^-scale as a plain decimal: no exponent, no trailing zeros after the point. */
function decimalText(value, scale) {
  if (value === 0n) return '0';
  const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${value < 0n ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
