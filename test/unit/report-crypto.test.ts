// The report's "Encryption: host and guests" table, from results data only (src/report/crypto-table.ts): the host's
// flags, driver and figures (or why there are none), then each CPU model's guest. The results are typed by hand in
// the runner's shape (report-fixtures.ts), the guest facts as the encryption suite records them.
import { describe, expect, it } from 'vitest';
import type { GuestCryptoFact } from '../../src/model/crypto.ts';
import { cryptoRows } from '../../src/report/crypto-table.ts';
import { buildHtml } from '../../src/report/html.ts';
import { buildMarkdown } from '../../src/report/markdown.ts';
import { host, kase, results } from './report-fixtures.ts';

const guest = (model: string, over: Partial<GuestCryptoFact>): GuestCryptoFact => ({
  model,
  accel: 'tcg',
  expected: [],
  cryptoFlags: [],
  missing: [],
  unexpected: [],
  flags: [],
  accelerated: false,
  gates: [],
  device: '/dev/vdb',
  ...over,
});

const max = guest('max', {
  expected: ['aes', 'pclmulqdq', 'vaes', 'vpclmulqdq'],
  cryptoFlags: ['aes', 'pclmulqdq', 'vaes', 'vpclmulqdq'],
  driver: 'xts-aes-aesni',
  accelerated: true,
  encryptMiBs: 39,
  decryptMiBs: 43,
  gates: [
    {
      direction: 'encrypt',
      key: 'require.crypto.guestAesXtsEncryptMiBs',
      minimumMiBs: 800,
      figureMiBs: 39,
      judged: false,
      note: 'not judged (TCG emulates AES-NI)',
    },
  ],
});
const qemu64 = guest('qemu64', { driver: 'xts(ecb(aes-generic))', encryptMiBs: 12, decryptMiBs: 32 });

function run() {
  const node = host('node-1', {
    facts: {
      ...host('node-1').facts,
      extra: {
        cryptoFlags: { arch: 'x86_64', present: ['aes', 'pclmulqdq'], missing: ['vaes', 'sha_ni'], required: ['vaes'] },
        xtsAes: { driver: null, priority: null, accelerated: false, aesCipher: 'aes-generic' },
        'guestCrypto:max': max,
        'guestCrypto:qemu64': qemu64,
      },
    },
  });
  const enc = { suite: 'encryption', host: 'node-1' };
  return results(
    [
      kase({
        ...enc,
        caseId: 'luks-benchmark',
        status: 'skipped',
        message: 'the kernel of node-1 has no crypto user API for cryptsetup benchmark: no algif_skcipher',
      }),
      kase({ ...enc, caseId: 'guest-luks', params: { cpuModel: 'max' }, status: 'passed' }),
      kase({ ...enc, caseId: 'guest-luks', params: { cpuModel: 'qemu64' }, status: 'passed' }),
      kase({ caseId: 'os-release', host: 'node-2', status: 'passed' }),
    ],
    [node, host('node-2')],
  );
}

describe('report: encryption, host and guests', () => {
  it('one row for the host, one per CPU model, from the facts and cases of results.json', () => {
    expect(cryptoRows(run())).toEqual([
      {
        host: 'node-1',
        where: 'host',
        accel: '—',
        flags: 'aes pclmulqdq',
        flagsNote: 'lacks vaes',
        driver: 'no xts(aes) (aes: aes-generic)',
        figures: 'skipped: the kernel of node-1 has no crypto user API for cryptsetup benchmark: no algif_skcipher',
        gates: '',
        status: 'skipped',
      },
      {
        host: 'node-1',
        where: 'guest -cpu max',
        accel: 'tcg',
        flags: 'aes pclmulqdq vaes vpclmulqdq',
        flagsNote: '',
        driver: 'xts-aes-aesni',
        figures: '39 / 43 MiB/s',
        gates: 'encrypt ≥ 800: not judged (TCG emulates AES-NI)',
        status: 'passed',
      },
      {
        host: 'node-1',
        where: 'guest -cpu qemu64',
        accel: 'tcg',
        flags: 'none',
        flagsNote: '',
        driver: 'xts(ecb(aes-generic)) (generic)',
        figures: '12 / 32 MiB/s',
        gates: '',
        status: 'passed',
      },
    ]);
  });

  it('report.md and report.html show the table; a run without encryption facts has none', () => {
    const md = buildMarkdown(run());
    expect(md).toContain('## Encryption: host and guests');
    expect(md).toContain(
      '| node-1 | guest -cpu max | tcg | aes pclmulqdq vaes vpclmulqdq | xts-aes-aesni | 39 / 43 MiB/s | ' +
        'encrypt ≥ 800: not judged (TCG emulates AES-NI) | passed |',
    );
    const html = buildHtml(run());
    expect(html).toContain('<section id="encryption"><h2>Encryption: host and guests</h2>');
    expect(html).toContain(
      '<td>guest -cpu qemu64</td><td>tcg</td><td>none</td><td>xts(ecb(aes-generic)) (generic)</td>',
    );
    const plain = results([kase({ caseId: 'os-release', host: 'node-1', status: 'passed' })]);
    expect(buildMarkdown(plain)).not.toContain('Encryption: host and guests');
    expect(buildHtml(plain)).not.toContain('id="encryption"');
  });
});
