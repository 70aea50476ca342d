import { describe, expect, it } from 'vitest';
import { parseDomCapabilities } from '../../src/probe/domcaps.ts';
import { elements, firstElement, textOf } from '../../src/probe/xml.ts';
import { domainXml, memoryNote } from '../../src/vm/libvirt/domain-xml.ts';
import { lineSplitter, parseMonitorEvent } from '../../src/vm/libvirt/monitor-events.ts';
import { tcgMigrationPadKiB } from '../../src/migration/index.ts';
import { vmPaths, type VmSpec } from '../../src/vm/spec.ts';

const paths = { ...vmPaths('/tmp/hwqual-vms/t-1'), pidFile: '/run/libvirt/qemu/hwqual-t-1.pid' };
const kernel = { kernel: '/img/vmlinuz', initrd: '/img/initrd.img', append: "console=ttyS0 hwqual.run='x'" };
const parts = { name: 'hwqual-t-1', uuid: '11111111-2222-3333-4444-555555555555' };
const text = (xml: string, name: string) => textOf(firstElement(xml, name));

describe('domainXml: the VmSpec as libvirt domain XML', () => {
  it('as buildQemuArgs: type from the accelerator, machine, memory with the TCG padding, kernel boot', () => {
    const spec: VmSpec = {
      name: 'mig-a',
      accel: 'tcg',
      machine: 'pc-q35-7.2',
      cpu: 'Westmere-v1',
      memoryMiB: 256,
      memoryPadKiB: tcgMigrationPadKiB('tcg', {}),
      vcpus: 2,
      kernel,
    };
    const { xml, memoryKiB, passthrough } = domainXml(spec, paths, { ...parts, cpuModel: 'Westmere' });
    expect(firstElement(xml, 'domain')!.attrs.type).toBe('qemu');
    expect(text(xml, 'name')).toBe('hwqual-t-1');
    expect(memoryKiB).toBe(256 * 1024 + 8);
    expect(firstElement(xml, 'memory')).toMatchObject({ attrs: { unit: 'KiB' }, inner: String(256 * 1024 + 8) });
    expect(text(xml, 'vcpu')).toBe('2');
    expect(firstElement(xml, 'type')!.attrs.machine).toBe('pc-q35-7.2');
    expect(text(xml, 'kernel')).toBe('/img/vmlinuz');
    expect(text(xml, 'cmdline')).toBe("console=ttyS0 hwqual.run='x'"); // entities decoded back
    expect(firstElement(xml, 'cpu')!.attrs).toEqual({ mode: 'custom', match: 'exact' });
    expect(firstElement(xml, 'model')).toMatchObject({ attrs: { fallback: 'forbid' }, inner: 'Westmere' });
    for (const ev of ['on_poweroff', 'on_reboot', 'on_crash']) expect(text(xml, ev)).toBe('destroy');
    expect(xml).toContain('<acpi/>'); // the ACPI power button (system_powerdown) as with QEMU's defaults
    expect(passthrough).toEqual([]);
    expect(xml).not.toContain('qemu:commandline');
    expect(domainXml({ ...spec, accel: 'kvm' }, paths, parts).xml).toMatch(/^<domain type='kvm'>/);
  });

  it('console file on ttyS0, serial sockets after it, the guest-agent channel, disks with a LUKS secret', () => {
    const spec: VmSpec = {
      accel: 'tcg',
      kernel,
      guestAgent: true,
      serialSockets: [{ id: 'hb', path: '/w/hb.sock' }],
      disks: [
        { path: '/w/disk0-overlay.qcow2', format: 'qcow2' },
        { path: '/w/enc.qcow2', format: 'qcow2', encryption: { keyFile: '/w/key' } },
      ],
    };
    const { xml } = domainXml(spec, paths, { ...parts, secrets: { 1: 'aaaa-bbbb' } });
    const serials = elements(xml, 'serial');
    expect(serials.map((s) => s.attrs.type)).toEqual(['file', 'unix']);
    expect(firstElement(serials[0]!.inner, 'source')!.attrs.path).toBe(paths.console);
    expect(firstElement(serials[1]!.inner, 'source')!.attrs).toEqual({ mode: 'bind', path: '/w/hb.sock' });
    expect(firstElement(serials[1]!.inner, 'target')!.attrs.port).toBe('1');
    const channel = firstElement(xml, 'channel')!;
    expect(firstElement(channel.inner, 'source')!.attrs.path).toBe(paths.qgaSocket);
    expect(firstElement(channel.inner, 'target')!.attrs.name).toBe('org.qemu.guest_agent.0');
    const disks = elements(xml, 'disk');
    expect(disks.map((d) => firstElement(d.inner, 'target')!.attrs.dev)).toEqual(['vda', 'vdb']);
    expect(disks[0]!.inner).not.toContain('encryption');
    expect(firstElement(disks[1]!.inner, 'encryption')!.attrs.format).toBe('luks');
    expect(firstElement(disks[1]!.inner, 'secret')!.attrs).toEqual({ type: 'passphrase', uuid: 'aaaa-bbbb' });
    expect(xml).not.toContain('/w/key'); // the key file is the secret's business, not the domain's
    expect(() => domainXml(spec, paths, parts)).toThrow(/has no libvirt secret/);
  });

  it('max / host / host-model, +/- features; extraArgs through <qemu:commandline>, listed; -incoming refused', () => {
    const cpu = (c: string) => elements(domainXml({ accel: 'tcg', kernel, cpu: c }, paths, parts).xml, 'cpu')[0]!;
    expect(cpu('max').attrs).toEqual({ mode: 'maximum' });
    expect(cpu('host').attrs).toEqual({ mode: 'host-passthrough' });
    expect(cpu('host-model').attrs).toEqual({ mode: 'host-model' });
    const minus = cpu('max,-aes,+pclmulqdq');
    expect(elements(minus.inner, 'feature').map((f) => f.attrs)).toEqual([
      { policy: 'require', name: 'pclmuldq' }, // libvirt's spelling
      { policy: 'disable', name: 'aes' },
    ]);
    const extra = domainXml({ accel: 'tcg', kernel, extraArgs: ['-S', '-global', 'a=b'] }, paths, parts);
    expect(extra.passthrough).toEqual(['-S', '-global', 'a=b']);
    expect(firstElement(extra.xml, 'domain')!.attrs['xmlns:qemu']).toBe('http://libvirt.org/schemas/domain/qemu/1.0');
    expect(elements(extra.xml, 'qemu:arg').map((a) => a.attrs.value)).toEqual(['-S', '-global', 'a=b']);
    expect(() => domainXml({ accel: 'tcg', kernel, incoming: 'tcp:1.2.3.4:5' }, paths, parts)).toThrow(
      /prepared by libvirt itself/,
    );
  });

  it("memoryNote: libvirt's whole-MiB rounding, and that it loses the TCG padding", () => {
    expect(memoryNote(262144, 262144)).toBeUndefined();
    expect(memoryNote(262152, 263168)).toMatch(/263168 KiB .* 262152 KiB asked .*TCG migration padding .* is lost/);
  });
});

describe('virsh qemu-monitor-event lines', () => {
  it('become QMP events with libvirt timestamps; other lines are not events', () => {
    expect(
      parseMonitorEvent('2026-12-06 21:10:44.102+0000: event MIGRATION for domain \'hwqual-x\': {"status":"active"}'),
    ).toEqual({
      event: 'MIGRATION',
      data: { status: 'active' },
      timestamp: { seconds: Date.UTC(2026, 11, 6, 21, 10, 44) / 1000, microseconds: 102_000 },
    });
    expect(parseMonitorEvent("2026-12-06 21:10:44.136+0000: event RESUME for domain 'hwqual-x': <null>")).toEqual({
      event: 'RESUME',
      timestamp: { seconds: Date.UTC(2026, 11, 6, 21, 10, 44) / 1000, microseconds: 136_000 },
    });
    expect(parseMonitorEvent('event loop interrupted')).toBeUndefined();
    const lines: string[] = [];
    const feed = lineSplitter((l) => lines.push(l));
    feed('a\nb');
    feed('c\n');
    expect(lines).toEqual(['a', 'bc']);
  });
});

describe('domcapabilities of the two lab roots (captured, test/fixtures/libvirt)', () => {
  it('libvirt 9.0: 18 usable custom models under TCG, the richest Westmere, no versioned names', async () => {
    const { readFileSync } = await import('node:fs');
    const caps = parseDomCapabilities(readFileSync('test/fixtures/libvirt/debian-12-domcapabilities.xml', 'utf8'));
    expect(caps.domain).toBe('qemu');
    const usable = caps.customModels.filter((m) => m.usable === 'yes').map((m) => m.name);
    expect(usable).toHaveLength(18);
    expect(usable).toContain('Westmere');
    expect(caps.customModels.some((m) => /-v\d+$/.test(m.name))).toBe(false);
  });
});
