import { describe, expect, it } from 'vitest';
import type { HostResult } from '../../src/model/result.ts';
import { buildHtml } from '../../src/report/html.ts';
import { hostSummary } from '../../src/report/host-summary.ts';
import { results } from './report-fixtures.ts';

const host = (facts: HostResult['facts']): HostResult => ({
  name: 'n',
  address: 'a',
  transport: 'ssh',
  labels: {},
  facts,
  reachable: true,
});

describe('host summary', () => {
  it('a host that is a VM says so next to its CPU; a physical or unknown one does not', () => {
    const cpu = { modelName: 'AMD EPYC 9754 128-Core Processor' };
    expect(hostSummary(host({ cpu, virtualised: { kind: 'kvm', evidence: ['CPU flag hypervisor'] } })).cpu).toBe(
      'AMD EPYC 9754 128-Core Processor (in a kvm VM)',
    );
    expect(hostSummary(host({ cpu, virtualised: { kind: 'none', evidence: [] } })).cpu).toBe(cpu.modelName);
    expect(hostSummary(host({ cpu })).cpu).toBe(cpu.modelName);
  });

  it('the sign-off report shows it', () => {
    const r = results([]);
    r.hosts[0].facts = {
      ...r.hosts[0].facts,
      virtualised: { kind: 'vmware', evidence: ['lscpu Hypervisor vendor: VMware'] },
    };
    expect(buildHtml(r)).toContain('(in a vmware VM)');
  });
});
