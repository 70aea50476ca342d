import { CMD, CMD_ROOT } from '../../src/suite-api/parsers.ts';
import type { RootNeed } from '../../src/suite-api/index.ts';

/**
 * Every command the encryption suite runs on a host with a fixed text, so replay profiles can answer them. Commands
 * built per run (a private temp dir, a QEMU with its own work dir) are not here: they need a live host. What each
 * needs of root is in ENC_ROOT below.
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
  /**
   * Load the kernel's xts template and the accelerated AES modules (x86 AES-NI/VAES, Arm CE) when /proc/crypto has
   * no xts(aes) yet: the kernel registers it when a module loads or a user first asks for it.
   */
  loadAesModules: 'for m in xts aesni_intel aes_ce_blk; do modprobe -q "$m"; done; exit 0',
} as const;

export type EncCommand = keyof typeof ENC_CMD;

/**
 * What the suite's commands need of root (RootNeed: `required` ones are skipped, "needs root on …", on a non-root
 * login without `become`) — ENC_CMD's, and the LUKS script's two modes, which are built per run.
 */
export const ENC_ROOT: Readonly<Record<EncCommand | 'luksFormat' | 'luksRoundtrip', RootNeed>> = {
  cpuinfo: CMD_ROOT.cpuinfo,
  crypto: CMD_ROOT.crypto,
  kvmAmdParams: CMD_ROOT.kvmAmdParams,
  kvmIntelParams: CMD_ROOT.kvmIntelParams,
  virshDomcapabilities: CMD_ROOT.virshDomcapabilities,
  /** Debian sets kernel.dmesg_restrict=1: "dmesg: read kernel buffer failed: Operation not permitted". */
  dmesg: 'required',
  cryptsetupVersion: CMD_ROOT.cryptsetupVersion,
  /** The crypto user API (AF_ALG) is open to every user. */
  benchmark: 'no',
  qemuImgVersion: 'no',
  loadAesModules: 'required',
  /** luksFormat, luksDump and `open --test-passphrase` on a file: any user. */
  luksFormat: 'no',
  /** `cryptsetup open` makes a device-mapper device: root (as another user cryptsetup says "no device-mapper"). */
  luksRoundtrip: 'required',
};
