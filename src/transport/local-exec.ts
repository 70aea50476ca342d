import type { ExecResult } from '../model/exec.ts';
import { registerEmergencyCleanup } from '../util/emergency.ts';
import { CommandError, commandErrorCode } from './command-error.ts';

export interface LocalExecOptions {
  /** The host the result names (default `local`). */
  host?: string;
  /** What the result says ran (default: the program and its arguments). */
  command?: string;
  cwd?: string;
  /** Kill the command after this many milliseconds (rejects with E_TIMEOUT). */
  timeoutMs?: number;
  /** Kill the command when this aborts (rejects with E_CANCELLED). */
  signal?: AbortSignal;
  stdin?: string | Buffer;
  /** Added to the environment; LC_ALL=C always. */
  env?: Record<string, string>;
  /** Keep the final newline of stdout (default: stripped). */
  keepFinalNewline?: boolean;
  /**
   * Run in a process group of its own, killed whole (grandchildren too) on timeout, cancel and the emergency path.
   * Default: in hwqual's group, so a Ctrl-C at the terminal reaches it as well.
   */
  ownProcessGroup?: boolean;
  /** Called with each piece of stdout as it arrives (a command followed live); the result still carries all of it. */
  onStdout?: (chunk: string) => void;
}

/**
 * Run a program on this machine (argv form, no shell): the one local exec of hwqual, behind LocalTransport, the
 * lab's system commands and the image builds. Any exit code resolves as the transport's ExecResult (a missing
 * program is exit 127); a timeout or a cancel rejects with its CommandError, which carries the result.
 */
export async function execLocal(file: string, args: readonly string[], o: LocalExecOptions = {}): Promise<ExecResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  // Loaded on first use (cached after): a run over SSH alone never pays start-up time for execa's ~150 modules.
  const { execa } = await import('execa');
  const base = { host: o.host ?? 'local', command: o.command ?? [file, ...args].join(' ') };
  if (o.signal?.aborted) {
    const r = { ...base, exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0 };
    throw new CommandError('E_CANCELLED', {
      ...r,
      startedAt: startedAt.toISOString(),
      timedOut: false,
      cancelled: true,
    });
  }
  const child = execa(file, args, {
    reject: false,
    detached: o.ownProcessGroup ?? false,
    cwd: o.cwd,
    input: o.stdin,
    stdin: o.stdin === undefined ? 'ignore' : undefined,
    stripFinalNewline: !o.keepFinalNewline,
    encoding: 'utf8',
    env: { LC_ALL: 'C', ...o.env },
  });
  if (o.onStdout) child.stdout?.on('data', (d: string) => o.onStdout!(String(d)));
  let timedOut = false;
  let cancelled = false;
  const kill = () => {
    try {
      if (o.ownProcessGroup && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const unregister = registerEmergencyCleanup(kill);
  const timer = o.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        kill();
      }, o.timeoutMs)
    : undefined;
  const onAbort = () => {
    cancelled = true;
    kill();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    const notFound = (r as { code?: string }).code === 'ENOENT';
    const result: ExecResult = {
      ...base,
      exitCode: timedOut || cancelled ? null : notFound ? 127 : (r.exitCode ?? null),
      signal: r.signal ?? null,
      stdout: String(r.stdout ?? ''),
      stderr: notFound ? `${file}: command not found` : String(r.stderr ?? ''),
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - t0,
      timedOut,
      cancelled,
    };
    if (timedOut || cancelled) throw new CommandError(commandErrorCode(result), result);
    return result;
  } finally {
    unregister();
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** execLocal that wants exit 0: anything else rejects with the CommandError (what ran, what came back). Its stdout. */
export async function execLocalOk(file: string, args: readonly string[], o: LocalExecOptions = {}): Promise<string> {
  const r = await execLocal(file, args, o);
  if (r.exitCode !== 0) throw new CommandError(commandErrorCode(r), r);
  return r.stdout;
}
