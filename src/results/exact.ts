// Exact rational arithmetic on BigInt, rounded once to a double at the very end. The kernel keeps
// sums as exact decimals (integers in units of 10^-35 or 10^-70); these helpers turn such exact
// quantities into correctly rounded doubles and into exact decimal text.

/** Bits kept above the rounding point: a 53-bit double plus 13 guard bits, so a sticky bit in bit 0
 *  never lands on the round-half position. */
const QUOTIENT_BITS = 66;

const MIN_NORMAL_EXPONENT = -1022;
const MAX_EXPONENT = 1023;
/** The subnormal unit: 2^-1074. */
const SUBNORMAL_EXPONENT = -1074;

/** Number of bits of a non-negative BigInt (0 for 0n). */
export function bitLength(value: bigint): number {
  if (value === 0n) return 0;
  // toString(16) is linear and exact; refine the last hex digit.
  const hex = value.toString(16);
  const leading = parseInt(hex[0]!, 16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(leading));
}

/** 2^exponent as a double, exact for every exponent in [-1074, 1023]. */
function powerOfTwo(exponent: number): number {
  return 2 ** exponent;
}

/** mantissa * 2^exponent for a double `mantissa`, exact whenever the result is a normal double or an
 *  exactly representable subnormal: the scaling is split so that no factor leaves the double range. */
function scaleByPowerOfTwo(mantissa: number, exponent: number): number {
  const firstHalf = Math.trunc(exponent / 2);
  return mantissa * powerOfTwo(firstHalf) * powerOfTwo(exponent - firstHalf);
}

/**
 * The double nearest to `negative ? -1 : 1` x `quotient` x 2^`exponent`, ties to even, where
 * `quotient` (at least QUOTIENT_BITS + 1 bits) already carries a sticky bit in bit 0 standing for
 * any nonzero remainder below it.
 */
function roundScaled(negative: boolean, quotient: bigint, exponent: number): number {
  const bits = bitLength(quotient);
  // The value lies in [2^binaryExponent, 2^(binaryExponent+1)).
  const binaryExponent = bits - 1 + exponent;
  let magnitude: number;
  if (binaryExponent > MAX_EXPONENT) {
    magnitude = Infinity;
  } else if (binaryExponent < MIN_NORMAL_EXPONENT) {
    // Subnormal: round once, directly to a multiple of 2^-1074 (rounding to 53 bits first and then
    // again to fewer bits would round twice).
    const dropped = SUBNORMAL_EXPONENT - exponent;
    if (dropped >= bits + 1) {
      magnitude = 0; // below half of the smallest subnormal
    } else {
      magnitude = Number(roundShiftRightHalfEven(quotient, dropped)) * powerOfTwo(SUBNORMAL_EXPONENT);
    }
  } else {
    // Number(bigint) rounds to nearest, ties to even; the scaling by a power of two is then exact
    // (or overflows to Infinity, which is the right answer when rounding carried past 2^1024).
    magnitude = scaleByPowerOfTwo(Number(quotient), exponent);
  }
  return negative ? -magnitude : magnitude;
}

/** value / 2^shift rounded to the nearest integer, ties to even (shift >= 1). */
function roundShiftRightHalfEven(value: bigint, shift: number): bigint {
  const bigShift = BigInt(shift);
  const truncated = value >> bigShift;
  const remainder = value - (truncated << bigShift);
  const half = 1n << (bigShift - 1n);
  if (remainder > half || (remainder === half && (truncated & 1n) === 1n)) return truncated + 1n;
  return truncated;
}

/**
 * The double nearest to num/den (round half to even). den must be positive. Values beyond the double
 * range give +-Infinity; values below half the smallest subnormal give a zero of the right sign.
 */
export function rationalToDouble(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError('rationalToDouble: the denominator must be positive');
  if (num === 0n) return 0;
  const negative = num < 0n;
  const magnitude = negative ? -num : num;
  // Choose shift so that quotient = magnitude * 2^shift / den has at least QUOTIENT_BITS + 1 bits.
  const shift = QUOTIENT_BITS + 1 - (bitLength(magnitude) - bitLength(den));
  let quotient: bigint;
  let remainder: bigint;
  if (shift >= 0) {
    const shifted = magnitude << BigInt(shift);
    quotient = shifted / den;
    remainder = shifted % den;
  } else {
    const shiftedDen = den << BigInt(-shift);
    quotient = magnitude / shiftedDen;
    remainder = magnitude % shiftedDen;
  }
  if (remainder !== 0n) quotient |= 1n;
  return roundScaled(negative, quotient, -shift);
}

/** floor(sqrt(value)) for value >= 0 (Newton's method from an estimate above the root). */
export function integerSqrt(value: bigint): bigint {
  if (value < 0n) throw new RangeError('integerSqrt: negative argument');
  if (value < 2n) return value;
  let estimate = 1n << BigInt((bitLength(value) + 1) >> 1); // >= sqrt(value)
  for (;;) {
    const next = (estimate + value / estimate) >> 1n;
    if (next >= estimate) return estimate;
    estimate = next;
  }
}

/**
 * The double nearest to sqrt(num/den) (round half to even), computed from the exact rational:
 * one rounding in all. num must be >= 0 and den > 0.
 */
export function rationalSqrtToDouble(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError('rationalSqrtToDouble: the denominator must be positive');
  if (num < 0n) throw new RangeError('rationalSqrtToDouble: negative argument');
  if (num === 0n) return 0;
  // sqrt(num/den) = sqrt(num * 4^k / den) / 2^k. Take k (possibly negative) so that the integer part
  // Q of num * 4^k / den has at least 2 * (QUOTIENT_BITS + 1) bits; floor(sqrt(x)) = isqrt(floor(x)),
  // and the root is exact only when Q is a perfect square and the division left no remainder.
  const wantedBits = 2 * (QUOTIENT_BITS + 1);
  const k = Math.ceil((wantedBits + 1 - (bitLength(num) - bitLength(den))) / 2);
  let scaled: bigint;
  let remainder: bigint;
  if (k >= 0) {
    const shifted = num << BigInt(2 * k);
    scaled = shifted / den;
    remainder = shifted % den;
  } else {
    const shiftedDen = den << BigInt(-2 * k);
    scaled = num / shiftedDen;
    remainder = num % shiftedDen;
  }
  let root = integerSqrt(scaled);
  if (remainder !== 0n || root * root !== scaled) root |= 1n;
  return roundScaled(false, root, -k);
}

/**
 * Exact decimal text of units x 10^-scale (scale >= 0): no exponent, no trailing zeros after the
 * point, no trailing point, '-' for negatives, '0' for zero.
 */
export function decimalText(units: bigint, scale: number): string {
  if (!Number.isInteger(scale) || scale < 0) throw new RangeError('decimalText: scale must be a non-negative integer');
  if (units === 0n) return '0';
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const integerPart = digits.slice(0, digits.length - scale);
  const fractionPart = digits.slice(digits.length - scale).replace(/0+$/, '');
  const text = fractionPart === '' ? integerPart : `${integerPart}.${fractionPart}`;
  return negative ? `-${text}` : text;
}

/** A finite double as an exact whole number of 2^-1074 (the smallest subnormal). */
export function doubleUnits(value: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite double: ${value}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  // subnormal: fraction x 2^-1074; normal: (2^52 + fraction) x 2^(exponent - 1075)
  const units = exponentBits === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(exponentBits - 1);
  return negative ? -units : units;
}
