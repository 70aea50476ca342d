// Parsers for the LUKS script's output, luksDump and cryptsetup benchmark, on real captures (test/fixtures/encryption).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bestDriver, parseProcCrypto } from '../../src/probe/crypto.ts';
import {
  benchmarkUnsupportedReason,
  parseCryptsetupBenchmark,
  parseLuksDump,
  parseLuksScript,
} from '../../src/probe/luks.ts';
import { LUKS_STEPS } from '../../suites/encryption/luks-run.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const fixture = (name: string) => readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/encryption', name), 'utf8');

describe('LUKS script output', () => {
  it('a guest round trip: every step ok, in the order the suite checks them, the pattern read back unchanged', () => {
    const out = parseLuksScript(fixture('guest-debian12-max-luks-roundtrip.txt'));
    expect(out.steps.map((s) => s.step)).toEqual(LUKS_STEPS.roundtrip);
    expect(out.steps.every((s) => s.result === 'ok')).toBe(true);
    const write = out.steps.find((s) => s.step === 'write')!;
    const verify = out.steps.find((s) => s.step === 'verify')!;
    expect(write.fields.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(verify.fields.sha256).toBe(write.fields.sha256);
    expect(out.steps.find((s) => s.step === 'wrong-open')).toMatchObject({
      rc: 2,
      message: 'refused: No key available with this passphrase.',
    });
    expect(out.steps.find((s) => s.step === 'open')!.fields.device).toMatch(/^\/dev\/mapper\/hwqual-/);
    expect(out.steps.find((s) => s.step === 'tool')!.fields).toEqual({ version: '2.6.1' });
  });

  it('format mode: right passphrase accepted, wrong refused (exit 2), without device-mapper', () => {
    const out = parseLuksScript(fixture('guest-debian12-max-luks-format.txt'));
    expect(out.steps.map((s) => [s.step, s.result, s.rc])).toEqual([
      ['tool', 'ok', 0],
      ['format', 'ok', 0],
      ['dump', 'ok', 0],
      ['right-passphrase', 'ok', 0],
      ['wrong-passphrase', 'ok', 2],
      ['remove', 'ok', 0],
    ]);
  });

  it("this machine's kernel: open and all after it skipped with cryptsetup's device-mapper error; remove runs", () => {
    const out = parseLuksScript(fixture('host-no-dm-luks-roundtrip.txt'));
    expect(out.steps.map((s) => `${s.step}=${s.result}`)).toEqual([
      'tool=ok',
      'format=ok',
      'dump=ok',
      'open=skip',
      'write=skip',
      'close=skip',
      'ciphertext=skip',
      'reopen=skip',
      'verify=skip',
      'wrong-open=skip',
      'close-again=skip',
      'remove=ok',
    ]);
    expect(out.steps[3].message).toMatch(
      /^no device-mapper: Cannot initialize device-mapper\. Is dm_mod kernel module loaded\?/,
    );
    expect(out.steps[4].message).toBe(out.steps[3].message);
  });

  it('luksDump: LUKS2, aes-xts-plain64 with a 512-bit key, pbkdf2 with the forced 1000 iterations', () => {
    const { dump } = parseLuksScript(fixture('guest-debian12-max-luks-roundtrip.txt'));
    expect(parseLuksDump(dump)).toEqual({
      version: 2,
      cipher: 'aes-xts-plain64',
      keyBits: 512,
      pbkdf: 'pbkdf2',
      iterations: 1000,
      sectorBytes: 4096,
    });
  });

  it('ignores lines that are not its own and keeps a message with spaces and = signs', () => {
    const out = parseLuksScript(
      'noise\nHWQUAL-LUKS step=x result=fail rc=5 a=1 msg=it said: key=value failed\nHWQUAL-LUKS step=bad ' +
        'result=maybe rc=0 msg=\n',
    );
    expect(out.steps).toEqual([
      { step: 'x', result: 'fail', rc: 5, fields: { a: '1' }, message: 'it said: key=value failed' },
    ]);
  });
});

describe('cryptsetup benchmark', () => {
  it('the aes-xts 512b line of the single-cipher run', () => {
    expect(parseCryptsetupBenchmark(fixture('guest-debian12-max-benchmark-aes-xts.txt'))).toEqual([
      { algorithm: 'aes-xts', keyBits: 512, encryptMiBs: expect.any(Number), decryptMiBs: expect.any(Number) },
    ]);
  });

  it('every cipher line of the full run, PBKDF lines left out; N/A and GiB/s handled', () => {
    const all = parseCryptsetupBenchmark(fixture('guest-debian12-max-benchmark-all.txt'));
    expect(all.map((b) => `${b.algorithm}/${b.keyBits}`)).toEqual([
      'aes-cbc/128',
      'serpent-cbc/128',
      'twofish-cbc/128',
      'aes-cbc/256',
      'serpent-cbc/256',
      'twofish-cbc/256',
      'aes-xts/256',
      'serpent-xts/256',
      'twofish-xts/256',
      'aes-xts/512',
      'serpent-xts/512',
      'twofish-xts/512',
    ]);
    expect(
      parseCryptsetupBenchmark(
        '    aes-xts        512b       N/A       N/A\n' +
          '        aes-xts        256b         2.5 GiB/s      2048.0 MiB/s\n',
      ),
    ).toEqual([
      { algorithm: 'aes-xts', keyBits: 512 },
      { algorithm: 'aes-xts', keyBits: 256, encryptMiBs: 2560, decryptMiBs: 2048 },
    ]);
  });

  it("a kernel without the crypto user API: cryptsetup's own words; other failures are not that", () => {
    expect(benchmarkUnsupportedReason(fixture('host-no-algif-benchmark.stderr.txt'))).toBe(
      'Cipher aes-xts-plain64 (with 512 bits key) is not available. Required kernel crypto interface not available. ' +
        'Ensure you have algif_skcipher kernel module loaded.',
    );
    expect(benchmarkUnsupportedReason('Out of memory')).toBeUndefined();
  });
});

describe('/proc/crypto of the Debian guest under -cpu max', () => {
  it('picks xts-aes-aesni (accelerated) for xts(aes)', () => {
    expect(bestDriver(parseProcCrypto(fixture('guest-debian12-max-proc-crypto.txt')))).toEqual({
      driver: 'xts-aes-aesni',
      priority: 401,
      accelerated: true,
    });
  });
});
