// Bytes the JavaScript engine looks for, and its SWAR constants (as assembly/bytes.ts is the
// kernel's): 32-bit words, since JavaScript's bitwise operators work on 32 bits.
//
// How the engine's modules use each other, for V8: every function is a const (`const f = (...) =>`)
// and every constant or function taken from another module is copied into a module-local const
// (`import * as B from './bytes.js'; const { LF, CR } = B;`). V8's optimising compiler folds a
// module's own const bindings into the code; a function declaration (a mutable binding) or an
// imported binding is loaded and checked at each use, which in the hot loops cost 5 to 40%
// (bench:kernel, js) against the methods and local constants of the engine's one-class version.

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
