import { HwqualError } from '../model/errors.ts';
import { createBridge, createNetns, plugHost } from './netns.ts';
import { run } from './run.ts';
import { allOrFirstError } from './settle.ts';
import { writeState } from './state.ts';
import type { LabState } from './types.ts';

/** Why this machine cannot make network namespaces, or undefined when it can try. */
export async function netnsUnsupported(): Promise<string | undefined> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: network namespaces need root';
  const r = await run('ip', ['netns', 'list']);
  if (r.exitCode !== 0)
    return `\`ip netns\` does not work here: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`;
  return undefined;
}

/**
 * Make the namespaces, veths and bridge the state records, recording progress as it goes. Returns a reason string
 * when the very first `ip netns add` fails (nothing made yet: the caller falls back to loopback).
 */
export async function buildNetwork(state: LabState): Promise<string | undefined> {
  const [first, ...rest] = state.hosts;
  const r = await createNetns(first!.netns!);
  if (r.exitCode !== 0) return `ip netns add failed: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`;
  await allOrFirstError(
    rest.map(async (h) => {
      const more = await createNetns(h.netns!);
      if (more.exitCode !== 0)
        throw new HwqualError('E_COMMAND', `ip netns add ${h.netns}: ${more.stderr.trim()}`, { host: h.name });
    }),
  );
  await createBridge(state.bridge!, state.bridgeAddress!);
  await allOrFirstError(
    state.hosts.map((h) =>
      plugHost({
        netns: h.netns!,
        bridge: state.bridge!,
        vethHost: h.vethHost!,
        vethPeer: h.vethPeer!,
        address: h.address,
      }),
    ),
  );
  writeState(state);
  return undefined;
}
