// A ring of byte slots in a SharedArrayBuffer, between one producer thread (the gzip worker,
// gunzip-worker.ts) and one consumer thread (the scan, through gunzip-source.ts). Both sides block
// with Atomics.wait, never with the event loop: the scan is synchronous, so the consumer cannot
// await, and the producer must stop while every slot is full.
//
// The producer fills a slot, writes its length, then publishes it; the consumer copies out of it
// and releases it. Each side counts its own events in a word of its own, and the other side waits on
// that word with the value it saw before it looked at the state, so a wake-up cannot be missed.

const SLOT_BYTES = 1 << 20;
const SLOT_COUNT = 8;
/** slot numbers wrap at 2^32: `& SLOT_MASK` (SLOT_COUNT is a power of two) stays right past it */
const SLOT_MASK = SLOT_COUNT - 1;
const MESSAGE_BYTES = 2048;

// Int32 control words
/** slots published by the producer */
const PRODUCED = 0;
/** slots released by the consumer */
const CONSUMED = 1;
/** producer events (a publish, the end, a failure): what the consumer waits on */
const PRODUCER_EVENTS = 2;
/** consumer events (a release, a cancel): what the producer waits on */
const CONSUMER_EVENTS = 3;
const STATE = 4;
const CANCELLED = 5;
/** set by the producer as soon as it runs */
const STARTED = 6;
const MESSAGE_LENGTH = 7;
const LENGTHS = 8;
const CONTROL_WORDS = LENGTHS + SLOT_COUNT;

// STATE: 0 while the producer runs, then
const ENDED = 1;
const FAILED = 2;

/** How long the consumer waits for a producer that never started before it gives up. */
const START_TIMEOUT_MS = 60_000;

interface Views {
  control: Int32Array;
  slots: Uint8Array;
  message: Uint8Array;
}

function views(shared: SharedArrayBuffer): Views {
  const controlBytes = CONTROL_WORDS * 4;
  return {
    control: new Int32Array(shared, 0, CONTROL_WORDS),
    message: new Uint8Array(shared, controlBytes, MESSAGE_BYTES),
    slots: new Uint8Array(shared, controlBytes + MESSAGE_BYTES, SLOT_BYTES * SLOT_COUNT),
  };
}

export function createRingBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_WORDS * 4 + MESSAGE_BYTES + SLOT_BYTES * SLOT_COUNT);
}

function signal(control: Int32Array, word: number): void {
  Atomics.add(control, word, 1);
  Atomics.notify(control, word);
}

/** The producer's side. */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly slots: Uint8Array;
  private readonly message: Uint8Array;
  /** slots published so far, and bytes in the slot being filled */
  private produced = 0;
  private filled = 0;

  constructor(shared: SharedArrayBuffer) {
    ({ control: this.control, slots: this.slots, message: this.message } = views(shared));
    Atomics.store(this.control, STARTED, 1);
    signal(this.control, PRODUCER_EVENTS);
  }

  get cancelled(): boolean {
    return Atomics.load(this.control, CANCELLED) !== 0;
  }

  /** Copies `bytes` into the ring, waiting for free slots; false when the consumer cancelled. */
  write(bytes: Uint8Array): boolean {
    let offset = 0;
    while (offset < bytes.length) {
      if (!this.waitForSlot()) return false;
      const slot = this.produced & SLOT_MASK;
      const take = Math.min(bytes.length - offset, SLOT_BYTES - this.filled);
      this.slots.set(bytes.subarray(offset, offset + take), slot * SLOT_BYTES + this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === SLOT_BYTES) this.publish();
    }
    return true;
  }

  /** Publishes what is left and tells the consumer that nothing more comes. */
  end(): void {
    if (this.filled > 0 && this.waitForSlot()) this.publish();
    Atomics.store(this.control, STATE, ENDED);
    signal(this.control, PRODUCER_EVENTS);
  }

  /** Ends the stream with a failure: the consumer reads the bytes published so far, then `message`. */
  fail(message: string): void {
    const encoded = new TextEncoder().encode(message).subarray(0, MESSAGE_BYTES);
    this.message.set(encoded);
    Atomics.store(this.control, MESSAGE_LENGTH, encoded.length);
    Atomics.store(this.control, STATE, FAILED);
    signal(this.control, PRODUCER_EVENTS);
  }

  private publish(): void {
    Atomics.store(this.control, LENGTHS + (this.produced & SLOT_MASK), this.filled);
    this.produced = (this.produced + 1) | 0;
    this.filled = 0;
    Atomics.store(this.control, PRODUCED, this.produced);
    signal(this.control, PRODUCER_EVENTS);
  }

  /** Waits until the slot being filled is free (the consumer released it); false when cancelled. */
  private waitForSlot(): boolean {
    for (;;) {
      const seen = Atomics.load(this.control, CONSUMER_EVENTS);
      if (this.cancelled) return false;
      if (((this.produced - Atomics.load(this.control, CONSUMED)) | 0) < SLOT_COUNT) return true;
      Atomics.wait(this.control, CONSUMER_EVENTS, seen);
    }
  }
}

/** The consumer's side. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly slots: Uint8Array;
  private readonly message: Uint8Array;
  private consumed = 0;
  /** the slot being read: bytes in it and bytes already copied out; -1 when none is held */
  private slotLength = -1;
  private slotOffset = 0;

  constructor(shared: SharedArrayBuffer) {
    ({ control: this.control, slots: this.slots, message: this.message } = views(shared));
  }

  /**
   * Copies up to dst.length bytes (at least one unless the stream ended), waiting for the producer.
   * Returns the bytes copied, 0 at the end, and throws `failure(message)` when the producer failed.
   */
  read(dst: Uint8Array, failure: (message: string) => Error): number {
    while (this.slotLength < 0 || this.slotOffset === this.slotLength) {
      if (this.slotLength >= 0) this.release();
      if (!this.take(failure)) return 0;
    }
    const start = (this.consumed & SLOT_MASK) * SLOT_BYTES + this.slotOffset;
    const count = Math.min(dst.length, this.slotLength - this.slotOffset);
    dst.set(this.slots.subarray(start, start + count));
    this.slotOffset += count;
    return count;
  }

  /** Tells the producer to stop (it sees the flag at its next write). */
  cancel(): void {
    Atomics.store(this.control, CANCELLED, 1);
    signal(this.control, CONSUMER_EVENTS);
  }

  private release(): void {
    this.slotLength = -1;
    this.consumed = (this.consumed + 1) | 0;
    Atomics.store(this.control, CONSUMED, this.consumed);
    signal(this.control, CONSUMER_EVENTS);
  }

  /** Waits for the next published slot and holds it; false at the end. */
  private take(failure: (message: string) => Error): boolean {
    let waited = 0;
    for (;;) {
      const seen = Atomics.load(this.control, PRODUCER_EVENTS);
      if (Atomics.load(this.control, PRODUCED) !== this.consumed) {
        this.slotLength = Atomics.load(this.control, LENGTHS + (this.consumed & SLOT_MASK));
        this.slotOffset = 0;
        return true;
      }
      const state = Atomics.load(this.control, STATE);
      if (state === ENDED) return false;
      if (state === FAILED) {
        const length = Atomics.load(this.control, MESSAGE_LENGTH);
        throw failure(new TextDecoder().decode(this.message.slice(0, length)));
      }
      // A producer that never started cannot report why: give up after a long while rather than hang.
      if (Atomics.load(this.control, STARTED) === 0) {
        if (waited >= START_TIMEOUT_MS) throw failure(`the decompression thread did not start within ${START_TIMEOUT_MS / 1000} s`);
        waited += 100;
        Atomics.wait(this.control, PRODUCER_EVENTS, seen, 100);
      } else {
        Atomics.wait(this.control, PRODUCER_EVENTS, seen);
      }
    }
  }
}
