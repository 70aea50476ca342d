/**
 * The encryption facts the reports read (results.json → the "Encryption: host and guests" section): what the
 * encryption suite records about the host and about each guest-luks guest, as plain data. The suite writes them with
 * ctx.fact under these keys; the reporters read them back without calling the suite.
 */

/** Fact keys: the host's crypto flags, its xts(aes) driver, and one guest per CPU model (`guestCrypto:<model>`). */
export const CRYPTO_FACTS = {
  hostFlags: 'cryptoFlags',
  hostXts: 'xtsAes',
  guestPrefix: 'guestCrypto:',
} as const;

/** Why a guest figure is not held against a gate under TCG. */
export const NOT_JUDGED_TCG = 'not judged (TCG emulates AES-NI)';

export interface HostCryptoFlagsFact {
  arch: string;
  present: string[];
  missing: string[];
  required: string[];
}

export interface HostXtsFact {
  driver: string | null;
  priority: number | null;
  accelerated: boolean;
  aesCipher: string | null;
}

/** A plan minimum for a guest's aes-xts figure, and what became of it. */
export interface GuestCryptoGate {
  direction: 'encrypt' | 'decrypt';
  /** The plan key it came from (`require.crypto.guestAesXtsEncryptMiBs`). */
  key: string;
  minimumMiBs: number;
  figureMiBs?: number;
  /** Held against the figure only under KVM. */
  judged: boolean;
  passed?: boolean;
  /** Why it was not judged (NOT_JUDGED_TCG). */
  note?: string;
}

/** One guest-luks guest: the CPU model, what it gives and what the guest got, its driver and figures. */
export interface GuestCryptoFact {
  /** The `-cpu` spec booted (`max`, `qemu64`, `max,-aes`). */
  model: string;
  accel: 'kvm' | 'tcg';
  /** Crypto flags (Linux names) QEMU says the model gives on this host and accelerator. */
  expected: string[];
  /** The crypto flags the guest shows. */
  cryptoFlags: string[];
  /** Expected but absent; present though the model does not give them. */
  missing: string[];
  unexpected: string[];
  /** Every flag of the guest's /proc/cpuinfo. */
  flags: string[];
  /** The guest kernel's xts(aes) driver (highest priority), and whether it is accelerated. */
  driver?: string;
  accelerated: boolean;
  encryptMiBs?: number;
  decryptMiBs?: number;
  gates: GuestCryptoGate[];
  /** The device the LUKS2 round trip ran on (the second virtio disk, /dev/vdb). */
  device?: string;
  /** Extra kernel parameters the guest booted with (settings.encryption.append). */
  append?: string;
}
