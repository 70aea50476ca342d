// connectHosts: every host connected and asked its facts through the real replay transport and gatherFacts, a
// bounded number at a time, each host's timeout counting from its own turn.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/config/types.ts';
import { gatherFacts } from '../../src/runner/facts.ts';
import { connectHosts, type GatherFacts, type HostBinding } from '../../src/runner/hosts.ts';
import { loadProfile } from '../../src/transport/profile.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';

const PROFILE = resolve(import.meta.dirname, '../../fixtures/hosts/this-machine-debian12');

async function bindings(n: number): Promise<HostBinding[]> {
  const profile = await loadProfile(PROFILE);
  return Array.from({ length: n }, (_, i) => {
    const config = { name: `h${i}`, address: `replay:h${i}`, labels: {} } as unknown as HostConfig;
    return { config, transport: new ReplayTransport(profile, { host: config.name, label: PROFILE }) };
  });
}

/** gatherFacts (identity only), counting the hosts in flight; each host waits `ms` first. */
function counted(ms = 0): { gather: GatherFacts; most: () => number } {
  let now = 0;
  let most = 0;
  const gather: GatherFacts = async (t, signal) => {
    most = Math.max(most, ++now);
    try {
      if (ms) await new Promise((r) => setTimeout(r, ms));
      return await gatherFacts(t, signal, ['identity']);
    } finally {
      now--;
    }
  };
  return { gather, most: () => most };
}

describe('connectHosts', () => {
  it('connects every host, at most `concurrency` at once, results in the order of the bindings', async () => {
    const b = await bindings(40);
    const { gather, most } = counted(2);
    const hosts = await connectHosts(b, gather, new AbortController().signal, 60_000, 8);
    expect(most()).toBe(8);
    expect(hosts.map((h) => h.info.name)).toEqual(b.map((x) => x.config.name));
    expect(hosts.every((h) => !h.error && h.info.facts.os?.id === 'debian')).toBe(true);
  });

  it("a host's timeout counts from its own turn, not from the first host's", async () => {
    // One at a time, 40 ms each: the sixth host starts 200 ms in, well past a 120 ms timeout shared by all.
    const { gather } = counted(40);
    const hosts = await connectHosts(await bindings(6), gather, new AbortController().signal, 120, 1);
    expect(hosts.map((h) => h.error)).toEqual(Array(6).fill(undefined));
  });

  it('a host slower than its timeout is unreachable, the others are not held up by it', async () => {
    const b = await bindings(3);
    const slow: GatherFacts = (t, signal) =>
      t.host === 'h1'
        ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
        : gatherFacts(t, signal, ['identity']);
    const hosts = await connectHosts(b, slow, new AbortController().signal, 100, 2);
    expect(hosts.map((h) => h.error)).toEqual([
      undefined,
      'host unreachable: The operation was aborted due to timeout',
      undefined,
    ]);
  });

  it("the caller's cancellation reaches the hosts in flight", async () => {
    const ac = new AbortController();
    const waiting: GatherFacts = (_t, signal) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const pending = connectHosts(await bindings(4), waiting, ac.signal, 60_000, 2);
    setTimeout(() => ac.abort(new Error('stop')), 20);
    const hosts = await pending;
    expect(hosts.map((h) => h.error)).toEqual(Array(4).fill('host unreachable: stop'));
  });
});
