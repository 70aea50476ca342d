// The KVM probe: absent / hangs / usable, decided once per host per run. The "hangs" and "usable" branches are
// driven with the same tiny guest under tcg (a 300 ms deadline it cannot meet; a generous one it meets).
import { existsSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { kvmProbeOnce, probeKvm, resetKvmProbes, resolveAccel } from '../../src/vm/accel.ts';

const local = new LocalTransport('local');

async function probeVmsLeft(): Promise<string> {
  const r = await local.exec(
    `for p in $(pgrep -f -- /tmp/hwqual-vms/kvm-probe-); do [ "$p" = "$$" ] && continue; case "$(cat /proc/$p/comm ` +
      `2>/dev/null)" in qemu*) echo $p;; esac; done`,
  );
  return r.stdout.trim();
}

describe('KVM probe', () => {
  beforeEach(() => resetKvmProbes());

  it('answers for this machine: absent without /dev/kvm', async () => {
    const probe = await probeKvm(local, { timeoutMs: 8_000 });
    if (!existsSync('/dev/kvm'))
      expect(probe).toMatchObject({ state: 'absent', reason: expect.stringContaining('/dev/kvm') });
    else expect(['usable', 'hangs', 'absent']).toContain(probe.state);
    expect(await probeVmsLeft()).toBe('');
  });

  it('says "hangs" when the guest misses the deadline, and leaves no QEMU behind', async () => {
    const probe = await probeKvm(local, { bootAccel: 'tcg', skipDeviceCheck: true, timeoutMs: 300 });
    expect(probe.state).toBe('hangs');
    expect(probe.reason).toMatch(/did not reach its ready marker within 300 ms/);
    expect(await probeVmsLeft()).toBe('');
  });

  it('says "usable" when the guest comes up in time', async () => {
    const probe = await probeKvm(local, { bootAccel: 'tcg', skipDeviceCheck: true, timeoutMs: 120_000 });
    expect(probe.state).toBe('usable');
  });

  it('probes each host once per run and picks the accelerator from the answer', async () => {
    const first = kvmProbeOnce(local, { bootAccel: 'tcg', skipDeviceCheck: true, timeoutMs: 300 });
    const second = kvmProbeOnce(local, { timeoutMs: 120_000 });
    expect(second).toBe(first);
    const auto = await resolveAccel(local, 'auto');
    expect(auto).toMatchObject({ accel: 'tcg', kvm: { state: 'hangs' } });
    expect(await resolveAccel(local, 'tcg')).toEqual({ accel: 'tcg' });
    expect(await resolveAccel(local, 'kvm')).toEqual({ accel: 'kvm' });
  });
});
