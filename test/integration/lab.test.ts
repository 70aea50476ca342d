import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/config/index.ts';
import {
  labDown,
  labExec,
  labLink,
  labNames,
  labShape,
  labStatus,
  labUp,
  readState,
  type LabHost,
  type LabState,
} from '../../src/lab/index.ts';
import { isAlive, recordProcess } from '../../src/lab/proc.ts';
import { canConnect, pickPort } from '../../src/lab/sshd.ts';
import { cliInProcess as cli } from '../support/cli.ts';

const root = mkdtempSync('/tmp/hwq-labtest-');
const dirs = {
  a: join(root, 'a'),
  b: join(root, 'b'),
  crash: join(root, 'crash'),
  loop: join(root, 'loop'),
  cli: join(root, 'cli'),
};
/** Every state any test saw: after all, none of its namespaces, links or sshds may remain. */
const seen: LabState[] = [];
const others: ChildProcess[] = [];

async function up(dir: string, hosts: number, loopback?: boolean): Promise<LabState> {
  const s = await labUp({ dir, hosts, loopback });
  seen.push(structuredClone(s));
  return s;
}

function ssh(state: LabState, host: LabHost, command: string) {
  return execa(
    'ssh',
    [
      '-i',
      state.identityFile,
      '-o',
      `UserKnownHostsFile=${state.knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      '-p',
      String(host.port),
      `root@${host.address}`,
      command,
    ],
    { reject: false, timeout: 60_000 },
  );
}

/** A TCP connect to ip:22 from inside a lab host, cut after `seconds`. */
function connectFrom(dir: string, from: string, ip: string, seconds = 2) {
  return labExec(dir, from, ['timeout', String(seconds), 'bash', '-c', `</dev/tcp/${ip}/22`]);
}

const netnsList = async () => (await execa('ip', ['netns', 'list'])).stdout;
const links = async () => (await execa('ip', ['-br', 'link'])).stdout;

beforeAll(async () => {
  await up(dirs.a, 3);
});

afterAll(async () => {
  for (const dir of Object.values(dirs)) await labDown(dir).catch(() => undefined);
  for (const p of others) p.kill('SIGKILL');
  const ns = await netnsList();
  const ln = await links();
  rmSync(root, { recursive: true, force: true });
  for (const s of seen) {
    expect(ns).not.toContain(s.id);
    expect(ln).not.toContain(s.id);
    for (const h of s.hosts) if (h.sshd) expect(isAlive(h.sshd)).toBe(false);
  }
});

describe.sequential('lab-in-a-box', () => {
  it('brings up 3 hosts, each its own netns and sshd, reachable by SSH with the made key and known_hosts', async () => {
    const state = readState(dirs.a)!;
    expect(state.mode).toBe('netns');
    const lab = loadLab(state.labYaml);
    expect(lab.hosts.map((h) => h.name)).toEqual(['node-a', 'node-b', 'node-c']);
    expect(
      lab.hosts.every(
        (h) => h.user === 'root' && h.labels.pool === 'local-lab' && /^[a-z]+(-[\d.]+)?$/.test(h.labels.os!),
      ),
    ).toBe(true);
    expect(lab.hosts.map((h) => h.address)).toEqual(state.hosts.map((h) => h.address));
    const answers = await Promise.all(
      state.hosts.map((h) => ssh(state, h, 'ip -br -4 addr show dev eth0; ip route show default; echo SHLVL=$SHLVL')),
    );
    answers.forEach((r, i) => {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(`${state.hosts[i]!.address}/24`);
      expect(r.stdout).not.toContain('default'); // no way out of the lab
      expect(r.stdout).toContain('SHLVL=2'); // sshd's SetEnv: the controller's ~/.bashrc stays out of host commands
      expect(readFileSync(state.hosts[i]!.logFile, 'utf8')).toContain('Accepted publickey for root');
    });
  });

  it('hosts reach each other over the bridge and have no route anywhere else', async () => {
    const [a, b, c] = readState(dirs.a)!.hosts;
    expect((await connectFrom(dirs.a, 'node-a', b!.address)).exitCode).toBe(0);
    expect((await connectFrom(dirs.a, 'node-c', a!.address)).exitCode).toBe(0);
    expect((await connectFrom(dirs.a, 'node-b', c!.address)).exitCode).toBe(0);
    const out = await labExec(dirs.a, 'node-a', ['ip', 'route', 'get', '192.0.2.1']); // only asks the routing table
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(/unreachable/i);
  });

  it('link down cuts a host off (connects time out), link up restores it', async () => {
    const b = readState(dirs.a)!.hosts[1]!;
    await labLink(dirs.a, 'node-b', 'down');
    try {
      const cut = await connectFrom(dirs.a, 'node-a', b.address);
      expect(cut.exitCode).not.toBe(0);
      expect(cut.exitCode === 124 || /No route to host/.test(cut.stderr)).toBe(true);
      expect(await canConnect(b.address, 22, 1000)).toBe(false);
      expect((await labStatus(dirs.a))!.hosts[1]!.link).toBe('down');
    } finally {
      await labLink(dirs.a, 'node-b', 'up');
    }
    expect((await connectFrom(dirs.a, 'node-a', b.address, 5)).exitCode).toBe(0);
    expect((await labStatus(dirs.a))!.hosts[1]!.link).toBe('up');
  });

  it("shape puts a tbf qdisc on both ends of a host's link; --clear removes it", async () => {
    const b = readState(dirs.a)!.hosts[1]!;
    const show = async () => [
      (await execa('tc', ['qdisc', 'show', 'dev', b.vethHost!])).stdout,
      (await labExec(dirs.a, 'node-b', ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout,
    ];
    await labShape(dirs.a, 'node-b', { rate: '200mbit' });
    for (const out of await show()) expect(out).toMatch(/qdisc tbf .*rate 200Mbit/);
    expect((await labStatus(dirs.a))!.hosts[1]!.qdisc).toMatch(/tbf/);
    expect((await connectFrom(dirs.a, 'node-a', b.address)).exitCode).toBe(0);
    await labShape(dirs.a, 'node-b', { clear: true });
    for (const out of await show()) expect(out).not.toMatch(/tbf/);
    await labShape(dirs.a, 'node-b', { clear: true }); // nothing left to clear is fine
    await expect(labShape(dirs.a, 'node-b', {})).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it("delay needs netem: refused with tc's reason where the kernel lacks it, applied where it has it", async () => {
    const ns = readState(dirs.a)!.hosts[0]!.netns!;
    const probe = await execa(
      'ip',
      ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'],
      { reject: false },
    );
    const b = readState(dirs.a)!.hosts[1]!;
    if (/Specified qdisc kind is unknown/.test(probe.stderr)) {
      await expect(labShape(dirs.a, 'node-b', { delay: '1ms', rate: '100mbit' })).rejects.toThrow(
        /netem.*Specified qdisc kind is unknown/,
      );
      expect((await execa('tc', ['qdisc', 'show', 'dev', b.vethHost!])).stdout).not.toMatch(/netem|tbf/);
    } else {
      expect(probe.exitCode, probe.stderr).toBe(0);
      await execa('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
      await labShape(dirs.a, 'node-b', { delay: '1ms', rate: '100mbit' });
      expect((await execa('tc', ['qdisc', 'show', 'dev', b.vethHost!])).stdout).toMatch(/netem[\s\S]*tbf/);
      await labShape(dirs.a, 'node-b', { clear: true });
    }
  });

  it('up twice keeps the running lab; a different --hosts is refused and changes nothing', async () => {
    const before = readState(dirs.a)!;
    rmSync(before.labYaml);
    const again = await labUp({ dir: dirs.a, hosts: 3 });
    expect(loadLab(before.labYaml).hosts).toHaveLength(3); // written again
    expect(again.hosts.map((h) => h.sshd)).toEqual(before.hosts.map((h) => h.sshd));
    await expect(labUp({ dir: dirs.a, hosts: 2 })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringMatching(/has 3 hosts, not 2.*running/),
    });
    await expect(labUp({ dir: dirs.a, hosts: 3, loopback: true })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(labLink(dirs.a, 'node-z', 'down')).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringMatching(/no host "node-z"/),
    });
    expect(readState(dirs.a)).toEqual(before);
    expect((await labStatus(dirs.a))!.healthy).toBe(true);
  });

  it('refuses a dir whose subnet is already routed here, or whose names exist without a state file', async () => {
    const dir = join(root, 'taken');
    const names = labNames(dir, 1);
    const dummy = `hwqt${process.pid % 100000}`;
    await execa('ip', ['link', 'add', dummy, 'type', 'bridge']); // never up: no traffic, just an address in the way
    try {
      await execa('ip', ['addr', 'add', `${names.bridgeAddress.replace(/\.1$/, '.99')}/24`, 'dev', dummy]);
      await expect(labUp({ dir, hosts: 1 })).rejects.toMatchObject({
        code: 'E_USAGE',
        message: expect.stringMatching(new RegExp(`overlaps .*${dummy}`)),
      });
    } finally {
      await execa('ip', ['link', 'del', dummy]);
    }
    await execa('ip', ['netns', 'add', names.hosts[0]!.netns]);
    try {
      await expect(labUp({ dir, hosts: 1 })).rejects.toMatchObject({
        code: 'E_USAGE',
        message: expect.stringMatching(/already exist/),
      });
    } finally {
      await execa('ip', ['netns', 'del', names.hosts[0]!.netns]);
    }
    expect(readState(dir)).toBeUndefined();
  });

  it('two labs coexist; down stops exactly its own processes and namespaces, nothing else', async () => {
    const a = readState(dirs.a)!;
    const b = await up(dirs.b, 1);
    expect(b.subnet).not.toBe(a.subnet);
    expect(b.bridge).not.toBe(a.bridge);
    expect(await canConnect(b.hosts[0]!.address, 22, 2000)).toBe(true);
    // labs do not see each other
    expect((await labExec(dirs.b, 'node-a', ['ip', 'route', 'get', a.hosts[0]!.address])).exitCode).not.toBe(0);

    // Bystanders: an unrelated sshd on loopback and a namespace we did not make.
    const other = await unrelatedSshd(join(root, 'unrelated'));
    const foreignNs = `hwqtest-${process.pid}`;
    await execa('ip', ['netns', 'add', foreignNs]);
    try {
      const downB = await labDown(dirs.b);
      expect(downB.stopped).toEqual([b.hosts[0]!.sshd!.pid]);
      expect(downB.deleted.every((d) => d.includes(b.id))).toBe(true);
      expect((await labStatus(dirs.a))!.healthy).toBe(true);

      const downA = await labDown(dirs.a);
      expect(downA.stopped.sort()).toEqual(a.hosts.map((h) => h.sshd!.pid).sort());
      expect(downA.deleted).toEqual(
        expect.arrayContaining([...a.hosts.map((h) => `netns ${h.netns}`), `bridge ${a.bridge}`]),
      );
      expect(a.hosts.every((h) => !isAlive(h.sshd!))).toBe(true);
      const [ns, ln] = [await netnsList(), await links()];
      expect(ns).not.toContain(a.id);
      expect(ln).not.toContain(a.id);
      expect(ns).toContain(foreignNs);
      expect(isAlive(other.proc)).toBe(true);
      expect(await canConnect('127.0.0.1', other.port, 2000)).toBe(true);
      expect(await labStatus(dirs.a)).toBeUndefined();
    } finally {
      await execa('ip', ['netns', 'del', foreignNs]);
    }
  });

  it('down after a crash (sshds killed -9, a session left in a netns) removes all; again, a no-op', async () => {
    const s = await up(dirs.crash, 2);
    const session = spawn('ip', ['netns', 'exec', s.hosts[1]!.netns!, 'sleep', '300'], { stdio: 'ignore' });
    others.push(session);
    await new Promise((r) => setTimeout(r, 300));
    const sessionRec = recordProcess(session.pid!)!;
    for (const h of s.hosts) process.kill(h.sshd!.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect((await labStatus(dirs.crash))!.healthy).toBe(false);
    const down = await labDown(dirs.crash);
    expect(down.stopped).toEqual([session.pid]);
    expect(isAlive(sessionRec)).toBe(false);
    expect(await netnsList()).not.toContain(s.id);
    expect(await links()).not.toContain(s.id);
    expect(await labDown(dirs.crash)).toMatchObject({ found: false, stopped: [], deleted: [] });
  });

  it('loopback fallback: an sshd per host on 127.0.0.x, link/shape refused, down stops sshds, sessions', async () => {
    const s = await up(dirs.loop, 2, true);
    expect(s.mode).toBe('loopback');
    expect(s.hosts.map((h) => h.address)).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(s.bridge).toBeUndefined();
    const r = await ssh(s, s.hosts[1]!, 'echo hello from $SSH_CONNECTION');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`hello from 127\\.0\\.0\\.\\d+ \\d+ 127\\.0\\.0\\.3 ${s.hosts[1]!.port}`));
    await expect(labLink(dirs.loop, 'node-a', 'down')).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringMatching(/loopback/),
    });
    await expect(labShape(dirs.loop, 'node-a', { rate: '10mbit' })).rejects.toMatchObject({ code: 'E_USAGE' });
    // A session still running on a host when the lab goes down.
    const longSession = ssh(s, s.hosts[0]!, 'exec sleep 300');
    for (let i = 0; i < 200 && !/Starting session/.test(readFileSync(s.hosts[0]!.logFile, 'utf8')); i++)
      await new Promise((r) => setTimeout(r, 50));
    const down = await labDown(dirs.loop);
    expect(down.stopped.length).toBeGreaterThan(2); // both sshds and the session's processes
    expect(s.hosts.every((h) => !isAlive(h.sshd!))).toBe(true);
    expect((await longSession).exitCode).not.toBe(0);
  });

  it('CLI: lab up prints the lab.yaml; status --json, a bad host and down report and exit as documented', async () => {
    const upRes = await cli(['lab', 'up', '--hosts', '1', '--dir', dirs.cli]);
    expect(upRes.code, upRes.stderr).toBe(0);
    expect(upRes.stdout).toMatch(/hosts:\n\s+- name: node-a/);
    seen.push(readState(dirs.cli)!);
    const st = await cli(['lab', 'status', '--json', '--dir', dirs.cli]);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ healthy: true, hosts: [{ name: 'node-a', sshd: 'running' }] });
    const bad = await cli(['lab', 'shape', 'node-z', '--rate', '1mbit', '--dir', dirs.cli]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no host "node-z"/);
    const down = await cli(['lab', 'down', '--dir', dirs.cli]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/stopped 1 process/);
    expect((await cli(['lab', 'status', '--dir', dirs.cli])).code).toBe(1);
  });
});

/** An sshd this test starts itself on 127.0.0.1: `lab down` must leave it alone. */
async function unrelatedSshd(
  dir: string,
): Promise<{ proc: NonNullable<ReturnType<typeof recordProcess>>; port: number }> {
  mkdirSync(dir, { recursive: true });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey')]);
  const port = await pickPort('127.0.0.1', 0);
  writeFileSync(
    join(dir, 'sshd_config'),
    `ListenAddress 127.0.0.1:${port}\nHostKey ${join(dir, 'hostkey')}\nUsePAM no\nPidFile none\n`,
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'log')], {
    stdio: 'ignore',
  });
  others.push(child);
  for (let i = 0; i < 100 && !(await canConnect('127.0.0.1', port, 200)); i++)
    await new Promise((r) => setTimeout(r, 50));
  return { proc: recordProcess(child.pid!)!, port };
}
