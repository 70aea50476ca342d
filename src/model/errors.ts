/**
 * Errors with a stable code per condition (vitest's node/errors.ts pattern).
 * Infrastructure faults become case status `error`; AssertionFailure becomes `failed`.
 */
export type ErrorCode =
  | 'E_CONFIG' // bad lab/plan/waivers file
  | 'E_USAGE' // bad CLI input
  | 'E_HOST_UNREACHABLE'
  | 'E_HOSTKEY' // unknown or changed host key
  | 'E_AUTH'
  | 'E_CONNECTION_LOST'
  | 'E_CHANNEL' // could not open an SSH channel
  | 'E_TIMEOUT'
  | 'E_CANCELLED'
  | 'E_COMMAND' // a command the case needed exited non-zero
  | 'E_COMMAND_NOT_FOUND'
  | 'E_NOT_RECORDED' // replay: command not in the profile
  | 'E_INCONSISTENT' // the host's own answers contradict each other: a value cannot be judged
  | 'E_VM' // QEMU/QMP trouble
  | 'E_NEEDS_ROOT' // a command that needs root, on a host logged into as another user without `become`: skipped
  | 'E_SUDO' // `become: sudo` and sudo would not run the command (it wants a password, no rule…)
  | 'E_INTERNAL';

export class HwqualError extends Error {
  readonly code: ErrorCode;
  readonly host?: string;
  constructor(code: ErrorCode, message: string, options: { host?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HwqualError';
    this.code = code;
    this.host = options.host;
  }
}

/** A check on the system under test did not hold: the case is `failed`, not `error`. */
export class AssertionFailure extends Error {
  readonly expected?: unknown;
  readonly actual?: unknown;
  constructor(message: string, expected?: unknown, actual?: unknown) {
    super(message);
    this.name = 'AssertionFailure';
    this.expected = expected;
    this.actual = actual;
  }
}

/** A case decided at run time that it does not apply (e.g. a file the check needs is absent). */
export class SkipCase extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipCase';
  }
}

/** The reason a command that needs root was not run (E_NEEDS_ROOT), before the command: the words of a skip. */
export function needsRootReason(host: string): string {
  return `needs root on ${host} (log in as root or set become: sudo)`;
}

export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof HwqualError ? err.code : 'E_INTERNAL';
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
