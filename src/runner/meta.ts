import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function harnessVersion(): string {
  return (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
}

let later: Promise<string | null> | undefined;

/**
 * The harness's git commit (with `-dirty` when the tree has changes), or null outside a checkout, without blocking
 * the run: its two `git` processes start when a run starts and run while the cases do (once per process). Forked
 * at the end of a large run, from a process of several hundred MiB, they cost half a second.
 */
export function gitCommitLater(): Promise<string | null> {
  const run = promisify(execFile);
  later ??= (async () => {
    try {
      const options = { cwd: ROOT, encoding: 'utf8' as const };
      const head = (await run('git', ['rev-parse', 'HEAD'], options)).stdout.trim();
      const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], options)).stdout.trim();
      return dirty ? `${head}-dirty` : head;
    } catch {
      return null;
    }
  })();
  return later;
}
