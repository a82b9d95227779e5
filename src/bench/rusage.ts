// How a `csvscan` child tells `csvscan bench` its peak memory: with CSVSCAN_REPORT_RUSAGE=1 in its
// environment it prints one line `csvscan-rusage maxrss=<KiB>` on stderr as it exits (cli/main.ts),
// and the parent takes that line out of the stderr it shows. Measured in the child itself, each
// engine's peak is its own, and no /usr/bin/time is needed.

export const REPORT_RUSAGE_ENV = 'CSVSCAN_REPORT_RUSAGE';

const RUSAGE_LINE = /^csvscan-rusage maxrss=(\d+)\r?\n?/m;

/** The line a child prints; `maxRssKiB` is process.resourceUsage().maxRSS (KiB on Linux and macOS). */
export function formatRusageLine(maxRssKiB: number): string {
  return `csvscan-rusage maxrss=${maxRssKiB}\n`;
}

/** Splits a child's stderr into its peak RSS (null when it printed none) and the rest. */
export function takeRusageLine(stderr: string): { maxRssKiB: number | null; stderr: string } {
  const match = RUSAGE_LINE.exec(stderr);
  if (!match) return { maxRssKiB: null, stderr };
  return {
    maxRssKiB: Number(match[1]),
    stderr: stderr.slice(0, match.index) + stderr.slice(match.index + match[0].length),
  };
}
