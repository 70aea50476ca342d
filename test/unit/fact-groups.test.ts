import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadPlan } from '../../src/config/index.ts';
import type { ExecOptions, ExecResult } from '../../src/model/exec.ts';
import { CMD } from '../../src/probe/commands.ts';
import { FACT_COMMANDS } from '../../src/probe/host-facts.ts';
import { FACT_GROUPS, factCommandsFor, factGroupsSkipped, parseFactSelection } from '../../src/runner/fact-groups.ts';
import { gatherFacts } from '../../src/runner/facts.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import type { PlanConfig } from '../../src/config/types.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { planConfig } from '../support/plan-config.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { tempDir } from '../support/temp-dir.ts';

/** The real local transport, noting every command it was asked to run. */
class NotingTransport extends LocalTransport {
  readonly commands: string[] = [];
  override exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    this.commands.push(command);
    return super.exec(command, options);
  }
}

describe('fact groups', () => {
  it('put every fact command in exactly one group', () => {
    const all = Object.values(FACT_GROUPS).flat();
    expect([...all].sort()).toEqual([...FACT_COMMANDS].sort());
  });

  it('turn a selection into commands and the groups left out', () => {
    expect(factCommandsFor(undefined)).toEqual([...FACT_COMMANDS]);
    expect(factCommandsFor('all')).toEqual([...FACT_COMMANDS]);
    expect(factCommandsFor('none')).toEqual([]);
    expect(factCommandsFor(['cpu', 'identity'])).toEqual([
      'arch',
      'hostname',
      'osRelease',
      'kernelRelease',
      'cmdline',
      'cpuinfo',
      'lscpuJson',
      'microcode',
    ]);
    expect(factGroupsSkipped(['identity'])).toEqual(['cpu', 'memory', 'firmware', 'security', 'virt']);
    expect(factGroupsSkipped('all')).toEqual([]);
  });

  it('parse the --facts value and refuse unknown groups', () => {
    expect(parseFactSelection('none')).toBe('none');
    expect(parseFactSelection('auto')).toBe('auto');
    expect(parseFactSelection('identity, cpu,identity')).toEqual(['identity', 'cpu']);
    expect(() => parseFactSelection('identity,gpu')).toThrow(/unknown: gpu/);
    expect(() => parseFactSelection('')).toThrow(/--facts/);
  });
});

describe('gatherFacts with a selection (LocalTransport)', () => {
  it("runs only the selected groups' commands and says which groups it left out", async () => {
    const t = new NotingTransport('local');
    const f = await gatherFacts(t, new AbortController().signal, ['identity']);
    // …and who hwqual is on the host (facts.extra.access), whatever the selection but none.
    expect(t.commands.sort()).toEqual([...FACT_GROUPS.identity.map((c) => CMD[c]), CMD.login, CMD.rootUser].sort());
    expect(f.extra?.access).toEqual(
      expect.objectContaining({ user: userInfo().username, uid: process.getuid?.(), root: 'login' }),
    );
    expect(f.os?.id).toBe('debian');
    expect(f.kernel?.release).toMatch(/^\d+\.\d+/);
    expect(f.cpu).toBeUndefined();
    expect(f.kvm).toBeUndefined(); // not asked: not reported as "no /dev/kvm"
    expect(f.extra?.factsNotGathered).toEqual(['cpu', 'memory', 'firmware', 'security', 'virt']);
  });

  it('runs no command for none, and every one by default', async () => {
    const none = new NotingTransport('local');
    const f = await gatherFacts(none, new AbortController().signal, 'none');
    expect(none.commands).toEqual([]);
    expect(f).toEqual({
      extra: { unavailable: [], factsNotGathered: ['identity', 'cpu', 'memory', 'firmware', 'security', 'virt'] },
    });
    const all = new NotingTransport('local');
    const g = await gatherFacts(all, new AbortController().signal);
    expect(all.commands.length).toBe(FACT_COMMANDS.length + 2);
    expect(g.kvm).toBeDefined();
    expect(g.extra?.factsNotGathered).toBeUndefined();
  });
});

describe('facts: auto in a run (prepareRun, LocalTransport)', () => {
  const lab = normalizeLab(
    { hosts: [{ name: 'local', address: 'local' }] },
    '/tmp/lab.yaml',
    'lab.yaml',
    'x'.repeat(64),
  );
  const planOf = (suites: string[], facts?: PlanConfig['facts']) =>
    planConfig({ name: 'auto', suites, ...(facts && { facts }) });
  const prepare = async (suites: string[], facts?: PlanConfig['facts']) => {
    const t = new NotingTransport('local');
    const prepared = await prepareRun({ lab, plan: planOf(suites, facts), transportFactory: () => t });
    await t.close();
    return { facts: prepared.hosts[0]!.info.facts, commands: t.commands };
  };

  it('gathers identity and the groups the suites declare, by default', async () => {
    const checks = await prepare(['host-checks']);
    // identity, and who hwqual is on the host (facts.extra.access: `id`, `id -un`)
    const access = [CMD.login, CMD.rootUser];
    expect(checks.commands.sort()).toEqual([...FACT_GROUPS.identity.map((c) => CMD[c]), ...access].sort());
    expect(checks.facts.extra?.factsNotGathered).toEqual(['cpu', 'memory', 'firmware', 'security', 'virt']);
    const two = await prepare(['host-checks', 'host-os']);
    expect(two.facts.extra?.factsNotGathered).toEqual(['cpu', 'memory', 'firmware', 'virt']);
    expect(two.facts.vulnerabilities).toBeDefined();
    const all = await prepare(['host-checks'], 'all');
    expect(all.commands.length).toBe(FACT_COMMANDS.length + access.length);
  });
});

describe('plan facts:', () => {
  const dir = tempDir('hwqual-facts-plan-');
  const plan = (text: string) => {
    const p = join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(p, text);
    return loadPlan(p);
  };

  it('is absent by default (auto), and takes auto, all, none, one group or a list of groups', async () => {
    expect((await plan('name: p\nsuites: [host-checks]\n')).facts).toBeUndefined();
    expect((await plan('name: p\nsuites: [host-checks]\nfacts: auto\n')).facts).toBe('auto');
    expect((await plan('name: p\nsuites: [host-checks]\nfacts: none\n')).facts).toBe('none');
    expect((await plan('name: p\nsuites: [host-checks]\nfacts: [identity, cpu]\n')).facts).toEqual(['identity', 'cpu']);
    expect((await plan('name: p\nsuites: [host-checks]\nfacts: identity\n')).facts).toEqual(['identity']);
  });

  it('refuses an unknown group with the file and field', async () => {
    try {
      await plan('name: p\nsuites: [host-checks]\nfacts: [identity, gpu]\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/\/facts/);
    }
  });
});
