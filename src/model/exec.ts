/** The outcome of one command on one host, shaped like execa's result. Plain data. */
export interface ExecResult {
  host: string;
  command: string;
  /** null when the command did not exit by itself (killed, timed out, cancelled). */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  startedAt: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

/**
 * What a command needs of root (declared beside the command, never guessed from its text): `no`; `required` — it
 * cannot work without root (dmidecode, dmesg where restricted, device-mapper, modprobe); `more` — it works as any
 * user, but root reads more (serial numbers in /sys/class/dmi/id). On a host logged into as another user, `become`
 * runs `required` and `more` commands through sudo; without it a `required` one is refused (E_NEEDS_ROOT) and a
 * `more` one runs as the login.
 */
export type RootNeed = 'no' | 'required' | 'more';

export interface ExecOptions {
  /** Kill the command (on the host too) after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  stdin?: string | Buffer;
  /**
   * The command only reads state: a transport may batch it with other read-only commands of the same host
   * (each keeps its own stdout, stderr and exit code).
   */
  readOnly?: boolean;
  /**
   * Called with each piece of stdout as it arrives, for a long-running command followed live (virsh's event loop);
   * the result still carries all of it. A transport that cannot stream (replay) calls it once with the whole stdout.
   */
  onStdout?: (chunk: string) => void;
  /** What the command needs of root (default `no`): see RootNeed. */
  root?: RootNeed;
}

/** Exit codes explained in words (zx pattern). */
export function explainExit(result: Pick<ExecResult, 'exitCode' | 'signal' | 'timedOut' | 'cancelled'>): string {
  if (result.timedOut) return 'timed out (killed)';
  if (result.cancelled) return 'cancelled (killed)';
  if (result.signal) return `killed by ${result.signal}`;
  switch (result.exitCode) {
    case 0:
      return 'success';
    case 126:
      return 'exit 126: command not executable';
    case 127:
      return 'exit 127: command not found';
    case 130:
      return 'exit 130: interrupted (SIGINT)';
    case 137:
      return 'exit 137: killed (SIGKILL)';
    case 143:
      return 'exit 143: terminated (SIGTERM)';
    default:
      return `exit ${result.exitCode}`;
  }
}
