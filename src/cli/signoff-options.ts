import type { Command } from 'commander';
import { loadWaivers } from '../config/waivers.ts';
import { HwqualError } from '../model/errors.ts';
import { openRunResults, type OpenedResults } from '../report/results-file.ts';
import type { SignoffOptions } from '../report/signoff.ts';
import type { WriteReportsResult } from '../report/write.ts';
import type { RunRecord } from '../model/result.ts';
import { EXIT, verdictExitCode } from './exit-codes.ts';

/** `--waivers`, `--baseline`, `--threshold`, `--now` (and `--group-by`) as given to `run`, `report` and `merge`. */
export interface SignoffFlags {
  waivers?: string;
  baseline?: string;
  threshold?: string;
  now?: string;
  /** The host label the report's matrix groups hosts by. */
  groupBy?: string;
}

/**
 * Load the files the flags name (validated; E_CONFIG / E_USAGE naming the file and field). A baseline's
 * results.json stays open while its cases are read (`baseline.opened.close()` when done).
 */
export function loadSignoffOptions(flags: SignoffFlags): SignoffOptions & {
  baseline?: SignoffOptions['baseline'] & { opened: OpenedResults };
} {
  const options: SignoffOptions & { baseline?: SignoffOptions['baseline'] & { opened: OpenedResults } } = {};
  if (flags.waivers) options.waivers = loadWaivers(flags.waivers);
  if (flags.threshold !== undefined && !(Number(flags.threshold) >= 0)) {
    throw new HwqualError(
      'E_USAGE',
      `--threshold must be a fraction ≥ 0, like 0.1 for 10 % (got "${flags.threshold}")`,
    );
  }
  if (flags.baseline) {
    const opened = openRunResults(flags.baseline);
    options.baseline = {
      file: opened.file,
      results: opened.results,
      opened,
      ...(flags.threshold !== undefined ? { threshold: Number(flags.threshold) } : {}),
    };
  }
  if (flags.now !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(flags.now) || Number.isNaN(Date.parse(flags.now))) {
      throw new HwqualError(
        'E_USAGE',
        `--now must be an ISO date or date-time, like 2027-02-01 or 2027-02-01T12:00:00Z (got "${flags.now}")`,
      );
    }
    options.now = new Date(flags.now).toISOString();
  }
  return options;
}

/** Print where the reports went and the verdict; return the process exit code. */
export function reportOutcome(outDir: string, results: RunRecord, written: WriteReportsResult): number {
  for (const f of written.failures) process.stderr.write(`hwqual: reporter ${f.reporter} failed: ${f.error}\n`);
  const s = results.signoff!;
  const { passed, failed, error, waived } = results.summary;
  const counts = `${passed} passed, ${failed} failed, ${error} error, ${waived} waived`;
  process.stdout.write(`${s.verdict} (${counts}): ${outDir}/report.html\n`);
  for (const reason of s.reasons.slice(0, 10)) process.stdout.write(`  ${reason}\n`);
  if (s.reasons.length > 10) process.stdout.write(`  … ${s.reasons.length - 10} more in report.html\n`);
  const code = verdictExitCode(s.verdict);
  return written.failures.length && code !== EXIT.failed ? EXIT.failed : code;
}

export const SIGNOFF_FLAG_HELP = {
  waivers: 'waivers file (YAML/JSON): failed cases it matches become waived until its expiry',
  baseline: 'an earlier run folder or results.json to diff against',
  threshold: 'relative change of a figure reported against the baseline (default 0.1 = 10 %)',
  now: 'judge waiver expiry at this instant (ISO) instead of the run start',
  groupBy: "host label the report's matrix groups hosts by (default: the label most hosts share)",
} as const;

/**
 * Add `--waivers`, `--baseline`, `--threshold`, `--now` and `--group-by` to a command (run, report and merge take
 * the same five).
 */
export function withSignoffOptions(command: Command): Command {
  return command
    .option('--waivers <file>', SIGNOFF_FLAG_HELP.waivers)
    .option('--baseline <path>', SIGNOFF_FLAG_HELP.baseline)
    .option('--threshold <fraction>', SIGNOFF_FLAG_HELP.threshold)
    .option('--now <iso>', SIGNOFF_FLAG_HELP.now)
    .option('--group-by <label>', SIGNOFF_FLAG_HELP.groupBy);
}
