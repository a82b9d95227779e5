// `csvscan bench` from start to finish: find or generate the file, choose the columns, run every
// case in its own child process, and check that all results agree before any speed is reported.

import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { CsvscanError, EXIT_MALFORMED, EXIT_USAGE } from '../errors.js';
import { openFailure } from '../io/failures.js';
import type { EngineName, ScanOptions } from '../types.js';
import { checkAgreement } from './agreement.js';
import { SUM_COLUMN, type CsvKind } from './generate.js';
import { csvscanCliPath, runCsvscanChild, type ChildRun } from './child.js';
import { summarize, type CaseMeasurement, type RunFigures } from './measurement.js';
import {
  BENCH_COMMANDS,
  caseLabel,
  childArguments,
  planCases,
  progressLabel,
  type BenchCase,
  type ChildTarget,
} from './plan.js';
import type { BenchReport } from './report.js';
import {
  createSample,
  firstNumericColumn,
  PROBE_BYTES,
  probeColumns,
  removeSample,
  warmPageCache,
  type Sample,
} from './target.js';

interface BenchSettings {
  /** null: generate a sample of `sample.kind` and `sample.sizeBytes` */
  file: string | null;
  sample: { kind: CsvKind; sizeBytes: number };
  /** the user's -c values; empty: sum the first numeric column, stats of all */
  columns: string[];
  engines: EngineName[];
  threads: number[];
  runs: number;
  /** the user's dialect and reading options, for every child */
  passThrough: string[];
  /** the same options for the in-process probe */
  scanOptions: ScanOptions;
  /** told what is going on (generating, which run), for the progress line */
  onStep?: (text: string) => void;
}

const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** csvscan's own one-line message from a child's stderr, without the `csvscan: ` prefix. */
function childMessage(child: ChildRun): string {
  const line = child.stderr.split('\n').find((text) => text.trim().length > 0) ?? '';
  return line.replace(/^csvscan: /, '').trim();
}

/** A failure of the user's making (malformed file, I/O) keeps its exit code; anything else is a bug. */
function childFailure(benchCase: BenchCase, child: ChildRun): Error {
  const message = `${caseLabel(benchCase)}: ${childMessage(child) || 'no message'}`;
  if (child.exitCode === EXIT_MALFORMED || child.exitCode === EXIT_USAGE) return new CsvscanError(message, child.exitCode);
  const ending = child.signal === null ? `exit code ${child.exitCode}` : `signal ${child.signal}`;
  return new Error(`${message} (${ending})`);
}

/** The size of a regular file; missing, unreadable or a directory is the user's error (exit 2). */
function fileSize(path: string): number {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return stats.size;
  } catch (error) {
    throw openFailure(path, error);
  }
}

export async function runBench(settings: BenchSettings): Promise<BenchReport> {
  const step = settings.onStep ?? (() => {});
  const cliPath = csvscanCliPath();
  let sample: Sample | null = null;
  let runningChild: ChildProcess | null = null;
  // Interrupted, the sample is removed all the same; then the signal takes its usual course.
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const name of HANDLED_SIGNALS) process.off(name, onSignal);
    runningChild?.kill(signal);
    if (sample) removeSample(sample.directory);
    process.kill(process.pid, signal);
  };
  for (const name of HANDLED_SIGNALS) process.on(name, onSignal);

  try {
    if (settings.file === null) {
      step(`generating a ${settings.sample.kind} sample of ${settings.sample.sizeBytes} bytes`);
      sample = await createSample(settings.sample.kind, settings.sample.sizeBytes);
    }
    const file = sample?.path ?? settings.file!;
    const bytes = fileSize(file);

    step(`choosing columns from the first ${PROBE_BYTES >> 20} MiB`);
    const probe = await probeColumns(file, { ...settings.scanOptions, columns: settings.columns.length > 0 ? settings.columns : null });
    const defaultColumn = sample ? SUM_COLUMN[sample.kind] : firstNumericColumn(probe);
    const sumColumns = settings.columns.length > 0 ? settings.columns : defaultColumn === null ? [] : [defaultColumn];
    const target: ChildTarget = { file, sumColumns, statsColumns: settings.columns, passThrough: settings.passThrough };

    step('reading the file into the page cache');
    warmPageCache(file);

    const cases = planCases(BENCH_COMMANDS, settings.engines, settings.threads);
    const measurements: CaseMeasurement[] = [];
    for (const [index, benchCase] of cases.entries()) {
      if (benchCase.command === 'sum' && sumColumns.length === 0) {
        measurements.push({
          status: 'skipped',
          benchCase,
          reason: `no column holds a number in the first ${PROBE_BYTES >> 20} MiB; choose one with -c`,
        });
        continue;
      }
      const runs: RunFigures[] = [];
      const outputs: string[] = [];
      for (let run = 1; run <= settings.runs; run++) {
        step(progressLabel(index + 1, cases.length, benchCase, run, settings.runs));
        const child = await runCsvscanChild(cliPath, childArguments(benchCase, target), (started) => {
          runningChild = started;
        });
        runningChild = null;
        if (child.exitCode !== 0) throw childFailure(benchCase, child);
        runs.push({ seconds: child.seconds, maxRssKiB: child.maxRssKiB });
        outputs.push(child.stdout.trim());
      }
      measurements.push({ status: 'measured', benchCase, runs, outputs });
    }

    // No speed without agreement: a fast wrong answer is not a result.
    const agreement = checkAgreement(measurements);
    if (agreement.mismatches.length > 0) {
      throw new CsvscanError(`results differ, so no speed is shown: ${agreement.mismatches.join('; ')}`, EXIT_MALFORMED);
    }
    return {
      file,
      bytes,
      sample: sample ? { kind: sample.kind, sizeBytes: sample.sizeBytes, seed: sample.seed } : null,
      runs: settings.runs,
      engines: settings.engines,
      threads: settings.threads,
      sumColumns,
      statsColumns: settings.columns,
      measurements,
      rows: summarize(measurements, bytes, agreement.agreement),
      results: agreement.results,
    };
  } finally {
    for (const name of HANDLED_SIGNALS) process.off(name, onSignal);
    if (sample) removeSample(sample.directory);
  }
}
