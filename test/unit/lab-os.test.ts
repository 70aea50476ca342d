// Lab hosts with their own OS root, the pure parts: --os values, the releases and root variants, the apt mirror,
// the InRelease key, the mount script each host starts with, the plan's version ranges, and the host-os version
// cases on a replayed profile that does not hold their commands.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanParts, suiteDirs } from '../../src/config/index.ts';
import { planSchemaProblems } from '../../src/config/plan.ts';
import { hostStartArgv } from '../../src/lab/host-mounts.ts';
import { libvirtdConf } from '../../src/lab/libvirtd.ts';
import { osDifference, parseOsFlags, validateOs } from '../../src/lab/os-args.ts';
import { CMD, CMD_PACKAGES, hostRootPackages } from '../../src/probe/commands.ts';
import { parseCryptsetupVersion, parseOpensshVersion, satisfies } from '../../src/probe/versions.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { hostRootKey } from '../../src/vm/images/host-root.ts';
import { debianMirrorOf, inReleaseStamp } from '../../src/vm/images/mirror.ts';
import { HOST_ROOT_RECIPES, hostRootRecipe, hostRootRecipesFor } from '../../src/vm/images/recipes.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runSuitesReplayed } from '../support/run-local.ts';

describe('--os values', () => {
  it('host=release pairs; machine means the machine root; unknown hosts, releases and --loopback are E_USAGE', () => {
    expect(parseOsFlags(['node-c=debian-13', 'node-a=machine'])).toEqual({
      'node-c': 'debian-13',
      'node-a': 'machine',
    });
    expect(validateOs({ 'node-c': 'debian-13', 'node-a': 'machine' }, 3)).toEqual({ 'node-c': 'debian-13' });
    expect(() => parseOsFlags(['debian-13'])).toThrow(/expected <host>=<release>/);
    expect(() => parseOsFlags(['node-a=debian-12', 'node-a=debian-13'])).toThrow(/names node-a twice/);
    expect(() => validateOs({ 'node-d': 'debian-13' }, 3)).toThrow(/no host node-d \(it has node-a, node-b, node-c\)/);
    const known =
      'debian-12, debian-13, debian-12+libvirt, debian-12+libvirt+nova, debian-13+libvirt, ' +
      'debian-13+libvirt+nova, or machine';
    expect(() => validateOs({ 'node-a': 'debian-14' }, 3)).toThrow(`unknown release "debian-14" (known: ${known}`);
    expect(() => validateOs({ 'node-a': 'debian-13' }, 3, true)).toThrow(/--os with --loopback.*namespaces/);
    expect(validateOs({ 'node-a': 'machine' }, 3, true)).toEqual({});
  });

  it("--libvirt: every host on its release's +libvirt root; a machine-root host is E_USAGE saying why", () => {
    expect(validateOs({ 'node-a': 'debian-12', 'node-b': 'debian-13+libvirt' }, 2, false, true)).toEqual({
      'node-a': 'debian-12+libvirt',
      'node-b': 'debian-13+libvirt',
    });
    expect(validateOs({ 'node-a': 'debian-12+libvirt' }, 1)).toEqual({ 'node-a': 'debian-12+libvirt' });
    expect(() => validateOs({ 'node-a': 'debian-12' }, 2, false, true)).toThrow(
      new RegExp(
        "--libvirt: node-b runs the machine's root; a libvirtd needs its own /etc/libvirt and /var/lib/libvirt " +
          '.*--os node-b=debian-13',
      ),
    );
    expect(() => validateOs({ 'node-a': 'machine', 'node-b': 'debian-13' }, 2, false, true)).toThrow(
      /node-a runs the machine's root/,
    );
  });

  it('an up differs from the lab when any host runs another root', () => {
    const lab = { 'node-a': 'machine', 'node-b': 'machine', 'node-c': 'debian-13' };
    expect(osDifference(lab, { 'node-c': 'debian-13' })).toBeUndefined();
    expect(osDifference(lab, {})).toBe('node-c runs debian-13, not machine');
    expect(osDifference(lab, { 'node-a': 'debian-12', 'node-c': 'debian-13' })).toBe(
      'node-a runs machine, not debian-12',
    );
  });
});

describe('host roots', () => {
  it('one recipe per release, debootstrapped from its suite with every package a probe command needs', () => {
    expect(HOST_ROOT_RECIPES.map((r) => [r.name, r.suite])).toEqual([
      ['debian-12', 'bookworm'],
      ['debian-12+libvirt', 'bookworm'],
      ['debian-12+libvirt+nova', 'bookworm'],
      ['debian-13', 'trixie'],
      ['debian-13+libvirt', 'trixie'],
      ['debian-13+libvirt+nova', 'trixie'],
    ]);
    const trixie = hostRootRecipe('debian-13')!;
    expect(trixie.include).toEqual(hostRootPackages());
    for (const [command, pkgs] of Object.entries(CMD_PACKAGES)) {
      expect(Object.keys(CMD)).toContain(command);
      for (const p of pkgs) expect(trixie.include).toContain(p);
    }
    for (const p of ['openssh-server', 'qemu-system-x86', 'qemu-utils', 'cryptsetup-bin', 'busybox', 'dmidecode'])
      expect(trixie.include).toContain(p);
  });

  it('libvirt variant: libvirtd, its QEMU driver and virsh installed after debootstrap, qemu.conf for a chroot', () => {
    const r = hostRootRecipe('debian-12+libvirt')!;
    expect(r.include).toEqual(hostRootRecipe('debian-12')!.include);
    expect(r.extraPackages).toEqual(['libvirt-clients', 'libvirt-daemon-driver-qemu', 'libvirt-daemon-system']);
    const conf = r.files!['/etc/libvirt/qemu.conf']!;
    for (const line of [
      'namespaces = [ ]',
      'cgroup_controllers = [ ]',
      'security_driver = "none"',
      'user = "root"',
      'group = "root"',
      'remember_owner = 0',
    ])
      expect(conf.split('\n')).toContain(line);
    // libvirtd.conf is the host's own (its lab address), written at host start.
    expect(libvirtdConf('10.208.1.11').split('\n')).toEqual(
      expect.arrayContaining(['listen_tls = 0', 'listen_tcp = 1', 'listen_addr = "10.208.1.11"', 'auth_tcp = "none"']),
    );
  });

  it("nova variant: the libvirt root plus Debian's Nova and python3-libvirt; the lab starts its libvirtd", () => {
    const r = hostRootRecipe('debian-13+libvirt+nova')!;
    const lv = hostRootRecipe('debian-13+libvirt')!;
    expect(r.extraPackages).toEqual([...lv.extraPackages!, 'python3-libvirt', 'python3-nova'].sort());
    expect(r.files).toEqual(lv.files);
    // --libvirt leaves it as it is, and the lab starts libvirtd on it like on +libvirt.
    expect(validateOs({ 'node-a': 'debian-12+libvirt+nova' }, 1, false, true)).toEqual({
      'node-a': 'debian-12+libvirt+nova',
    });
  });

  it('a variant is one table entry: its own recipe per release, base packages plus its own', () => {
    const files = { '/etc/libvirt/qemu.conf': 'namespaces = [ ]\n' };
    const recipes = hostRootRecipesFor(
      { 'debian-13': 'trixie' },
      { libvirt: { packages: ['libvirt-daemon-system'], files } },
    );
    expect(recipes.map((r) => r.name)).toEqual(['debian-13', 'debian-13+libvirt']);
    expect(recipes[1]!.include).toEqual(recipes[0]!.include);
    expect(recipes[1]!.extraPackages).toEqual(['libvirt-daemon-system']); // apt-get in the chroot, after debootstrap
    expect(recipes[1]).toMatchObject({
      release: 'debian-13',
      suite: 'trixie',
      files,
      title: expect.stringMatching(/libvirt/),
    });
    expect(recipes[0]).not.toHaveProperty('files'); // the base recipe (and so its cache key) is as before
    expect(recipes[0]).not.toHaveProperty('extraPackages');
  });

  it("the key follows the suite's InRelease (Date and sha256) and the recipe, not the mirror's name", () => {
    const text = 'Origin: Debian\nSuite: stable\nCodename: trixie\nDate: Sat, 21 Nov 2026 09:15:44 UTC\n';
    const stamp = inReleaseStamp(text);
    expect(stamp.date).toBe('Sat, 21 Nov 2026 09:15:44 UTC');
    expect(stamp.sha256).toMatch(/^[0-9a-f]{64}$/);
    const trixie = hostRootRecipe('debian-13')!;
    expect(hostRootKey(trixie, stamp)).toBe(hostRootKey(trixie, inReleaseStamp(text)));
    expect(hostRootKey(trixie, stamp)).not.toBe(hostRootKey(trixie, inReleaseStamp(`${text}\n`)));
    expect(hostRootKey(trixie, stamp)).not.toBe(hostRootKey(hostRootRecipe('debian-12')!, stamp));
    expect(() => inReleaseStamp('<html>not found</html>')).toThrow(/no Date/);
  });

  it("the mirror is the first plain Debian suite's URI of apt's sources (deb822 or one-line), never security", () => {
    const deb822 = [
      'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n',
      'Types: deb\n# a comment\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n',
    ].join('\n');
    expect(debianMirrorOf([deb822])).toBe('http://mirror.example/debian');
    const disabled = 'Enabled: no\nTypes: deb\nURIs: http://off.example/debian\nSuites: bookworm\n';
    expect(debianMirrorOf([disabled, deb822])).toBe('http://mirror.example/debian');
    const oneLine =
      '# deb http://old/debian bookworm main\ndeb [arch=amd64] http://ftp.de.debian.org/debian bookworm main\n';
    expect(debianMirrorOf([oneLine])).toBe('http://ftp.de.debian.org/debian');
    expect(debianMirrorOf(['deb http://security.debian.org/debian-security bookworm-security main'])).toBeUndefined();
  });
});

describe('the command each host starts with', () => {
  const base = { netns: 'hwq-x-node-a', labDir: '/tmp/hwq-lab', logFile: '/tmp/hwq-lab/hosts/node-a/sshd.log' };
  const sshd = ['/usr/sbin/sshd', '-D', '-f', '/tmp/hwq-lab/hosts/node-a/sshd_config'];

  it('every host: own mount namespace in its netns, private /run and /tmp, the lab folder bound back by fd', () => {
    const argv = hostStartArgv({ ...base, sshd });
    expect(argv.slice(0, 9)).toEqual([
      'ip',
      'netns',
      'exec',
      'hwq-x-node-a',
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
    ]);
    const script = argv.at(-1)!;
    expect(script.split('\n').slice(0, 3)).toEqual([`exec 2>>${base.logFile}`, 'set -e', 'exec 3</tmp/hwq-lab']);
    expect(script).toMatch(/mount -t tmpfs .* \/run\n[\s\S]*mount -t tmpfs .* \/tmp\n/);
    expect(script).toContain('mount --no-canonicalize --bind /proc/self/fd/3 /tmp/hwq-lab');
    expect(script.split('\n').at(-1)).toBe(`exec ${sshd.join(' ')}`);
    expect(script).not.toMatch(/chroot|overlay/);
  });

  it('own root: overlay of the cached root, /proc, /sys, a /dev with /dev/kvm only when allowed, chrooted sshd', () => {
    const root = {
      lower: '/c/images/debian-13/k/root',
      upper: '/tmp/hwq-lab/hosts/node-a/upper',
      work: '/tmp/hwq-lab/hosts/node-a/work',
      merged: '/tmp/hwq-lab/hosts/node-a/root',
      kvm: false,
    };
    const script = hostStartArgv({ ...base, sshd, root }).at(-1)!;
    expect(script).toContain(
      `mount -t overlay hwqual-root -o lowerdir=${root.lower},upperdir=${root.upper},workdir=${root.work} ` +
        `${root.merged}`,
    );
    for (const dir of ['/proc', '/sys', '/dev', '/run', '/tmp']) expect(script).toContain(` ${root.merged}${dir}\n`);
    expect(script).toContain(`mount --bind /dev/urandom ${root.merged}/dev/urandom`);
    expect(script).not.toContain('kvm');
    expect(script).toContain(`mount --bind /tmp/hwq-lab ${root.merged}/tmp/hwq-lab`);
    expect(script.split('\n').at(-1)).toBe(`exec chroot ${root.merged} ${sshd.join(' ')}`);
    expect(hostStartArgv({ ...base, sshd, root: { ...root, kvm: true } }).at(-1)).toContain(
      `mount --bind /dev/kvm ${root.merged}/dev/kvm`,
    );
    expect(() => hostStartArgv({ ...base, sshd, root: { ...root, upper: '/tmp/a,b' } })).toThrow(/commas/);
  });
});

describe('OpenSSH and cryptsetup versions', () => {
  it('parses Debian 12 and 13 outputs; ranges in the plan are checked by the schema', async () => {
    expect(parseOpensshVersion('OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.17 1 Jul 2025')).toBe('9.2p1');
    expect(parseOpensshVersion('OpenSSH_10.0p2 Debian-7+deb13u4, OpenSSL 3.5.9 29 Sep 2026')).toBe('10.0p2');
    expect(satisfies('10.0p2', '>=10.0 <10.1')).toBe(true);
    expect(parseCryptsetupVersion('cryptsetup 2.7.5 flags: UDEV BLKID KEYRING KERNEL_CAPI HW_OPAL \n')).toBe('2.7.5');
    expect(parseCryptsetupVersion('sh: 1: cryptsetup: not found')).toBeUndefined();
    const parts = await loadPlanParts(suiteDirs(''));
    const plan = (require: unknown) =>
      planSchemaProblems('plan.yaml', { name: 'p', suites: ['host-os'], require }, parts).problems.join('\n');
    expect(plan({ openssh: '>=9.2', cryptsetup: '>=2.6 <3' })).toBe('');
    expect(plan({ cryptsetup: 2.7 })).toBe('');
    expect(plan({ openssh: 'recent' })).toMatch(/\/require\/openssh must be a version range such as ">=7.2"/);
    expect(plan({ cryptsetup: '2.x' })).toMatch(/\/require\/cryptsetup must be a version range/);
  });

  it('a replayed profile without `ssh -V` or `cryptsetup --version` skips both cases, naming the command', async () => {
    const rome = await ReplayTransport.open(resolve(PROJECT_ROOT, 'fixtures/hosts/amd-rome'));
    const { byId, host } = await runSuitesReplayed(rome, ['host-os'], { require: { openssh: '>=9' } });
    expect(byId('openssh-version')).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/^OpenSSH's version is not known — not recorded in \S+amd-rome: ssh -V 2>&1$/),
    });
    expect(byId('cryptsetup-version')).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/not recorded in \S+amd-rome: cryptsetup --version/),
    });
    expect(host.facts.openssh).toBeUndefined();
  });
});
