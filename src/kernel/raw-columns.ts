// What every engine does alike around its accumulators: map fields to slots from a KernelConfig
// (the kernel's COLUMN_MAP, the JS engine's column map), and turn slots into the RawColumns of
// results(). Only where the accumulators live differs: Wasm memory (wasm-kernel.ts) or a
// Float64Array (src/kernel/js/exact.ts).

import { MAX_SLOTS } from '../../assembly/layout.js';
import type { RawColumn } from '../types.js';
import type { KernelConfig } from './types.js';

/** Which field goes to which slot. */
export interface SlotMap {
  /** slots in use: reset() clears this many (MAX_SLOTS in all-fields mode) */
  slotCount: number;
  /** entries of fieldSlots: fields at or past it are not accumulated */
  mappedFields: number;
  /** every field i < MAX_SLOTS is slot i; results() reports the slots of the fields seen */
  allFields: boolean;
  /** field index -> slot, or -1 when the field is not selected */
  fieldSlots: Int32Array;
}

/** No slot: count, or an engine not configured yet. */
export const NO_SLOTS: SlotMap = Object.freeze({ slotCount: 0, mappedFields: 0, allFields: false, fieldSlots: new Int32Array(0) });

/** The slots of a configuration: none for count, field i -> slot i for all fields, else slotFields. */
export function slotMap(config: KernelConfig): SlotMap {
  if (config.mode === 'count') return NO_SLOTS;
  if (config.allFields) {
    const fieldSlots = Int32Array.from({ length: MAX_SLOTS }, (_, field) => field);
    return { slotCount: MAX_SLOTS, mappedFields: MAX_SLOTS, allFields: true, fieldSlots };
  }
  let mappedFields = 0;
  for (const field of config.slotFields) mappedFields = Math.max(mappedFields, field + 1);
  const fieldSlots = new Int32Array(mappedFields).fill(-1);
  config.slotFields.forEach((field, slot) => {
    fieldSlots[field] = slot;
  });
  return { slotCount: config.slotFields.length, mappedFields, allFields: false, fieldSlots };
}

/**
 * results()' columns: one per slot in use, or in all-fields mode one per field of the widest
 * record (`maxFields`); `readSlot` reads slot s of the engine's accumulators.
 */
export function rawColumns(slots: SlotMap, maxFields: number, readSlot: (slot: number) => RawColumn): RawColumn[] {
  const count = slots.allFields ? Math.min(slots.slotCount, maxFields) : slots.slotCount;
  const columns: RawColumn[] = [];
  for (let s = 0; s < count; s++) columns.push(readSlot(s));
  return columns;
}

/** One slot's accumulators as an engine holds them: a RawColumn but for what rawColumn() derives. */
export interface SlotValues extends Omit<RawColumn, 'empty' | 'firstInvalid'> {
  /** line of the first invalid field (1-based, relative to the scan start); 0: none */
  invalidLine: number;
}

/**
 * The RawColumn of a slot after `records` data records. `invalidBytes` gives the captured bytes of
 * the first invalid field, asked for only when there is one.
 */
export function rawColumn(records: number, slot: SlotValues, invalidBytes: () => Uint8Array): RawColumn {
  return {
    count: slot.count,
    // every record gives each selected column a number, an invalid field or an empty one (a
    // missing field is empty), so no engine counts empties itself
    empty: records - slot.count - slot.invalid,
    invalid: slot.invalid,
    outside: slot.outside,
    exactSum: slot.exactSum,
    exactSquares: slot.exactSquares,
    fsum: slot.fsum,
    fsumComp: slot.fsumComp,
    shift: slot.shift,
    fdev: slot.fdev,
    fdevComp: slot.fdevComp,
    fsq: slot.fsq,
    fsqComp: slot.fsqComp,
    min: slot.min,
    max: slot.max,
    firstInvalid: slot.invalidLine > 0 ? { line: slot.invalidLine, value: invalidBytes() } : null,
    minLength: slot.minLength,
    maxLength: slot.maxLength,
    forms: slot.forms,
    ...(slot.distinct ? { distinct: slot.distinct } : {}),
    ...(slot.quantiles ? { quantiles: slot.quantiles } : {}),
  };
}
