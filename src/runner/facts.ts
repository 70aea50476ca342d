import { setMaxListeners } from 'node:events';
import type { HostFacts } from '../model/facts.ts';
import { CMD } from '../probe/commands.ts';
import { assembleFacts, FACT_COMMANDS, PARTIAL_OK, type FactCommand } from '../probe/host-facts.ts';
import type { Transport } from '../transport/types.ts';

/** Per command; a host that takes longer for `cat /proc/cpuinfo` has bigger problems than a missing fact. */
const COMMAND_TIMEOUT_MS = 20_000;

/**
 * Learn a host's facts: every fact command at once (read-only, so a transport may batch them), each allowed to fail.
 * A command that is missing, exits non-zero, times out or is not in a replay profile just leaves its fact out; its
 * name goes to `facts.extra.unavailable`. Only a cancelled run rejects.
 */
export async function gatherFacts(transport: Transport, signal: AbortSignal): Promise<HostFacts> {
  const outputs: Partial<Record<FactCommand, string>> = {};
  const unavailable = new Set<FactCommand>();
  // One abort listener per command, on a signal of our own linked to the caller's (which then holds just one).
  const local = new AbortController();
  setMaxListeners(FACT_COMMANDS.length + 8, local.signal);
  const onAbort = () => local.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  const runOne = async (name: FactCommand) => {
    try {
      const r = await transport.exec(CMD[name], { readOnly: true, signal: local.signal, timeoutMs: COMMAND_TIMEOUT_MS });
      const ok = r.exitCode === 0 || (PARTIAL_OK.has(name) && r.exitCode !== 127 && r.stdout.trim() !== '');
      if (ok) outputs[name] = r.stdout;
      else unavailable.add(name);
    } catch (err) {
      if (signal.aborted) throw err;
      unavailable.add(name);
    }
  };
  try {
    await Promise.all(FACT_COMMANDS.map(runOne));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const facts = assembleFacts(outputs);
  facts.extra = { ...facts.extra, unavailable: FACT_COMMANDS.filter((n) => unavailable.has(n)) };
  return facts;
}
