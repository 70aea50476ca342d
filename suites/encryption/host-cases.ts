import { CRYPTO_FACTS, type CaseDef, type HostCryptoFlagsFact, type HostXtsFact } from '../../src/suite-api/index.ts';
import { bestDriver, parseCpuinfo, parseProcCrypto } from '../../src/suite-api/parsers.ts';
import { ENC_CMD } from './commands.ts';
import { readOrSkip } from './read.ts';
import { DEFAULT_FLAGS, REPORTED_FLAGS, type EncryptionRequire } from './require.ts';

/** The host's crypto instructions and the kernel's AES-XTS driver (what dm-crypt will use). Read-only. */
export function hostCases(req: EncryptionRequire): CaseDef[] {
  return [
    {
      id: 'cpu-crypto-flags',
      title: 'CPU crypto instructions (AES, VAES, VPCLMULQDQ, SHA, GFNI / Arm AES, PMULL, SHA)',
      tags: ['cpu', 'crypto'],
      readOnly: true,
      async run(ctx) {
        const cpu = parseCpuinfo(await readOrSkip(ctx, ENC_CMD.cpuinfo, '/proc/cpuinfo'));
        const arch = cpu.arm ? 'aarch64' : 'x86_64';
        const flags = new Set(cpu.flags ?? []);
        const required = req.cpuFlags ?? [...DEFAULT_FLAGS[arch]];
        const reported = [...new Set([...required, ...DEFAULT_FLAGS[arch], ...REPORTED_FLAGS[arch]])];
        const present = reported.filter((f) => flags.has(f));
        const fact: HostCryptoFlagsFact = { arch, present, missing: reported.filter((f) => !flags.has(f)), required };
        ctx.fact(CRYPTO_FACTS.hostFlags, fact);
        ctx.metric('crypto_flags_required_present', required.filter((f) => flags.has(f)).length);
        ctx.log(`${arch}: ${present.join(' ') || '(none of the crypto flags)'}`);
        for (const f of required)
          ctx.check.ok(`cpu flag ${f}`, flags.has(f), {
            expected: 'present',
            actual: flags.has(f) ? 'present' : 'absent',
          });
      },
    },
    {
      id: 'xts-aes-driver',
      title: 'Kernel xts(aes) driver is hardware accelerated (/proc/crypto)',
      tags: ['kernel', 'crypto'],
      readOnly: true,
      async run(ctx) {
        const algs = parseProcCrypto(await readOrSkip(ctx, ENC_CMD.crypto, '/proc/crypto'));
        const xts = bestDriver(algs, 'xts(aes)');
        const aes = bestDriver(algs, 'aes');
        const fact: HostXtsFact = {
          driver: xts?.driver ?? null,
          priority: xts?.priority ?? null,
          accelerated: xts?.accelerated ?? false,
          aesCipher: aes?.driver ?? null,
        };
        ctx.fact(CRYPTO_FACTS.hostXts, fact);
        const best = aes ? `${aes.driver} (${aes.accelerated ? 'accelerated' : 'generic C'})` : 'none';
        const actual = xts
          ? `${xts.driver} (priority ${xts.priority})`
          : `no xts(aes) in /proc/crypto (not registered: no accelerated module such as aesni_intel/aes_ce_blk ` +
            `loaded); best aes cipher: ${best}`;
        ctx.log(`xts(aes): ${actual}`);
        if (!req.acceleratedXts) return;
        ctx.expect.ok('xts(aes) driver is accelerated', Boolean(xts?.accelerated), {
          expected: 'an accelerated driver (xts-aes-aesni, xts-aes-vaes-*, xts-aes-ce…), not aes-generic',
          actual,
        });
      },
    },
  ];
}
