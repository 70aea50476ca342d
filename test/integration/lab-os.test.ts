// Two host OS generations side by side on one lab: node-a and node-b on this machine's root, node-c on its own
// Debian 13 root (debootstrapped once, then from .hwqual-cache). hwqual run of host-os + server-inventory over SSH,
// the bad inputs of `lab up --os` and `lab reimage`, an unreachable mirror, the private /tmp and the shared folder,
// re-imaging (offline, from the cached root), and `lab down` leaving no process, mount or upper behind.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labId, labReimage, labStatus, labUp, readState, type LabState } from '../../src/lab/index.ts';
import { netnsPids } from '../../src/lab/netns.ts';
import { isAlive, recordProcess } from '../../src/lab/proc.ts';
import type { RunResults } from '../../src/model/result.ts';
import { satisfies } from '../../src/probe/versions.ts';
import { imagesCacheDir } from '../../src/vm/images/cache.ts';
import { cliInProcess as cli, runCli } from '../support/cli.ts';
import { labEndpoints } from './vm-support.ts';

const root = mkdtempSync('/tmp/hwq-os-');
const dir = join(root, 'lab');
const OFFLINE = 'http://127.0.0.1:9/debian'; // loopback, nothing listens: a mirror that does not answer
const privateFile = `/tmp/hwq-private-${process.pid}`;
let state: LabState;

/** What this machine runs, read here directly (not through the code under test). */
const machine = {
  os: /^VERSION_ID="?([^"\n]+)/m.exec(readFileSync('/etc/os-release', 'utf8'))![1],
  qemu: /version (\d+\.\d+\.\d+)/.exec(execSync('qemu-system-x86_64 --version').toString())![1],
  openssh: /OpenSSH_([\d.]+p\d+)/.exec(execSync('ssh -V 2>&1', { shell: '/bin/sh' }).toString())![1],
  cryptsetup: /^cryptsetup (\S+)/.exec(execSync('cryptsetup --version').toString())![1],
};

/** One command on each named host over SSH (hwqual's own transport, checking known_hosts). */
async function onHosts(
  names: string[],
  command: string,
): Promise<Record<string, { code: number | null; out: string }>> {
  const lab = await labEndpoints(state.labYaml);
  try {
    const answers = await Promise.all(
      names.map(async (n) => {
        const r = await lab.ends.find((e) => e.name === n)!.transport.exec(command, { timeoutMs: 30_000 });
        return [n, { code: r.exitCode, out: r.stdout.trim() }] as const;
      }),
    );
    return Object.fromEntries(answers);
  } finally {
    await lab.close();
  }
}

/** Mount points of this (the machine's) mount namespace under a path. */
const mountsUnder = (path: string) =>
  execSync('findmnt -rn -o TARGET')
    .toString()
    .split('\n')
    .filter((m) => m === path || m.startsWith(`${path}/`));

beforeAll(async () => {
  const t0 = performance.now();
  state = await labUp({
    dir,
    hosts: 3,
    os: { 'node-c': 'debian-13' },
    log: (line) => process.stderr.write(`lab-os: ${line}\n`),
  });
  process.stderr.write(
    `lab-os: lab up with node-c on debian-13 in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}, 900_000); // a fresh clone debootstraps the root first (~1 min here)

afterAll(async () => {
  await labDown(dir).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('lab hosts with their own OS root', () => {
  it(
    'host-os + server-inventory over SSH: Debian 13, QEMU 10.0, OpenSSH ' +
      '10.0, cryptsetup 2.7 on node-c; the machine elsewhere',
    async () => {
      const plan = join(root, 'plan.yaml');
      writeFileSync(plan, 'name: two-os\nsuites: [host-os, server-inventory]\nrequire:\n  openssh: ">=10"\n');
      const out = join(root, 'out');
      const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
      const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
      const host = (n: string) => res.hosts.find((h) => h.name === n)!;
      expect(host('node-c').facts).toMatchObject({
        os: { id: 'debian', versionId: '13' },
        qemu: { version: expect.stringMatching(/^10\.0\.\d+$/) },
        openssh: { version: expect.stringMatching(/^10\.0p\d+$/) },
        cryptsetup: { version: expect.stringMatching(/^2\.7\.\d+$/) },
      });
      expect(host('node-c').labels).toMatchObject({ os: 'debian-13', kernel: expect.stringMatching(/userland only/) });
      for (const n of ['node-a', 'node-b']) {
        expect(host(n).facts).toMatchObject({
          os: { versionId: machine.os },
          qemu: { version: machine.qemu },
          openssh: { version: machine.openssh },
          cryptsetup: { version: machine.cryptsetup },
        });
      }
      // util-linux 2.41's lscpu -J (nested) parses: the same topology as the machine's lscpu on node-a.
      expect(host('node-c').facts.cpu).toMatchObject({
        threads: host('node-a').facts.cpu!.threads,
        sockets: host('node-a').facts.cpu!.sockets,
      });
      for (const h of res.hosts) expect(h.facts.extra?.unparsed, h.name).toBeUndefined();
      expect(res.cases.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
      const ssh = (n: string) => res.cases.find((c) => c.id === `host-os/openssh-version@${n}`)!;
      expect(ssh('node-c')).toMatchObject({ status: 'passed' });
      expect(ssh('node-a')).toMatchObject({
        status: satisfies(machine.openssh, '>=10') ? 'passed' : 'failed',
        actual: satisfies(machine.openssh, '>=10') ? undefined : machine.openssh,
      });
      expect(r.code, r.stderr).not.toBe(2);
    },
  );

  it("/dev/kvm on node-c follows the KVM probe; lab status and lab.yaml name each host's OS", async () => {
    const kvm = await onHosts(['node-c'], 'test -c /dev/kvm');
    expect(state.kvm!.reason).toMatch(/KVM probe says (usable|hangs|absent)/);
    expect(kvm['node-c']!.code === 0).toBe(state.kvm!.node);
    const status = await cli(['lab', 'status', '--dir', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/node-a .* machine root/);
    expect(status.stdout).toMatch(new RegExp(`node-c .* debian-13 \\(own root ${state.hosts[2]!.root!.key}`));
    expect(readFileSync(state.labYaml, 'utf8')).toMatch(/name: node-c[\s\S]*os: debian-13/);
  });

  it(
    '/tmp is private to each host; <lab>/shared and the lab ' + 'folder are the same path and files everywhere',
    async () => {
      const all = ['node-a', 'node-b', 'node-c'];
      const file = privateFile;
      expect((await onHosts(['node-a'], `echo from-a > ${file}`))['node-a']!.code).toBe(0);
      const seen = await onHosts(all, `cat ${file}`);
      expect(seen['node-a']).toEqual({ code: 0, out: 'from-a' }); // a later session on node-a sees it
      expect(seen['node-b']!.code).not.toBe(0);
      expect(seen['node-c']!.code).not.toBe(0);
      expect(existsSync(file)).toBe(false); // nor does the controller
      const shared = join(dir, 'shared', 'from-c');
      expect((await onHosts(['node-c'], `echo written-on-c > ${shared}`))['node-c']!.code).toBe(0);
      for (const [, r] of Object.entries(await onHosts(all, `cat ${shared} && test -f ${state.identityFile}.pub`)))
        expect(r).toEqual({ code: 0, out: 'written-on-c' });
      expect(readFileSync(shared, 'utf8')).toBe('written-on-c\n');
      // Mounts exist only inside the hosts' namespaces.
      expect(mountsUnder(dir)).toEqual([]);
      expect(mountsUnder(imagesCacheDir())).toEqual([]);
    },
  );

  it(
    'bad input exits 2 and changes nothing; an unreachable mirror ' + 'with nothing cached exits 1 and leaves nothing',
    async () => {
      const before = readState(dir);
      const other = join(root, 'other');
      const bad: Array<[string[], RegExp]> = [
        [
          ['lab', 'up', '--hosts', '3', '--os', 'node-c=debian-14', '--dir', other],
          /unknown release "debian-14" \(known: debian-12, debian-13/,
        ],
        [['lab', 'up', '--hosts', '3', '--os', 'node-d=debian-13', '--dir', other], /no host node-d/],
        [
          ['lab', 'up', '--hosts', '2', '--os', 'node-b=debian-13', '--loopback', '--dir', other],
          /--loopback.*namespaces/,
        ],
        [
          ['lab', 'up', '--hosts', '3', '--dir', dir],
          /node-c runs debian-13, not machine \(it is running\); nothing changed/,
        ],
        [['lab', 'reimage', 'node-q', '--os', 'debian-13', '--dir', dir], /no host "node-q"/],
        [
          ['lab', 'reimage', 'node-c', '--os', 'machine', '--dir', dir],
          /cannot be re-imaged back onto the machine's root/,
        ],
        [['lab', 'reimage', 'node-c', '--os', 'debian-14', '--dir', dir], /unknown release "debian-14"/],
      ];
      for (const [args, message] of bad) {
        const r = await cli(args);
        expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
      }
      expect(existsSync(other)).toBe(false);
      expect(readState(dir)).toEqual(before);

      const cache = join(root, 'empty-cache');
      const nomirror = join(root, 'nomirror');
      const saved = process.env.HWQUAL_CACHE_DIR;
      process.env.HWQUAL_CACHE_DIR = cache;
      let r: Awaited<ReturnType<typeof cli>>;
      try {
        r = await cli([
          'lab',
          'up',
          '--hosts',
          '2',
          '--os',
          'node-b=debian-13',
          '--mirror',
          OFFLINE,
          '--dir',
          nomirror,
        ]);
      } finally {
        if (saved === undefined) delete process.env.HWQUAL_CACHE_DIR;
        else process.env.HWQUAL_CACHE_DIR = saved;
      }
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/mirror http:\/\/127\.0\.0\.1:9\/debian: .*E: Failed getting release file/);
      expect(existsSync(nomirror)).toBe(false); // no state, no lock, no host folder
      expect(existsSync(join(cache, 'images', 'debian-13'))).toBe(false); // no partial root, no lock
      expect((await execa('ip', ['netns', 'list'])).stdout).not.toContain(labId(nomirror));
    },
  );

  it(
    'reimage: node-b onto debian-13 from the cached root while the ' + 'mirror is offline, same host key, fresh upper',
    async () => {
      const knownHosts = readFileSync(state.knownHosts, 'utf8');
      const b = await labReimage({ dir, host: 'node-b', os: 'debian-13', mirror: OFFLINE });
      expect(b.root).toMatchObject({ release: 'debian-13', key: state.hosts[2]!.root!.key });
      expect(b.root!.offline).toMatch(
        /mirror http:\/\/127\.0\.0\.1:9\/debian did not answer .*newest cached debian-13 root/,
      );
      expect((await labStatus(dir))!.hosts[1]).toMatchObject({
        os: 'debian-13',
        sshd: 'running',
        root: { offline: b.root!.offline },
      });
      expect((await cli(['lab', 'status', '--dir', dir])).stdout).toContain('did not answer');
      expect(readFileSync(state.knownHosts, 'utf8')).toBe(knownHosts);
      // hwqual's SSH transport checks known_hosts: these answers come from the re-imaged host with its old key.
      const mark = await onHosts(['node-b'], '. /etc/os-release && echo $VERSION_ID && touch /var/tmp/hwq-mark');
      expect(mark['node-b']).toEqual({ code: 0, out: '13' });
      await labReimage({ dir, host: 'node-b', os: 'debian-13', mirror: OFFLINE });
      const after = await onHosts(['node-b'], 'test -e /var/tmp/hwq-mark; echo $?');
      expect(after['node-b']!.out).toBe('1'); // the fresh upper: what the old one held is gone
      const a = await onHosts(['node-a'], `cat ${privateFile}`);
      expect(a['node-a']!.out).toBe('from-a'); // node-a was left alone: its private /tmp is still there
      expect(mountsUnder(dir)).toEqual([]);
    },
  );

  it(
    'lab down: no process, namespace, mount or upper of the lab is ' +
      'left; the cached root stays; down again is a no-op',
    async () => {
      const lab = readState(dir)!;
      // A session that outlives its SSH channel, on an own-root host.
      await onHosts(['node-c'], 'setsid sleep 300 </dev/null >/dev/null 2>&1 &');
      const procs = (await Promise.all(lab.hosts.map((h) => netnsPids(h.netns!))))
        .flat()
        .map((pid) => recordProcess(pid)!)
        .filter(Boolean);
      expect(procs.length).toBeGreaterThan(lab.hosts.length); // the sshds and the session
      const down = await labDown(dir);
      expect(down.deleted).toEqual(expect.arrayContaining(['upper node-b', 'upper node-c', `bridge ${lab.bridge}`]));
      for (const p of procs) expect(isAlive(p), `pid ${p.pid}`).toBe(false);
      expect((await execa('ip', ['netns', 'list'])).stdout).not.toContain(lab.id);
      expect(mountsUnder(dir)).toEqual([]);
      expect(mountsUnder(imagesCacheDir())).toEqual([]);
      expect(readdirSync(join(dir, 'hosts', 'node-c')).sort()).toEqual(
        ['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub', 'sshd.log', 'sshd_config'].sort(),
      );
      expect(existsSync(join(lab.hosts[2]!.root!.lower, 'usr/sbin/sshd'))).toBe(true);
      expect(await labDown(dir)).toMatchObject({ found: false, stopped: [], deleted: [] });
    },
  );
});
