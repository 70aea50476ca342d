import { HwqualError, readCommand, type CaseContext, type CaseDef } from '../../src/suite-api/index.ts';
import { CMD, parseCapabilitiesMachines, parseDomCapabilities } from '../../src/suite-api/parsers.ts';

/**
 * What the host's libvirt offers guests (`virsh domcapabilities`, `virsh capabilities`): the domain type it uses when
 * none is named — `kvm` wherever /dev/kvm exists, even where guests then hang (nested virtualisation), `qemu` (TCG)
 * otherwise — the custom CPU models usable under that type, host-model, and the machine types; all as facts for the
 * report and the pool comparisons. With `driver: libvirt` a libvirtd that does not answer is an error, never a skip:
 * the plan would otherwise qualify without testing its driver.
 */
export function libvirtDomcapsCase(): CaseDef {
  return {
    id: 'libvirt-domcapabilities',
    title: "libvirt's default domain type, usable CPU models, host-model and machine types",
    tags: ['libvirt'],
    readOnly: true,
    async run(ctx) {
      const xml = await read(ctx, CMD.virshDomcapabilities);
      const caps = parseDomCapabilities(xml);
      const usable = caps.customModels.filter((m) => m.usable === 'yes').map((m) => m.name);
      const type = caps.domain === 'kvm' ? 'kvm' : 'qemu';
      const machines = parseCapabilitiesMachines(await read(ctx, CMD.virshCapabilities), caps.arch, type);
      ctx.fact('libvirt.domcapabilities', {
        domainType: caps.domain,
        defaultMachine: caps.machine,
        emulator: caps.path,
        usableModels: usable,
        models: caps.customModels.length,
        hostModel: caps.hostModel && { name: caps.hostModel.name, vendor: caps.hostModel.vendor },
        machines: machines.filter((m) => !m.deprecated).map((m) => (m.canonical ? `${m.name}=${m.canonical}` : m.name)),
      });
      ctx.metric('libvirt_usable_cpu_models', usable.length);
      ctx.metric('libvirt_machine_types', machines.length);
      ctx.log(
        `libvirt defaults to domain type ${caps.domain} (${caps.path ?? '?'}); ${usable.length} of ` +
          `${caps.customModels.length} custom CPU models usable; host-model ${caps.hostModel?.name ?? 'n/a'}; ` +
          `${machines.length} machine types (q35 = ${machines.find((m) => m.name === 'q35')?.canonical ?? '?'})`,
      );
      ctx.check.atLeast(`custom CPU models usable under ${caps.domain}`, usable.length, 1);
    },
  };
}

/** The command's stdout; libvirt not installed or not running: skip, or under `driver: libvirt` an error. */
async function read(ctx: CaseContext, command: string): Promise<string> {
  const r = await readCommand(ctx, command);
  if (r.text !== undefined) return r.text;
  // A replayed profile without the command: the replay's own error (it names the profile and the command).
  if (r.unrecorded) throw r.unrecorded;
  if (ctx.plan.driver === 'libvirt')
    throw new HwqualError('E_COMMAND', `driver libvirt: ${r.why} on ${ctx.host.name}`, { host: ctx.host.name });
  return ctx.skip(`libvirt does not answer here (${r.why}); the plan's driver is qemu`);
}
