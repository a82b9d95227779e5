// The window sizes every kernel test sweeps (the guide's list): 1, 2 and 3 bytes put every record,
// field, quote and CRLF across windows; 7 and 64 cut inside SWAR words and SIMD blocks; 4096 and
// the default (undefined) let the fast paths run.

export const SMALL_WINDOWS: readonly number[] = [1, 2, 3];
export const LARGER_WINDOWS: readonly (number | undefined)[] = [7, 64, 4096, undefined];
export const KERNEL_WINDOWS: readonly (number | undefined)[] = [...SMALL_WINDOWS, ...LARGER_WINDOWS];
