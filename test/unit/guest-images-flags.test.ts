import { describe, expect, it } from 'vitest';
import {
  checkGuestFlags,
  describeFlagMismatch,
  parseCpuSpec,
  recordFlagCheck,
} from '../../src/probe/guest-flag-check.ts';
import { okRecorder } from '../support/ok-recorder.ts';

describe('guest CPU flags vs the model (shared check)', () => {
  const model = ['aes', 'sse4.2', 'sse3', 'pclmuldq', 'avx2', 'kvm-asyncpf', 'rtm', 'fpu'];
  it("passes when the guest shows the model's flags, tolerating kernel-derived and policy-hidden ones", () => {
    const r = checkGuestFlags({
      spec: 'max',
      modelFeatures: model,
      guestFlags: ['fpu', 'aes', 'sse4_2', 'pni', 'pclmulqdq', 'avx2', 'cpuid', 'rep_good', '3dnowprefetch', 'ospke'],
    });
    expect(r).toMatchObject({ missing: [], unexpected: [], ok: true, mayHide: ['rtm'] });
    expect(r.expected).toEqual(['aes', 'avx2', 'fpu', 'pclmulqdq', 'pni', 'sse4_2']);
  });

  it('lists missing and unexpected flags (QEMU names translated to Linux ones)', () => {
    const r = checkGuestFlags({
      spec: 'max',
      modelFeatures: model,
      guestFlags: ['fpu', 'aes', 'avx2', 'pclmulqdq', 'avx512f', 'sha_ni'],
    });
    expect(r.missing).toEqual(['pni', 'sse4_2']);
    expect(r.unexpected).toEqual(['avx512f', 'sha_ni']);
    expect(r.ok).toBe(false);
    expect(describeFlagMismatch(r)).toBe('-cpu max: missing pni sse4_2; unexpected avx512f sha_ni');
  });

  it('a guest booted as max,-aes checked against plain max fails naming aes', () => {
    const guest = ['fpu', 'sse4_2', 'pni', 'pclmulqdq', 'avx2'];
    const r = checkGuestFlags({ spec: 'max', modelFeatures: model, guestFlags: guest });
    expect(r).toMatchObject({ ok: false, missing: ['aes'], unexpected: [] });
    const rec = okRecorder();
    expect(recordFlagCheck(rec, r)).toBe(false);
    expect(rec.rows[0]).toEqual({
      name: 'guest flags under -cpu max',
      passed: false,
      message: '-cpu max: the guest lacks aes',
    });
    // The same guest checked against its own spec passes, and aes counts as removed.
    const own = checkGuestFlags({ spec: 'max,-aes', modelFeatures: model, guestFlags: guest });
    expect(own).toMatchObject({ ok: true, removed: ['aes'], removedShown: [] });
  });

  it('a removed feature the guest still shows fails its own assertion', () => {
    const r = checkGuestFlags({
      spec: 'max,-aes',
      modelFeatures: model,
      guestFlags: ['fpu', 'aes', 'sse4_2', 'pni', 'pclmulqdq', 'avx2'],
    });
    expect(r).toMatchObject({ ok: false, removedShown: ['aes'], unexpected: ['aes'] });
    const rec = okRecorder();
    recordFlagCheck(rec, r);
    expect(rec.rows.find((x) => x.name === 'aes removed')).toMatchObject({ passed: false });
  });

  it('parses specs with +/- and =on/=off', () => {
    expect(parseCpuSpec('Skylake-Server,+aes,avx2=off')).toEqual({
      model: 'Skylake-Server',
      plus: ['aes'],
      minus: ['avx2'],
    });
  });
});
