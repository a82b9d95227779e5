// What the runs of a benchmark produced, and the table rows summarising them (agreement.ts checks
// the runs' results and says how each case agrees).

import { BASELINE_ENGINE, type BenchCase } from './plan.js';
import { maximumKnown, median, megabytesPerSecond, speedUp } from './statistics.js';

/** identical: the same bytes as the command's reference; last bits: within the SPEC's tolerance. */
export type Agreement = 'identical' | 'last bits';

export interface RunFigures {
  /** wall seconds of the whole child process, node start-up included */
  seconds: number;
  /** the child's peak resident set, KiB; null if it did not report one */
  maxRssKiB: number | null;
}

export interface MeasuredCase {
  status: 'measured';
  benchCase: BenchCase;
  runs: RunFigures[];
  /** each run's stdout (its --json line), in run order */
  outputs: string[];
}

interface SkippedCase {
  status: 'skipped';
  benchCase: BenchCase;
  /** why it was not run: `sum` when no column holds a number */
  reason: string;
}

export type CaseMeasurement = MeasuredCase | SkippedCase;

/** One line of the table, one bar of the chart. */
export interface BenchRow extends BenchCase {
  skipped: string | null;
  seconds: number[];
  medianSeconds: number | null;
  megabytesPerSecond: number | null;
  /** over the js engine for the same command and thread count */
  speedUpOverJs: number | null;
  rssKiB: (number | null)[];
  /** the highest of the runs' peaks */
  peakRssKiB: number | null;
  agreement: Agreement | null;
}

export function summarize(
  measurements: readonly CaseMeasurement[],
  bytes: number,
  agreement: readonly (Agreement | null)[],
): BenchRow[] {
  const rows: BenchRow[] = measurements.map((measurement, index) => {
    if (measurement.status === 'skipped') {
      return {
        ...measurement.benchCase,
        skipped: measurement.reason,
        seconds: [],
        medianSeconds: null,
        megabytesPerSecond: null,
        speedUpOverJs: null,
        rssKiB: [],
        peakRssKiB: null,
        agreement: null,
      };
    }
    const seconds = measurement.runs.map((run) => run.seconds);
    const medianSeconds = median(seconds);
    const rssKiB = measurement.runs.map((run) => run.maxRssKiB);
    return {
      ...measurement.benchCase,
      skipped: null,
      seconds,
      medianSeconds,
      megabytesPerSecond: megabytesPerSecond(bytes, medianSeconds),
      speedUpOverJs: null,
      rssKiB,
      peakRssKiB: maximumKnown(rssKiB),
      agreement: agreement[index] ?? null,
    };
  });
  for (const row of rows) {
    const baseline = rows.find(
      (other) => other.engine === BASELINE_ENGINE && other.command === row.command && other.threads === row.threads,
    );
    if (row.megabytesPerSecond !== null) {
      row.speedUpOverJs = speedUp(row.megabytesPerSecond, baseline?.megabytesPerSecond ?? null);
    }
  }
  return rows;
}
