import { HwqualError } from '../model/errors.ts';
import { labDir } from './names.ts';
import { readState } from './state.ts';
import type { LabHost, LabState } from './types.ts';

/** The lab at `dir`, or a usage error that says how to make one. */
export function requireState(dir: string): LabState {
  const state = readState(dir);
  if (!state)
    throw new HwqualError(
      'E_USAGE',
      `no lab at ${labDir(dir)} (no state.json): run \`hwqual lab up --dir ${dir}\` first`,
    );
  return state;
}

export function requireHost(state: LabState, name: string): LabHost {
  const host = state.hosts.find((h) => h.name === name);
  if (!host)
    throw new HwqualError(
      'E_USAGE',
      `lab ${state.dir} has no host "${name}"; it has ${state.hosts.map((h) => h.name).join(', ')}`,
    );
  return host;
}

/** `link` and `shape` act on a host's veth: a loopback lab has none. */
export function requireNetns(state: LabState, what: string): void {
  if (state.mode !== 'netns') {
    throw new HwqualError(
      'E_USAGE',
      `lab ${state.dir} runs on loopback (${state.fallbackReason ?? 'no network namespaces'}): ` +
        `\`${what}\` needs network namespaces (run \`lab up\` as root where \`ip netns add\` works)`,
    );
  }
}
