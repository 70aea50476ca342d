import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readState, removeState, validateState, writeState } from '../../src/lab/state.ts';
import type { LabState } from '../../src/lab/types.ts';
import { tempDir } from '../support/temp-dir.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sample(dir: string): LabState {
  return {
    version: 1,
    dir,
    id: 'abcd1234',
    mode: 'netns',
    subnet: '10.210.3.0/24',
    bridge: 'hwqbabcd1234',
    bridgeAddress: '10.210.3.1',
    hosts: [
      {
        name: 'node-a',
        address: '10.210.3.11',
        port: 22,
        netns: 'hwq-abcd1234-node-a',
        vethHost: 'hwqabcd1234h0',
        vethPeer: 'hwqabcd1234p0',
        sshdConfig: join(dir, 'hosts/node-a/sshd_config'),
        hostKey: join(dir, 'hosts/node-a/ssh_host_ed25519_key'),
        logFile: join(dir, 'hosts/node-a/sshd.log'),
        sshd: { pid: 4242, startTime: '123456' },
      },
    ],
    user: 'root',
    identityFile: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    labYaml: join(dir, 'lab.yaml'),
    phase: 'running',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('lab state file', () => {
  it('round-trips through <dir>/state.json, leaving no temporary file', () => {
    const dir = tempDir('hwq-state-');
    dirs.push(dir);
    expect(readState(dir)).toBeUndefined();
    writeState(sample(dir));
    expect(readState(dir)).toEqual(sample(dir));
    expect(readdirSync(dir)).toEqual(['state.json']);
    removeState(dir);
    expect(readState(dir)).toBeUndefined();
  });

  it('refuses a file that is not a lab state, with a stable code', () => {
    const dir = tempDir('hwq-state-');
    dirs.push(dir);
    writeFileSync(join(dir, 'state.json'), '{"version": 2, "hosts": []}');
    expect(() => readState(dir)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    writeFileSync(join(dir, 'state.json'), '{not json');
    expect(() => readState(dir)).toThrow(/not valid JSON/);
    expect(() => validateState({ ...sample(dir), mode: 'vm' })).toThrow(/not a hwqual lab state/);
  });
});
