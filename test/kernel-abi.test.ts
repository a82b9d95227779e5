// The kernel ABI as docs/kernel-abi.md states it, checked on the bare module (no csvscan host code
// between the test and the kernel) for both builds: a zeroed CONFIG, the text handed to
// env.parseNumberText, the results after STATUS_UNTERMINATED_QUOTE, and RESULT_BYTES after a BOM.

import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.js';
import { createEngine, loadEngine } from '../src/kernel/engine.js';
import { loadKernelModule } from '../src/kernel/kernel-module.js';
import type { KernelVariant } from '../src/kernel/types.js';

const VARIANTS: readonly KernelVariant[] = ['simd', 'scalar'];
const WINDOWS = [1, 7, 4096];
const latin1 = new TextDecoder('latin1');
const encode = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);

/** A kernel instance driven through its exports and memory only, as another host drives it. */
class BareKernel {
  /** every text the kernel handed to env.parseNumberText */
  readonly numberTexts: string[] = [];
  private readonly exports: {
    memory: WebAssembly.Memory;
    reset(): void;
    scan(length: number): number;
    finish(): number;
    layoutVersion(): number;
    _start(): void;
  };

  constructor(variant: KernelVariant, parse: (text: string) => number = Number) {
    const instance = new WebAssembly.Instance(loadKernelModule(variant), {
      env: {
        parseNumberText: (pointer: number, length: number): number => {
          const text = latin1.decode(new Uint8Array(this.exports.memory.buffer, pointer, length));
          this.numberTexts.push(text);
          return parse(text);
        },
      },
    });
    this.exports = instance.exports as unknown as BareKernel['exports'];
    this.exports._start();
  }

  get view(): DataView {
    return new DataView(this.exports.memory.buffer);
  }

  /** Zero CONFIG, let `configure` write what it wants, reset(); slot s takes field s. */
  configure(configure: (view: DataView) => void, slots = 0): void {
    new Uint8Array(this.exports.memory.buffer).fill(0, L.CONFIG_OFFSET, L.CONFIG_OFFSET + 1024);
    const view = this.view;
    configure(view);
    view.setInt32(L.CONFIG_OFFSET + L.CONFIG_SLOT_COUNT, slots, true);
    view.setInt32(L.CONFIG_OFFSET + L.CONFIG_MAPPED_FIELDS, slots, true);
    for (let s = 0; s < slots; s++) view.setInt16(L.COLUMN_MAP_OFFSET + 2 * s, s, true);
    this.exports.reset();
  }

  /** Feed `input` in windows of `window` bytes, then finish(); the statuses of the last scan() and of finish(). */
  feed(input: Uint8Array, window: number): { scanned: number; finished: number } {
    let scanned: number = L.STATUS_OK;
    for (let at = 0; at < input.length && scanned !== L.STATUS_STOPPED; at += window) {
      const piece = input.subarray(at, at + window);
      new Uint8Array(this.exports.memory.buffer).set(piece, L.WINDOW_OFFSET);
      scanned = this.exports.scan(piece.length);
    }
    return { scanned, finished: this.exports.finish() };
  }

  result(field: number): number {
    return Number(this.view.getBigInt64(L.RESULTS_OFFSET + field, true));
  }

  slot(slot: number, field: number): number {
    return Number(this.view.getBigInt64(L.SLOTS_OFFSET + slot * L.SLOT_SIZE + field, true));
  }
}

const delimiterAndQuote = (view: DataView): void => {
  view.setInt32(L.CONFIG_OFFSET + L.CONFIG_DELIMITER, 0x2c, true);
  view.setInt32(L.CONFIG_OFFSET + L.CONFIG_QUOTE, 0x22, true);
};

/** The delimiter, the quote and `flags`, with no stop offset (-1). */
const dialect = (flags: number) => (view: DataView): void => {
  delimiterAndQuote(view);
  view.setInt32(L.CONFIG_OFFSET + L.CONFIG_FLAGS, flags, true);
  view.setBigInt64(L.CONFIG_OFFSET + L.CONFIG_STOP_OFFSET, -1n, true);
};

describe('a zeroed CONFIG (issue 16, gap 3)', () => {
  const text = 'name,price\n"a,b",1\n\nc,2\r\nd,"3\n"\ne,4\n';
  const records = 5; // the header is data without FLAG_HEADER; the empty line is no record

  for (const variant of VARIANTS) {
    it(`scans the whole input when only the delimiter and quote are written (${variant})`, () => {
      const kernel = new BareKernel(variant);
      for (const window of WINDOWS) {
        kernel.configure(delimiterAndQuote);
        expect(kernel.feed(encode(text), window), `window ${window}`).toEqual({ scanned: L.STATUS_OK, finished: L.STATUS_OK });
        expect(kernel.result(L.RESULT_RECORDS), `window ${window}`).toBe(records);
        expect(kernel.result(L.RESULT_STOP_POSITION)).toBe(-1);
        expect(kernel.result(L.RESULT_BYTES)).toBe(text.length);
      }
    });

    it(`still stops at a positive stop offset (${variant})`, () => {
      const kernel = new BareKernel(variant);
      for (const window of WINDOWS) {
        kernel.configure((view) => {
          delimiterAndQuote(view);
          view.setBigInt64(L.CONFIG_OFFSET + L.CONFIG_STOP_OFFSET, 12n, true); // inside "a,b",1
        });
        expect(kernel.feed(encode(text), window).scanned, `window ${window}`).toBe(L.STATUS_STOPPED);
        expect(kernel.result(L.RESULT_RECORDS)).toBe(2);
        expect(kernel.result(L.RESULT_STOP_POSITION)).toBe(text.indexOf('\n\nc') + 1);
        // bytes fed up to the stop position (the start offset is 0)
        expect(kernel.result(L.RESULT_BYTES), `window ${window}`).toBe(text.indexOf('\n\nc') + 1);
      }
    });
  }

  it('means "no stop" to the JS engine too', async () => {
    await loadEngine('js');
    for (const name of ['js', 'wasm', 'wasm-scalar'] as const) {
      const engine = createEngine(name);
      const window = engine.window(7);
      engine.configure({
        dialect: { delimiter: 0x2c, quote: 0x22, header: false },
        slotFields: [],
        allFields: false,
        mode: 'count',
        startOffset: 0,
        stopOffset: 0,
        midFile: false,
      });
      const input = encode(text);
      for (let at = 0; at < input.length; at += window.length) {
        const piece = input.subarray(at, at + window.length);
        window.set(piece);
        engine.scan(piece.length);
      }
      engine.finish();
      expect(engine.results().records, name).toBe(records);
    }
  });
});

describe('env.parseNumberText (gap 4)', () => {
  const stopNone = dialect(L.FLAG_HEADER);

  for (const variant of VARIANTS) {
    it(`receives digits, "e" and a decimal exponent: no sign, point, space or quote (${variant})`, () => {
      const fields = [' -1.2345678901234567890123 ', '"+1e400"', '-1E-400', '123456789012345678', '0.000000000000000000000000000001', '0e999', '2.5'];
      const kernel = new BareKernel(variant);
      for (const window of WINDOWS) {
        kernel.numberTexts.length = 0;
        kernel.configure(stopNone, 1);
        kernel.feed(encode(`x\n${fields.join('\n')}\n`), window);
        expect(kernel.slot(0, L.SLOT_COUNT)).toBe(fields.length);
        for (const text of kernel.numberTexts) expect(text).toMatch(/^[1-9][0-9]*e-?[0-9]+$/);
        // the values, unsigned, in field order (0e999 and 2.5 the kernel rounds itself)
        expect(kernel.numberTexts.map(Number), `window ${window}`).toEqual(['1.2345678901234567890123', '1e400', '0', '123456789012345678', '1e-30'].map(Number));
      }
    });

    it(`takes Infinity and 0 back as the double of an overflowing and an underflowing text (${variant})`, () => {
      const kernel = new BareKernel(variant);
      kernel.configure(stopNone, 1);
      kernel.feed(encode('x\n-1e400\n1e-400\n5\n'), 4096);
      expect(kernel.view.getFloat64(L.SLOTS_OFFSET + L.SLOT_MIN, true)).toBe(-Infinity);
      expect(kernel.view.getFloat64(L.SLOTS_OFFSET + L.SLOT_MAX, true)).toBe(5);
      expect(kernel.slot(0, L.SLOT_OUTSIDE)).toBe(2);
    });
  }
});

describe('results after STATUS_UNTERMINATED_QUOTE (gap 5) and RESULT_BYTES after a BOM (gap 6)', () => {
  for (const variant of VARIANTS) {
    it(`counts the records ended before the open quote's record, and its earlier fields in the slots (${variant})`, () => {
      const text = 'a,b,c\n1,2,3\n4,5,"6\n7,8,9\n';
      const kernel = new BareKernel(variant);
      for (const window of WINDOWS) {
        kernel.configure(dialect(L.FLAG_HEADER), 3);
        expect(kernel.feed(encode(text), window).finished).toBe(L.STATUS_UNTERMINATED_QUOTE);
        expect(kernel.result(L.RESULT_QUOTE_LINE)).toBe(3);
        expect(kernel.result(L.RESULT_QUOTE_BYTE)).toBe(text.indexOf('"'));
        expect(kernel.result(L.RESULT_RECORDS), `window ${window}`).toBe(1);
        expect([0, 1, 2].map((slot) => kernel.slot(slot, L.SLOT_COUNT))).toEqual([2, 2, 1]);
        expect(kernel.result(L.RESULT_LINES)).toBe(4);
        expect(kernel.result(L.RESULT_BYTES)).toBe(text.length);
      }
    });

    it(`leaves a skipped BOM out of RESULT_BYTES (${variant})`, () => {
      const kernel = new BareKernel(variant);
      const input = encode('\xef\xbb\xbfa\n1\n');
      kernel.configure((view) => {
        dialect(0)(view);
        view.setBigInt64(L.CONFIG_OFFSET + L.CONFIG_START_OFFSET, 3n, true);
      });
      kernel.feed(input.subarray(3), 7);
      expect(kernel.result(L.RESULT_BYTES)).toBe(input.length - 3);
      expect(kernel.result(L.RESULT_FIRST_RECORD)).toBe(3);
    });
  }
});
