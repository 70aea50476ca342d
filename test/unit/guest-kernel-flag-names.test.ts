// The guest view on a QEMU 10 host (fixtures/guest-view/README.md): QEMU 10.0's TCG `max`, recorded over QMP on a
// Debian 13 lab host, gives cmpccxadd, fsrc, fsrs and fzrm; the tiny guest's Linux 6.1 does not print them in
// /proc/cpuinfo (no Linux release checked does), so they are not required of it — and are listed, not dropped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CPUID_BITS } from '../../src/probe/cpuid-bits.ts';
import { parseGuestFacts } from '../../src/probe/guest-facts.ts';
import { checkGuestFlags, describeNotNamed, recordFlagCheck } from '../../src/probe/guest-flag-check.ts';
import {
  CHECKED_RELEASES,
  kernelDoesNotName,
  kernelRelease,
  LINUX_FLAG_NAMING,
} from '../../src/probe/linux-flag-naming.ts';
import { QmpReplayStream } from '../../src/transport/qmp-replay.ts';
import { parseQmpLog } from '../../src/transport/replay-qmp-log.ts';
import { queryModelFeatures } from '../../src/vm/model-features.ts';
import { QmpClient } from '../../src/vm/qmp-client.ts';
import { okRecorder } from '../support/ok-recorder.ts';

const DIR = join(import.meta.dirname, '../../fixtures/guest-view');
const REPLIES = join(DIR, 'qemu-10.0-tcg-max.replies');
const facts = parseGuestFacts(readFileSync(join(DIR, 'tiny-6.1-qemu-10.0-tcg-max.facts'), 'utf8'))!;
const printedBy = (release: string) =>
  new Set(
    readFileSync(join(DIR, 'linux-cpuinfo-names', `${release}.txt`), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#')),
  );

/** What the recorded QEMU 10 says `-cpu max` gives under TCG, through hwqual's own QMP client and query. */
async function qemu10Max(): Promise<string[]> {
  const session = parseQmpLog(readFileSync(REPLIES, 'utf8'), REPLIES)[0]!;
  const qmp = await QmpClient.connect(new QmpReplayStream(session, 'fixture'), { host: 'node-b' });
  try {
    return (await queryModelFeatures(qmp, 'max', 'tcg')).features;
  } finally {
    qmp.close();
  }
}

describe('guest view: flags the guest kernel does not name', () => {
  it('the recordings are what the lead saw: QEMU 10.0, a 6.1 guest without the four flags', async () => {
    const features = await qemu10Max();
    expect(features).toEqual(expect.arrayContaining(['cmpccxadd', 'fsrc', 'fsrs', 'fzrm', 'aes']));
    expect(facts.kernel).toBe('6.1.0-57-cloud-amd64');
    for (const f of ['cmpccxadd', 'fsrc', 'fsrs', 'fzrm']) expect(facts.cpuFlags).not.toContain(f);
  });

  it('-cpu max on QEMU 10 with a 6.1 guest passes, listing the four as not named by its kernel', async () => {
    const r = checkGuestFlags({
      spec: 'max',
      modelFeatures: await qemu10Max(),
      guestFlags: facts.cpuFlags,
      guestKernel: facts.kernel,
    });
    expect(r).toMatchObject({ ok: true, missing: [], unexpected: [], kernelKnown: true });
    expect(r.notNamed).toEqual(['cmpccxadd', 'fsrc', 'fsrs', 'fzrm']);
    expect(r.expected).not.toContain('cmpccxadd');
    expect(describeNotNamed(r)).toBe('not named by guest kernel 6.1 (6.1.0-57-cloud-amd64): cmpccxadd fsrc fsrs fzrm');
  });

  it('Linux 6.12 does not print them either, so a 6.12 guest passes the same way', async () => {
    const r = checkGuestFlags({
      spec: 'max',
      modelFeatures: await qemu10Max(),
      guestFlags: facts.cpuFlags,
      guestKernel: '6.12.117+deb13-cloud-amd64',
    });
    expect(r).toMatchObject({ ok: true, notNamed: ['cmpccxadd', 'fsrc', 'fsrs', 'fzrm'] });
  });

  it('a flag the guest kernel names stays required: lam is not asked of 6.1, and is of 6.12', async () => {
    const input = { spec: 'max,+lam', modelFeatures: await qemu10Max(), guestFlags: facts.cpuFlags };
    const old = checkGuestFlags({ ...input, guestKernel: '6.1.0-57-cloud-amd64' });
    expect(old).toMatchObject({ ok: true, notNamed: ['cmpccxadd', 'fsrc', 'fsrs', 'fzrm', 'lam'] });
    const newer = checkGuestFlags({ ...input, guestKernel: '6.12.117+deb13-cloud-amd64' });
    expect(newer).toMatchObject({ ok: false, missing: ['lam'], notNamed: ['cmpccxadd', 'fsrc', 'fsrs', 'fzrm'] });
    const rec = okRecorder();
    expect(recordFlagCheck(rec, newer)).toBe(false);
    expect(rec.rows[0]).toEqual({
      name: 'guest flags under -cpu max,+lam',
      passed: false,
      message: '-cpu max,+lam: the guest lacks lam',
    });
    // A flag every checked kernel prints is required of 6.1 too.
    const noAes = checkGuestFlags({
      ...input,
      guestFlags: facts.cpuFlags.filter((f) => f !== 'aes'),
      guestKernel: '6.1.0',
    });
    expect(noAes).toMatchObject({ ok: false, missing: ['aes'] });
  });

  it('an unknown or unreadable guest kernel keeps every flag required, and says so', async () => {
    const features = await qemu10Max();
    for (const guestKernel of [undefined, 'unknown']) {
      const r = checkGuestFlags({ spec: 'max', modelFeatures: features, guestFlags: facts.cpuFlags, guestKernel });
      expect(r).toMatchObject({ ok: false, kernelKnown: false, notNamed: [] });
      expect(r.missing).toEqual(['cmpccxadd', 'fsrc', 'fsrs', 'fzrm']);
      expect(describeNotNamed(r)).toMatch(/every flag of the model is required$/);
    }
  });

  it('the naming table matches the cpufeatures.h names of every checked release, for every flag hwqual maps', () => {
    const flags = [...new Set(Object.values(CPUID_BITS).flatMap((bits) => Object.values(bits)))];
    for (const release of CHECKED_RELEASES) {
      const printed = printedBy(release);
      const wrong = flags.filter((f) => kernelDoesNotName(f, release) === printed.has(f));
      expect(wrong, `release ${release}`).toEqual([]);
    }
    for (const [flag, n] of Object.entries(LINUX_FLAG_NAMING)) {
      expect(flags, flag).toContain(flag);
      if (n.namedFrom) expect(printedBy(n.namedFrom).has(flag), flag).toBe(true);
      expect(printedBy(n.notNamedThrough).has(flag), flag).toBe(false);
    }
  });

  it('reads a kernel release from uname -r', () => {
    expect(kernelRelease('6.1.0-57-cloud-amd64')).toEqual({ major: 6, minor: 1 });
    expect(kernelRelease('6.12.117+deb13-amd64')).toEqual({ major: 6, minor: 12 });
    expect(kernelRelease('5.10')).toEqual({ major: 5, minor: 10 });
    expect(kernelRelease('6.1rc')).toBeUndefined();
    expect(kernelRelease('')).toBeUndefined();
    expect(kernelDoesNotName('lam', '6.1.0')).toBe(true);
    expect(kernelDoesNotName('lam', '6.5.0')).toBe(false); // between the checked 6.1 and 6.12: required
    expect(kernelDoesNotName('cmpccxadd', '8.0.0')).toBe(false); // newer than any checked release: required
  });
});
