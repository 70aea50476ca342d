import { NOT_JUDGED_TCG, type Checks, type GuestCryptoFact, type GuestCryptoGate } from '../../src/suite-api/index.ts';
import { checkGuestFlags } from '../../src/suite-api/parsers.ts';
import type { EncryptionRequire } from './require.ts';

/**
 * What a guest-luks guest is judged on, as pure functions of what was observed (so recorded results of a KVM guest
 * can be judged in a unit test): the crypto flags the CPU model gives against the guest's, the driver the guest
 * kernel picked for xts(aes), and the plan's guest minimums — held against the figures only under KVM.
 */

/** The crypto flags compared (Linux names): what AES-XTS, GCM and SHA use in hardware; the plan's cpuFlags join. */
export const GUEST_CRYPTO_FLAGS = ['aes', 'pclmulqdq', 'vaes', 'vpclmulqdq', 'sha_ni', 'gfni'] as const;

export type GuestGatesRequire = Pick<
  EncryptionRequire,
  'cpuFlags' | 'guestAesXtsEncryptMiBs' | 'guestAesXtsDecryptMiBs'
>;

/** What the guest showed: its /proc/cpuinfo flags, its xts(aes) driver and its cryptsetup benchmark figures. */
export interface GuestObservation {
  flags: string[];
  driver?: string;
  accelerated: boolean;
  encryptMiBs?: number;
  decryptMiBs?: number;
}

export function guestCryptoFact(o: {
  model: string;
  accel: 'kvm' | 'tcg';
  /** What QEMU says the spec's base model gives here (queryModelFeatures). */
  modelFeatures: readonly string[];
  guest: GuestObservation;
  req: GuestGatesRequire;
  device?: string;
  append?: string;
}): GuestCryptoFact {
  const only = [...new Set([...GUEST_CRYPTO_FLAGS, ...(o.req.cpuFlags ?? [])])];
  const r = checkGuestFlags({ spec: o.model, modelFeatures: o.modelFeatures, guestFlags: o.guest.flags, only });
  const shown = new Set(o.guest.flags);
  return {
    model: o.model,
    accel: o.accel,
    expected: r.expected,
    cryptoFlags: only.filter((f) => shown.has(f)),
    missing: r.missing,
    unexpected: [...new Set([...r.unexpected, ...r.removedShown])].sort(),
    flags: o.guest.flags,
    ...(o.guest.driver !== undefined && { driver: o.guest.driver }),
    accelerated: o.guest.accelerated,
    ...(o.guest.encryptMiBs !== undefined && { encryptMiBs: o.guest.encryptMiBs }),
    ...(o.guest.decryptMiBs !== undefined && { decryptMiBs: o.guest.decryptMiBs }),
    gates: guestGates(o.guest, o.accel, o.req),
    ...(o.device && { device: o.device }),
    ...(o.append && { append: o.append }),
  };
}

/** The plan's guest minimums against the figures: judged under KVM; under TCG recorded with NOT_JUDGED_TCG. */
export function guestGates(g: GuestObservation, accel: 'kvm' | 'tcg', req: GuestGatesRequire): GuestCryptoGate[] {
  const gates: GuestCryptoGate[] = [];
  const add = (direction: 'encrypt' | 'decrypt', key: string, minimum: number | undefined, figure?: number) => {
    if (minimum === undefined) return;
    const judged = accel === 'kvm';
    gates.push({
      direction,
      key: `require.crypto.${key}`,
      minimumMiBs: minimum,
      ...(figure !== undefined && { figureMiBs: figure }),
      judged,
      ...(judged ? { passed: figure !== undefined && figure >= minimum } : { note: NOT_JUDGED_TCG }),
    });
  };
  add('encrypt', 'guestAesXtsEncryptMiBs', req.guestAesXtsEncryptMiBs, g.encryptMiBs);
  add('decrypt', 'guestAesXtsDecryptMiBs', req.guestAesXtsDecryptMiBs, g.decryptMiBs);
  return gates;
}

const them = (fs: string[]) => (fs.length > 1 ? 'them' : 'it');

/** The fact as assertions: flags, driver, judged gates (in that order: the first failure is the case's message). */
export function recordGuestCrypto(check: Checks, f: GuestCryptoFact): void {
  const cpu = `-cpu ${f.model}`;
  check.ok(`crypto flags ${cpu} gives reach the guest`, f.missing.length === 0, {
    expected: f.expected.join(' ') || 'none',
    actual: f.cryptoFlags.join(' ') || 'none',
    message: `${cpu} gives ${f.missing.join(', ')}; the guest lacks ${them(f.missing)}`,
  });
  check.ok(`no crypto flags ${cpu} does not give`, f.unexpected.length === 0, {
    expected: f.expected.join(' ') || 'none',
    actual: f.cryptoFlags.join(' ') || 'none',
    message: `${cpu} does not give ${f.unexpected.join(', ')}; the guest shows ${them(f.unexpected)}`,
  });
  const driver = f.driver ?? 'none';
  if (f.expected.includes('aes'))
    check.ok(`guest xts(aes) driver accelerated (${cpu} gives aes)`, f.accelerated, {
      expected: 'an accelerated driver (xts-aes-aesni, xts-aes-vaes-*)',
      actual: driver,
      message: `${cpu} gives aes, but the guest's xts(aes) driver is ${driver}`,
    });
  else
    check.ok(`guest xts(aes) driver generic (${cpu} gives no aes)`, !f.accelerated, {
      expected: 'a generic driver (aes-generic)',
      actual: driver,
      message: `${cpu} gives no aes, yet the guest's xts(aes) driver is ${driver}`,
    });
  for (const g of f.gates.filter((x) => x.judged)) {
    const what = `guest aes-xts 512b ${g.direction}ion MiB/s (${cpu}, ${f.accel})`;
    check.ok(what, g.passed === true, {
      expected: `>= ${g.minimumMiBs}`,
      actual: g.figureMiBs === undefined ? 'not measured' : String(g.figureMiBs),
      message:
        `${cpu} (${f.accel}): guest aes-xts 512b ${g.direction}ion ` +
        `${g.figureMiBs === undefined ? 'not measured' : `${g.figureMiBs} MiB/s`}, below ${g.key} ${g.minimumMiBs}`,
    });
  }
}

/** One log line per gate: the figure, the minimum and whether it was judged. */
export function gateLines(f: GuestCryptoFact): string[] {
  return f.gates.map(
    (g) =>
      `-cpu ${f.model} (${f.accel}): guest aes-xts 512b ${g.direction}ion ${g.figureMiBs ?? '?'} MiB/s, ` +
      `${g.key} ${g.minimumMiBs}: ${g.judged ? (g.passed ? 'met' : 'MISSED') : g.note}`,
  );
}
