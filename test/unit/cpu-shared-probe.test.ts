// One probe QEMU per host is shared by the cases of a run; the cancel of the case that started it must not end it
// for the others (seen: "QMP greeting: cancelled" on qemu-models when another host's pool case stopped).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { qemuCpuFactsOnce } from '../../src/vm/qemu-cpu-facts.ts';
import { SHIPPED_PROFILES } from '../support/replay-run.ts';

describe('qemuCpuFactsOnce', () => {
  it("a caller not cancelled gets its answer although the probe's starter was cancelled", async () => {
    const t = await ReplayTransport.open(join(SHIPPED_PROFILES, 'qmp-ryzen-3900x-qemu-7.2'));
    const cancelled = new AbortController();
    cancelled.abort(new Error('the case that started the probe was stopped'));
    const first = qemuCpuFactsOnce(t, 'kvm', { signal: cancelled.signal });
    const second = qemuCpuFactsOnce(t, 'kvm', { signal: new AbortController().signal });
    await expect(first).rejects.toThrow();
    const q = await second;
    expect(q).toMatchObject({ qemuVersion: '7.2.0', mode: 'replayed' });
    expect(q.machines).toContain('pc-q35-7.2');
    // Shared: a third caller gets the same answer without a new probe.
    expect(await qemuCpuFactsOnce(t, 'kvm', {})).toBe(q);
  });
});
