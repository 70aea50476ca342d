import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../src/config/index.ts';
import { labYamlText, osLabel } from '../../src/lab/lab-yaml.ts';
import { parseDelay, parseRate, tbfArgs } from '../../src/lab/shape-args.ts';
import { knownHostsLine, sshdConfigText } from '../../src/lab/sshd-config.ts';
import type { LabState } from '../../src/lab/types.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('lab texts', () => {
  it('labels the os from /etc/os-release as ID-VERSION_ID', () => {
    expect(osLabel('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')).toBe('debian-12');
    expect(osLabel("ID='ubuntu'\nVERSION_ID=24.04\n")).toBe('ubuntu-24.04');
    expect(osLabel('ID=debian\nVERSION_CODENAME=trixie\n')).toBe('debian');
  });

  it('writes a lab.yaml the config loader accepts, with paths relative to it', () => {
    const dir = tempDir('hwq-yaml-');
    try {
      const state: LabState = {
        version: 1,
        dir,
        id: 'x',
        mode: 'loopback',
        fallbackReason: 'forced by --loopback',
        hosts: ['node-a', 'node-b'].map((name, i) => ({
          name,
          address: `127.0.0.${2 + i}`,
          port: 2200 + i,
          sshdConfig: '',
          hostKey: '',
          logFile: '',
        })),
        user: 'root',
        identityFile: join(dir, 'id_ed25519'),
        knownHosts: join(dir, 'known_hosts'),
        labYaml: join(dir, 'lab.yaml'),
        phase: 'running',
        createdAt: '',
      };
      const text = labYamlText(state, 'debian-12');
      expect(text).toContain('identityFile: id_ed25519');
      writeFileSync(state.labYaml, text);
      const lab = loadLab(state.labYaml);
      expect(lab.hosts.map((h) => [h.name, h.address, h.port, h.user])).toEqual([
        ['node-a', '127.0.0.2', 2200, 'root'],
        ['node-b', '127.0.0.3', 2201, 'root'],
      ]);
      expect(text).toContain('migrationAddress: 127.0.0.3');
      expect(lab.hosts.map((h) => h.migrationAddress)).toEqual(['127.0.0.2', '127.0.0.3']);
      expect(lab.hosts[1]!.identityFile).toBe(state.identityFile);
      expect(lab.hosts[1]!.knownHosts).toBe(state.knownHosts);
      expect(lab.hosts[0]!.labels).toEqual({ os: 'debian-12', pool: 'local-lab' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes known_hosts lines the way OpenSSH looks them up', () => {
    expect(knownHostsLine('10.210.3.11', 22, 'ssh-ed25519 AAAAC3Nz host-a\n')).toBe('10.210.3.11 ssh-ed25519 AAAAC3Nz');
    expect(knownHostsLine('127.0.0.2', 2222, 'ssh-ed25519 AAAAC3Nz')).toBe('[127.0.0.2]:2222 ssh-ed25519 AAAAC3Nz');
  });

  it('configures sshd as the lab needs it', () => {
    const text = sshdConfigText({ address: '10.210.3.11', port: 22, hostKey: '/l/k', authorizedKeys: '/l/id.pub' });
    for (const line of [
      'ListenAddress 10.210.3.11:22',
      'HostKey /l/k',
      'AuthorizedKeysFile /l/id.pub',
      'PermitRootLogin yes',
      'UsePAM no',
      'PidFile none',
      'LogLevel VERBOSE',
      'MaxSessions 10',
      'PasswordAuthentication no',
      'SetEnv SHLVL=1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('checks tc rates and delays before any tc runs', () => {
    expect(parseRate('200mbit')).toBe(200e6);
    expect(parseRate('1.5Gbit')).toBe(1.5e9);
    expect(parseRate('10mbps')).toBe(80e6);
    expect(() => parseRate('200')).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => parseRate('fast')).toThrow(/--rate/);
    expect(parseDelay('1ms')).toBe(1000);
    expect(parseDelay('250us')).toBe(250);
    expect(() => parseDelay('1 hour')).toThrow(/--delay/);
    expect(tbfArgs('200mbit')).toEqual(['tbf', 'rate', '200000000bit', 'burst', '250000', 'latency', '100ms']);
    expect(tbfArgs('1mbit')).toContain(String(32 * 1024));
  });
});
