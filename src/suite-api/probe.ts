import { HwqualError } from '../model/errors.ts';
import type { CaseContext } from './types.ts';

export interface ReadResult {
  text?: string;
  /** Why there is no text: the command's failure in its own words, or `not recorded in <profile>: <command>`. */
  why?: string;
  /** Set when a replayed profile holds no answer for the command: the replay's own E_NOT_RECORDED error. */
  unrecorded?: HwqualError;
}

/**
 * Run a read-only command: its stdout, or why not. `partial` accepts a non-zero exit with output (grep over files of
 * which some are unreadable). A replayed host's missing answer (E_NOT_RECORDED) is a "why", not an exception, so a
 * case can use its other sources; the runner remembers it, and a case that then fails becomes an `error` naming the
 * unrecorded commands (missing data is never a finding about the host), a skip says which commands were missing.
 */
export async function readCommand(ctx: CaseContext, command: string, partial = false): Promise<ReadResult> {
  let r;
  try {
    r = await ctx.exec(command, { readOnly: true });
  } catch (err) {
    if (!(err instanceof HwqualError && err.code === 'E_NOT_RECORDED')) throw err;
    return { why: err.message, unrecorded: err };
  }
  if (r.exitCode === 0 || (partial && r.exitCode !== 127 && r.stdout.trim())) return { text: r.stdout };
  const first = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  ctx.log(`${command}: exit ${r.exitCode}${first ? ` — ${first}` : ''}`);
  return { why: `\`${command}\` exited ${r.exitCode}${first ? `: ${first}` : ''}` };
}

/** A read-only probe's stdout, or undefined when the command is missing, failed or was not recorded. */
export async function probe(ctx: CaseContext, command: string, partial = false): Promise<string | undefined> {
  return (await readCommand(ctx, command, partial)).text;
}

/**
 * Like probe, but a command a replayed profile does not hold is an `error` (E_NOT_RECORDED) at once: for suites whose
 * cases read "nothing there" as a finding (no /dev/kvm, no IOMMU group), where a missing answer must not look like one.
 */
export async function probeStrict(ctx: CaseContext, command: string, partial = false): Promise<string | undefined> {
  const r = await readCommand(ctx, command, partial);
  if (r.unrecorded) throw r.unrecorded;
  return r.text;
}

/**
 * Probe or skip the case with the reason and what happened to the command (its own error, or not recorded). `strict`:
 * a command a replayed profile lacks is an `error` (as probeStrict), not a skip.
 */
export async function probeOrSkip(
  ctx: CaseContext,
  command: string,
  why: string,
  partial = false,
  strict = false,
): Promise<string> {
  const r = await readCommand(ctx, command, partial);
  if (r.unrecorded && strict) throw r.unrecorded;
  if (r.text === undefined) return ctx.skip(`${why} (${r.why ?? `\`${command}\` gave nothing`})`);
  return r.text;
}
