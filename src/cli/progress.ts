// A progress line on stderr while a scan runs: bytes done, percent, MB/s and ETA (only bytes and
// MB/s when the total is unknown, as for stdin). It redraws one line with `\r`, at most every
// `intervalMs`, and blanks it when the scan ends so the terminal is left clean.

export interface ProgressReporter {
  /** Give this to ScanOptions.onProgress. */
  update: (bytesDone: number, totalBytes: number | null) => void;
  /** Blanks the line if anything was drawn. Safe to call more than once. */
  finish: () => void;
}

export interface ProgressSettings {
  /** milliseconds; injectable for tests */
  now?: () => number;
  /** minimum time between two redraws (200 ms: five a second) */
  intervalMs?: number;
}

// Decimal units, like the MB/s figure beside them.
const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

export function formatProgressLine(bytesDone: number, totalBytes: number | null, elapsedMs: number): string {
  const bytesPerSecond = elapsedMs > 0 ? (bytesDone * 1000) / elapsedMs : 0;
  const rate = `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
  if (totalBytes === null || totalBytes <= 0) {
    return `${formatBytes(bytesDone)}  ${rate}`;
  }
  const percent = `${Math.min(100, (bytesDone * 100) / totalBytes).toFixed(1)}%`;
  const remaining = Math.max(0, totalBytes - bytesDone);
  const eta = bytesPerSecond > 0 ? formatDuration(remaining / bytesPerSecond) : '--:--';
  return `${formatBytes(bytesDone)} / ${formatBytes(totalBytes)}  ${percent}  ${rate}  ETA ${eta}`;
}

export function createProgressReporter(
  write: (text: string) => void,
  settings: ProgressSettings = {},
): ProgressReporter {
  const now = settings.now ?? (() => performance.now());
  const intervalMs = settings.intervalMs ?? 200;
  const startedAt = now();
  // The first line waits a full interval too: a scan shorter than that shows nothing.
  let lastDrawnAt = startedAt;
  let drawnLength = 0;
  let finished = false;

  return {
    update(bytesDone, totalBytes) {
      if (finished) return;
      const time = now();
      if (time - lastDrawnAt < intervalMs) return;
      lastDrawnAt = time;
      const line = formatProgressLine(bytesDone, totalBytes, time - startedAt);
      // Pad with spaces over a longer previous line instead of an ANSI erase, which not every
      // stderr understands.
      write(`\r${line.padEnd(drawnLength)}`);
      drawnLength = Math.max(drawnLength, line.length);
    },
    finish() {
      if (finished) return;
      finished = true;
      if (drawnLength > 0) write(`\r${' '.repeat(drawnLength)}\r`);
    },
  };
}
