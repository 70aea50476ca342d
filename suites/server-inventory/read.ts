import { HwqualError, type CaseContext } from '../../src/suite-api/index.ts';

/** Per case: the commands a replayed host's profile could not answer (E_NOT_RECORDED). */
const unrecorded = new WeakMap<CaseContext, string[]>();

/**
 * Run a read-only probe command: its stdout, or undefined when the command is missing or failed. `partial` accepts
 * a non-zero exit with output (grep over files of which some are unreadable).
 *
 * On a replayed host, a command its profile does not hold (E_NOT_RECORDED) also gives undefined, so the case can use
 * its other sources. Then "nothing readable" must not read as a fact about the host: from here on the case's
 * `skip` names the unrecorded commands, and its `fail` becomes an E_NOT_RECORDED error (→ status error).
 */
export async function probe(ctx: CaseContext, command: string, partial = false): Promise<string | undefined> {
  let r;
  try {
    r = await ctx.exec(command, { readOnly: true });
  } catch (err) {
    if (!(err instanceof HwqualError && err.code === 'E_NOT_RECORDED')) throw err;
    noteUnrecorded(ctx, command, err.message);
    return undefined;
  }
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

function noteUnrecorded(ctx: CaseContext, command: string, message: string): void {
  ctx.log(message);
  const list = unrecorded.get(ctx);
  if (list) { if (!list.includes(command)) list.push(command); return; }
  const missing = [command];
  unrecorded.set(ctx, missing);
  const why = () => `not recorded in the replayed profile: ${missing.join('; ')}`;
  const skip = ctx.skip.bind(ctx);
  ctx.skip = (reason: string) => skip(`${reason} — ${why()}`);
  ctx.fail = (failMessage: string) => { throw new HwqualError('E_NOT_RECORDED', `${failMessage} — ${why()}`, { host: ctx.host.name }); };
}
