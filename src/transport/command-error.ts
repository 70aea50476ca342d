import { HwqualError, type ErrorCode } from '../model/errors.ts';
import { explainExit, type ExecResult } from '../model/exec.ts';

/** An error with the same fields as a result (execa's pattern): what ran, where, what came back, why it stopped. */
export class CommandError extends HwqualError {
  readonly result: ExecResult;
  constructor(code: ErrorCode, result: ExecResult, cause?: unknown) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    super(code, `${result.command} on ${result.host}: ${explainExit(result)}${tail ? ` — ${tail}` : ''}`, {
      host: result.host,
      cause,
    });
    this.name = 'CommandError';
    this.result = result;
  }
}

export function commandErrorCode(result: ExecResult): ErrorCode {
  if (result.timedOut) return 'E_TIMEOUT';
  if (result.cancelled) return 'E_CANCELLED';
  if (result.exitCode === 127) return 'E_COMMAND_NOT_FOUND';
  return 'E_COMMAND';
}
