// Bytes the JavaScript engine looks for, and its SWAR constants (as assembly/bytes.ts is the
// kernel's): 32-bit words, since JavaScript's bitwise operators work on 32 bits.
//
// The engine's modules take the constants of other modules (these, the states of
// assembly/machine-states.ts, SLOT_STRIDE, HEAD_DIGITS) into module-local consts,
// `const { LF, CR } = B;`, rather than using the imported bindings: V8's optimising compiler folds
// a module's own consts into the code, but loads an imported binding from its module at each use
// and checks that it is initialised. In the hot loops that cost 5 to 40% (bench:kernel, js).

export const LF = 10;
export const CR = 13;
export const TAB = 9;
export const SPACE = 32;
export const PLUS = 43;
export const MINUS = 45;
export const DOT = 46;
export const ZERO = 48;
export const UPPER_E = 69;
export const LOWER_E = 101;

/** ONES * b repeats byte b in each byte of a 32-bit word; LOW7 masks each byte's low seven bits. */
export const ONES = 0x01010101;
export const LOW7 = 0x7f7f7f7f;
