import type { PlanView } from '../../src/suite-api/index.ts';
import type { CcFeature } from '../../src/suite-api/parsers.ts';

/** Flags checked by default: what AES-XTS, GCM and SHA need in hardware on a current server CPU. */
export const DEFAULT_FLAGS = {
  x86_64: ['aes', 'vaes', 'vpclmulqdq', 'sha_ni', 'gfni'],
  aarch64: ['aes', 'pmull', 'sha1', 'sha2'],
} as const;
/** Reported (as facts), never required unless the plan lists them. */
export const REPORTED_FLAGS = {
  x86_64: ['pclmulqdq', 'avx2', 'avx512f', 'avx512_vaes', 'avx10'],
  aarch64: ['sha3', 'sha512', 'sm3', 'sm4', 'sveaes', 'svepmull', 'svesha3'],
} as const;

/**
 * What the plan's `require:` block may say to this suite (all optional; schema and types in plan-schema.ts):
 *   crypto:
 *     cpuFlags: [aes, vaes]          flags that must be present (default: DEFAULT_FLAGS for the host's arch)
 *     aesXtsEncryptMiBs: 1000        minimum `cryptsetup benchmark` aes-xts 512b encryption, MiB/s
 *     aesXtsDecryptMiBs: 1000        minimum decryption, MiB/s
 *     guestAesXtsEncryptMiBs: 800    the same inside every guest-luks guest; judged only under KVM (under TCG the
 *     guestAesXtsDecryptMiBs: 800    figure is recorded "not judged (TCG emulates AES-NI)")
 *     acceleratedXts: false          do not require an accelerated xts(aes) kernel driver (default: required)
 *   cc: [sev-snp, tdx]               confidential-computing features that must be enabled (sme, sev, sev-es, sev-snp,
 *                                    tme, tdx, sgx); without it the features are only reported
 */
export interface EncryptionRequire {
  cpuFlags?: string[];
  aesXtsEncryptMiBs?: number;
  aesXtsDecryptMiBs?: number;
  guestAesXtsEncryptMiBs?: number;
  guestAesXtsDecryptMiBs?: number;
  acceleratedXts: boolean;
  cc: CcFeature[];
}

export function encryptionRequire(plan: PlanView): EncryptionRequire {
  const { crypto = {}, cc } = plan.require;
  return {
    cpuFlags: crypto.cpuFlags,
    aesXtsEncryptMiBs: crypto.aesXtsEncryptMiBs,
    aesXtsDecryptMiBs: crypto.aesXtsDecryptMiBs,
    guestAesXtsEncryptMiBs: crypto.guestAesXtsEncryptMiBs,
    guestAesXtsDecryptMiBs: crypto.guestAesXtsDecryptMiBs,
    acceleratedXts: crypto.acceleratedXts !== false,
    cc: cc === undefined ? [] : [cc].flat(),
  };
}
