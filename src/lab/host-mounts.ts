import { shellQuote } from '../vm/shell.ts';

/**
 * The command that starts a lab host's sshd in the host's own mount namespace, inside its network namespace:
 * `ip netns exec NS unshare -m --propagation private sh -c SCRIPT`. Every process on the chain execs the next, so
 * the recorded pid is sshd's. Mounts made there never reach the machine's namespace and vanish with the host's last
 * process. Pure.
 *
 * Every host: a private /run and /tmp, and the lab folder at its own absolute path (sshd's config, host key and
 * authorized keys live there, and labs made under /tmp would otherwise vanish behind the private /tmp); so is
 * `<lab>/shared`, the lab's shared storage. An own-root host also gets an overlay of its root (read-only lower,
 * its own upper), /proc, /sys, a /dev of a few nodes (/dev/kvm only when `kvm`), and sshd runs chrooted in it.
 */
export interface HostStart {
  netns: string;
  labDir: string;
  /** sshd and its arguments, as the host's root sees them. */
  sshd: string[];
  /** sshd's log: also where the mount steps' errors go. */
  logFile: string;
  root?: { lower: string; upper: string; work: string; merged: string; kvm: boolean };
}

/** Device nodes an own-root host gets, bound from the machine's /dev. */
export const ROOT_DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'] as const;

export function hostStartArgv(h: HostStart): string[] {
  const script = h.root ? ownRootScript(h, h.root) : machineRootScript(h);
  return ['ip', 'netns', 'exec', h.netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script];
}

function machineRootScript(h: HostStart): string {
  const lab = shellQuote(h.labDir);
  return lines(h.logFile, [
    // The lab folder, held open before /run or /tmp (where it may live) are covered, then bound back by fd.
    `exec 3<${lab}`,
    'mount -t tmpfs -o mode=755 hwqual-run /run',
    'mkdir -p /run/sshd /run/lock',
    'mount -t tmpfs -o mode=1777 hwqual-tmp /tmp',
    `mkdir -p ${lab}`,
    // --no-canonicalize: mount(8) would otherwise resolve the fd's path name, now the empty dir on the new tmpfs.
    `mount --no-canonicalize --bind /proc/self/fd/3 ${lab}`,
    'exec 3<&-',
    `exec ${h.sshd.map(shellQuote).join(' ')}`,
  ]);
}

function ownRootScript(h: HostStart, r: NonNullable<HostStart['root']>): string {
  for (const p of [r.lower, r.upper, r.work]) {
    if (/[,:\s\\]/.test(p)) throw new Error(`overlay path ${JSON.stringify(p)}: commas, colons and spaces not allowed`);
  }
  const R = shellQuote(r.merged);
  const at = (p: string) => shellQuote(`${r.merged}${p}`);
  const devices = [...ROOT_DEVICES, ...(r.kvm ? ['kvm'] : [])];
  return lines(h.logFile, [
    `mount -t overlay hwqual-root -o lowerdir=${r.lower},upperdir=${r.upper},workdir=${r.work} ${R}`,
    `mount -t proc proc ${at('/proc')}`,
    `mount -t sysfs sysfs ${at('/sys')}`,
    `mount -t tmpfs -o mode=755 hwqual-dev ${at('/dev')}`,
    ...devices.flatMap((d) => [`: > ${at(`/dev/${d}`)}`, `mount --bind /dev/${d} ${at(`/dev/${d}`)}`]),
    `mkdir ${at('/dev/pts')} ${at('/dev/shm')}`,
    `mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts ${at('/dev/pts')}`,
    `mount -t tmpfs -o mode=1777 hwqual-shm ${at('/dev/shm')}`,
    `ln -s pts/ptmx ${at('/dev/ptmx')}`,
    `ln -s /proc/self/fd ${at('/dev/fd')}`,
    ...['stdin', 'stdout', 'stderr'].map((s, i) => `ln -s /proc/self/fd/${i} ${at(`/dev/${s}`)}`),
    `mount -t tmpfs -o mode=755 hwqual-run ${at('/run')}`,
    `mkdir -p ${at('/run/sshd')} ${at('/run/lock')}`,
    `mount -t tmpfs -o mode=1777 hwqual-tmp ${at('/tmp')}`,
    `mkdir -p ${at(h.labDir)}`,
    `mount --bind ${shellQuote(h.labDir)} ${at(h.labDir)}`,
    `exec chroot ${R} ${h.sshd.map(shellQuote).join(' ')}`,
  ]);
}

/** Stop at the first failing step, its words in sshd's log (the lab reports the log's tail). */
function lines(logFile: string, steps: string[]): string {
  return [`exec 2>>${shellQuote(logFile)}`, 'set -e', ...steps].join('\n');
}
