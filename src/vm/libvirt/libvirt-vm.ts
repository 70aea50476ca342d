import { dirname } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { HwqualError } from '../../model/errors.ts';
import { parseCpuSpec } from '../../probe/guest-flag-check.ts';
import { libvirtModelName } from '../../probe/libvirt-names.ts';
import type { Transport } from '../../transport/types.ts';
import { ConsoleReader } from '../console.ts';
import { GuestAgentClient } from '../guest-agent.ts';
import { check, safeName, withOverlays } from '../overlays.ts';
import { ownedDirCommand, vmWorkDir } from '../work-dirs.ts';
import { QmpClient } from '../qmp-client.ts';
import { shellQuote } from '../shell.ts';
import { vmPaths, type VmPaths, type VmSpec } from '../spec.ts';
import { teardownScript } from '../teardown-script.ts';
import type { Vm } from '../vm-handle.ts';
import { VmLifecycle } from '../vm-lifecycle.ts';
import { virshAgentStream } from './agent-stream.ts';
import { domainXml, esc, memoryNote, type DomainXml } from './domain-xml.ts';
import { domCapabilitiesOnce } from './host-caps.ts';
import { virshQmpStream } from './qmp-stream.ts';
import { LIBVIRT_URI, Virsh, virshWords } from './virsh.ts';

/** Every domain hwqual defines is named so: `virsh list --all` shows what a run left behind. */
export const DOMAIN_PREFIX = 'hwqual-';

export interface LibvirtLaunchOptions {
  signal?: AbortSignal;
  workDir?: string;
  startTimeoutMs?: number;
}

/**
 * A libvirt domain on one host, defined and started from the VmSpec (domain-xml.ts) as Nova starts instances:
 * persistent, through the host's libvirtd. QMP through virsh (qmp-stream.ts), the guest agent through virsh
 * (agent-stream.ts), the console file in the work dir as with QEMU. `teardown()` is `virsh destroy` + `undefine`
 * (+ its disk secrets), then the kill-and-remove script; `sweep()` does all of it in one command without QMP.
 */
export class LibvirtVm extends VmLifecycle implements Vm {
  readonly driver = 'libvirt' as const;
  qmp!: QmpClient;
  readonly console: ConsoleReader;
  pid: number | undefined;
  readonly virsh: Virsh;
  /** Guest RAM libvirt gave the domain (KiB), and what that did to the spec's padding. */
  memory: { askedKiB: number; gotKiB?: number; note?: string };

  constructor(
    readonly transport: Transport,
    readonly spec: VmSpec,
    readonly paths: VmPaths,
    /** The domain's name (DOMAIN_PREFIX…) and the XML it was defined from. */
    readonly domain: string,
    readonly xml: DomainXml,
    /** uuids of the libvirt secrets of its encrypted disks. */
    readonly secrets: string[],
    signal?: AbortSignal,
  ) {
    super(signal);
    this.virsh = new Virsh(transport);
    this.console = new ConsoleReader(transport, paths.console, spec.name ?? 'vm');
    this.memory = { askedKiB: xml.memoryKiB };
  }

  get definition(): { artifact: string; text: string } {
    return { artifact: 'domain.xml', text: this.xml.xml };
  }

  /** libvirt says the domain runs (running, paused, in shutdown…): not `shut off`, `crashed` or gone. */
  async isAlive(): Promise<boolean> {
    const r = await this.virsh.exec(['domstate', this.domain], { timeoutMs: 15_000 });
    return r.exitCode === 0 && !/shut off|crashed/.test(r.stdout);
  }

  async guestAgent(_options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<GuestAgentClient> {
    if (!this.spec.guestAgent)
      throw new HwqualError('E_VM', `${this.name} was launched without a guest agent channel`, { host: this.host });
    return new GuestAgentClient(virshAgentStream(this.virsh, this.domain), this.host);
  }

  /**
   * Attach to the domain once it runs on this host (a migration's destination, made by libvirt): its QEMU's pid and
   * QMP through virsh.
   */
  async attach(signal?: AbortSignal): Promise<void> {
    const pid = await this.transport.exec(`cat ${shellQuote(this.paths.pidFile)}`, { timeoutMs: 15_000, signal });
    this.pid = /^\d+/.test(pid.stdout.trim()) ? Number(pid.stdout.trim()) : undefined;
    this.qmp?.close();
    this.qmp = await QmpClient.connect(virshQmpStream(this.virsh, this.domain), {
      host: this.host,
      timeoutMs: 10_000,
      signal,
    });
  }

  /** destroy + undefine + secrets, then the kill-and-remove script: one command, no QMP (emergency, races). */
  async sweep(): Promise<void> {
    await this.transport.exec(
      `${this.undefineScript()}\n${teardownScript(this.paths.workDir, this.paths.pidFile, 0)}`,
      {
        timeoutMs: 30_000,
      },
    );
  }

  /** `virsh destroy` + `undefine` (+ the disk secrets), then the kill-and-remove script. */
  protected async endGuest(): Promise<void> {
    this.qmp?.close();
    await this.console.poll().catch(() => {});
    await this.transport.exec(`${this.undefineScript()}\n${teardownScript(this.paths.workDir, this.paths.pidFile)}`, {
      timeoutMs: 60_000,
    });
  }

  private undefineScript(): string {
    const v = `virsh -q -c ${LIBVIRT_URI}`;
    const d = shellQuote(this.domain);
    return [
      `${v} destroy ${d} >/dev/null 2>&1`,
      `${v} undefine ${d} >/dev/null 2>&1`,
      ...this.secrets.map((s) => `${v} secret-undefine ${shellQuote(s)} >/dev/null 2>&1`),
      'true',
    ].join('\n');
  }
}

/**
 * Define and start a domain for `spec` on the transport's host: the CPU model named as this host's libvirt names it,
 * overlays and disk secrets made first, then `define` + `start` in one command. Any failure is E_VM in virsh's own
 * words ("driver libvirt: …") and leaves nothing behind.
 */
export async function launchLibvirtVm(
  transport: Transport,
  spec: VmSpec,
  o: LibvirtLaunchOptions = {},
): Promise<LibvirtVm> {
  const tag = randomBytes(6).toString('hex');
  const workDir = o.workDir ?? vmWorkDir(transport, spec.name ?? 'vm');
  const domain = `${DOMAIN_PREFIX}${safeName(spec.name ?? 'vm')}-${tag}`;
  const paths = { ...vmPaths(workDir), pidFile: `/run/libvirt/qemu/${domain}.pid` };
  const signal = o.signal;
  if (signal?.aborted)
    throw new HwqualError('E_CANCELLED', `launch of ${spec.name ?? 'vm'}: cancelled`, { host: transport.host });
  const cpuModel = await libvirtCpuModel(transport, spec, signal);
  await transport
    .exec(`${ownedDirCommand(dirname(workDir))} && mkdir -m 700 ${shellQuote(workDir)}`, { timeoutMs: 15_000, signal })
    .then(check(transport, 'mkdir'));
  const finalSpec = await withOverlays(transport, spec, workDir, signal);
  const secrets = (finalSpec.disks ?? []).map((d) => (d.encryption ? randomUUID() : undefined));
  const xml = domainXml(finalSpec, paths, {
    name: domain,
    uuid: randomUUID(),
    cpuModel,
    secrets: Object.fromEntries(secrets.flatMap((s, i) => (s ? [[i, s]] : []))),
  });
  const vm = new LibvirtVm(
    transport,
    finalSpec,
    paths,
    domain,
    xml,
    secrets.filter((s) => s !== undefined),
    signal,
  );
  try {
    for (const [i, uuid] of secrets.entries()) {
      if (!uuid) continue;
      const file = `${workDir}/secret-${i}.xml`;
      await transport.writeFile(file, secretXml(uuid, domain, finalSpec.disks![i]!.path), {
        signal,
        timeoutMs: 15_000,
      });
      // The value is set from the key file on the host: it is on no command line.
      await vm.virsh.run(['secret-define', file], { signal });
      await vm.virsh.run(['secret-set-value', uuid, '--file', finalSpec.disks![i]!.encryption!.keyFile, '--plain'], {
        signal,
      });
    }
    const file = `${workDir}/domain.xml`;
    await transport.writeFile(file, xml.xml, { signal, timeoutMs: 15_000 });
    const v = `virsh -q -c ${LIBVIRT_URI}`;
    const r = await transport.exec(
      `${v} define ${shellQuote(file)} >/dev/null && ${v} start ${shellQuote(domain)} >/dev/null && ` +
        `echo "HWQUAL-PID $(cat ${shellQuote(paths.pidFile)})" && ` +
        `${v} dumpxml ${shellQuote(domain)} | grep -m1 '<memory'`,
      { timeoutMs: o.startTimeoutMs ?? 60_000, signal },
    );
    if (r.exitCode !== 0)
      throw new HwqualError('E_VM', `driver libvirt: the domain did not start on ${transport.host}: ${virshWords(r)}`, {
        host: transport.host,
      });
    const pid = /^HWQUAL-PID (\d+)$/m.exec(r.stdout)?.[1];
    vm.pid = pid ? Number(pid) : undefined;
    const got = /<memory unit='KiB'>(\d+)</.exec(r.stdout)?.[1];
    const gotKiB = got ? Number(got) : undefined;
    vm.memory = { askedKiB: xml.memoryKiB, gotKiB, note: memoryNote(xml.memoryKiB, gotKiB) };
    vm.qmp = await QmpClient.connect(virshQmpStream(vm.virsh, domain), {
      host: transport.host,
      timeoutMs: 10_000,
      signal,
    });
    return vm;
  } catch (err) {
    await vm.teardown().catch(() => {});
    throw err;
  }
}

/**
 * A handle on a domain libvirt is about to make on this host (a live migration's destination): nothing is defined or
 * started here; `attach()` once it runs. Its teardown ends whatever of it exists, like any other.
 */
export function adoptLibvirtDomain(
  transport: Transport,
  spec: VmSpec,
  workDir: string,
  domain: string,
  xml: DomainXml,
  signal?: AbortSignal,
): LibvirtVm {
  const paths = { ...vmPaths(workDir), pidFile: `/run/libvirt/qemu/${domain}.pid` };
  return new LibvirtVm(transport, spec, paths, domain, xml, [], signal);
}

/** The spec's named CPU model as the host's libvirt names it (undefined for max/host/host-model). */
async function libvirtCpuModel(transport: Transport, spec: VmSpec, signal?: AbortSignal): Promise<string | undefined> {
  const { model } = parseCpuSpec(spec.cpu ?? 'max');
  if (['max', 'host', 'host-model'].includes(model)) return undefined;
  const caps = await domCapabilitiesOnce(transport, spec.accel === 'kvm' ? 'kvm' : 'qemu', signal);
  const mapped = libvirtModelName(model, caps.customModels);
  if (mapped.name === undefined)
    throw new HwqualError('E_VM', `driver libvirt: CPU model ${model} on ${transport.host}: ${mapped.problem}`, {
      host: transport.host,
    });
  return mapped.name;
}

function secretXml(uuid: string, domain: string, disk: string): string {
  return [
    "<secret ephemeral='yes' private='yes'>",
    `  <uuid>${uuid}</uuid>`,
    `  <description>hwqual ${esc(domain)}: LUKS key of ${esc(disk)}</description>`,
    '</secret>',
    '',
  ].join('\n');
}
