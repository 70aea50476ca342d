import { basename, resolve } from 'node:path';
import type { HostConfig, LabConfig, PlanConfig } from '../config/types.ts';
import { SSH_DEFAULTS } from '../config/lab.ts';
import { selectHosts, type HostBinding } from '../runner/hosts.ts';
import { loadProfile } from '../transport/profile.ts';
import { ReplayTransport } from '../transport/replay.ts';
import { UsageExit } from './common.ts';

/**
 * `--replay` value → hosts bound to replay transports.
 * - `NAME=DIR` replays lab host NAME from profile DIR (the plan's host selection still applies).
 * - a bare `DIR` adds a host named after the profile, with the profile's labels (explicitly chosen: always run).
 * A replayed run touches no live host: a host the plan selects that no profile answers is refused as bad input.
 */
export async function replayBindings(spec: string, lab: LabConfig, plan: PlanConfig): Promise<HostBinding[]> {
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UsageExit('--replay: give at least one profile folder');
  const mapped = new Map<string, string>();
  const bare: string[] = [];
  for (const item of items) {
    const m = /^([a-z0-9-]+)=(.+)$/.exec(item);
    if (m) mapped.set(m[1], m[2]);
    else bare.push(item);
  }
  const bindings: HostBinding[] = [];
  if (mapped.size) {
    const selected = selectHosts(lab, plan);
    const unknown = [...mapped.keys()].filter((n) => !lab.hosts.some((h) => h.name === n));
    if (unknown.length) throw new UsageExit(`--replay: no host ${unknown.join(', ')} in the lab`);
    const unanswered = selected.filter((h) => !mapped.has(h.name)).map((h) => h.name);
    if (unanswered.length && !bare.length)
      throw new UsageExit(
        `--replay: no profile for host(s) ${unanswered.join(', ')} ` +
          '(give NAME=DIR for each, or leave them out of the plan)',
      );
    for (const h of selected.filter((x) => mapped.has(x.name))) bindings.push(await bind(mapped.get(h.name)!, h));
  }
  for (const dir of bare) {
    const profile = await load(dir);
    const name = profile.meta.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
    if (bindings.some((b) => b.config.name === name)) throw new UsageExit(`--replay: two profiles named ${name}`);
    bindings.push(await bind(dir, syntheticHost(name, profile.meta.labels ?? {})));
  }
  return bindings;
}

async function load(dir: string) {
  try {
    return await loadProfile(resolve(dir));
  } catch (err) {
    throw new UsageExit(`--replay: ${dir}: ${(err as Error).message}`);
  }
}

async function bind(dir: string, config: HostConfig): Promise<HostBinding> {
  const profile = await load(dir);
  const transport = new ReplayTransport(profile, { host: config.name, label: dir });
  return { config, transport, replay: { from: dir, origin: profile.meta.origin } };
}

function syntheticHost(name: string, labels: Record<string, string>): HostConfig {
  return {
    name,
    address: `replay:${basename(name)}`,
    migrationAddress: `replay:${basename(name)}`,
    port: 22,
    user: 'root',
    knownHosts: '',
    labels: { ...labels, replayed: 'true' },
    ssh: { ...SSH_DEFAULTS, agent: false },
  };
}
