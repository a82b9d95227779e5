// `csvscan bench [FILE]`: every engine at one thread and at all threads on the same bytes, each run
// in its own child process; results are checked to agree before any speed is printed (src/bench/).

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import type { CsvKind } from '../../bench/generate.js';
import { usageError } from '../../errors.js';
import { compressionOfFile } from '../../io/compression.js';
import { openFailure } from '../../io/failures.js';
import type { CliIo } from '../io.js';
import { parseSizeOption, quoteForMessage, addScanOptions, toScanOptions, type RawScanOptions } from '../options.js';
import { printOutput, STDIN_PATH } from '../scan.js';

interface RawBenchOptions extends RawScanOptions {
  size?: string;
  kind?: CsvKind;
  runs: string;
  svg?: string;
}

const DEFAULT_SAMPLE_SIZE = '256M';
const DEFAULT_SAMPLE_KIND: CsvKind = 'numeric';
// Spelled out rather than imported: the generator module loads only when a sample is made.
const SAMPLE_KINDS = ['numeric', 'mixed'] as const satisfies readonly CsvKind[];

const HELP_AFTER = `
Without FILE, a sample (--size, --kind) is generated into a temporary file and deleted after.
--engine E measures only E; --threads N measures 1 and N threads instead of 1 and all cores.
sum adds the -c columns (default: the first column holding numbers); stats reports the -c columns
(default: all). Each figure is the median of --runs whole \`csvscan\` processes, node start-up included.`;

function parseRuns(text: string): number {
  const runs = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(runs) || runs < 1) throw usageError(`--runs must be a whole number >= 1, got ${quoteForMessage(text)}`);
  return runs;
}

/** The user's dialect and reading options, as typed, for every child: only those that differ from the defaults. */
function passThroughArguments(raw: RawBenchOptions): string[] {
  const args: string[] = [];
  if (raw.delimiter !== ',') args.push('--delimiter', raw.delimiter);
  if (raw.quote !== '"') args.push('--quote', raw.quote);
  if (!raw.header) args.push('--no-header');
  if (raw.window !== undefined) args.push('--window', raw.window);
  if (raw.io !== undefined) args.push('--io', raw.io);
  return args;
}

/** One progress line redrawn in place on a terminal; one line per step elsewhere (--progress to a file). */
function stepReporter(io: CliIo): { step: (text: string) => void; finish: () => void } {
  let drawnLength = 0;
  return {
    step(text) {
      if (!io.stderrIsTTY) {
        io.stderr(`${text}\n`);
        return;
      }
      io.stderr(`\r${text.padEnd(drawnLength)}`);
      drawnLength = Math.max(drawnLength, text.length);
    },
    finish() {
      if (drawnLength > 0) io.stderr(`\r${' '.repeat(drawnLength)}\r`);
      drawnLength = 0;
    },
  };
}

export function registerBenchCommand(program: Command, io: CliIo): void {
  const command = program
    .command('bench')
    .description('JS and Wasm engines side by side on the same bytes: speeds, speed-ups and peak memory, results checked first')
    .argument('[file]', 'CSV file (read many times, so not standard input); omitted: a generated sample');
  addScanOptions(command)
    .option('--size <SIZE>', `size of the generated sample when FILE is omitted (default: ${DEFAULT_SAMPLE_SIZE})`)
    .addOption(new Option('--kind <kind>', `generated sample: numeric or mixed (default: ${DEFAULT_SAMPLE_KIND})`).choices(SAMPLE_KINDS))
    .option('--runs <N>', 'runs of each engine and thread count; the median is shown', '3')
    .option('--svg <FILE>', 'also write the speeds as a bar chart (SVG) to FILE')
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string | undefined, raw: RawBenchOptions) => {
      if (file === STDIN_PATH) {
        throw usageError('bench reads FILE many times, so not from standard input; omit FILE to bench a generated sample');
      }
      if (raw.range !== undefined) throw usageError('bench scans whole files: --range is not accepted');
      const compression = file === undefined ? null : compressionOfFile(file);
      if (compression !== null) {
        throw usageError(`bench compares thread counts on plain files: ${file} is ${compression}-compressed (decompress it first)`);
      }
      if (file !== undefined && (raw.size !== undefined || raw.kind !== undefined)) {
        throw usageError('--size and --kind describe the generated sample: give them without FILE');
      }
      const runs = parseRuns(raw.runs);
      const sizeBytes = parseSizeOption('--size', raw.size ?? DEFAULT_SAMPLE_SIZE);
      // Validates the dialect, --threads and --window before any work.
      const scanOptions = toScanOptions('stats', raw);
      const showProgress = raw.progress ?? io.stderrIsTTY;
      const progress = stepReporter(io);

      // Loaded only now, so that other commands, --help and usage errors start without them.
      const [{ runBench }, { BENCH_ENGINES, threadCounts }, { chartBars, chartText, renderTextReport, toBenchJson }, { renderBarChartSvg }] =
        await Promise.all([
          import('../../bench/runner.js'),
          import('../../bench/plan.js'),
          import('../../bench/report.js'),
          import('../../bench/svg.js'),
        ]);
      let report;
      try {
        report = await runBench({
          file: file ?? null,
          sample: { kind: raw.kind ?? DEFAULT_SAMPLE_KIND, sizeBytes },
          columns: raw.column,
          engines: raw.engine ? [raw.engine] : [...BENCH_ENGINES],
          threads: threadCounts(scanOptions.threads ?? availableParallelism()),
          runs,
          passThrough: passThroughArguments(raw),
          scanOptions,
          onStep: showProgress ? progress.step : undefined,
        });
      } finally {
        progress.finish();
      }

      if (raw.svg !== undefined) {
        try {
          writeFileSync(raw.svg, renderBarChartSvg(chartBars(report.rows), chartText(report)));
        } catch (error) {
          throw openFailure(raw.svg, error);
        }
      }
      if (raw.json) {
        printOutput(io, JSON.stringify(toBenchJson(report)));
        return;
      }
      const chartNote = raw.svg === undefined ? '' : `\n\nchart written to ${raw.svg}`;
      printOutput(io, renderTextReport(report) + chartNote);
    });
}
