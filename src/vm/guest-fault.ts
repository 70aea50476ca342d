import { AssertionFailure, errorCodeOf, messageOf, SkipCase } from '../model/errors.ts';
import { findPanicLine, GuestFaultError, GuestPanicError, guestProblemLines } from './panic.ts';
import type { Vm } from './vm.ts';

/**
 * An error met while using a guest, judged by the guest's own console first. When the guest ended (QEMU exited) or
 * stopped answering (a timeout) and its console shows a panic, Oops, BUG or WARNING line, the guest is at fault: a
 * GuestPanicError / GuestFaultError (→ case `failed`) quoting that line and saying what hwqual was doing. Otherwise
 * — QEMU still runs and the error is not a timeout, or the console shows nothing of the sort — the error as it was
 * (→ `error`): the lab or hwqual is at fault.
 */
export async function blameGuest(vm: Vm, err: unknown, doing: string): Promise<unknown> {
  if (err instanceof AssertionFailure || err instanceof SkipCase) return err;
  const code = errorCodeOf(err);
  if (code === 'E_CANCELLED') return err;
  await vm.console.poll().catch(() => {});
  const problem = guestProblemLines(vm.console.text)[0];
  if (!problem) return err;
  const alive = await vm.isAlive().catch(() => undefined);
  if (alive !== false && code !== 'E_TIMEOUT') return err;
  const what = `${alive === false ? 'QEMU exited' : 'the guest stopped answering'} while hwqual was ${doing}`;
  if (problem === findPanicLine(vm.console.text))
    return new GuestPanicError(problem, vm.name, `${doing}; ${alive === false ? 'QEMU exited' : 'no answer'}`);
  return new GuestFaultError(problem, vm.name, `${what} (${messageOf(err)})`);
}

/** Run one step of a case against a guest; an error is judged by blameGuest (the step's words say what it was). */
export async function guestStep<T>(vm: Vm, doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw await blameGuest(vm, err, doing);
  }
}
