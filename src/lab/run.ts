import type { ExecResult } from '../model/exec.ts';
import { execLocal, execLocalOk } from '../transport/local-exec.ts';

/** Run a system command of the lab (ip, tc, ssh-keygen) on this machine, argv form, no shell; 30 s unless told. */
export function run(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
  return execLocal(file, args, { timeoutMs: 30_000, ...options });
}

/** Like run(), but a non-zero exit throws a CommandError (what ran, what came back). */
export function runOk(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return execLocalOk(file, args, { timeoutMs: 30_000, ...options });
}
