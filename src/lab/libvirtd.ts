import { spawn } from 'node:child_process';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { parseVirshVersion } from '../probe/libvirt-caps.ts';
import { labPaths } from './names.ts';
import { LIBVIRT } from './os-args.ts';
import { isAlive, recordProcess, stopRecorded } from './proc.ts';
import { run } from './run.ts';
import { writeState } from './state.ts';
import { logTail } from './sshd.ts';
import type { LabHost, LabLibvirt, LabState, RecordedProcess } from './types.ts';

/** The host runs a root with the `+libvirt` variant (src/vm/images/libvirt-root.ts), e.g. `debian-12+libvirt`. */
export function runsLibvirt(host: LabHost): boolean {
  return host.root?.release.split('+').slice(1).includes(LIBVIRT) ?? false;
}

/**
 * libvirtd.conf of a lab host: TCP on the host's lab address without TLS or authentication — the lab network is
 * private to this machine — which is what a peer-to-peer migration (`qemu+tcp://<address>/system`) connects to; no
 * authentication on the local socket either (hwqual logs in as root). Errors go to the daemon's log file. Pure.
 */
export function libvirtdConf(address: string): string {
  return [
    '# Written by hwqual lab up (src/lab/libvirtd.ts) for this lab host.',
    'listen_tls = 0',
    'listen_tcp = 1',
    `listen_addr = "${address}"`,
    'auth_tcp = "none"',
    'auth_unix_rw = "none"',
    'auth_unix_ro = "none"',
    'log_outputs = "3:file:/var/log/libvirt/libvirtd.log"',
    '',
  ].join('\n');
}

/**
 * Start virtlogd and `libvirtd --listen` inside the host's namespaces and root — nsenter into its sshd's mount and
 * network namespaces and root directory, so they see the host's private /run and /tmp and its own /etc/libvirt and
 * /var/lib/libvirt — record both pids (with start times), then wait until `virsh version` answers there.
 */
export async function startLibvirt(state: LabState, host: LabHost): Promise<LabLibvirt> {
  if (!host.sshd)
    throw new HwqualError('E_INTERNAL', `${host.name}: libvirtd needs the host's sshd to enter its namespaces`);
  const dir = labPaths(state.dir).hostDir(host.name);
  const conf = join(dir, 'libvirtd.conf');
  const log = join(dir, 'libvirtd.log');
  writeFileSync(conf, libvirtdConf(host.address));
  writeFileSync(log, '');
  const enter = ['-t', String(host.sshd.pid), '-m', '-n', '-r', '-w'];
  const virtlogd = spawnDetached(enter, ['/usr/sbin/virtlogd'], log);
  const libvirtd = spawnDetached(enter, ['/usr/sbin/libvirtd', '--listen', '--config', conf], log);
  const lv: LabLibvirt = { conf, log, ...(virtlogd && { virtlogd }), ...(libvirtd && { libvirtd }) };
  host.libvirt = lv;
  writeState(state); // the pids first: a start that fails or crashes still leaves them for `down`
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await run('nsenter', [...enter, 'virsh', '-c', 'qemu:///system', 'version'], { timeoutMs: 10_000 });
    const v = parseVirshVersion(r.stdout);
    if (r.exitCode === 0 && v.libvirt) return Object.assign(lv, { version: v.libvirt, hypervisor: v.hypervisor });
    if (!libvirtd || !isAlive(libvirtd) || Date.now() > deadline)
      throw new HwqualError(
        'E_COMMAND',
        `libvirtd of ${host.name} did not answer \`virsh version\`: ${r.stderr.trim() || logTail(log) || 'no log'}`,
        { host: host.name },
      );
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** SIGTERM libvirtd (it leaves running guests alone), then virtlogd; only processes this lab recorded. */
export async function stopLibvirt(host: LabHost): Promise<number[]> {
  const stopped: number[] = [];
  for (const p of [host.libvirt?.libvirtd, host.libvirt?.virtlogd])
    if (p && (await stopRecorded(p))) stopped.push(p.pid);
  return stopped;
}

function spawnDetached(enter: string[], argv: string[], log: string): RecordedProcess | undefined {
  const fd = openSync(log, 'a');
  try {
    // nsenter execs its program (no --pid), so the pid recorded is the daemon's own.
    const child = spawn('nsenter', [...enter, ...argv], { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => {
      /* reported by the wait: no version answer */
    });
    child.unref();
    return child.pid === undefined ? undefined : recordProcess(child.pid);
  } finally {
    closeSync(fd);
  }
}
