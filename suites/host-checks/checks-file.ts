import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HwqualError, type RootNeed } from '../../src/suite-api/index.ts';

/**
 * One host check: an id and a shell command that exits 0 when the check holds; `root` says what the command needs of
 * root (`required`: skipped on a non-root login without `become`, through sudo with it; `more`: through sudo with
 * `become`, else as the login). Default `no`.
 */
export interface HostCheck {
  id: string;
  cmd: string;
  root?: RootNeed;
}

const ROOT_NEEDS: readonly RootNeed[] = ['no', 'required', 'more'];

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** The 30 host checks shipped with hwqual (the performance benchmark's set). */
export const DEFAULT_HOST_CHECKS = resolve(PROJECT_ROOT, 'fixtures/host-checks.json');

/** Where the checks are read from: HWQUAL_HOST_CHECKS, else the shipped fixtures/host-checks.json. */
export function hostChecksPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.HWQUAL_HOST_CHECKS ? resolve(env.HWQUAL_HOST_CHECKS) : DEFAULT_HOST_CHECKS;
}

/** Parse and validate a checks file's text: a list of {id, cmd, root?}, ids unique and usable in case ids. */
export function parseHostChecks(text: string, file = 'host-checks.json'): HostCheck[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HwqualError('E_CONFIG', `${file}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(data)) throw new HwqualError('E_CONFIG', `${file}: must be a list of {id, cmd}`);
  const seen = new Set<string>();
  return data.map((item: unknown, i) => {
    const c = item as Partial<HostCheck>;
    if (!c || typeof c.id !== 'string' || !/^[A-Za-z0-9._-]+$/.test(c.id))
      throw new HwqualError('E_CONFIG', `${file}: [${i}].id must be a name of letters, digits, . _ -`);
    if (typeof c.cmd !== 'string' || !c.cmd.trim())
      throw new HwqualError('E_CONFIG', `${file}: [${i}].cmd (${c.id}) must be a command`);
    if (c.root !== undefined && !ROOT_NEEDS.includes(c.root))
      throw new HwqualError('E_CONFIG', `${file}: [${i}].root (${c.id}) must be one of ${ROOT_NEEDS.join(', ')}`);
    if (seen.has(c.id)) throw new HwqualError('E_CONFIG', `${file}: id ${c.id} appears twice`);
    seen.add(c.id);
    return { id: c.id, cmd: c.cmd, ...(c.root ? { root: c.root } : {}) };
  });
}

export function loadHostChecks(file = hostChecksPath()): HostCheck[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HwqualError('E_CONFIG', `cannot read the host checks ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseHostChecks(text, file);
}
