import { execa } from 'execa';
import type { ExecResult } from '../model/exec.ts';
import { CommandError, commandErrorCode } from '../transport/command-error.ts';

/** Run a system command of the lab (ip, tc, ssh-keygen) on this machine, argv form, no shell. */
export async function run(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const r = await execa(file, args, {
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    stdin: 'ignore',
    env: { LC_ALL: 'C' },
  });
  const notFound = (r as { code?: string }).code === 'ENOENT';
  return {
    host: 'local',
    command: [file, ...args].join(' '),
    exitCode: notFound ? 127 : (r.exitCode ?? null),
    signal: r.signal ?? null,
    stdout: String(r.stdout ?? ''),
    stderr: notFound ? `${file}: command not found` : String(r.stderr ?? ''),
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    timedOut: Boolean(r.timedOut),
    cancelled: false,
  };
}

/** Like run(), but a non-zero exit throws a CommandError (what ran, what came back). */
export async function runOk(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const r = await run(file, args, options);
  if (r.exitCode !== 0) throw new CommandError(commandErrorCode(r), r);
  return r.stdout;
}
