// The text form of a benchmark: an aligned table with one row per command x engine x threads and
// a bar drawn with block characters, scaled so that the fastest row fills the bar's width.

import type { BenchRow } from './measurement.js';

/** Eighths of a character cell, from U+258F (one eighth) to U+2589 (seven eighths). */
const PARTIAL_BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL_BLOCK = '█';
const DEFAULT_BAR_WIDTH = 30;

/** A bar of `value / maximum` of `width` cells, to the nearest eighth; never blank for a value > 0. */
export function renderBar(value: number, maximum: number, width: number): string {
  if (!(value > 0) || !(maximum > 0)) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, maximum) / maximum) * width * 8));
  return FULL_BLOCK.repeat(Math.floor(eighths / 8)) + PARTIAL_BLOCKS[eighths % 8];
}

/** Three significant digits or so; two below 1 MB/s, where a tiny file would otherwise read 0.0. */
export function formatSpeed(megabytesPerSecond: number): string {
  if (megabytesPerSecond >= 100) return megabytesPerSecond.toFixed(0);
  if (megabytesPerSecond >= 1) return megabytesPerSecond.toFixed(1);
  return megabytesPerSecond.toPrecision(2);
}

export function formatSpeedUp(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

export function formatMiB(kibibytes: number): string {
  return (kibibytes / 1024).toFixed(1);
}

const HEADINGS = ['command', 'engine', 'threads', 'MB/s', 'vs js', 'peak MiB', 'speed', 'result'] as const;
/** Columns aligned right: the numbers. */
const RIGHT_ALIGNED = new Set([2, 3, 4, 5]);
const MISSING = '-';

function resultText(row: BenchRow): string {
  if (row.skipped !== null) return `skipped: ${row.skipped}`;
  return row.agreement === 'last bits' ? 'agrees (last bits)' : 'identical';
}

/** The table, without a final newline. */
export function renderTable(rows: readonly BenchRow[], barWidth = DEFAULT_BAR_WIDTH): string {
  const fastest = Math.max(0, ...rows.map((row) => row.megabytesPerSecond ?? 0));
  const cells: string[][] = [[...HEADINGS]];
  for (const row of rows) {
    cells.push([
      row.command,
      row.engine,
      String(row.threads),
      row.megabytesPerSecond === null ? MISSING : formatSpeed(row.megabytesPerSecond),
      row.speedUpOverJs === null ? MISSING : formatSpeedUp(row.speedUpOverJs),
      row.peakRssKiB === null ? MISSING : formatMiB(row.peakRssKiB),
      row.megabytesPerSecond === null ? '' : renderBar(row.megabytesPerSecond, fastest, barWidth),
      resultText(row),
    ]);
  }
  const widths = HEADINGS.map((_, column) => Math.max(...cells.map((line) => Array.from(line[column]!).length)));
  return cells
    .map((line) =>
      line
        .map((text, column) => {
          const padding = ' '.repeat(widths[column]! - Array.from(text).length);
          return RIGHT_ALIGNED.has(column) ? padding + text : text + padding;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
