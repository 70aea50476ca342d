import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadLab, loadPlan } from '../../src/config/index.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwqual-config-');
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('lab.yaml', () => {
  it('loads the documented example with defaults and paths relative to the file', () => {
    const lab = loadLab(
      file(
        'lab.yaml',
        `
hosts:
  - name: node-a
    address: local
  - name: node-b
    address: 127.0.0.1
    port: 2222
    user: root
    identityFile: keys/id_ed25519
    knownHosts: keys/known_hosts
    jump: bastion
    labels: { hardware: gen3, os: debian-12, pool: lab1 }
    expect:
      cpu: { vendor: GenuineIntel, model: "Xeon.*8480", sockets: 2, threads: 224 }
      memoryGiB: { min: 1000 }
      flags: [avx512f, amx_tile, vaes]
  - name: bastion
    address: 127.0.0.2
    migrationAddress: 10.20.0.2
`,
      ),
    );
    expect(lab.hosts.map((h) => h.name)).toEqual(['node-a', 'node-b', 'bastion']);
    // The data plane: the SSH address unless the host names another one.
    expect(lab.hosts.map((h) => h.migrationAddress)).toEqual(['local', '127.0.0.1', '10.20.0.2']);
    const b = lab.hosts[1];
    expect(b.port).toBe(2222);
    expect(b.identityFile).toBe(join(dir, 'keys/id_ed25519'));
    expect(b.knownHosts).toBe(join(dir, 'keys/known_hosts'));
    expect(b.ssh.maxChannels).toBe(8);
    expect(b.labels.pool).toBe('lab1');
    expect(lab.hosts[0].port).toBe(22);
    expect(lab.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file and the exact field, all errors at once', () => {
    const p = problems(() =>
      loadLab(
        file(
          'bad.yaml',
          `
hosts:
  - name: node-a
    address: local
  - name: Node_B
    address: 127.0.0.1
    port: "22x"
    prot: 22
`,
        ),
      ),
    );
    expect(p).toContain('bad.yaml: /hosts/1/port must be integer');
    expect(p).toContain('bad.yaml: /hosts/1/name must match pattern "^[a-z0-9-]+$"');
    expect(p).toContain('bad.yaml: /hosts/1/prot is not a known field');
  });

  it('refuses duplicate names, unknown jump hosts and jump cycles', () => {
    const p = problems(() =>
      loadLab(
        file(
          'jumps.yaml',
          `
hosts:
  - { name: a, address: 10.0.0.1, jump: b }
  - { name: b, address: 10.0.0.2, jump: a }
  - { name: c, address: 10.0.0.3, jump: nowhere }
  - { name: c, address: 10.0.0.4 }
`,
        ),
      ),
    );
    expect(p.some((m) => /\/hosts\/3\/name "c" is already used/.test(m))).toBe(true);
    expect(p.some((m) => /\/hosts\/2\/jump "nowhere" is not a host/.test(m))).toBe(true);
    expect(p.some((m) => /\/hosts\/0\/jump forms a cycle: a → b → a/.test(m))).toBe(true);
  });

  it('reports YAML syntax errors and unreadable files with the file name', () => {
    expect(problems(() => loadLab(file('syntax.yaml', 'hosts: [\n  - name: a\n')))[0]).toMatch(
      /^syntax\.yaml: invalid YAML/,
    );
    expect(problems(() => loadLab(join(dir, 'missing.yaml')))[0]).toMatch(/^missing\.yaml: cannot read .*ENOENT/);
  });

  it('refuses a channel cap at or above sshd MaxSessions', () => {
    expect(
      problems(() => loadLab(file('cap.yaml', 'hosts: [{ name: a, address: h, ssh: { maxChannels: 10 } }]')))[0],
    ).toMatch(/\/hosts\/0\/ssh\/maxChannels must stay below/);
  });
});

describe('plan.yaml', () => {
  it('loads the documented example', async () => {
    const plan = await loadPlan(
      file(
        'plan.yaml',
        `
name: gen3-qualification
suites: [host-os, server-inventory]
hosts: { labels: { pool: lab1 } }
severity: { host-os: blocker }
require: { qemu: ">=7.2", kernelCmdline: [intel_iommu=on] }
concurrency: 8
timeouts: { case: 120 }
retries: 0
`,
      ),
    );
    expect(plan).toMatchObject({
      name: 'gen3-qualification',
      concurrency: 8,
      retries: 0,
      retryFailed: false,
      timeouts: { case: 120 },
    });
    expect(plan.hosts.labels).toEqual({ pool: 'lab1' });
    expect(plan.require.qemu).toBe('>=7.2');
  });

  it('accepts JSON and names wrong fields', async () => {
    const p = await problemsOf(
      loadPlan(
        file(
          'plan.json',
          JSON.stringify({ name: 'x', suites: [], concurrency: 0, severity: { a: 'critical' }, timeout: 1 }),
        ),
      ),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        'plan.json: /suites must NOT have fewer than 1 items',
        'plan.json: /concurrency must be >= 1',
        'plan.json: /severity/a must be one of blocker, major, minor',
        'plan.json: /timeout is not a known field',
      ]),
    );
  });

  it('puts images and cpuModels on the matrix', async () => {
    const plan = await loadPlan(
      file(
        'axes.yaml',
        'name: p\nsuites: [guest-images]\nimages: [tiny, tiny-generic]\ncpuModels: [max, qemu64]\naccel: tcg\n',
      ),
    );
    expect(plan.matrix).toEqual({ images: ['tiny', 'tiny-generic'], cpuModels: ['max', 'qemu64'] });
    expect(plan.settings.accel).toBe('tcg');
  });

  it('driver: qemu (default) or libvirt, at the top or in settings; else bad input naming the field', async () => {
    const top = await loadPlan(file('top.yaml', 'name: p\nsuites: [guest-images]\ndriver: libvirt\n'));
    expect(top.settings.driver).toBe('libvirt');
    const inSettings = await loadPlan(file('in.yaml', 'name: p\nsuites: [guest-images]\nsettings: { driver: qemu }\n'));
    expect(inSettings.settings.driver).toBe('qemu');
    expect((await loadPlan(file('none.yaml', 'name: p\nsuites: [guest-images]\n'))).settings.driver).toBeUndefined();
    await expect(loadPlan(file('bad.yaml', 'name: p\nsuites: [guest-images]\ndriver: xen\n'))).rejects.toThrow(
      /bad\.yaml: \/driver must be one of qemu, libvirt/,
    );
    await expect(
      loadPlan(file('twice.yaml', 'name: p\nsuites: [guest-images]\ndriver: qemu\nsettings: { driver: libvirt }\n')),
    ).rejects.toThrow(/\/settings\/driver is also given at \/driver: give it once/);
  });

  it('require.machineTypes is a list of machine type names', async () => {
    const ok = await loadPlan(
      file('mt.yaml', 'name: p\nsuites: [cpu-features]\nrequire: { machineTypes: [pc-q35-7.2, q35] }\n'),
    );
    expect(ok.require.machineTypes).toEqual(['pc-q35-7.2', 'q35']);
    expect(
      await problemsOf(
        loadPlan(file('mt2.yaml', 'name: p\nsuites: [cpu-features]\nrequire: { machineTypes: pc-q35-7.2 }\n')),
      ),
    ).toEqual(['mt2.yaml: /require/machineTypes must be array']);
    const bad = await problemsOf(
      loadPlan(file('mt3.yaml', 'name: p\nsuites: [cpu-features]\nrequire: { machineTypes: ["PC Q35"] }\n')),
    );
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^mt3\.yaml: \/require\/machineTypes\/0 must /);
  });
});
