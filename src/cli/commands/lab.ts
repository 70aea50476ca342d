import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import {
  knownReleases,
  labDown,
  labLink,
  labReimage,
  labShape,
  labStatus,
  labUp,
  parseOsFlags,
  type LabState,
  type LabStatus,
} from '../../lab/index.ts';
import { HwqualError } from '../../model/errors.ts';
import { badInputExit } from '../common.ts';
import { EXIT } from '../exit-codes.ts';

const DEFAULT_DIR = '.hwqual-lab';

/** `hwqual lab up|status|link|shape|down`: a lab of real SSH hosts on this machine (src/lab). */
export function register(program: Command): void {
  const lab = program.command('lab').description('a lab-in-a-box: SSH hosts in network namespaces on this machine');
  const dirOption = (c: Command) =>
    c.option('--dir <dir>', 'lab folder (names and subnet derive from it)', DEFAULT_DIR);

  dirOption(lab.command('up').description('bring the lab up (or keep a running one) and print the lab.yaml it wrote'))
    .option('--hosts <n>', 'number of hosts (node-a, node-b, …)', (v) => Number(v), 3)
    .option('--loopback', 'no namespaces: one sshd per host on 127.0.0.2, 127.0.0.3, …')
    .option(
      '--os <host=release>',
      `a host with its own OS root, e.g. node-c=debian-13 (repeatable; ${knownReleases().join(', ')})`,
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--mirror <url>', "Debian mirror for the hosts' roots (default: the one apt uses here)")
    .option('--no-kvm', 'no /dev/kvm on own-root hosts, whatever the KVM probe says')
    .option('--libvirt', "every host runs its release's +libvirt root with libvirtd (each host needs --os)")
    .action((o: UpFlags) =>
      act(async () => {
        const state = await labUp({
          dir: o.dir,
          hosts: o.hosts,
          loopback: o.loopback,
          os: parseOsFlags(o.os),
          mirror: o.mirror,
          noKvm: o.kvm === false,
          libvirt: o.libvirt,
          log: (l) => process.stderr.write(`hwqual: ${l}\n`),
        });
        if (state.mode === 'loopback') {
          process.stderr.write(
            `hwqual: lab on loopback (${state.fallbackReason}): \`lab link\` and \`lab shape\` are not available\n`,
          );
        }
        for (const line of rootLines(state)) process.stderr.write(`hwqual: ${line}\n`);
        process.stderr.write(`hwqual: lab up: ${state.labYaml}\n`);
        process.stdout.write(readFileSync(state.labYaml, 'utf8'));
      }),
    );

  dirOption(lab.command('status').description("show the lab's hosts, sshds, links and shaping"))
    .option('--json', 'print the status as JSON')
    .action((o: { dir: string; json?: boolean }) =>
      act(async () => {
        const status = await labStatus(o.dir);
        if (!status) {
          process.stdout.write(o.json ? 'null\n' : `no lab at ${o.dir}\n`);
          process.exitCode = EXIT.failed;
          return;
        }
        process.stdout.write(o.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
        if (!status.healthy) process.exitCode = EXIT.failed;
      }),
    );

  dirOption(lab.command('link').description('cut a host off (down) or plug it back (up)'))
    .argument('<host>', 'host name, e.g. node-b')
    .argument('<state>', 'down or up')
    .action((host: string, state: string, o: { dir: string }) =>
      act(async () => {
        if (state !== 'up' && state !== 'down')
          throw new HwqualError('E_USAGE', `lab link: state must be up or down, got "${state}"`);
        await labLink(o.dir, host, state);
        process.stdout.write(`${host}: link ${state}\n`);
      }),
    );

  dirOption(lab.command('shape').description("rate-limit (tc tbf) or delay (netem) a host's link, both directions"))
    .argument('<host>', 'host name, e.g. node-b')
    .option('--rate <rate>', 'tc rate, e.g. 200mbit')
    .option('--delay <time>', 'added delay, e.g. 1ms (needs the netem qdisc)')
    .option('--clear', 'remove the shaping')
    .action((host: string, o: { dir: string; rate?: string; delay?: string; clear?: boolean }) =>
      act(async () => {
        await labShape(o.dir, host, { rate: o.rate, delay: o.delay, clear: o.clear });
        const what = o.clear
          ? 'cleared'
          : [o.rate && `rate ${o.rate}`, o.delay && `delay ${o.delay}`].filter(Boolean).join(', ');
        process.stdout.write(`${host}: shaping ${what}\n`);
      }),
    );

  dirOption(lab.command('reimage').description('re-image a host onto an own OS root (fresh upper, same host key)'))
    .argument('<host>', 'host name, e.g. node-b')
    .requiredOption('--os <release>', `the host's next OS (${knownReleases().join(', ')})`)
    .option('--mirror <url>', "Debian mirror for a root not cached yet (default: the lab's)")
    .option('--no-kvm', 'no /dev/kvm on own-root hosts (when the lab has not decided yet)')
    .action((host: string, o: { dir: string; os: string; mirror?: string; kvm?: boolean }) =>
      act(async () => {
        const h = await labReimage({
          dir: o.dir,
          host,
          os: o.os,
          mirror: o.mirror,
          noKvm: o.kvm === false,
          log: (l) => process.stderr.write(`hwqual: ${l}\n`),
        });
        if (h.root?.offline) process.stderr.write(`hwqual: ${h.name}: ${h.root.offline}\n`);
        process.stdout.write(`${h.name}: re-imaged onto ${h.root!.release} (root ${h.root!.key}, fresh upper)\n`);
      }),
    );

  dirOption(lab.command('down').description('stop what `lab up` made: its sshds, namespaces, veths and bridge')).action(
    (o: { dir: string }) =>
      act(async () => {
        const r = await labDown(o.dir);
        process.stdout.write(
          r.found
            ? `lab ${r.dir} down: stopped ${r.stopped.length} process(es), ` + `removed ${r.deleted.length} object(s)\n`
            : `no lab at ${r.dir}: nothing to do\n`,
        );
      }),
  );
}

async function act(body: () => Promise<void>): Promise<void> {
  try {
    await body();
    if (process.exitCode === undefined) process.exitCode = EXIT.ok;
  } catch (err) {
    if (!(err instanceof HwqualError) || err.code === 'E_USAGE' || err.code === 'E_CONFIG') {
      process.exitCode = badInputExit(err);
      return;
    }
    process.stderr.write(`hwqual: ${err.message}\n`);
    process.exitCode = EXIT.failed;
  }
}

export function formatStatus(s: LabStatus): string {
  const where = s.mode === 'netns' ? `netns on ${s.subnet}, bridge ${s.bridge}` : `loopback (${s.fallbackReason})`;
  const lines = [`lab ${s.dir}: ${s.healthy ? 'healthy' : `NOT healthy (${s.phase})`} — ${where}`];
  for (const h of s.hosts) {
    const extra = [
      h.netns && `netns ${h.netns}`,
      h.link && `link ${h.link}`,
      h.qdisc && !/noqueue/.test(h.qdisc) && h.qdisc,
    ].filter(Boolean);
    const os = h.root ? `${h.os} (own root ${h.root.key}${h.root.kvm ? '' : ', no /dev/kvm'})` : `${h.os} root`;
    const lv =
      h.libvirt && `libvirtd ${h.libvirt.libvirtd}${h.libvirt.version ? ` (libvirt ${h.libvirt.version})` : ''}`;
    lines.push(
      `  ${h.name}  ${h.address}:${h.port}  ${os}  sshd ${h.sshd}${lv ? `  ${lv}` : ''}` +
        `${extra.length ? `  ${extra.join(', ')}` : ''}`,
    );
    if (h.root?.offline) lines.push(`    ${h.root.offline}`);
  }
  if (s.kvm) lines.push(`  own-root hosts: ${s.kvm.reason}`);
  lines.push(`  lab.yaml: ${s.labYaml}`);
  return `${lines.join('\n')}\n`;
}

interface UpFlags {
  dir: string;
  hosts: number;
  loopback?: boolean;
  os: string[];
  mirror?: string;
  /** commander's `--no-kvm`: false when given. */
  kvm?: boolean;
  libvirt?: boolean;
}

/** What `up` says about own roots: which host runs which, offline fall-backs, /dev/kvm. */
function rootLines(state: LabState): string[] {
  const own = state.hosts.filter((h) => h.root);
  if (!own.length) return [];
  return [
    ...own.map(
      (h) =>
        `${h.name}: own root ${h.root!.release} (${h.root!.key})` +
        (h.libvirt ? `, libvirtd ${h.libvirt.version ?? '?'} (${h.libvirt.hypervisor ?? 'hypervisor ?'})` : ''),
    ),
    ...own.flatMap((h) => (h.root!.offline ? [`${h.name}: ${h.root!.offline}`] : [])),
    `own-root hosts: ${state.kvm?.reason ?? 'no /dev/kvm'}`,
  ];
}
