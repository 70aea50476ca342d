import { setMaxListeners } from 'node:events';
import type { FactSelection } from '../config/types.ts';
import type { HostFacts } from '../model/facts.ts';
import { CMD } from '../probe/commands.ts';
import { assembleFacts, PARTIAL_OK, type FactCommand } from '../probe/host-facts.ts';
import type { Transport } from '../transport/types.ts';
import { factCommandsFor, factGroupsSkipped } from './fact-groups.ts';

/** Per command; a host that takes longer for `cat /proc/cpuinfo` has bigger problems than a missing fact. */
const COMMAND_TIMEOUT_MS = 20_000;

/**
 * Learn a host's facts: every fact command the selection asks for (all by default) at once — read-only, so the SSH
 * transport sends them as ONE batch channel — each allowed to fail. A command that is missing, exits non-zero,
 * times out or is not in a replay profile just leaves its fact out; its name goes to `facts.extra.unavailable`.
 * Groups the selection leaves out are named in `facts.extra.factsNotGathered`. Only a cancelled run rejects.
 */
export async function gatherFacts(
  transport: Transport,
  signal: AbortSignal,
  selection?: Exclude<FactSelection, 'auto'>,
): Promise<HostFacts> {
  const commands = factCommandsFor(selection);
  const skipped = factGroupsSkipped(selection);
  const outputs: Partial<Record<FactCommand, string>> = {};
  const unavailable = new Set<FactCommand>();
  // One abort listener per command, on a signal of our own linked to the caller's (which then holds just one).
  const local = new AbortController();
  setMaxListeners(commands.length + 8, local.signal);
  const onAbort = () => local.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  const runOne = async (name: FactCommand) => {
    try {
      const r = await transport.exec(CMD[name], {
        readOnly: true,
        signal: local.signal,
        timeoutMs: COMMAND_TIMEOUT_MS,
      });
      const ok = r.exitCode === 0 || (PARTIAL_OK.has(name) && r.exitCode !== 127 && r.stdout.trim() !== '');
      if (ok) outputs[name] = r.stdout;
      else unavailable.add(name);
    } catch (err) {
      if (signal.aborted) throw err;
      unavailable.add(name);
    }
  };
  try {
    await Promise.all(commands.map(runOne));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const facts = assembleFacts(outputs);
  // assembleFacts always states kvm.device; not asking is not the same as "no /dev/kvm".
  if (!commands.includes('kvmDevice')) delete facts.kvm;
  facts.extra = { ...facts.extra, unavailable: commands.filter((n) => unavailable.has(n)) };
  if (skipped.length) facts.extra.factsNotGathered = skipped;
  return facts;
}
