// The encryption suite through the real runner on replayed hosts: assembled profiles from public dumps of real
// machines (fixtures/hosts) and this machine's recorded profile. A replayed host runs only what its profile can
// answer; the LUKS and QEMU cases need a live host and say so.
import { describe, expect, it } from 'vitest';
import { assembledProfile, runEncryptionReplayed } from './encryption-replay-support.ts';

describe('encryption suite on replayed hosts', () => {
  it('EPYC 9654 with SEV (QMP only): SEV required and enabled → passed; the rest says what it lacks', async () => {
    const { byId, host } = await runEncryptionReplayed(await assembledProfile('qmp-epyc-9654-sev-qemu-9.2'), {
      cc: ['sev'],
    });
    expect(byId('confidential-computing').status).toBe('passed');
    expect(byId('confidential-computing').assertions).toEqual([
      expect.objectContaining({ name: 'sev enabled', passed: true }),
    ]);
    expect(host.facts.extra?.cc).toMatchObject({
      sev: { state: 'enabled', evidence: [expect.stringContaining('cbitpos 51')] },
      sgx: { state: 'unavailable' },
    });
    for (const id of ['luks-format', 'luks-roundtrip', 'qemu-luks-disk']) {
      expect(byId(id)).toMatchObject({ status: 'skipped', message: expect.stringContaining('requires a live host') });
    }
    expect(byId('cpu-crypto-flags')).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/: not recorded in \S+\/qmp-epyc-9654-sev-qemu-9\.2: cat \/proc\/cpuinfo$/),
    });
    expect(byId('xts-aes-driver')).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/: not recorded in \S+: cat \/proc\/crypto$/),
    });
    expect(byId('luks-benchmark')).toMatchObject({
      status: 'skipped',
      message: expect.stringContaining('not recorded in '),
    });
  });

  it('Ryzen 9 3900X (QEMU 7.2): SEV required but QEMU cannot open /dev/sev → failed with the evidence', async () => {
    const { byId } = await runEncryptionReplayed(await assembledProfile('qmp-ryzen-3900x-qemu-7.2'), { cc: ['sev'] });
    expect(byId('confidential-computing')).toMatchObject({ status: 'failed', expected: 'sev enabled: enabled' });
    expect(byId('confidential-computing').actual).toMatch(
      /^sev enabled: unavailable \(QMP query-sev-capabilities: SEV: Failed to open \/dev\/sev/,
    );
  });

  it('without a requirement the CC case reports and passes, whatever the host has', async () => {
    const { byId, host } = await runEncryptionReplayed(await assembledProfile('qmp-ryzen-3900x-qemu-7.2'));
    expect(byId('confidential-computing')).toMatchObject({ status: 'passed', assertions: [] });
    expect(host.facts.extra?.cc).toMatchObject({ sev: { state: 'unavailable' } });
  });

  it('EPYC 9654 cpuinfo: all five crypto flags; a required TDX, untellable from a replay → error', async () => {
    const { byId, host } = await runEncryptionReplayed(await assembledProfile('amd-genoa'), { cc: ['tdx'] });
    expect(byId('cpu-crypto-flags').status).toBe('passed');
    expect(host.facts.extra?.cryptoFlags).toMatchObject({
      arch: 'x86_64',
      required: ['aes', 'vaes', 'vpclmulqdq', 'sha_ni', 'gfni'],
    });
    expect(byId('confidential-computing')).toMatchObject({
      status: 'error',
      errorCode: 'E_NOT_RECORDED',
      message: expect.stringContaining('cannot tell whether tdx is enabled'),
    });
    expect(host.facts.extra?.cc).toMatchObject({ sev: { state: 'capable' }, sme: { state: 'capable' } });
  });

  it('Skylake-SP lacks VAES, VPCLMULQDQ, SHA-NI, GFNI: failed per flag; a plan for aes alone passes', async () => {
    const { byId } = await runEncryptionReplayed(await assembledProfile('intel-skylake-sp'));
    const flags = byId('cpu-crypto-flags');
    expect(flags.status).toBe('failed');
    expect(flags.assertions.map((a) => [a.name, a.passed])).toEqual([
      ['cpu flag aes', true],
      ['cpu flag vaes', false],
      ['cpu flag vpclmulqdq', false],
      ['cpu flag sha_ni', false],
      ['cpu flag gfni', false],
    ]);
    const relaxed = await runEncryptionReplayed(await assembledProfile('intel-skylake-sp'), {
      crypto: { cpuFlags: ['aes'] },
    });
    expect(relaxed.byId('cpu-crypto-flags').status).toBe('passed');
  });

  it('Arm Neoverse V2: the Arm equivalents (aes, pmull, sha1, sha2)', async () => {
    const { byId, host } = await runEncryptionReplayed(await assembledProfile('arm-neoverse-v2'));
    expect(byId('cpu-crypto-flags').status).toBe('passed');
    expect(host.facts.extra?.cryptoFlags).toMatchObject({
      arch: 'aarch64',
      required: ['aes', 'pmull', 'sha1', 'sha2'],
    });
  });

  it("this machine's profile: /proc/crypto has no accelerated xts(aes) → failed, naming what it found", async () => {
    const { byId, host } = await runEncryptionReplayed(await assembledProfile('this-machine-debian12'));
    expect(byId('xts-aes-driver').status).toBe('failed');
    expect(byId('xts-aes-driver').actual).toMatch(
      /no xts\(aes\) in \/proc\/crypto .*best aes cipher: aes-(fixed-time|generic) \(generic C\)/,
    );
    expect(host.facts.extra?.xtsAes).toMatchObject({ driver: null, accelerated: false });
    const relaxed = await runEncryptionReplayed(await assembledProfile('this-machine-debian12'), {
      crypto: { acceleratedXts: false },
    });
    expect(relaxed.byId('xts-aes-driver').status).toBe('passed');
  });
});
