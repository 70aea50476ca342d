import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedGuestFlags, linuxToQemu, qemuToLinux } from '../../src/probe/cpu-flag-names.ts';
import { loadCpuCatalog } from '../../src/probe/cpu-catalog-file.ts';
import {
  canonicalFeature,
  expansionFeatures,
  machineTypes,
  modelLine,
  newestMachine,
  newestUsablePerVendor,
  parseCpuDefinitions,
  unknownModelReason,
  usableNamedModels,
} from '../../src/probe/qmp-cpu.ts';
import { splitJsonObjects } from '../../src/transport/replay-json-stream.ts';
import { commandOf, parseQmpLog } from '../../src/transport/replay-qmp-log.ts';
import type { QmpCpuDefinition, QmpMachineInfo } from '../../src/model/qmp.ts';
import { REAL_HOSTS } from '../support/paths.ts';

const lines = loadCpuCatalog().qemuModels;
const replies = (file: string, session = 0) =>
  parseQmpLog(readFileSync(join(REAL_HOSTS, 'qmp-replies', file), 'utf8'))[session].exchanges;
const answer = <T>(file: string, cmd: string) =>
  replies(file).find((x) => commandOf(x.request) === cmd)!.reply.return as T;
const kvmDefs = (file: string) =>
  splitJsonObjects(readFileSync(join(REAL_HOSTS, 'qmp-kvm', file), 'utf8'))
    .map((t) => JSON.parse(t))
    .find((r) => Array.isArray(r.return)).return as QmpCpuDefinition[];

describe('QEMU ↔ Linux CPU flag names', () => {
  it('translates the real renames both ways and folds QEMU aliases', () => {
    expect(
      [
        'sse4.1',
        'sse4_1',
        'sse4-1',
        'sse3',
        'pni',
        'tsc-deadline',
        'avx512vnni',
        'avx512-vpopcntdq',
        'cr8legacy',
        'xd',
        'invtsc',
      ].map(qemuToLinux),
    ).toEqual([
      ['sse4_1'],
      ['sse4_1'],
      ['sse4_1'],
      ['pni'],
      ['pni'],
      ['tsc_deadline_timer'],
      ['avx512_vnni'],
      ['avx512_vpopcntdq'],
      ['cr8_legacy'],
      ['nx'],
      ['constant_tsc', 'nonstop_tsc'],
    ]);
    expect(
      ['sse4_2', 'tsc_deadline_timer', 'avx512_bitalg', 'constant_tsc', 'lahf_lm', 'aes'].map(linuxToQemu),
    ).toEqual(['sse4.2', 'tsc-deadline', 'avx512bitalg', 'invtsc', 'lahf-lm', 'aes']);
    expect(qemuToLinux('kvm-pv-unhalt')).toEqual([]);
    expect(qemuToLinux('hv-relaxed')).toEqual([]);
  });

  it('expects in a guest only flags Linux names from a CPUID bit, and sets apart those the kernel may hide', () => {
    expect(
      expectedGuestFlags(['aes', 'sse4.2', 'sse4_2', 'kvm-asyncpf', 'rtm', 'pku', 'tsc-deadline', 'vmx-ept']),
    ).toEqual({
      expected: ['aes', 'sse4_2', 'tsc_deadline_timer'],
      mayHide: ['pku', 'rtm'],
    });
  });
});

describe('query-cpu-definitions, expansions and machines from real QMP replies', () => {
  const ryzen72 = parseCpuDefinitions(
    answer<QmpCpuDefinition[]>('ryzen-3900x-qemu-7.2.replies', 'query-cpu-definitions'),
  );

  it('usable named models leave out host/max/base and models with unavailable features', () => {
    const usable = usableNamedModels(ryzen72);
    expect(usable).toContain('EPYC-Rome-v1');
    expect(usable).not.toContain('host');
    expect(usable).not.toContain('Skylake-Server');
    expect(ryzen72.find((d) => d.name === 'Skylake-Server')?.unavailable).toEqual(
      expect.arrayContaining(['avx512f', 'pku']),
    );
  });

  it('the newest usable model per vendor follows the model lines, not the alphabet', () => {
    // Zen 2 under QEMU 7.2: EPYC-Milan needs Zen 3 features, so EPYC-Rome is the newest AMD line it runs.
    const newest = newestUsablePerVendor(ryzen72, lines);
    expect(newest.amd.line).toBe('EPYC-Rome');
    const e7540 = newestUsablePerVendor(parseCpuDefinitions(kvmDefs('Xeon-E7540.json')), lines);
    expect(e7540.intel.line).toBe('Nehalem');
    expect(newestUsablePerVendor(parseCpuDefinitions(kvmDefs('Xeon-E5-2630-v4.json')), lines).intel.model).toBe(
      'Broadwell',
    );
  });

  it('duplicate unavailable features of older QEMUs are listed once', () => {
    const e2650 = parseCpuDefinitions(kvmDefs('Xeon-E5-2650.json')).find((d) => d.name === 'Skylake-Server')!;
    expect(e2650.unavailable.filter((f) => f === 'avx512f')).toEqual(['avx512f']);
  });

  it('model lines strip versions and variants', () => {
    expect(
      ['Skylake-Server-v4', 'Skylake-Server-noTSX-IBRS', 'EPYC-IBPB', 'Haswell-noTSX', 'Opteron_G5', 'EPYC-Rome'].map(
        modelLine,
      ),
    ).toEqual(['Skylake-Server', 'Skylake-Server', 'EPYC', 'Haswell', 'Opteron_G5', 'EPYC-Rome']);
  });

  it('an expansion lists features once, aliases folded, options and paravirt features left out', () => {
    const props = {
      'sse4.1': true,
      sse4_1: true,
      'sse4-1': true,
      xd: true,
      nx: true,
      'kvm-asyncpf': true,
      'hv-relaxed': true,
      migratable: true,
      avx512f: false,
      family: 6,
    };
    expect(expansionFeatures(props)).toEqual(['nx', 'sse4.1']);
    expect(canonicalFeature('SSE4_2')).toBe('sse4.2');
  });

  it('machine types: the newest q35 of QEMU 7.2 and 9.2', () => {
    const m72 = machineTypes(answer<QmpMachineInfo[]>('ryzen-3900x-qemu-7.2.replies', 'query-machines'));
    const m92 = machineTypes(answer<QmpMachineInfo[]>('epyc-9654-sev-qemu-9.2.replies', 'query-machines'));
    expect(m72).toContain('q35');
    expect([newestMachine(m72, 'q35'), newestMachine(m92, 'q35'), newestMachine(m92, 'i440fx')]).toEqual([
      'pc-q35-7.2',
      'pc-q35-9.2',
      'pc-i440fx-9.2',
    ]);
  });

  it('a model this QEMU does not know: the release that added it, where known', () => {
    expect(unknownModelReason('SapphireRapids', '7.2.0', lines)).toBe(
      'QEMU 7.2.0 does not know CPU model SapphireRapids: it was added in QEMU 8.0',
    );
    expect(unknownModelReason('SierraForest-v2', undefined, lines)).toMatch(/version not recorded.*added in QEMU 9\.1/);
    expect(unknownModelReason('Cascadelake-Server', '2.12.0', lines)).toBe(
      'QEMU 2.12.0 does not know CPU model Cascadelake-Server',
    );
    expect(unknownModelReason('Foo', '7.2.0', lines)).toMatch(/not a model line hwqual knows/);
  });
});
