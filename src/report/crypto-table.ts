import { CRYPTO_FACTS, type GuestCryptoFact, type HostCryptoFlagsFact, type HostXtsFact } from '../model/crypto.ts';
import type { CaseResult, HostResult } from '../model/result.ts';

/**
 * The "Encryption: host and guests" table, from results.json alone: per host its crypto flags, its xts(aes) driver
 * and its aes-xts figures (or why there are none), then per CPU model what the guest got — flags, driver, figures,
 * accelerator, and the plan's guest minimums with whether they were judged. Pure; html.ts and markdown.ts draw it.
 */
export interface CryptoRow {
  host: string;
  /** `host`, or `guest -cpu <model>`. */
  where: string;
  /** `—` for the host itself. */
  accel: string;
  flags: string;
  /** What is wrong with the flags (`lacks aes`, `shows aes the model does not give`), '' when nothing. */
  flagsNote: string;
  driver: string;
  /** `39 / 43 MiB/s`, or why there is no figure. */
  figures: string;
  /** The guest minimums: `encrypt ≥ 1000: not judged (TCG emulates AES-NI)`; '' when the plan sets none. */
  gates: string;
  /** The case the row comes from (`passed`, `failed`, `skipped`…), '' when none ran. */
  status: string;
}

/** What the table reads: the hosts, and the encryption suite's cases (the digest keeps only those). */
export interface CryptoInput {
  hosts: readonly HostResult[];
  cases: readonly CaseResult[];
}

/** The encryption cases the table reads (digest.ts keeps these while the rest stream past). */
export function isCryptoCase(c: CaseResult): boolean {
  return c.suite === 'encryption' && (c.caseId === 'luks-benchmark' || c.caseId === 'guest-luks');
}

export function cryptoRows(r: CryptoInput): CryptoRow[] {
  return r.hosts.flatMap((h) => {
    const extra = h.facts.extra ?? {};
    const guests = Object.entries(extra)
      .filter(([k]) => k.startsWith(CRYPTO_FACTS.guestPrefix))
      .map(([, v]) => v as GuestCryptoFact);
    const ran = (caseId: string) =>
      r.cases.find((c) => c.host === h.name && c.suite === 'encryption' && c.caseId === caseId);
    if (!guests.length && !extra[CRYPTO_FACTS.hostFlags] && !ran('luks-benchmark')) return [];
    return [hostRow(h, ran), ...guests.map((g) => guestRow(h.name, g, r.cases))];
  });
}

function hostRow(h: HostResult, ran: (id: string) => CaseResult | undefined): CryptoRow {
  const extra = h.facts.extra ?? {};
  const flags = extra[CRYPTO_FACTS.hostFlags] as HostCryptoFlagsFact | undefined;
  const xts = extra[CRYPTO_FACTS.hostXts] as HostXtsFact | undefined;
  const bench = ran('luks-benchmark');
  const lacks = flags ? flags.missing.filter((f) => flags.required.includes(f)) : [];
  return {
    host: h.name,
    where: 'host',
    accel: '—',
    flags: flags ? flags.present.join(' ') || 'none' : 'not read',
    flagsNote: lacks.length ? `lacks ${lacks.join(' ')}` : '',
    driver: xts ? (xts.driver ?? `no xts(aes) (aes: ${xts.aesCipher ?? 'none'})`) : 'not read',
    figures: !bench
      ? 'not run'
      : bench.metrics.aes_xts_512_encrypt_mibs !== undefined
        ? mibs(bench.metrics.aes_xts_512_encrypt_mibs, bench.metrics.aes_xts_512_decrypt_mibs)
        : `${bench.status}: ${bench.message ?? 'no figure'}`,
    gates: '',
    status: bench?.status ?? '',
  };
}

function guestRow(host: string, g: GuestCryptoFact, cases: readonly CaseResult[]): CryptoRow {
  const c = cases.find((x) => x.host === host && x.caseId === 'guest-luks' && x.params.cpuModel === g.model);
  const notes = [
    g.missing.length ? `-cpu ${g.model} gives ${g.missing.join(' ')}; the guest lacks it` : '',
    g.unexpected.length ? `shows ${g.unexpected.join(' ')}, which -cpu ${g.model} does not give` : '',
  ];
  return {
    host,
    where: `guest -cpu ${g.model}${g.append ? ` (${g.append})` : ''}`,
    accel: g.accel,
    flags: g.cryptoFlags.join(' ') || 'none',
    flagsNote: notes.filter(Boolean).join('; '),
    driver: `${g.driver ?? 'none'}${g.accelerated ? '' : ' (generic)'}`,
    figures: g.encryptMiBs === undefined ? 'not measured' : mibs(g.encryptMiBs, g.decryptMiBs),
    gates: g.gates
      .map(
        (x) =>
          `${x.direction} ≥ ${x.minimumMiBs}: ${x.judged ? (x.passed ? 'met' : 'missed') : (x.note ?? 'not judged')}`,
      )
      .join('; '),
    status: c?.status ?? '',
  };
}

function mibs(enc: number | undefined, dec: number | undefined): string {
  return `${enc ?? '?'} / ${dec ?? '?'} MiB/s`;
}

export const CRYPTO_COLUMNS = [
  'host',
  'where',
  'accelerator',
  'crypto flags',
  'xts(aes) driver',
  'aes-xts 512b enc / dec',
  'guest minimums',
  'case',
] as const;

/** A row's cells in CRYPTO_COLUMNS order (flags and their note in one cell). */
export function cryptoCells(row: CryptoRow): string[] {
  const flags = row.flagsNote ? `${row.flags} — ${row.flagsNote}` : row.flags;
  return [row.host, row.where, row.accel, flags, row.driver, row.figures, row.gates || '—', row.status || '—'];
}
