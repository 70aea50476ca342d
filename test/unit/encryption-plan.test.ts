// The plan's words for the encryption suite: require.cc, require.crypto and settings.encryption, validated once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadPlan } from '../../src/config/index.ts';
import { planView } from '../../src/runner/expand.ts';
import { guestModels } from '../../suites/encryption/guest-case.ts';
import { encryptionRequire } from '../../suites/encryption/require.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwqual-encplan-');
const plan = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return loadPlan(f);
};

describe('encryption plan parameters', () => {
  it('reads cc, crypto minimums and the opt-in guest models', async () => {
    const p = await plan(
      'ok.yaml',
      `
name: gen4
suites: [encryption]
require:
  cc: [sev-snp, tdx]
  crypto: { cpuFlags: [aes, vaes], aesXtsEncryptMiBs: 1000, aesXtsDecryptMiBs: 1200, acceleratedXts: true }
settings:
  encryption: { guest: true, cpuModels: [max, qemu64] }
`,
    );
    const view = planView(p);
    expect(encryptionRequire(view)).toEqual({
      cpuFlags: ['aes', 'vaes'],
      aesXtsEncryptMiBs: 1000,
      aesXtsDecryptMiBs: 1200,
      acceleratedXts: true,
      cc: ['sev-snp', 'tdx'],
    });
    expect(guestModels(view)).toEqual(['max', 'qemu64']);
    expect(guestModels(planView(await plan('noguest.yaml', 'name: x\nsuites: [encryption]\n')))).toEqual([]);
    expect(
      encryptionRequire(planView(await plan('one.yaml', 'name: x\nsuites: [encryption]\nrequire: { cc: sev }\n'))).cc,
    ).toEqual(['sev']);
  });

  it('refuses an unknown CC feature and a misspelt crypto key, naming the path', async () => {
    const err = await (async () => {
      try {
        await plan(
          'bad.yaml',
          'name: x\nsuites: [encryption]\nrequire: { cc: [sev-snpp], crypto: { aesXtsEncryptMibs: 10 } }\n',
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/require\/cc/);
    expect(String((err as Error).message)).toMatch(/aesXtsEncryptMibs/);
  });
});
