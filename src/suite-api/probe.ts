import { HwqualError } from '../model/errors.ts';
import type { CaseContext } from './types.ts';

export interface ReadResult {
  text?: string;
  /** Why there is no text: the command's failure in its own words, or "not recorded" on a replayed host. */
  why?: string;
  /** True when a replayed profile holds no answer for the command. */
  unrecorded?: boolean;
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
    return { why: `\`${command}\` is not recorded in the replayed profile`, unrecorded: true };
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
  if (r.unrecorded)
    throw new HwqualError('E_NOT_RECORDED', `not recorded in the replayed profile: ${command}`, {
      host: ctx.host.name,
    });
  return r.text;
}

/** Probe or skip the case with the reason. */
export async function probeOrSkip(
  ctx: CaseContext,
  command: string,
  why: string,
  partial = false,
  read = probe,
): Promise<string> {
  const out = await read(ctx, command, partial);
  if (out === undefined) return ctx.skip(`${why} (\`${command}\` gave nothing on ${ctx.host.name})`);
  return out;
}
