import { CMD } from '../../src/suite-api/parsers.ts';

/**
 * Every command the encryption suite runs on a host with a fixed text, so replay profiles can answer them. Commands
 * built per run (a private temp dir, a QEMU with its own work dir) are not here: they need a live host.
 */
export const ENC_CMD = {
  cpuinfo: CMD.cpuinfo,
  crypto: CMD.crypto,
  kvmAmdParams: CMD.kvmAmdParams,
  kvmIntelParams: CMD.kvmIntelParams,
  virshDomcapabilities: CMD.virshDomcapabilities,
  /** The whole kernel log (filtered by src/probe/cc-features.ts); needs root where dmesg_restrict is set. */
  dmesg: 'dmesg',
  cryptsetupVersion: CMD.cryptsetupVersion,
  /**
   * aes-xts with a 512-bit key (AES-256), as LUKS2 uses by default. Needs the kernel crypto user API (algif_skcipher).
   */
  benchmark: 'cryptsetup benchmark -c aes-xts-plain64 -s 512',
  qemuImgVersion: 'qemu-img --version',
} as const;

export type EncCommand = keyof typeof ENC_CMD;
