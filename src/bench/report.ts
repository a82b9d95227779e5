// A finished benchmark in the three forms `csvscan bench` prints: the text report (a summary of the
// agreed results, then the table), the --json object, and the bars of the --svg chart.

import { basename } from 'node:path';
import type { ColumnResult, EngineName, ScanResult } from '../types.js';
import { sumText } from '../results/format.js';
import type { BenchRow, CaseMeasurement } from './measurement.js';
import type { ChartBar } from './svg.js';
import { formatSpeed, formatSpeedUp, renderTable } from './table.js';
import type { BenchCommand } from './plan.js';

interface SampleDescription {
  kind: string;
  sizeBytes: number;
  seed: number;
}

export interface BenchReport {
  file: string;
  bytes: number;
  /** set when the file was generated for this run (and deleted after) */
  sample: SampleDescription | null;
  runs: number;
  engines: EngineName[];
  threads: number[];
  /** the -c values given to sum; empty when there was nothing to sum */
  sumColumns: string[];
  /** the -c values given to stats; empty = all columns */
  statsColumns: string[];
  measurements: CaseMeasurement[];
  /** one per measurement, same order */
  rows: BenchRow[];
  /** per command, the result all cases agreed on */
  results: Partial<Record<BenchCommand, unknown>>;
}

const TIMING_NOTE = 'wall seconds of a whole `csvscan CMD FILE --json` child process, node start-up included';

function threadsText(threads: number): string {
  return threads === 1 ? '1 thread' : `${threads} threads`;
}

function describeFile(report: BenchReport): string {
  const origin = report.sample
    ? `, a generated ${report.sample.kind} sample (seed ${report.sample.seed}), deleted after`
    : '';
  return `${report.file}: ${report.bytes} bytes${origin}`;
}

function describeResult(command: BenchCommand, result: unknown): string {
  const scan = result as ScanResult;
  if (command === 'count') return `${scan.rows} rows`;
  const columns: ColumnResult[] = scan.columns ?? [];
  if (command === 'sum') return columns.map((column) => `${column.name} = ${sumText(column)}`).join(', ');
  return `${columns.length} column${columns.length === 1 ? '' : 's'} of ${scan.rows} rows`;
}

/** The text report, without a final newline. */
export function renderTextReport(report: BenchReport): string {
  const measured = report.rows.filter((row) => row.skipped === null);
  const agreement = measured.some((row) => row.agreement === 'last bits')
    ? 'agree: byte for byte, except the last bits of columns outside the exact domain across thread counts'
    : 'identical for every engine and thread count';
  const lines = [
    `csvscan bench  ${describeFile(report)}`,
    `MB/s: 10^6 bytes per second over the median of ${report.runs} run${report.runs === 1 ? '' : 's'}; ${TIMING_NOTE}`,
    `results ${agreement}`,
  ];
  for (const [command, result] of Object.entries(report.results) as [BenchCommand, unknown][]) {
    lines.push(`  ${command.padEnd(5)}  ${describeResult(command, result)}`);
  }
  lines.push('', renderTable(report.rows));
  return lines.join('\n');
}

/** Rounded for reading; the raw seconds are there too. */
function round(value: number | null, digits: number): number | null {
  return value === null ? null : Number(value.toFixed(digits));
}

/** The --json object: every run's figures, the medians, and the agreed results. */
export function toBenchJson(report: BenchReport): Record<string, unknown> {
  return {
    file: report.file,
    bytes: report.bytes,
    sample: report.sample === null ? null : { kind: report.sample.kind, size: report.sample.sizeBytes, seed: report.sample.seed },
    runs: report.runs,
    engines: report.engines,
    threads: report.threads,
    sum_columns: report.sumColumns,
    stats_columns: report.statsColumns.length > 0 ? report.statsColumns : null,
    timing: TIMING_NOTE,
    results: report.results,
    measurements: report.rows.map((row, index) => {
      const measurement = report.measurements[index]!;
      return {
        command: row.command,
        engine: row.engine,
        threads: row.threads,
        skipped: row.skipped,
        seconds: row.seconds,
        median_seconds: row.medianSeconds,
        mb_per_s: round(row.megabytesPerSecond, 3),
        speedup_over_js: round(row.speedUpOverJs, 4),
        max_rss_kib: row.rssKiB,
        peak_rss_mib: round(row.peakRssKiB === null ? null : row.peakRssKiB / 1024, 2),
        agreement: row.agreement,
        result: measurement.status === 'measured' ? (JSON.parse(measurement.outputs[0]!) as unknown) : null,
      };
    }),
  };
}

/** The bars of the --svg chart, one per row, in table order. */
export function chartBars(rows: readonly BenchRow[]): ChartBar[] {
  return rows.map((row) => {
    const speed = row.megabytesPerSecond;
    let note: string;
    if (row.skipped !== null) note = `skipped: ${row.skipped}`;
    else {
      note = `${formatSpeed(speed!)} MB/s`;
      if (row.speedUpOverJs !== null && row.engine !== 'js') note += ` (${formatSpeedUp(row.speedUpOverJs)} js)`;
    }
    return {
      label: `${row.command} · ${row.engine} · ${threadsText(row.threads)}`,
      value: speed,
      series: `${row.engine}, ${threadsText(row.threads)}`,
      group: row.command,
      note,
    };
  });
}

export function chartText(report: BenchReport): { title: string; subtitle: string; axisLabel: string } {
  return {
    title: `csvscan bench: ${basename(report.file)}`,
    subtitle: `${report.bytes} bytes; median of ${report.runs} run${report.runs === 1 ? '' : 's'} per bar; whole process, node start-up included`,
    axisLabel: 'MB/s (10^6 bytes per second)',
  };
}
