import {
  CRYPTO_FACTS,
  HwqualError,
  needsRootReason,
  type CaseContext,
  type CaseDef,
  type HostCryptoFlagsFact,
  type HostXtsFact,
} from '../../src/suite-api/index.ts';
import { bestDriver, parseCpuinfo, parseProcCrypto, type CryptoAlg } from '../../src/suite-api/parsers.ts';
import { ENC_CMD, ENC_ROOT } from './commands.ts';
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
        const algs = await xtsRegistered(ctx);
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

/**
 * /proc/crypto, with xts(aes) in it if the host can have it. The kernel registers xts(aes) when an AES module loads
 * (AES-NI, Arm CE) or someone first uses it: on a live host where it is absent, load the modules (root) and read
 * again. A non-root login without `become` cannot: the verdict would hang on that, so the case is skipped saying so.
 */
async function xtsRegistered(ctx: CaseContext): Promise<CryptoAlg[]> {
  const algs = parseProcCrypto(await readOrSkip(ctx, ENC_CMD.crypto, '/proc/crypto'));
  if (bestDriver(algs, 'xts(aes)') || ctx.host.replayed) return algs;
  try {
    await ctx.exec(ENC_CMD.loadAesModules, { root: ENC_ROOT.loadAesModules, timeout: 60 });
  } catch (err) {
    if (!(err instanceof HwqualError && err.code === 'E_NEEDS_ROOT')) throw err;
    return ctx.skip(
      `no xts(aes) in /proc/crypto yet, and loading the AES modules that register it (modprobe) ` +
        needsRootReason(ctx.host.name),
    );
  }
  return parseProcCrypto(await readOrSkip(ctx, ENC_CMD.crypto, '/proc/crypto'));
}
