import { ConfigError } from '../config/errors.ts';
import { validateConfigs } from '../config/validate.ts';
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

/** Both files validated (schemas, the suites' parts, lab ↔ plan rules), contacting nothing; bad input → UsageExit. */
export async function loadConfigs(labPath: string, planPath: string): Promise<{ lab: LabConfig; plan: PlanConfig }> {
  try {
    return await validateConfigs(labPath, planPath);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageExit(err.problems.join('\n'));
    throw err;
  }
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
