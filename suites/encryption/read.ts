import { readCommand, type CaseContext } from '../../src/suite-api/index.ts';

export { readCommand };

/** The command's stdout, or skip the case with the reason (a replayed host's missing answer says so). */
export async function readOrSkip(ctx: CaseContext, command: string, what: string): Promise<string> {
  const r = await readCommand(ctx, command);
  if (r.text === undefined) return ctx.skip(`cannot read ${what} on ${ctx.host.name}: ${r.why}`);
  return r.text;
}
