import { ConfigError } from '../config/errors.ts';
import { loadLab, loadPlan } from '../config/index.ts';
import type { LabConfig, PlanConfig } from '../config/types.ts';
import { HwqualError } from '../model/errors.ts';
import type { CaseFilter } from '../runner/expand.ts';
import { EXIT } from './exit-codes.ts';

/** Bad input: print every problem and leave with exit 2 (nothing ran). */
export class UsageExit extends Error {
  constructor(message: string) {
    super(message);
  }
}

export function loadConfigs(labPath: string, planPath: string): { lab: LabConfig; plan: PlanConfig } {
  const problems: string[] = [];
  let lab: LabConfig | undefined;
  let plan: PlanConfig | undefined;
  try {
    lab = loadLab(labPath);
  } catch (err) {
    collect(err, problems);
  }
  try {
    plan = loadPlan(planPath);
  } catch (err) {
    collect(err, problems);
  }
  if (problems.length) throw new UsageExit(problems.join('\n'));
  return { lab: lab!, plan: plan! };
}

function collect(err: unknown, problems: string[]): void {
  if (err instanceof ConfigError) problems.push(...err.problems);
  else throw err;
}

export function buildFilter(opts: { grep?: string; grepInvert?: string; tag?: string[] }): CaseFilter {
  const re = (flag: string, src?: string) => {
    if (src === undefined) return undefined;
    try {
      return new RegExp(src);
    } catch (err) {
      throw new UsageExit(`${flag}: invalid regular expression: ${(err as Error).message}`);
    }
  };
  return { grep: re('--grep', opts.grep), grepInvert: re('--grep-invert', opts.grepInvert), tags: opts.tag };
}

/** Map an error thrown before anything ran to exit 2 with its message; rethrow anything else. */
export function badInputExit(err: unknown): number {
  if (
    err instanceof UsageExit ||
    err instanceof ConfigError ||
    (err instanceof HwqualError && (err.code === 'E_USAGE' || err.code === 'E_CONFIG'))
  ) {
    process.stderr.write(`hwqual: ${(err as Error).message}\n`);
    return EXIT.badInput;
  }
  throw err;
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}
