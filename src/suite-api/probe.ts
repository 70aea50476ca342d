import { HwqualError } from '../model/errors.ts';
import type { RootNeed } from '../model/exec.ts';
import type { CaseContext } from './types.ts';

/** `partial`: a non-zero exit with output is an answer; `root`: what the command needs of root (RootNeed). */
export interface ReadOptions {
  partial?: boolean;
  root?: RootNeed;
}

export interface ReadResult {
  text?: string;
  /** Why there is no text: the command's failure in its own words, or `not recorded in <profile>: <command>`. */
  why?: string;
  /** Set when a replayed profile holds no answer for the command: the replay's own E_NOT_RECORDED error. */
  unrecorded?: HwqualError;
  /** Set when the command needs root and was not run (a non-root login without `become`): E_NEEDS_ROOT. */
  needsRoot?: HwqualError;
}

/**
 * Run a read-only command: its stdout, or why not. `partial` accepts a non-zero exit with output (grep over files of
 * which some are unreadable). A replayed host's missing answer (E_NOT_RECORDED) is a "why", not an exception, so a
 * case can use its other sources; the runner remembers it, and a case that then fails becomes an `error` naming the
 * unrecorded commands (missing data is never a finding about the host), a skip says which commands were missing.
 * A command that needs root and was not run (E_NEEDS_ROOT) is a "why" too: a case that then fails for want of a
 * value is `skipped` with it. `root` defaults to the CMD table's declaration of the command (CMD_ROOT).
 */
export async function readCommand(
  ctx: CaseContext,
  command: string,
  options: boolean | ReadOptions = false,
): Promise<ReadResult> {
  const { partial = false, root } = typeof options === 'boolean' ? { partial: options } : options;
  let r;
  try {
    r = await ctx.exec(command, { readOnly: true, ...(root ? { root } : {}) });
  } catch (err) {
    if (err instanceof HwqualError && err.code === 'E_NOT_RECORDED') return { why: err.message, unrecorded: err };
    if (err instanceof HwqualError && err.code === 'E_NEEDS_ROOT') return { why: err.message, needsRoot: err };
    throw err;
  }
  if (r.exitCode === 0 || (partial && r.exitCode !== 127 && r.stdout.trim())) return { text: r.stdout };
  const first = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  ctx.log(`${command}: exit ${r.exitCode}${first ? ` — ${first}` : ''}`);
  return { why: `\`${command}\` exited ${r.exitCode}${first ? `: ${first}` : ''}` };
}

/**
 * A read-only probe's stdout, or undefined when the command is missing, failed, was not recorded or needs root.
 */
export async function probe(
  ctx: CaseContext,
  command: string,
  options: boolean | ReadOptions = false,
): Promise<string | undefined> {
  return (await readCommand(ctx, command, options)).text;
}

/**
 * Like probe, but a command a replayed profile does not hold is an `error` (E_NOT_RECORDED) at once, and one that
 * needs root the login does not have a skip (E_NEEDS_ROOT): for suites whose cases read "nothing there" as a finding
 * (no /dev/kvm, no IOMMU group), where a missing answer must not look like one.
 */
export async function probeStrict(
  ctx: CaseContext,
  command: string,
  options: boolean | ReadOptions = false,
): Promise<string | undefined> {
  const r = await readCommand(ctx, command, options);
  if (r.unrecorded) throw r.unrecorded;
  if (r.needsRoot) throw r.needsRoot;
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
  partial: boolean | ReadOptions = false,
  strict = false,
): Promise<string> {
  const r = await readCommand(ctx, command, partial);
  if (r.unrecorded && strict) throw r.unrecorded;
  if (r.needsRoot) return ctx.skip(r.needsRoot.message);
  if (r.text === undefined) return ctx.skip(`${why} (${r.why ?? `\`${command}\` gave nothing`})`);
  return r.text;
}
