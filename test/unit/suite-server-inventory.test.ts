import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { normalizeLab } from '../../src/config/lab.ts';
import type { HostExpect } from '../../src/config/types.ts';
import { CMD } from '../../src/probe/commands.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { executeRun } from '../../src/runner/run.ts';
import type { CommandEntry } from '../../src/transport/profile.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runSuitesLocally } from '../support/run-local.ts';
import { planConfig } from '../support/plan-config.ts';
import { tempDir } from '../support/temp-dir.ts';

/** This machine, read here directly. */
const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const vendor = /^vendor_id\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
const modelName = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
const logical = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
const memGiB = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024 / 1024;
const nodes = readdirSync('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n)).length;
/** Whether this machine is itself a VM (it is one where this was written: a KVM guest), told by systemd itself. */
const virtKind = (() => {
  try {
    return execSync('systemd-detect-virt --vm').toString().trim();
  } catch (err) {
    return (err as { stdout?: Buffer }).stdout?.toString().trim() || 'none';
  }
})();
const seen = virtKind === 'none' ? '' : ` (as the ${virtKind} hypervisor exposes it)`;
const hasDmi = (() => {
  try {
    return readdirSync('/sys/class/dmi/id').length > 0;
  } catch {
    return false;
  }
})();

describe('server-inventory on this machine', () => {
  it('passes what matches the lab expectation and records the values', async () => {
    const expectations: HostExpect = {
      cpu: { vendor, model: 'EPYC|Xeon|.', threads: logical },
      memoryGiB: { min: Math.floor(memGiB) - 1, max: Math.ceil(memGiB) + 1 },
      flags: ['fpu', 'sse2'],
      numaNodes: nodes,
      disks: { min: 1 },
      nics: { min: 1 },
    };
    const { byId, host } = await runSuitesLocally(['server-inventory'], { expect: expectations });
    for (const id of ['cpu', 'cpu-flags', 'numa', 'memory', 'disks', 'nics'])
      expect(byId(id).status, id).toBe('passed');
    expect(byId('cpu').metrics.cpu_threads).toBe(logical);
    expect(byId('cpu').assertions.map((a) => a.name)).toEqual([
      'CPU vendor',
      'CPU model',
      `threads (logical CPUs)${seen}`,
    ]);
    expect(host.facts.extra?.cpu).toMatchObject({
      vendor,
      model: modelName,
      threads: logical,
      topologyConsistent: true,
    });
    // A VM says so: the fact names the hypervisor, and the counts are marked as what it exposes.
    expect(host.facts.virtualised?.kind).toBe(virtKind);
    if (virtKind !== 'none')
      expect((host.facts.extra!.cpu as Record<string, unknown>).seenThrough).toMatch(
        new RegExp(`^a ${virtKind} virtual machine: sockets, cores, threads and flags are what the hypervisor exposes`),
      );
    expect(byId('cpu-flags').assertions.map((a) => a.name)).toEqual([`CPU flags${seen}`]);
    expect(byId('memory').metrics.memory_gib).toBeCloseTo(memGiB, 1);
    expect(byId('numa').metrics.numa_nodes).toBe(nodes);
    expect(byId('disks').metrics.disks).toBe(
      JSON.parse(execSync(CMD.lsblk).toString()).blockdevices.filter(
        (d: { name: string; type: string }) => d.type === 'disk' && !/^(zram|loop|ram)/.test(d.name),
      ).length,
    );
    expect(host.facts.extra?.nics).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'eth0', kind: 'physical' })]),
    );
    if (!hasDmi) {
      expect(byId('system')).toMatchObject({
        status: 'skipped',
        message: expect.stringMatching(/^no system vendor\/product: `grep -s \. \/sys\/class\/dmi\/id\/\*` exited 2/),
      });
      expect(byId('bios').status).toBe('skipped');
    }
    if (!/^microcode/m.test(cpuinfo)) expect(byId('microcode').status).toBe('skipped');
  }, 60_000);

  it('fails mismatches with expected vs actual; an expected value it cannot read fails, not skips', async () => {
    const { byId } = await runSuitesLocally(['server-inventory'], {
      expect: {
        cpu: { model: '^hwqual-no-such-cpu', threads: logical + 1 },
        memoryGiB: { max: 0.5 },
        flags: ['hwqual_flag'],
        product: 'PowerEdge R640',
      },
    });
    const cpu = byId('cpu');
    expect(cpu.status).toBe('failed');
    expect(cpu.assertions.filter((a) => !a.passed).map((a) => [a.name, a.expected, a.actual])).toEqual([
      ['CPU model', '/^hwqual-no-such-cpu/', modelName],
      [`threads (logical CPUs)${seen}`, String(logical + 1), String(logical)],
    ]);
    expect(byId('memory').status).toBe('failed');
    expect(byId('memory').assertions[0]).toMatchObject({
      name: 'memory GiB (MemTotal)',
      passed: false,
      expected: '<= 0.5',
    });
    expect(byId('cpu-flags').assertions[0]).toMatchObject({
      passed: false,
      message: `CPU flags${seen}: missing hwqual_flag`,
    });
    if (!hasDmi)
      expect(byId('system')).toMatchObject({ status: 'failed', expected: 'PowerEdge R640', actual: '(unreadable)' });
  }, 60_000);
});

/**
 * The DMI path, which this machine (no /sys/class/dmi, no SMBIOS) cannot show: a replayed host whose dmidecode
 * answer is a real capture (Alibaba Cloud ECS, test/fixtures/public-captures). The sysfs listing is answered as
 * missing (exit 2) — synthetic, to send the suite to dmidecode.
 */
describe('server-inventory system/bios from dmidecode (replayed capture)', () => {
  it('reads vendor, product and BIOS from dmidecode and compares them', async () => {
    const at = new Date().toISOString();
    const entry = (command: string, stdout: string, exitCode: number): CommandEntry => ({
      command,
      stdout,
      stderr: '',
      exitCode,
      recordedAt: at,
      host: 'ecs',
    });
    const dmidecode = readFileSync(
      resolve(PROJECT_ROOT, 'test/fixtures/public-captures/dmidecode-alibaba-ecs.txt'),
      'utf8',
    );
    const transport = new ReplayTransport({
      dir: '/nonexistent/ecs',
      files: [],
      meta: {
        format: 1,
        name: 'ecs',
        origin: 'assembled-from-public-dumps',
        recordedAt: at,
        sources: [{ what: 'dmidecode of an Alibaba ECS VM (insights-core test data)' }],
        hwqualVersion: 'test',
      },
      commands: [entry(CMD.dmi, '', 2), entry(CMD.dmidecode, dmidecode, 0)],
    });
    const lab = normalizeLab(
      {
        hosts: [
          {
            name: 'ecs',
            address: 'replay',
            expect: { product: 'Alibaba Cloud ECS', bios: { vendor: 'SeaBIOS', version: '1.16.0' } },
          },
        ],
      },
      '/tmp/lab.yaml',
      'lab.yaml',
      'x'.repeat(64),
    );
    const plan = planConfig({ name: 'inv', suites: ['server-inventory'] });
    const prepared = await prepareRun({
      lab,
      plan,
      filter: { grep: /\/(system|bios)@/ },
      bindings: [
        { config: lab.hosts[0], transport, replay: { from: 'memory', origin: 'assembled-from-public-dumps' } },
      ],
    });
    const results = await executeRun({
      lab,
      plan,
      prepared,
      outDir: tempDir('hwqual-inv-'),
      signal: new AbortController().signal,
      progress: {},
    });
    const byId = (id: string) => results.cases.find((c) => c.caseId === id)!;
    expect(byId('system').status).toBe('passed');
    expect(results.hosts[0].facts.extra?.system).toMatchObject({
      vendor: 'Alibaba Cloud',
      product: 'Alibaba Cloud ECS',
      sources: ['dmidecode'],
    });
    expect(byId('bios').status).toBe('failed');
    expect(byId('bios').assertions.map((a) => [a.name, a.passed, a.expected, a.actual])).toEqual([
      ['BIOS vendor', true, 'SeaBIOS', 'SeaBIOS'],
      ['BIOS version', false, '1.16.0', 'ab23bb1'],
    ]);
    expect(results.hosts[0].facts.extra?.bios).toMatchObject({
      vendor: 'SeaBIOS',
      version: 'ab23bb1',
      date: '04/01/2014',
    });
  }, 60_000);
});
