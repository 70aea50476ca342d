// The KVM probe: absent / hangs / usable, decided once per host per run. The "hangs" and "usable" branches are
// driven with the same tiny guest under tcg (a 300 ms deadline it cannot meet; a generous one it meets).
import { accessSync, constants, statSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { kvmProbeOnce, probeKvm, resetKvmProbes, resolveAccel } from '../../src/vm/accel.ts';
import { openQmpProbe } from '../../src/vm/qmp-probe.ts';

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

  it('answers for this machine the state its evidence implies, and the evidence holds up on its own', async () => {
    const probe = await probeKvm(local, { timeoutMs: 8_000 });
    const e = probe.evidence;
    // The evidence, checked independently of the probe where it can be.
    const device = (() => {
      try {
        accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
        return statSync('/dev/kvm').isCharacterDevice();
      } catch {
        return false;
      }
    })();
    expect(e.device).toBe(device ? 'ok' : 'missing');
    if (device) {
      // Does this machine's QEMU start under KVM at all (no guest: -machine none)?
      const started = await openQmpProbe(local, { accel: 'kvm' }).then(
        async (p) => {
          const kvm = await p.qmp.queryKvm();
          await p.close();
          return kvm.enabled;
        },
        () => false,
      );
      if (!started) expect(e.qemu).toBe('refused');
      else expect(e.qemu).not.toBe('refused');
      if (e.qemu === 'started') expect(e.kvmEnabled).toBe(true); // the probe guest really ran under KVM
    }
    // The state is the one the evidence implies (probeKvm's rules), and the reason says why.
    const implied = e.device === 'missing' || e.qemu !== 'started' ? 'absent' : e.ready ? 'usable' : 'hangs';
    expect(probe.state, JSON.stringify(probe)).toBe(implied);
    if (implied === 'absent' && e.device === 'missing') expect(probe.reason).toContain('/dev/kvm');
    if (implied === 'hangs') {
      expect(probe.reason).toMatch(/did not (reach its ready marker within 8000 ms|come up)/);
      expect(e.consoleTail).not.toContain('HWQUAL-READY');
    }
    if (implied === 'usable') expect(e.consoleTail).toMatch(/HWQUAL/);
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
    expect(probe).toMatchObject({ state: 'usable', evidence: { device: 'skipped', qemu: 'started', ready: true } });
    expect(probe.evidence.consoleTail).toMatch(/HWQUAL-/);
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
