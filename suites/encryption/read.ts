import { HwqualError, type CaseContext } from '../../src/suite-api/index.ts';

export interface ReadResult {
  text?: string;
  /** Why there is no text: the command's failure in its own words, or "not recorded" on a replayed host. */
  why?: string;
  /** True when a replayed profile holds no answer for the command. */
  unrecorded?: boolean;
}

/**
 * Run a read-only command: its stdout, or why not. `partial` accepts a non-zero exit with output (grep over files of
 * which some are unreadable). A replayed host's missing answer (E_NOT_RECORDED) is a "why", not an error, so that a
 * case can use its other sources and say what it could not read.
 */
export async function readCommand(ctx: CaseContext, command: string, partial = false): Promise<ReadResult> {
  let r;
  try {
    r = await ctx.exec(command, { readOnly: true });
  } catch (err) {
    if (!(err instanceof HwqualError && err.code === 'E_NOT_RECORDED')) throw err;
    ctx.log(err.message);
    return { why: `\`${command}\` is not recorded in the replayed profile`, unrecorded: true };
  }
  if (r.exitCode === 0 || (partial && r.exitCode !== 127 && r.stdout.trim())) return { text: r.stdout };
  const first = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  return { why: `\`${command}\` exited ${r.exitCode}${first ? `: ${first}` : ''}` };
}

/** The text, or skip the case with the reason. */
export async function readOrSkip(ctx: CaseContext, command: string, what: string): Promise<string> {
  const r = await readCommand(ctx, command);
  if (r.text === undefined) return ctx.skip(`cannot read ${what} on ${ctx.host.name}: ${r.why}`);
  return r.text;
}
