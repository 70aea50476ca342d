import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FactSelection } from '../../src/config/types.ts';
import { compareFacts } from '../../src/drift/compare.ts';
import { hostDrift } from '../../src/drift/host-drift.ts';
import { indexRun } from '../../src/drift/qualified.ts';
import type { HostFacts } from '../../src/model/facts.ts';
import type { RunResults } from '../../src/model/result.ts';
import { CMD } from '../../src/probe/commands.ts';
import { parseDmidecode } from '../../src/probe/dmi.ts';
import { gatherFacts } from '../../src/runner/facts.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { editProfile, type ProfileCommands } from '../support/profile-edit.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOSTS = resolve(PROJECT_ROOT, 'fixtures/hosts');
const RECORDED = join(HOSTS, 'this-machine-debian12');
const tmp = tempDir('hwqual-drift-compare-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const copy = (from: string, edit: (c: ProfileCommands) => void = () => {}) =>
  editProfile(from, join(tmp, `p${++n}`), edit);

async function factsOf(dir: string, selection?: Exclude<FactSelection, 'auto'>): Promise<HostFacts> {
  const t = await ReplayTransport.open(dir, { host: 'h' });
  return gatherFacts(t, new AbortController().signal, selection);
}

const rowsOf = (then: HostFacts, now: HostFacts) =>
  compareFacts(then, now).rows.map(({ fact, class: cls, qualified, now: n, kind }) => ({
    fact,
    class: cls,
    qualified,
    now: n,
    kind,
  }));

/** The recorded machine's DMI as sysfs lists it, filled from a real dmidecode capture (an Alibaba ECS guest). */
function realDmiListing(): string {
  const text = readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/public-captures/dmidecode-alibaba-ecs.txt'), 'utf8');
  const d = parseDmidecode(text);
  return [
    `/sys/class/dmi/id/bios_date:${d.bios!.date}`,
    `/sys/class/dmi/id/bios_vendor:${d.bios!.vendor}`,
    `/sys/class/dmi/id/bios_version:${d.bios!.version}`,
    `/sys/class/dmi/id/product_name:${d.system!.productName}`,
    `/sys/class/dmi/id/sys_vendor:${d.system!.manufacturer}`,
    '',
  ].join('\n');
}

describe('drift classifies one edited line of a real profile', () => {
  it('microcode (Sapphire Rapids /proc/cpuinfo) → cpu-visible, nothing else', async () => {
    const base = join(HOSTS, 'intel-sapphire-rapids');
    const now = copy(base, (c) => c.microcode('0x2b0004d0'));
    expect(rowsOf(await factsOf(base), await factsOf(now))).toEqual([
      { fact: 'cpu.microcode', class: 'cpu-visible', qualified: '0x2b000181', now: '0x2b0004d0', kind: 'changed' },
    ]);
  });

  it('`qemu-system-x86_64 --version` → hypervisor', async () => {
    const now = copy(RECORDED, (c) => c.qemuVersion('8.2.2'));
    expect(rowsOf(await factsOf(RECORDED), await factsOf(now))).toEqual([
      { fact: 'qemu.version', class: 'hypervisor', qualified: '7.2.22', now: '8.2.2', kind: 'changed' },
    ]);
  });

  it('BIOS version → firmware', async () => {
    const then = copy(RECORDED, (c) => c.answer(CMD.dmi, realDmiListing()));
    const now = copy(then, (c) => c.replace(CMD.dmi, /bios_version:.*/, 'bios_version:1.16.3'));
    expect(rowsOf(await factsOf(then), await factsOf(now))).toEqual([
      { fact: 'dmi.biosVersion', class: 'firmware', qualified: 'ab23bb1', now: '1.16.3', kind: 'changed' },
    ]);
  });

  it('hostname → cosmetic only', async () => {
    const now = copy(RECORDED, (c) => c.replace(CMD.hostname, /.+/, 'renamed-host'));
    const d = compareFacts(await factsOf(RECORDED), await factsOf(now));
    expect(d.rows).toEqual([
      { fact: 'hostname', class: 'cosmetic', qualified: 'vm', now: 'renamed-host', kind: 'changed' },
    ]);
  });

  it('flags and kernel command line show only what differs', async () => {
    const now = copy(RECORDED, (c) =>
      c.replace(CMD.cpuinfo, /^(flags\s*:.*) sse2 /gm, '$1 ').replace(CMD.cmdline, / quiet /, ' mitigations=off '),
    );
    expect(rowsOf(await factsOf(RECORDED), await factsOf(now))).toEqual([
      { fact: 'cpu.flags', class: 'cpu-visible', qualified: 'only then: sse2', now: '(nothing new)', kind: 'changed' },
      {
        fact: 'kernel.cmdline',
        class: 'hypervisor',
        qualified: 'only then: quiet',
        now: 'only now: mitigations=off',
        kind: 'changed',
      },
    ]);
  });

  it('MemTotal within 1 % is the same memory; a DIMM less is inventory', async () => {
    const then = await factsOf(RECORDED);
    const total = then.memory!.totalKiB!;
    const kernelReserve = copy(RECORDED, (c) => c.replace(CMD.meminfo, /MemTotal:\s+\d+/, `MemTotal: ${total - 4096}`));
    expect(rowsOf(then, await factsOf(kernelReserve))).toEqual([]);
    const dimm = copy(RECORDED, (c) => c.replace(CMD.meminfo, /MemTotal:\s+\d+/, `MemTotal: ${total - 4194304}`));
    expect(rowsOf(then, await factsOf(dimm))).toEqual([
      {
        fact: 'memory.totalKiB',
        class: 'inventory',
        qualified: String(total),
        now: String(total - 4194304),
        kind: 'changed',
      },
    ]);
  });
});

describe('what was and was not recorded', () => {
  it('present then, gone now: `qemu.version 7.2.22 → absent`, a hypervisor drift', async () => {
    const now = copy(RECORDED, (c) => c.gone(CMD.qemuX86));
    expect(rowsOf(await factsOf(RECORDED), await factsOf(now))).toEqual([
      { fact: 'qemu.version', class: 'hypervisor', qualified: '7.2.22', now: 'absent', kind: 'changed' },
      { fact: 'qemu.binary', class: 'hypervisor', qualified: 'qemu-system-x86_64', now: 'absent', kind: 'changed' },
    ]);
  });

  it('unavailable then, answering now: cannot verify (never a silent pass)', async () => {
    const then = copy(RECORDED, (c) => c.gone(CMD.qemuX86));
    const rows = compareFacts(await factsOf(then), await factsOf(RECORDED)).rows;
    expect(rows.map((r) => [r.fact, r.class, r.kind, r.why, r.now])).toEqual([
      ['qemu.version', 'hypervisor', 'unverifiable', 'not recorded in the qualified run', '7.2.22'],
      ['qemu.binary', 'hypervisor', 'unverifiable', 'not recorded in the qualified run', 'qemu-system-x86_64'],
    ]);
  });

  it('fact groups the qualified run did not gather cannot be verified, whatever they say now', async () => {
    const rows = compareFacts(await factsOf(RECORDED, ['identity', 'cpu']), await factsOf(RECORDED)).rows;
    expect(rows.every((r) => r.kind === 'unverifiable')).toBe(true);
    const facts = rows.map((r) => r.fact);
    expect(facts).toEqual(
      expect.arrayContaining(['qemu.version', 'memory.totalKiB', 'vulnerabilities', 'dmi.biosVersion']),
    );
    expect(facts).not.toContain('cpu.microcode');
    expect(facts).not.toContain('kernel.release');
  });

  it('commands that answered neither then nor now are a note, not a row (libvirt absent on both runs)', async () => {
    const d = compareFacts(await factsOf(RECORDED), await factsOf(RECORDED));
    expect(d.rows).toEqual([]);
    expect(d.notes.find((x) => x.fact === 'libvirt.version')?.text).toMatch(
      /libvirtd --version.*no answer then nor now/,
    );
  });

  it("facts the qualified run's cases added are not drift (cpuPool.*, guestCrypto:*, kvm.usable, xtsAes)", async () => {
    const crypto =
      'name : xts(aes)\ndriver : xts-aes-aesni\nmodule : aesni_intel\npriority : 401\nselftest : passed\n\n';
    const dir = copy(RECORDED, (c) => c.answer(CMD.crypto, crypto));
    const now = await factsOf(dir);
    const then = structuredClone(now);
    then.kvm = { ...then.kvm!, usable: 'hangs' };
    then.extra = {
      ...then.extra,
      'cpuPool.all': { model: 'EPYC-v4', hosts: ['h'] },
      'guestCrypto:max': { xtsAes: 'xts-aes-aesni' },
      // the encryption suite's case records more under the same key as the fact command
      xtsAes: { driver: 'xts-aes-aesni', priority: 401, accelerated: true, aesCipher: 'aes-aesni' },
      os: { id: 'debian' },
    };
    expect(compareFacts(then, now).rows).toEqual([]);
    const other = await factsOf(copy(dir, (c) => c.replace(CMD.crypto, /xts-aes-aesni/, 'xts(ecb(aes-generic))')));
    expect(rowsOf(then, other)).toEqual([
      {
        fact: 'extra.xtsAes',
        class: 'hypervisor',
        qualified: 'xts-aes-aesni',
        now: 'xts(ecb(aes-generic))',
        kind: 'changed',
      },
    ]);
  });

  it('a lab-in-a-box host whose root changed says why its kernel did not', async () => {
    const then = await factsOf(RECORDED);
    const now = await factsOf(
      copy(RECORDED, (c) => c.replace(CMD.osRelease, /VERSION_ID="12"/, 'VERSION_ID="13"').qemuVersion('10.0.2')),
    );
    const run: RunResults = {
      schemaVersion: 1,
      run: {} as RunResults['run'],
      hosts: [{ name: 'node-b', address: 'x', transport: 'ssh', labels: {}, facts: then, reachable: true }],
      cases: [],
      summary: {} as RunResults['summary'],
    };
    const d = hostDrift(
      indexRun('q/results.json', run),
      { name: 'node-b', labels: {}, facts: now },
      { rerun: { lab: 'lab.yaml', plan: 'plan.yaml' }, sharedKernelRoot: 'its own root debian-13' },
    );
    expect(d.rows.map((r) => r.fact)).toEqual(['os.versionId', 'qemu.version']);
    expect(d.notes.find((x) => x.fact === 'kernel.release')?.text).toMatch(
      /unchanged \(6\.18\.44-fc-v782\).*lab-in-a-box hosts share this machine's kernel.*debian-13/,
    );
  });
});
