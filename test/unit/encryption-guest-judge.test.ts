// guest-luks judged from what a guest showed (suites/encryption/guest-judge.ts): the model's crypto flags against
// the guest's, the driver the guest kernel picked, and the plan's guest minimums — held against the figures only
// under KVM. KVM cannot run guests on this machine, so the KVM observations below are KVM-style records written by
// hand (a Genoa-class host's crypto features through -cpu EPYC-Genoa; figures of the order such a guest reports).
import { describe, expect, it } from 'vitest';
import type { AssertionRecord } from '../../src/model/result.ts';
import { makeChecks } from '../../src/runner/checks.ts';
import { guestCryptoFact, guestGates, recordGuestCrypto } from '../../suites/encryption/guest-judge.ts';

const GENOA = ['aes', 'pclmulqdq', 'vaes', 'vpclmulqdq', 'sha-ni', 'gfni', 'avx2', 'sse4.2', 'avx512f'];
const guestFlags = ['fpu', 'sse4_2', 'avx2', 'avx512f', 'aes', 'pclmulqdq', 'vaes', 'vpclmulqdq', 'sha_ni', 'gfni'];
const kvmGuest = {
  flags: guestFlags,
  driver: 'xts-aes-vaes-avx2',
  accelerated: true,
  encryptMiBs: 2480,
  decryptMiBs: 3350,
};
const gates = { guestAesXtsEncryptMiBs: 3000, guestAesXtsDecryptMiBs: 3000 };

function judged(o: Parameters<typeof guestCryptoFact>[0]) {
  const records: AssertionRecord[] = [];
  const fact = guestCryptoFact(o);
  recordGuestCrypto(makeChecks(records, false), fact);
  return { fact, records, failed: records.filter((r) => !r.passed) };
}

describe('guest-luks judgement', () => {
  it('under KVM a guest minimum missed fails with figure, gate and model; one met passes', () => {
    const { fact, failed, records } = judged({
      model: 'EPYC-Genoa',
      accel: 'kvm',
      modelFeatures: GENOA,
      guest: kvmGuest,
      req: gates,
    });
    expect(fact.gates).toEqual([
      {
        direction: 'encrypt',
        key: 'require.crypto.guestAesXtsEncryptMiBs',
        minimumMiBs: 3000,
        figureMiBs: 2480,
        judged: true,
        passed: false,
      },
      {
        direction: 'decrypt',
        key: 'require.crypto.guestAesXtsDecryptMiBs',
        minimumMiBs: 3000,
        figureMiBs: 3350,
        judged: true,
        passed: true,
      },
    ]);
    expect(failed).toEqual([
      {
        name: 'guest aes-xts 512b encryption MiB/s (-cpu EPYC-Genoa, kvm)',
        passed: false,
        expected: '>= 3000',
        actual: '2480',
        message:
          '-cpu EPYC-Genoa (kvm): guest aes-xts 512b encryption 2480 MiB/s, below ' +
          'require.crypto.guestAesXtsEncryptMiBs 3000',
      },
    ]);
    expect(records.map((r) => [r.name, r.passed])).toEqual([
      ['crypto flags -cpu EPYC-Genoa gives reach the guest', true],
      ['no crypto flags -cpu EPYC-Genoa does not give', true],
      ['guest xts(aes) driver accelerated (-cpu EPYC-Genoa gives aes)', true],
      ['guest aes-xts 512b encryption MiB/s (-cpu EPYC-Genoa, kvm)', false],
      ['guest aes-xts 512b decryption MiB/s (-cpu EPYC-Genoa, kvm)', true],
    ]);
    expect(fact.expected).toEqual(['aes', 'gfni', 'pclmulqdq', 'sha_ni', 'vaes', 'vpclmulqdq']);
  });

  it('under TCG the same figures are recorded "not judged (TCG emulates AES-NI)", never as a passed assertion', () => {
    const { fact, records } = judged({ model: 'max', accel: 'tcg', modelFeatures: GENOA, guest: kvmGuest, req: gates });
    expect(fact.gates.map((g) => [g.direction, g.figureMiBs, g.judged, g.passed, g.note])).toEqual([
      ['encrypt', 2480, false, undefined, 'not judged (TCG emulates AES-NI)'],
      ['decrypt', 3350, false, undefined, 'not judged (TCG emulates AES-NI)'],
    ]);
    expect(records.some((r) => /MiB\/s/.test(r.name))).toBe(false);
    expect(guestGates(kvmGuest, 'tcg', {})).toEqual([]);
  });

  it('a flag the model gives that the guest lacks fails naming the model and the flag, then the driver', () => {
    const { failed } = judged({
      model: 'Westmere',
      accel: 'kvm',
      modelFeatures: ['aes', 'pclmulqdq', 'sse4.2'],
      guest: { flags: ['sse4_2', 'pclmulqdq'], driver: 'xts(ecb(aes-generic))', accelerated: false },
      req: {},
    });
    expect(failed.map((f) => f.message)).toEqual([
      '-cpu Westmere gives aes; the guest lacks it',
      "-cpu Westmere gives aes, but the guest's xts(aes) driver is xts(ecb(aes-generic))",
    ]);
  });

  it('a model without aes passes with the generic driver; a guest showing a removed flag fails', () => {
    const qemu64 = judged({
      model: 'qemu64',
      accel: 'tcg',
      modelFeatures: ['sse2', 'sse3'],
      guest: { flags: ['sse2', 'pni'], driver: 'xts(ecb(aes-generic))', accelerated: false },
      req: {},
    });
    expect(qemu64.failed).toEqual([]);
    expect(qemu64.records.find((r) => r.name === 'guest xts(aes) driver generic (-cpu qemu64 gives no aes)')).toEqual({
      name: 'guest xts(aes) driver generic (-cpu qemu64 gives no aes)',
      passed: true,
      expected: 'a generic driver (aes-generic)',
      actual: 'xts(ecb(aes-generic))',
    });
    const noAes = judged({
      model: 'max,-aes',
      accel: 'tcg',
      modelFeatures: ['aes', 'pclmulqdq'],
      guest: { flags: ['aes', 'pclmulqdq'], driver: 'xts-aes-aesni', accelerated: true },
      req: {},
    });
    expect(noAes.failed.map((f) => f.message)).toEqual([
      '-cpu max,-aes does not give aes; the guest shows it',
      "-cpu max,-aes gives no aes, yet the guest's xts(aes) driver is xts-aes-aesni",
    ]);
  });

  it("the plan's cpuFlags join the crypto flags compared; other flags are not this case's business", () => {
    const { fact } = judged({
      model: 'max',
      accel: 'tcg',
      modelFeatures: ['aes', 'avx2', 'avx512f'],
      guest: { flags: ['aes', 'avx2'], driver: 'xts-aes-aesni', accelerated: true },
      req: { cpuFlags: ['avx2'] },
    });
    expect([fact.expected, fact.cryptoFlags, fact.missing]).toEqual([['aes', 'avx2'], ['aes', 'avx2'], []]);
  });
});
