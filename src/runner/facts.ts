import { setMaxListeners } from 'node:events';
import type { FactSelection } from '../config/types.ts';
import type { HostFacts } from '../model/facts.ts';
import { CMD, CMD_ROOT } from '../probe/commands.ts';
import { ANSWER_ON_ANY_EXIT, assembleFacts, PARTIAL_OK, type FactCommand } from '../probe/host-facts.ts';
import type { Transport } from '../transport/types.ts';
import { onAbort } from '../util/abort-callbacks.ts';
import { gatherAccess } from './access.ts';
import { factCommandsFor, factGroupsSkipped } from './fact-groups.ts';

/** Per command; a host that takes longer for `cat /proc/cpuinfo` has bigger problems than a missing fact. */
const COMMAND_TIMEOUT_MS = 20_000;

/**
 * Learn a host's facts: every fact command the selection asks for (all by default) at once — read-only, so the SSH
 * transport sends them as ONE batch channel — each allowed to fail. A command that is missing, exits non-zero,
 * times out or is not in a replay profile just leaves its fact out; its name goes to `facts.extra.unavailable` and
 * what happened to `facts.extra.unavailableWhy` (the command's own words live, "not recorded in <profile>: <command>"
 * on a replayed host).
 * Groups the selection leaves out are named in `facts.extra.factsNotGathered`. Unless the selection is `none`, who
 * hwqual is on the host goes to `facts.extra.access` (access.ts). A command that needs root (CMD_ROOT) goes through
 * the lab's `become`, or is unavailable on a non-root login ("needs root on …"). Only a cancelled run rejects.
 */
export async function gatherFacts(
  transport: Transport,
  signal: AbortSignal,
  selection?: Exclude<FactSelection, 'auto'>,
): Promise<HostFacts> {
  const commands = factCommandsFor(selection);
  const skipped = factGroupsSkipped(selection);
  const outputs: Partial<Record<FactCommand, string>> = {};
  const unavailable = new Map<FactCommand, string>();
  // One abort listener per command, on a signal of our own linked to the caller's (which then holds just one).
  const local = new AbortController();
  setMaxListeners(commands.length + 8, local.signal);
  // Through onAbort: the caller's signal is shared by every host (10,000 listeners on one EventTarget cost seconds).
  const unlisten = onAbort(signal, () => local.abort(signal.reason));

  const runOne = async (name: FactCommand) => {
    try {
      const r = await transport.exec(CMD[name], {
        readOnly: true,
        root: CMD_ROOT[name],
        signal: local.signal,
        timeoutMs: COMMAND_TIMEOUT_MS,
      });
      const ok =
        r.exitCode === 0 ||
        (PARTIAL_OK.has(name) && r.exitCode !== 127 && r.stdout.trim() !== '') ||
        (ANSWER_ON_ANY_EXIT.has(name) && r.exitCode !== null && r.exitCode !== 127);
      if (ok) outputs[name] = r.stdout;
      else unavailable.set(name, exitWhy(CMD[name], r));
    } catch (err) {
      if (signal.aborted) throw err;
      unavailable.set(name, (err as Error).message);
    }
  };
  let access: Awaited<ReturnType<typeof gatherAccess>>;
  try {
    [access] = await Promise.all([
      selection === 'none' ? undefined : gatherAccess(transport, local.signal),
      ...commands.map(runOne),
    ]);
  } finally {
    unlisten();
  }
  const facts = assembleFacts(outputs);
  const missed = commands.filter((n) => unavailable.has(n));
  facts.extra = { ...facts.extra, unavailable: missed };
  if (missed.length) facts.extra.unavailableWhy = Object.fromEntries(missed.map((n) => [n, unavailable.get(n)!]));
  if (skipped.length) facts.extra.factsNotGathered = skipped;
  if (access) facts.extra.access = access;
  return facts;
}

/** A command that ran and gave nothing usable, in its own words (`\`libvirtd --version\` exited 127: …`). */
function exitWhy(command: string, r: { exitCode: number | null; stdout: string; stderr: string }): string {
  const first = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  return `\`${command}\` exited ${r.exitCode}${first ? `: ${first}` : ''}`;
}
