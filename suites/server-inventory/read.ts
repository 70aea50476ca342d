import type { CaseContext } from '../../src/suite-api/index.ts';

/**
 * Run a read-only probe command: its stdout, or undefined when the command is missing or failed. `partial` accepts
 * a non-zero exit with output (grep over files of which some are unreadable).
 */
export async function probe(ctx: CaseContext, command: string, partial = false): Promise<string | undefined> {
  const r = await ctx.exec(command, { readOnly: true });
  if (r.exitCode === 0) return r.stdout;
  if (partial && r.exitCode !== 127 && r.stdout.trim()) return r.stdout;
  ctx.log(`${command}: exit ${r.exitCode}${r.stderr.trim() ? ` — ${r.stderr.trim().split('\n')[0]}` : ''}`);
  return undefined;
}

/** Probe or skip the case with the reason. */
export async function probeOrSkip(ctx: CaseContext, command: string, why: string, partial = false): Promise<string> {
  const out = await probe(ctx, command, partial);
  if (out === undefined) return ctx.skip(`${why} (\`${command}\` gave nothing on ${ctx.host.name})`);
  return out;
}
