// require.machineTypes and the machine-type facts of qemu-models, on replayed real QMP conversations of two QEMU
// versions (libvirt's probes of QEMU 7.2.0 and 9.2.0, fixtures/hosts/qmp-*-qemu-*).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { runReplayed } from '../support/replay-run.ts';

describe('require.machineTypes, checked per host in qemu-models', () => {
  let r: RunResults;
  let out: string;
  const byId = (id: string) => r.cases.find((c) => c.id === id)!;
  const fact = (h: string) => r.hosts.find((x) => x.name === h)!.facts.extra!.qemuCpuModels as Record<string, any>;
  beforeAll(async () => {
    ({ results: r, out } = await runReplayed(
      {
        'node-a': 'qmp-ryzen-3900x-qemu-7.2',
        'node-b': 'qmp-epyc-9654-sev-qemu-9.2',
        'node-c': 'qmp-kvm-xeon-e5-2650',
      },
      {
        suites: ['cpu-features'],
        require: { machineTypes: ['pc-q35-7.2', 'pc-q35-9.2', 'pc-i440fx-5.2'] },
        grep: /qemu-models/,
      },
    ));
  });

  it("a machine type the host's QEMU does not offer fails, naming it, the QEMU version and the host", () => {
    const a = byId('cpu-features/qemu-models@node-a');
    expect(a.status).toBe('failed');
    expect(a.assertions.map((x) => [x.name, x.passed])).toEqual([
      ['machine type pc-q35-7.2', true],
      ['machine type pc-q35-9.2', false],
      ['machine type pc-i440fx-5.2', true],
    ]);
    expect(a.message).toBe('pc-q35-9.2 is not offered by QEMU 7.2.0 on node-a');
    expect(byId('cpu-features/qemu-models@node-b').status).toBe('passed');
  });

  it(
    'the newest q35 and i440fx and the deprecated types are facts; ' + 'a required deprecated one passes and says so',
    () => {
      // QEMU 7.2.0 marks the pc-i440fx-1.x types deprecated; 9.2.0 also the 2.x to 5.2 ones.
      expect(fact('node-a').machineTypes).toEqual({
        q35: 'pc-q35-7.2',
        i440fx: 'pc-i440fx-7.2',
        deprecated: ['pc-i440fx-1.4', 'pc-i440fx-1.5', 'pc-i440fx-1.6', 'pc-i440fx-1.7'],
      });
      expect(fact('node-b').machineTypes).toMatchObject({ q35: 'pc-q35-9.2', i440fx: 'pc-i440fx-9.2' });
      expect(fact('node-b').machineTypes.deprecated).toEqual(expect.arrayContaining(['pc-q35-5.2', 'pc-i440fx-5.2']));
      expect(fact('node-b').machineTypes.deprecated).not.toContain('pc-q35-9.2');
      expect(readFileSync(join(out, 'transcripts/node-b.txt'), 'utf8')).toContain(
        'machine type pc-i440fx-5.2 is deprecated by QEMU 9.2.0',
      );
    },
  );

  it('a host whose profile holds no query-machines cannot be judged: error naming the profile and the request', () => {
    const c = byId('cpu-features/qemu-models@node-c');
    expect(c.status).toBe('error');
    expect(c.message).toMatch(
      /^cannot check require\.machineTypes \(pc-q35-7\.2, pc-q35-9\.2, pc-i440fx-5\.2\) on node-c: /,
    );
    expect(c.message).toMatch(/: not recorded in \S+\/qmp-kvm-xeon-e5-2650: query-machines$/);
  });
});
