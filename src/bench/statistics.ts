// The figures of a benchmark: medians of repeated runs, throughput and speed-ups.

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Megabytes (10^6 bytes, like the progress line's MB/s) per second. */
export function megabytesPerSecond(bytes: number, seconds: number): number {
  // A clock that reads 0 for a tiny file must not give Infinity, which JSON cannot hold.
  return bytes / 1e6 / Math.max(seconds, 1e-6);
}

/** How many times faster `speed` is than `baseline`; null without a baseline. */
export function speedUp(speed: number, baseline: number | null): number | null {
  return baseline === null || baseline <= 0 ? null : speed / baseline;
}

/** The largest of the numbers that are known, or null when none is. */
export function maximumKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}
