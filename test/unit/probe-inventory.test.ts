import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bestDriver, parseProcCrypto } from '../../src/probe/crypto.ts';
import { meaningful, parseDmidecode, parseDmiSysfs, sizeToMiB } from '../../src/probe/dmi.ts';
import { parseIpLink } from '../../src/probe/ip-link.ts';
import { parseLsblk, sizeBytes } from '../../src/probe/lsblk.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const fixture = (f: string) => readFileSync(resolve(PROJECT_ROOT, 'test/fixtures', f), 'utf8');

describe('DMI', () => {
  it('reads /sys/class/dmi/id fields from a grep listing and drops firmware placeholders', () => {
    const d = parseDmiSysfs(
      [
        '/sys/class/dmi/id/bios_date:09/12/2024',
        '/sys/class/dmi/id/bios_vendor:Dell Inc.',
        '/sys/class/dmi/id/bios_version:2.22.2',
        '/sys/class/dmi/id/board_name:0H28RR',
        '/sys/class/dmi/id/product_name:PowerEdge R640',
        '/sys/class/dmi/id/sys_vendor:Dell Inc.',
        '/sys/class/dmi/id/chassis_asset_tag:Not Specified',
        '/sys/class/dmi/id/uevent:MODALIAS=dmi:bvnDellInc.:bvr2.22.2:',
      ].join('\n'),
    );
    expect(d).toEqual({
      sysVendor: 'Dell Inc.',
      productName: 'PowerEdge R640',
      biosVendor: 'Dell Inc.',
      biosVersion: '2.22.2',
      biosDate: '09/12/2024',
      boardName: '0H28RR',
    });
    expect(meaningful('To Be Filled By O.E.M.')).toBeUndefined();
    expect(meaningful('Default string')).toBeUndefined();
  });

  it('dmidecode of an Alibaba ECS VM: BIOS, system, one socket, two 16 GiB DIMMs', () => {
    const d = parseDmidecode(fixture('public-captures/dmidecode-alibaba-ecs.txt'));
    expect(d.bios).toEqual({ vendor: 'SeaBIOS', version: 'ab23bb1', date: '04/01/2014' });
    expect(d.system).toMatchObject({
      manufacturer: 'Alibaba Cloud',
      productName: 'Alibaba Cloud ECS',
      serial: '1111111a-2220-333c-4449-555555555552',
    });
    expect(d.system?.family).toBeUndefined(); // "Not Specified"
    expect(d.processors).toEqual([
      {
        socket: 'CPU 0',
        manufacturer: 'Alibaba Cloud',
        version: 'pc-i440fx-2.1',
        coreCount: 2,
        threadCount: 2,
        populated: true,
      },
    ]);
    expect(d.memory.map((m) => [m.locator, m.sizeMiB, m.type])).toEqual([
      ['DIMM 0', 16384, 'RAM'],
      ['DIMM 1', 16384, 'RAM'],
    ]);
    expect(d.memoryTotalMiB).toBe(32768);
  });

  it('dmidecode of a Dell R640 (type 1) and an Ice Lake ES socket (type 4, Flags and Characteristics lists)', () => {
    const r640 = parseDmidecode(fixture('public-captures/dmidecode-dell-r640-system.txt'));
    expect(r640.system).toEqual({
      manufacturer: 'Dell Inc.',
      productName: 'PowerEdge R640',
      serial: '33JP873',
      uuid: '4c4c4544-0033-4a10-8050-b3c04f383733',
      family: 'PowerEdge',
    });
    expect(r640.bios).toBeUndefined();
    const icx = parseDmidecode(fixture('public-captures/dmidecode-icelake-es-type4.txt'));
    expect(icx.processors).toEqual([
      {
        socket: 'CPU1',
        manufacturer: 'Intel(R) Corporation',
        version: 'Genuine Intel(R) CPU 0000%@',
        coreCount: 38,
        threadCount: 76,
        populated: true,
      },
    ]);
    expect(icx.memory).toEqual([]);
  });

  it('skips empty DIMM slots and converts sizes', () => {
    const d = parseDmidecode(
      'Handle 0x1100, DMI type 17, 84 bytes\nMemory Device\n\tSize: No Module Installed\n\tLocator: A2\n\n' +
        'Handle 0x1101, DMI type 17, 84 bytes\nMemory Device\n\tSize: 64 GB\n\tLocator: A1\n\tType: DDR5\n' +
        '\tSpeed: 4800 MT/s\n',
    );
    expect(d.memory).toEqual([{ sizeMiB: 65536, locator: 'A1', type: 'DDR5', speed: '4800 MT/s' }]);
    expect([sizeToMiB('1 TB'), sizeToMiB('512 kB'), sizeToMiB('Unknown')]).toEqual([1048576, 0.5, undefined]);
  });

  it('this machine: dmidecode finds no table', () => {
    const d = parseDmidecode(fixture('this-machine/dmidecode.txt'));
    expect(d).toEqual({ processors: [], memory: [], memoryTotalMiB: 0 });
  });
});

describe('disks and NICs', () => {
  it('lsblk -J of this machine: vda counts, zram does not', () => {
    const disks = parseLsblk(fixture('this-machine/lsblk.txt'));
    expect(disks.map((d) => d.name)).toEqual(['vda']);
    expect(disks[0].sizeBytes).toBe(256 * 1024 ** 3);
    expect(disks[0].rotational).toBe(true); // virtio-blk reports rotational
  });

  it('lsblk -J of old util-linux (all strings) and human sizes', () => {
    const disks = parseLsblk(
      JSON.stringify({
        blockdevices: [
          { name: 'sda', type: 'disk', size: '480103981056', model: 'SAMSUNG MZ7LH480', rota: '0', tran: 'sata' },
          { name: 'nvme0n1', type: 'disk', size: '3.5T', rota: '0', tran: 'nvme' },
          { name: 'sda1', type: 'part', size: '1G' },
          { name: 'loop0', type: 'loop', size: '10M' },
        ],
      }),
    );
    expect(disks).toEqual([
      {
        name: 'sda',
        type: 'disk',
        sizeBytes: 480103981056,
        model: 'SAMSUNG MZ7LH480',
        rotational: false,
        transport: 'sata',
      },
      { name: 'nvme0n1', type: 'disk', sizeBytes: Math.round(3.5 * 1024 ** 4), rotational: false, transport: 'nvme' },
    ]);
    expect(sizeBytes('512B')).toBe(512);
  });

  it('ip -d -j link of this machine: eth0 physical; lo, ifb (info_kind) and any bridge/veth virtual', () => {
    const links = parseIpLink(fixture('this-machine/ipLink.txt'));
    expect(links.filter((l) => l.kind === 'physical').map((l) => l.name)).toEqual(['eth0']);
    expect(links.find((l) => l.name === 'eth0')).toMatchObject({
      up: true,
      mtu: 1400,
      mac: '02:fc:00:00:00:01',
      operstate: 'UP',
    });
    expect(links.find((l) => l.name === 'lo')?.kind).toBe('virtual');
  });
});

describe('/proc/crypto', () => {
  it('picks xts-aes-aesni (401) over the generic one, ignoring the internal cryptd entry (451)', () => {
    const algs = parseProcCrypto(fixture('public-captures/proc-crypto-xts-aesni-grep.txt'));
    expect(algs).toHaveLength(4);
    expect(bestDriver(algs)).toEqual({ driver: 'xts-aes-aesni', priority: 401, accelerated: true });
  });

  it('reports generic AES as not accelerated', () => {
    const algs = parseProcCrypto(
      'name         : xts(aes)\ndriver       : xts(ecb(aes-generic))\nmodule       : kernel\npriority     : ' +
        '100\nselftest     : passed\ninternal     : no\n',
    );
    expect(bestDriver(algs)).toEqual({ driver: 'xts(ecb(aes-generic))', priority: 100, accelerated: false });
  });

  it('this machine: no xts(aes) instantiated yet; cbc(aes) is the fixed-time C implementation', () => {
    const algs = parseProcCrypto(fixture('this-machine/crypto.txt'));
    expect(algs.length).toBe((fixture('this-machine/crypto.txt').match(/^name\s*:/gm) ?? []).length);
    expect(bestDriver(algs)).toBeUndefined();
    expect(bestDriver(algs, 'cbc(aes)')).toMatchObject({ driver: 'cbc(ecb(aes-fixed-time))', accelerated: false });
  });
});
