// The states of the byte machine and of the number parser: shared by the AssemblyScript kernel
// (assembly/machine.ts, assembly/number.ts) and the JavaScript engine (src/kernel/js/), which must
// follow the same grammar state for state. Like assembly/layout.ts, this file is compiled by both
// `asc` and `tsc`, so it holds integer literals only (each an i32 in the kernel).

// ---- byte machine states ------------------------------------------------------------------------
export const S_RECORD_START = 0; //    before the first byte of a line
export const S_RECORD_CR = 1; //       a line began with CR: LF next makes it an empty CRLF line
export const S_FIELD_START = 2; //     after a delimiter
export const S_UNQUOTED = 3; //        inside an unquoted field
export const S_UNQUOTED_CR = 4; //     unquoted field then CR: LF next ends the record, else CR is data
export const S_QUOTED = 5; //          inside a quoted field
export const S_QUOTED_QUOTE = 6; //    a quote inside a quoted field: doubled, or the closing one
export const S_AFTER_QUOTED = 7; //    after the closing quote: bytes are appended up to the field end
export const S_AFTER_QUOTED_CR = 8; // as S_UNQUOTED_CR, after a quoted field

// ---- what the current record is for --------------------------------------------------------------
export const RECORD_DATA = 0;
export const RECORD_HEADER = 1;
export const RECORD_DISCARD = 2; // the partial record a mid-file scan starts inside

// ---- number parser states: ^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$ after trimming spaces and tabs
export const N_LEAD = 0; //       only spaces/tabs so far (an empty field ends here)
export const N_SIGN = 1;
export const N_INT = 2; //        integer digits
export const N_DOT_FIRST = 3; //  '.' with no integer digit: a digit must follow
export const N_FRAC = 4; //       after '.', a valid number so far
export const N_EXP = 5; //        'e' seen
export const N_EXP_SIGN = 6;
export const N_EXP_DIGITS = 7;
export const N_TRAIL = 8; //      spaces/tabs after a number
export const N_INVALID = 9;

export const MAX_MANTISSA_DIGITS = 19; // significant digits the parser keeps; later ones are dropped
export const EXPONENT_CAP = 100000000; // saturate: any larger exponent rounds to 0 or Infinity anyway
