import { HwqualError } from '../../model/errors.ts';
import { parseCpuSpec } from '../../probe/guest-flag-check.ts';
import { libvirtFeatureName } from '../../probe/libvirt-names.ts';
import type { VmPaths, VmSpec } from '../spec.ts';

/** What a domain needs beyond the VmSpec: its names, the libvirt name of its CPU model, its disks' secrets. */
export interface DomainParts {
  /** Unique, starts with `hwqual-` (that is how a leftover domain is recognised). */
  name: string;
  uuid: string;
  /** The CPU model as this host's libvirt names it (libvirt-names.ts); default: the spec's own. */
  cpuModel?: string;
  /** Disk index → libvirt secret uuid, for encrypted disks. */
  secrets?: Record<number, string>;
}

export interface DomainXml {
  xml: string;
  /** `extraArgs` with no XML of their own: passed through `<qemu:commandline>`, listed here and in the XML. */
  passthrough: string[];
  /** Guest RAM asked for (KiB), padding included. libvirt rounds it up to a whole MiB (x86): see memoryNote. */
  memoryKiB: number;
}

const DEFAULTS = { machine: 'q35', cpu: 'max', memoryMiB: 512, vcpus: 1 } as const;

/**
 * VmSpec → libvirt domain XML, the same guest buildQemuArgs starts by hand: machine, CPU (`custom` with
 * `fallback='forbid'` for a named model, `maximum` for max, `host-passthrough` for host, `host-model`), memory with
 * the spec's padding, vCPUs, direct kernel boot, disks (qcow2 overlays; LUKS through a libvirt secret), the file
 * console on ttyS0, serial sockets on ttyS1…, the guest-agent channel, ACPI (power button) and no default devices
 * QEMU would not have had (USB, balloon). Every lifecycle event ends the domain (`-no-reboot`). Pure.
 */
export function domainXml(spec: VmSpec, paths: VmPaths, parts: DomainParts): DomainXml {
  if (spec.incoming)
    throw new HwqualError(
      'E_VM',
      'driver libvirt: a migration destination is prepared by libvirt itself (virsh migrate), ' +
        'not started with -incoming',
    );
  const memoryKiB = (spec.memoryMiB ?? DEFAULTS.memoryMiB) * 1024 + (spec.memoryPadKiB ?? 0);
  const passthrough = [...(spec.extraArgs ?? [])];
  const x: string[] = [
    `<domain type='${spec.accel === 'kvm' ? 'kvm' : 'qemu'}'${passthrough.length ? ` xmlns:qemu='${QEMU_NS}'` : ''}>`,
    `  <name>${esc(parts.name)}</name>`,
    `  <uuid>${esc(parts.uuid)}</uuid>`,
    `  <title>hwqual ${esc(spec.name ?? 'vm')}</title>`,
    `  <memory unit='KiB'>${memoryKiB}</memory>`,
    `  <vcpu>${spec.vcpus ?? DEFAULTS.vcpus}</vcpu>`,
    '  <os>',
    `    <type arch='x86_64' machine='${esc(spec.machine ?? DEFAULTS.machine)}'>hvm</type>`,
    ...(spec.kernel
      ? [
          `    <kernel>${esc(spec.kernel.kernel)}</kernel>`,
          ...(spec.kernel.initrd ? [`    <initrd>${esc(spec.kernel.initrd)}</initrd>`] : []),
          ...(spec.kernel.append ? [`    <cmdline>${esc(spec.kernel.append)}</cmdline>`] : []),
        ]
      : ["    <boot dev='hd'/>"]),
    '  </os>',
    '  <features><acpi/><apic/></features>',
    ...cpuXml(spec.cpu ?? DEFAULTS.cpu, parts.cpuModel),
    "  <clock offset='utc'/>",
    '  <on_poweroff>destroy</on_poweroff>',
    '  <on_reboot>destroy</on_reboot>',
    '  <on_crash>destroy</on_crash>',
    '  <devices>',
    ...(spec.qemuBinary ? [`    <emulator>${esc(spec.qemuBinary)}</emulator>`] : []),
    ...(spec.disks ?? []).flatMap((d, i) => {
      const secret = parts.secrets?.[i];
      if (d.encryption && !secret) throw new HwqualError('E_INTERNAL', `encrypted disk ${i} has no libvirt secret`);
      return [
        "    <disk type='file' device='disk'>",
        `      <driver name='qemu' type='${d.format}'/>`,
        `      <source file='${esc(d.path)}'>`,
        ...(secret
          ? [
              "        <encryption format='luks'>",
              `          <secret type='passphrase' uuid='${esc(secret)}'/>`,
              '        </encryption>',
            ]
          : []),
        '      </source>',
        `      <target dev='vd${String.fromCharCode(97 + i)}' bus='virtio'/>`,
        ...(d.readOnly ? ['      <readonly/>'] : []),
        '    </disk>',
      ];
    }),
    "    <serial type='file'>",
    `      <source path='${esc(paths.console)}'/>`,
    "      <target port='0'/>",
    '    </serial>',
    ...(spec.serialSockets ?? []).flatMap((s, i) => [
      "    <serial type='unix'>",
      `      <source mode='bind' path='${esc(s.path)}'/>`,
      `      <target port='${i + 1}'/>`,
      '    </serial>',
    ]),
    ...(spec.guestAgent
      ? [
          "    <channel type='unix'>",
          `      <source mode='bind' path='${esc(paths.qgaSocket)}'/>`,
          "      <target type='virtio' name='org.qemu.guest_agent.0'/>",
          '    </channel>',
        ]
      : []),
    "    <controller type='usb' model='none'/>",
    "    <memballoon model='none'/>",
    '  </devices>',
    ...(passthrough.length
      ? [
          '  <!-- extraArgs with no XML of their own, passed to QEMU as they are -->',
          '  <qemu:commandline>',
          ...passthrough.map((a) => `    <qemu:arg value='${esc(a)}'/>`),
          '  </qemu:commandline>',
        ]
      : []),
    '</domain>',
  ];
  return { xml: `${x.join('\n')}\n`, passthrough, memoryKiB };
}

const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';

/** A `-cpu` spec (`Westmere-v1`, `max,-aes`, `host`, `host-model`) as libvirt's `<cpu>`. */
function cpuXml(spec: string, libvirtModel: string | undefined): string[] {
  const { model, plus, minus } = parseCpuSpec(spec);
  const features = [
    ...plus.map((f) => `    <feature policy='require' name='${esc(libvirtFeatureName(f))}'/>`),
    ...minus.map((f) => `    <feature policy='disable' name='${esc(libvirtFeatureName(f))}'/>`),
  ];
  const mode = { max: 'maximum', host: 'host-passthrough', 'host-model': 'host-model' }[model];
  if (mode) return features.length ? [`  <cpu mode='${mode}'>`, ...features, '  </cpu>'] : [`  <cpu mode='${mode}'/>`];
  return [
    "  <cpu mode='custom' match='exact'>",
    `    <model fallback='forbid'>${esc(libvirtModel ?? model)}</model>`,
    ...features,
    '  </cpu>',
  ];
}

/** What libvirt does to guest RAM (x86: rounded up to a whole MiB), in words when it changes what was asked. */
export function memoryNote(askedKiB: number, gotKiB: number | undefined): string | undefined {
  if (gotKiB === undefined || gotKiB === askedKiB) return undefined;
  return (
    `libvirt gave the guest ${gotKiB} KiB of RAM for the ${askedKiB} KiB asked (it rounds guest RAM up to a whole ` +
    'MiB on x86)' +
    (askedKiB % 1024 && gotKiB % 256 === 0
      ? ': the TCG migration padding (not a multiple of 256 KiB) is lost, so a QEMU before 9.0 takes the ' +
        'dirty-sync fast path that can lose guest writes under TCG (src/migration/guest.ts)'
      : '')
  );
}

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}
