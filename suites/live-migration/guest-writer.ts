import { HwqualError } from '../../src/suite-api/index.ts';
import type { GuestAgentClient } from '../../src/suite-api/vm.ts';
import { DISK_STAMP } from './data-disk.ts';

/**
 * The in-guest side of migrate-guest-luks, as POSIX shell run through the guest agent of the Debian 12 guest: a LUKS2
 * volume on the data disk (the key arrives on guest-exec's stdin into the guest's /run, never on a command line, and
 * is removed once the volume is open), a writer that stamps 4 KiB blocks of the open volume with O_DIRECT and logs
 * each stamp in /run (guest RAM, migrated with the guest), and a verify that reads the blocks back and compares
 * each with its last logged stamp. All state is in /run/hwqual.
 */
/** 16 blocks: even a slow TCG guest rewrites each several times, so a block that went back in time shows. */
export const VOLUME = { name: 'hwqual-mig', device: '/dev/mapper/hwqual-mig', blocks: 16 } as const;
const ST = '/run/hwqual';

const OPEN = `set -u
umask 077; mkdir -p ${ST}; cat > ${ST}/key
modprobe dm_crypt 2>/dev/null
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file ${ST}/key "$1" || exit 10
cryptsetup open --type luks2 --key-file ${ST}/key "$1" ${VOLUME.name} || exit 11
rm -f ${ST}/key
test -b ${VOLUME.device} || exit 12`;

/** Stamps block (i mod n) with `<marker> block=B seq=S`, logging `B S`; honours pause and stop files. */
const WRITER = String.raw`dev=$1; n=$2; st=${ST}; seq=0; i=0
while [ ! -e $st/stop ]; do
  if [ -e $st/pause ]; then : > $st/paused; sleep 0.05; continue; fi
  rm -f $st/paused
  seq=$((seq + 1)); b=$((i % n)); i=$((i + 1))
  printf '${DISK_STAMP} block=%s seq=%s\n' $b $seq |
    dd of=$dev bs=4096 seek=$b conv=sync,notrunc oflag=direct status=none || { echo "$b $seq" > $st/error; break; }
  echo "$b $seq" >> $st/log
done
: > $st/done`;

/** Every logged block's last stamp against the volume, read with O_DIRECT in one pass. */
const VERIFY = String.raw`dev=$1; n=$2; st=${ST}
dd if=$dev bs=4096 count=$n iflag=direct status=none | tr -d '\000' |
  grep -a -o '${DISK_STAMP} block=[0-9]* seq=[0-9]*' | sed 's/.*block=\([0-9]*\) seq=\([0-9]*\)/\1 \2/' > $st/disk
awk 'NR == FNR { want[$1] = $2; writes++; next } { got[$1] = $2 }
  END {
    for (b in want) {
      n++
      if (got[b] != want[b]) {
        bad++
        if (bad <= 3) printf "HWQUAL-VERIFY-BAD block=%s want=%s got=%s\n", b, want[b], (b in got ? got[b] : "none")
      }
    }
    printf "HWQUAL-VERIFY blocks=%d bad=%d writes=%d\n", n, bad, writes
  }' $st/log $st/disk`;

export interface VerifyResult {
  blocks: number;
  bad: number;
  writes: number;
  /** The first bad blocks, as the guest printed them. */
  badLines: string[];
}

export class GuestWriter {
  constructor(
    private agent: GuestAgentClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** After a migration: the same guest, through the destination's agent socket. */
  reattach(agent: GuestAgentClient): void {
    this.agent = agent;
  }

  private async sh(script: string, args: string[] = [], input?: string, timeoutMs = 120_000) {
    return this.agent.exec('/bin/sh', ['-c', script, 'sh', ...args], { timeoutMs, signal: this.signal, input });
  }

  /** luksFormat + open the data disk with `key`; E_VM naming the step when the guest cannot. */
  async openVolume(disk: string, key: string): Promise<void> {
    const r = await this.sh(OPEN, [disk], key, 300_000);
    if (r.exitCode !== 0)
      throw new HwqualError('E_VM', `in-guest LUKS2 on ${disk} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }

  /** The writer, detached from the agent (it outlives this exec and migrates with the guest). */
  async start(): Promise<void> {
    const write = await this.sh(`umask 077; cat > ${ST}/writer.sh`, [], WRITER);
    if (write.exitCode !== 0) throw new HwqualError('E_VM', `cannot write the writer: ${write.stderr.trim()}`);
    const run = `setsid sh ${ST}/writer.sh ${VOLUME.device} ${VOLUME.blocks} </dev/null >/dev/null 2>&1 &`;
    const r = await this.sh(run);
    if (r.exitCode !== 0) throw new HwqualError('E_VM', `cannot start the writer: ${r.stderr.trim()}`);
  }

  /** How many stamps the writer has logged so far. */
  async writes(): Promise<number> {
    const r = await this.sh(
      `if [ -e ${ST}/error ]; then echo "error at block and stamp $(cat ${ST}/error)"; exit 1; fi; ` +
        `if [ -e ${ST}/log ]; then wc -l < ${ST}/log; else echo 0; fi`,
    );
    if (r.exitCode !== 0)
      throw new HwqualError('E_VM', `the writer stopped on a write error: ${(r.stdout || r.stderr).trim()}`);
    return Number(r.stdout.trim()) || 0;
  }

  /** Pause the writer (`stop`: for good), verify every stamp, resume. */
  async verify(o: { stop?: boolean } = {}): Promise<VerifyResult> {
    const hold = o.stop
      ? `: > ${ST}/stop; i=0; while [ ! -e ${ST}/done ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done`
      : `rm -f ${ST}/paused; : > ${ST}/pause; i=0; while [ ! -e ${ST}/paused ] && [ $i -lt 600 ]; do sleep 0.05; ` +
        'i=$((i + 1)); done';
    const held = await this.sh(hold);
    if (held.exitCode !== 0) throw new HwqualError('E_VM', `the writer did not pause: ${held.stderr.trim()}`);
    const r = await this.sh(VERIFY, [VOLUME.device, String(VOLUME.blocks)]);
    if (!o.stop) await this.sh(`rm -f ${ST}/pause`);
    const m = /HWQUAL-VERIFY blocks=(\d+) bad=(\d+) writes=(\d+)/.exec(r.stdout);
    if (!m) throw new HwqualError('E_VM', `the verify printed no result (exit ${r.exitCode}): ${r.stderr.trim()}`);
    return {
      blocks: Number(m[1]),
      bad: Number(m[2]),
      writes: Number(m[3]),
      badLines: r.stdout.split('\n').filter((l) => l.startsWith('HWQUAL-VERIFY-BAD')),
    };
  }

  async closeVolume(): Promise<{ ok: boolean; detail: string }> {
    const r = await this.sh(`cryptsetup close ${VOLUME.name}`);
    return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'closed' : `exit ${r.exitCode}: ${r.stderr.trim()}` };
  }
}
