import type { Duplex } from 'node:stream';
import type { Become } from '../config/host-connection.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';

export type TransportKind = 'local' | 'ssh' | 'replay' | 'recording';

export interface FileOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** File mode for writeFile (e.g. 0o600 for secrets). */
  mode?: number;
  /**
   * readFile: at most `length` bytes from byte `offset` (empty past the end) — how a growing file such as a serial
   * console is followed without reading it all again. A missing file is still an error.
   */
  range?: { offset: number; length: number };
}

/**
 * One host, reached one way. A case never knows which implementation it got.
 *
 * Contract:
 * - `exec` resolves with an ExecResult for any command that ran to an exit code, whatever the code.
 * - A command that needs root (`root: 'required'`) on a host logged into as another user runs through `become`, or
 *   is not run at all without it: E_NEEDS_ROOT; a sudo that will not run it (it wants a password): E_SUDO.
 * - A command past `timeoutMs` or aborted through `signal` is killed on the host (its whole process group) and
 *   `exec` rejects with a CommandError (code E_TIMEOUT / E_CANCELLED) carrying the partial result.
 * - Infrastructure faults reject with HwqualError (E_HOST_UNREACHABLE, E_CONNECTION_LOST, E_HOSTKEY, E_AUTH,
 *   E_CHANNEL, E_NOT_RECORDED).
 */
export interface Transport {
  readonly host: string;
  readonly kind: TransportKind;
  /** Where a replayed host's answers come from (profile folder), for the report. */
  readonly replayedFrom?: string;
  /**
   * Whom commands run as on the host: the SSH user, this process's user for `local`; absent for a replayed host.
   * Per-user folders on the host (VM work dirs, staged images) are named after it.
   */
  readonly user?: string;
  /** The lab's `become` for this host: how commands that need root (ExecOptions.root) reach it. */
  readonly become?: Become;
  connect(signal?: AbortSignal): Promise<void>;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  readFile(path: string, options?: FileOptions): Promise<Buffer>;
  writeFile(path: string, data: string | Buffer, options?: FileOptions): Promise<void>;
  /** A byte stream to a unix socket on the host (QMP, guest agent). */
  forwardUnixSocket(path: string, options?: FileOptions): Promise<Duplex>;
  close(): Promise<void>;
}
