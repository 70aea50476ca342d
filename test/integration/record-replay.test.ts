import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHost } from '../../src/cli/commands/record.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import type { HostExpect, LabConfig, PlanConfig } from '../../src/config/types.ts';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import { executeRun } from '../../src/runner/run.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import type { HostBinding } from '../../src/runner/hosts.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { loadProfile } from '../../src/transport/profile.ts';
import { RecordingTransport } from '../../src/transport/recording.ts';
import { QmpClient } from '../../src/vm/qmp-client.ts';
import { startSshd, type SshdHandle } from '../support/sshd.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';

const HOSTS = resolve(import.meta.dirname, '../../fixtures/hosts');

const plan: PlanConfig = {
  file: '/tmp/record-replay-plan.yaml',
  sha256: 'p'.repeat(64),
  name: 'record-replay',
  suites: ['host-os', 'server-inventory'],
  hosts: {},
  severity: {},
  require: {},
  concurrency: 8,
  timeouts: { case: 60 },
  retries: 0,
  retryFailed: false,
  matrix: {},
  settings: {},
};
const lab = (hosts: Array<{ name: string; expect?: HostExpect }>): LabConfig =>
  normalizeLab(
    { hosts: hosts.map((h) => ({ ...h, address: 'local' })) },
    '/tmp/record-replay-lab.yaml',
    'lab.yaml',
    'l'.repeat(64),
  );

async function runReplayed(l: LabConfig, profiles: Record<string, string>): Promise<RunResults> {
  const bindings: HostBinding[] = await Promise.all(
    l.hosts.map(async (config) => {
      const dir = profiles[config.name];
      const transport = await ReplayTransport.open(dir, { host: config.name });
      return { config, transport, replay: { from: dir, origin: transport.origin } };
    }),
  );
  const prepared = await prepareRun({ lab: l, plan, bindings });
  return executeRun({
    lab: l,
    plan,
    prepared,
    outDir: tempDir('hwqual-replayed-'),
    signal: new AbortController().signal,
    progress: {},
  });
}

const outcomes = (r: RunResults, host: string) =>
  Object.fromEntries(r.cases.filter((c) => c.host === host).map((c) => [c.caseId, c.status]));

describe('record this machine, then replay it', () => {
  let dir: string;
  let live: RunResults;
  let replayed: RunResults;
  beforeAll(async () => {
    dir = tempDir('hwqual-record-');
    const l = lab([{ name: 'here' }]);
    ({ results: live } = await recordHost({ lab: l, host: 'here', out: join(dir, 'profile'), plan, quiet: true }));
    replayed = await runReplayed(l, { here: join(dir, 'profile') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores what the run asked, not a hand-kept list: fact and case commands, with when and where', async () => {
    const p = await loadProfile(join(dir, 'profile'));
    expect(p.meta).toMatchObject({
      name: 'here',
      origin: 'recorded',
      recordedFrom: { host: 'here', address: 'local', transport: 'local' },
    });
    const commands = new Set(p.commands.map((c) => c.command));
    for (const c of [
      'cat /proc/cpuinfo',
      'uname -r',
      'cat /proc/meminfo',
      'lsblk -J -d -b -o NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN',
    ])
      expect(commands).toContain(c);
    for (const c of p.commands) {
      expect(c.host).toBe('here');
      expect(Date.parse(c.recordedAt)).not.toBeNaN();
    }
  });

  it('gives the same facts and the same case outcomes as the live run', () => {
    expect(live.cases.length).toBeGreaterThan(10);
    expect(outcomes(replayed, 'here')).toEqual(outcomes(live, 'here'));
    const msg = (r: RunResults) => Object.fromEntries(r.cases.map((c) => [c.caseId, c.message ?? '']));
    expect(msg(replayed)).toEqual(msg(live));
    expect(replayed.hosts[0].facts).toEqual(live.hosts[0].facts);
    expect(live.hosts[0].transport).toBe('recording');
    expect(replayed.hosts[0]).toMatchObject({
      transport: 'replay',
      replay: { from: join(dir, 'profile'), origin: 'recorded' },
    });
  });
});

describe('hwqual record over SSH', () => {
  let sshd: SshdHandle;
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd({ name: 'ssh-host' });
    dir = tempDir('hwqual-record-ssh-');
  });
  afterAll(async () => {
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records through the SSH transport what the host printed, and says where from', async () => {
    const l: LabConfig = { file: '/tmp/ssh-lab.yaml', sha256: 's'.repeat(64), hosts: [sshd.hostConfig()] };
    const { results } = await recordHost({
      lab: l,
      host: 'ssh-host',
      out: join(dir, 'p'),
      plan: { ...plan, suites: ['server-inventory'] },
      quiet: true,
    });
    expect(results.hosts[0].reachable).toBe(true);
    const p = await loadProfile(join(dir, 'p'));
    expect(p.meta.recordedFrom).toEqual({ host: 'ssh-host', address: '127.0.0.1', transport: 'ssh' });
    const cpuinfo = p.commands.find((c) => c.command === 'cat /proc/cpuinfo');
    expect(cpuinfo).toMatchObject({ exitCode: 0, host: 'ssh-host' });
    // the same machine behind sshd: the same CPUs (MHz lines may move between reads, so compare the stable ones)
    const stable = (t: string) => t.split('\n').filter((l) => /^(processor|model name|flags)\s*:/.test(l));
    expect(stable(cpuinfo!.stdout)).toEqual(stable(readFileSync('/proc/cpuinfo', 'utf8')));
    expect(stable(cpuinfo!.stdout).length).toBeGreaterThan(0);
  });
});

describe('QMP of a real QEMU, recorded and replayed', () => {
  let dir: string;
  let qemu: ChildProcess | undefined;
  beforeAll(async () => {
    dir = tempDir('hwqual-qmp-rec-');
    qemu = spawn(
      'qemu-system-x86_64',
      [
        '-machine',
        'none',
        '-accel',
        'tcg',
        '-display',
        'none',
        '-nodefaults',
        '-qmp',
        `unix:${join(dir, 'qmp.sock')},server=on,wait=off`,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200 && !existsSync(join(dir, 'qmp.sock')); i++) await new Promise((r) => setTimeout(r, 25));
  });
  afterAll(async () => {
    if (qemu && qemu.exitCode === null) {
      const gone = new Promise((r) => qemu!.once('exit', r));
      qemu.kill('SIGKILL');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("answers the project's QMP client as QEMU did, and refuses what QEMU was not asked", async () => {
    const socket = join(dir, 'qmp.sock');
    const rec = new RecordingTransport(new LocalTransport('here'));
    const live = await QmpClient.connect(await rec.forwardUnixSocket(socket));
    const version = await live.execute('query-version');
    const defs = await live.execute<Array<{ name: string }>>('query-cpu-definitions');
    const kvm = await live.execute('query-kvm');
    live.close();
    await rec.save(join(dir, 'profile'));

    const replay = await ReplayTransport.open(join(dir, 'profile'));
    const again = await QmpClient.connect(await replay.forwardUnixSocket(socket));
    expect(again.greeting).toEqual(live.greeting);
    expect(await again.execute('query-cpu-definitions')).toEqual(defs);
    expect(defs.map((d) => d.name)).toContain('qemu64');
    expect(await again.execute('query-version')).toEqual(version);
    expect(await again.execute('query-kvm')).toEqual(kvm);
    await expect(again.execute('query-machines')).rejects.toThrow(/not recorded in .*query-machines/);
    again.close();
  });
});

/**
 * Per assembled profile: what the lab expects of it (from its dump) and the cases that MUST pass. Everything else
 * must be skipped or errored with the command the profile lacks — never failed for want of data.
 */
const ASSEMBLED: Record<string, { expect: HostExpect; mustPass: string[] }> = {
  'intel-skylake-sp': {
    expect: {
      cpu: { vendor: 'GenuineIntel', model: 'Xeon\\(R\\) Gold 6132' },
      flags: ['avx512f', 'avx512bw', 'avx512vl'],
    },
    mustPass: ['cpu', 'cpu-flags', 'microcode'],
  },
  'intel-cascade-lake': {
    expect: { cpu: { vendor: 'GenuineIntel', model: 'Platinum 8260M' }, flags: ['avx512f', 'avx512_vnni'] },
    mustPass: ['cpu', 'cpu-flags', 'microcode'],
  },
  'intel-sapphire-rapids': {
    expect: {
      cpu: { vendor: 'GenuineIntel', model: 'Platinum 8480\\+' },
      flags: ['amx_tile', 'amx_bf16', 'avx512_fp16'],
    },
    mustPass: ['cpu', 'cpu-flags', 'microcode'],
  },
  'amd-naples-epyc7301': {
    expect: { cpu: { vendor: 'AuthenticAMD', model: 'EPYC 7301' }, flags: ['sha_ni', 'clzero', 'svm'] },
    mustPass: ['cpu', 'cpu-flags', 'microcode'],
  },
  'amd-naples-epyc7451': {
    expect: {
      cpu: { vendor: 'AuthenticAMD', model: 'EPYC 7451', sockets: 2, cores: 48, threads: 96 },
      flags: ['sha_ni', 'clzero'],
      numaNodes: 8,
    },
    // Not `cpu`: its one cpuinfo block contradicts its 96-CPU lscpu, so the expected counts cannot be judged (below).
    mustPass: [
      'cpu-flags',
      'microcode',
      'numa',
      'vulnerability-l1tf',
      'vulnerability-meltdown',
      'vulnerability-spec_store_bypass',
      'vulnerability-spectre_v1',
      'vulnerability-spectre_v2',
    ],
  },
  'amd-rome': {
    expect: {
      cpu: { vendor: 'AuthenticAMD', model: 'EPYC 7742', sockets: 2, cores: 128, threads: 128 },
      flags: ['clwb', 'rdpid', 'sme'],
      numaNodes: 2,
    },
    mustPass: ['cpu', 'cpu-flags', 'numa'],
  },
  'amd-genoa': {
    expect: { cpu: { vendor: 'AuthenticAMD', model: 'EPYC 9654' }, flags: ['avx512f', 'avx512_bf16', 'vaes'] },
    mustPass: ['cpu', 'cpu-flags', 'microcode'],
  },
  'arm-graviton2-neoverse-n1': {
    expect: { cpu: { vendor: 'ARM', model: 'Neoverse-N1' }, flags: ['atomics', 'asimddp'] },
    mustPass: ['cpu', 'cpu-flags'],
  },
  'arm-graviton3-neoverse-v1': {
    expect: { cpu: { vendor: 'ARM', model: 'Neoverse-V1' }, flags: ['sve', 'bf16', 'i8mm'] },
    mustPass: ['cpu', 'cpu-flags'],
  },
  'arm-neoverse-v2': {
    expect: { cpu: { vendor: 'ARM', model: 'Neoverse-V2' }, flags: ['sve2', 'bf16'] },
    mustPass: ['cpu', 'cpu-flags'],
  },
  'arm-ampereone-ampere1a': {
    expect: { cpu: { vendor: 'Ampere', model: 'Ampere-1a' }, flags: ['sb', 'ssbs'] },
    mustPass: ['cpu', 'cpu-flags'],
  },
};

describe('host-os and server-inventory against every shipped profile', () => {
  let results: RunResults;
  let profiles: string[];
  beforeAll(async () => {
    profiles = (await readdir(HOSTS, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const hosts = [
      ...profiles.map((name) => ({ name, expect: ASSEMBLED[name]?.expect })),
      // the same dump under a wrong expectation: replayed facts must be able to fail a case
      { name: 'skylake-as-sapphire', expect: { cpu: { model: 'Platinum 8480\\+' }, flags: ['amx_tile'] } },
    ];
    const dirs = Object.fromEntries(profiles.map((p) => [p, join(HOSTS, p)]));
    dirs['skylake-as-sapphire'] = join(HOSTS, 'intel-skylake-sp');
    results = await runReplayed(lab(hosts), dirs);
  });

  const on = (host: string) => results.cases.filter((c) => c.host === host);

  it('ships assembled profiles of at least 6 CPU generations (Intel, AMD, Arm), labelled with sources', async () => {
    const cpuProfiles = Object.keys(ASSEMBLED);
    expect(cpuProfiles.every((p) => profiles.includes(p))).toBe(true);
    const vendors = new Set<string>();
    for (const p of cpuProfiles) {
      const { meta } = await loadProfile(join(HOSTS, p));
      expect(meta.origin).toBe('assembled-from-public-dumps');
      expect(meta.sources.length).toBeGreaterThan(0);
      vendors.add(meta.labels!.vendor);
    }
    expect(new Set(cpuProfiles.map((p) => ASSEMBLED[p].expect.cpu?.model)).size).toBeGreaterThanOrEqual(6);
    expect([...vendors]).toEqual(expect.arrayContaining(['intel', 'amd', 'arm']));
    expect((await loadProfile(join(HOSTS, 'this-machine-debian12'))).meta.origin).toBe('recorded');
  });

  it.each(Object.entries(ASSEMBLED))('%s passes the cases its dump answers', (name, { mustPass }) => {
    const byCase = Object.fromEntries(on(name).map((c) => [c.caseId, c]));
    for (const id of mustPass)
      expect({ id, status: byCase[id]?.status, message: byCase[id]?.message }).toEqual({
        id,
        status: 'passed',
        message: undefined,
      });
  });

  it('never fails a replayed case for want of data: what a profile lacks is skipped or errored, by command', () => {
    const assembled = results.cases.filter((c) => c.host in ASSEMBLED || c.host.startsWith('qmp-'));
    expect(assembled.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    const unanswered = (c: CaseResult) => /not recorded in \S*fixtures\/hosts\/\S+: \S/.test(c.message ?? '');
    for (const c of assembled.filter((x) => x.status === 'error')) {
      if (c.errorCode === 'E_INCONSISTENT') continue; // the dump contradicts itself: next test
      expect(c.errorCode, c.id).toBe('E_NOT_RECORDED');
      expect(unanswered(c), `${c.id}: ${c.message}`).toBe(true);
    }
    // skips say why: the missing command, or the fact the profile lacks and the commands it would come from
    // (e.g. arch for the kvm-module case), or what a replayed host cannot do at all
    for (const c of assembled.filter((x) => x.status === 'skipped'))
      expect(
        unanswered(c) || /^requires a live host|cannot boot a guest/.test(c.message ?? ''),
        `${c.id}: ${c.message}`,
      ).toBe(true);
  });

  it(
    'one processor block beside a 96-CPU lscpu: the expected counts ' + 'are an error naming the numbers, not a pass',
    () => {
      const cpu = on('amd-naples-epyc7451').find((c) => c.caseId === 'cpu')!;
      expect(cpu).toMatchObject({ status: 'error', errorCode: 'E_INCONSISTENT' });
      expect(cpu.message).toBe(
        "cannot judge the expected CPU counts: the host's topology contradicts itself (/proc/cpuinfo lists 1 logical " +
          'CPUs, but siblings 48 × 1 package(s) = 48; /proc/cpuinfo lists 1 logical CPUs, lscpu 96)',
      );
      const fact = results.hosts.find((h) => h.name === 'amd-naples-epyc7451')!.facts.extra!.cpu as Record<
        string,
        unknown
      >;
      expect(fact).toMatchObject({ threads: 96, topologyConsistent: false });
      expect(results.cases.filter((c) => c.errorCode === 'E_INCONSISTENT').map((c) => c.id)).toEqual([
        'server-inventory/cpu@amd-naples-epyc7451',
      ]);
    },
  );

  it('says per host that it was replayed, and from which profile', () => {
    for (const h of results.hosts) {
      expect(h.transport).toBe('replay');
      expect(h.replay?.from).toMatch(/fixtures\/hosts\//);
    }
    expect(results.hosts.find((h) => h.name === 'amd-genoa')?.replay?.origin).toBe('assembled-from-public-dumps');
    expect(results.hosts.find((h) => h.name === 'this-machine-debian12')?.replay?.origin).toBe('recorded');
  });

  it('fails a replayed host whose dump contradicts the lab, with expected and actual', () => {
    const byCase = Object.fromEntries(on('skylake-as-sapphire').map((c) => [c.caseId, c]));
    expect(byCase.cpu.status).toBe('failed');
    expect(byCase.cpu.assertions.find((a) => !a.passed)).toMatchObject({
      name: 'CPU model',
      actual: 'Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz',
    });
    expect(byCase['cpu-flags'].status).toBe('failed');
  });

  it('QMP-only profiles answer no host-os/server-inventory case', () => {
    for (const p of profiles.filter((x) => x.startsWith('qmp-')))
      expect(
        on(p)
          .filter((c) => c.status === 'passed')
          .map((c) => c.id),
      ).toEqual([]);
  });
});
