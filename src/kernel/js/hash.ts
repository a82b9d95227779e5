// MurmurHash3_x86_128 (seed 0) fed in pieces, as assembly/profile.ts computes it: the JavaScript
// engine's hash of a value for stats --distinct. 32-bit arithmetic with Math.imul, as the kernel's
// i32 operations; the words must come out identical.

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35 | 0);
  h ^= h >>> 16;
  return h;
}

export class Murmur128 {
  h1 = 0;
  h2 = 0;
  h3 = 0;
  h4 = 0;
  private readonly tail = new Uint8Array(16);
  private tailLength = 0;
  private length = 0;

  reset(): void {
    this.h1 = this.h2 = this.h3 = this.h4 = 0;
    this.tailLength = 0;
    this.length = 0;
  }

  private mix(b1: number, b2: number, b3: number, b4: number): void {
    let { h1, h2, h3, h4 } = this;
    h1 ^= Math.imul(rotl(Math.imul(b1, C1), 15), C2);
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(b2, C2), 16), C3);
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    h3 ^= Math.imul(rotl(Math.imul(b3, C3), 17), C4);
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + (0x96cd1c35 | 0)) | 0;
    h4 ^= Math.imul(rotl(Math.imul(b4, C4), 18), C1);
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
  }

  byte(c: number): void {
    const tail = this.tail;
    tail[this.tailLength++] = c;
    this.length++;
    if (this.tailLength === 16) {
      this.mix(word(tail, 0), word(tail, 4), word(tail, 8), word(tail, 12));
      this.tailLength = 0;
    }
  }

  /** bytes[from, to) */
  run(bytes: Uint8Array, from: number, to: number): void {
    let p = from;
    while (this.tailLength !== 0 && p < to) this.byte(bytes[p++]!);
    const blocks = p;
    while (to - p >= 16) {
      this.mix(word(bytes, p), word(bytes, p + 4), word(bytes, p + 8), word(bytes, p + 12));
      p += 16;
    }
    this.length += p - blocks;
    while (p < to) this.byte(bytes[p++]!);
  }

  /** The value is complete: h1..h4 become its hash (as signed 32-bit integers). */
  finish(): void {
    const tail = this.tail;
    tail.fill(0, this.tailLength);
    const n = this.tailLength;
    let { h1, h2, h3, h4 } = this;
    if (n > 12) h4 ^= Math.imul(rotl(Math.imul(word(tail, 12), C4), 18), C1);
    if (n > 8) h3 ^= Math.imul(rotl(Math.imul(word(tail, 8), C3), 17), C4);
    if (n > 4) h2 ^= Math.imul(rotl(Math.imul(word(tail, 4), C2), 16), C3);
    if (n > 0) h1 ^= Math.imul(rotl(Math.imul(word(tail, 0), C1), 15), C2);
    const length = this.length | 0;
    h1 ^= length;
    h2 ^= length;
    h3 ^= length;
    h4 ^= length;
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h3 = fmix(h3);
    h4 = fmix(h4);
    h1 = (h1 + h2 + h3 + h4) | 0;
    this.h1 = h1;
    this.h2 = (h2 + h1) | 0;
    this.h3 = (h3 + h1) | 0;
    this.h4 = (h4 + h1) | 0;
  }
}

/** The little-endian 32-bit word at bytes[at] (as the kernel's load<u32>). */
function word(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}
