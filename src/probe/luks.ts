import { lines } from './text.ts';

/** One step of the LUKS round-trip script (suites/encryption/luks-script.ts). */
export interface LuksStep {
  step: string;
  result: 'ok' | 'fail' | 'skip';
  /** The exit code of the command the step ran (cryptsetup's 2 = "No key available with this passphrase"). */
  rc: number;
  /** key=value fields before msg= (version, device, sha256…). */
  fields: Record<string, string>;
  message: string;
}

export interface LuksScriptOutput {
  steps: LuksStep[];
  /** The `cryptsetup luksDump` lines the script echoed. */
  dump: string;
}

const STEP = /^HWQUAL-LUKS step=(\S+) result=(ok|fail|skip) rc=(-?\d+)(.*)$/;

/** The script's stdout → its steps in order, and the luksDump text. Lines that are not the script's are ignored. */
export function parseLuksScript(stdout: string): LuksScriptOutput {
  const steps: LuksStep[] = [];
  const dump: string[] = [];
  for (const line of lines(stdout)) {
    if (line.startsWith('HWQUAL-LUKS-DUMP')) {
      dump.push(line.slice('HWQUAL-LUKS-DUMP '.length));
      continue;
    }
    const m = STEP.exec(line);
    if (!m) continue;
    const rest = m[4];
    const at = rest.indexOf(' msg=');
    const head = at >= 0 ? rest.slice(0, at) : rest;
    const fields: Record<string, string> = {};
    for (const kv of head.trim().split(/\s+/).filter(Boolean)) {
      const eq = kv.indexOf('=');
      if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    steps.push({
      step: m[1],
      result: m[2] as LuksStep['result'],
      rc: Number(m[3]),
      fields,
      message: at >= 0 ? rest.slice(at + 5).trim() : '',
    });
  }
  return { steps, dump: dump.join('\n') };
}

export interface LuksDumpSummary {
  version?: number;
  /** Cipher of data segment 0 (aes-xts-plain64). */
  cipher?: string;
  /** Key size of keyslot 0 in bits. */
  keyBits?: number;
  pbkdf?: string;
  iterations?: number;
  sectorBytes?: number;
}

/** The fields of `cryptsetup luksDump` (LUKS2) a qualification looks at. */
export function parseLuksDump(text: string): LuksDumpSummary {
  const out: LuksDumpSummary = {};
  const first = (re: RegExp) => re.exec(text)?.[1];
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  out.version = num(first(/^Version:\s*(\d+)/m));
  out.cipher = first(/^\s+cipher:\s*(\S+)/m);
  out.sectorBytes = num(first(/^\s+sector:\s*(\d+)/m));
  const keyslots = text.split(/^Keyslots:/m)[1]?.split(/^Tokens:/m)[0] ?? '';
  out.keyBits = num(/^\s+Key:\s*(\d+) bits/m.exec(keyslots)?.[1]);
  out.pbkdf = /^\s+PBKDF:\s*(\S+)/m.exec(keyslots)?.[1];
  out.iterations = num(/^\s+Iterations:\s*(\d+)/m.exec(keyslots)?.[1]);
  for (const k of Object.keys(out) as Array<keyof LuksDumpSummary>) if (out[k] === undefined) delete out[k];
  return out;
}

export interface CipherBenchmark {
  algorithm: string;
  keyBits: number;
  /** MiB/s; undefined when cryptsetup printed N/A. */
  encryptMiBs?: number;
  decryptMiBs?: number;
}

/** Encrypt or decrypt figure of a benchmark line: `1987.4 MiB/s`, `2.5 GiB/s` or `N/A`. */
const FIGURE = '(N/A|[\\d.]+)(?:\\s+(MiB|GiB)/s)?';
const BENCHMARK_LINE = new RegExp(`^\\s*([a-z0-9]+-[a-z0-9-]+)\\s+(\\d+)b\\s+${FIGURE}\\s+${FIGURE}\\s*$`);

/**
 * `cryptsetup benchmark` cipher lines: `    aes-xts        512b      1987.4 MiB/s      2001.2 MiB/s` (GiB/s is
 * converted; `N/A` leaves the figure out). PBKDF lines are ignored.
 */
export function parseCryptsetupBenchmark(stdout: string): CipherBenchmark[] {
  const out: CipherBenchmark[] = [];
  const figure = (v: string, unit: string | undefined) =>
    v === 'N/A' ? undefined : Number(v) * (unit === 'GiB' ? 1024 : 1);
  for (const line of lines(stdout)) {
    const m = BENCHMARK_LINE.exec(line);
    if (!m) continue;
    const bench: CipherBenchmark = { algorithm: m[1], keyBits: Number(m[2]) };
    const enc = figure(m[3], m[4]);
    const dec = figure(m[5], m[6]);
    if (enc !== undefined) bench.encryptMiBs = enc;
    if (dec !== undefined) bench.decryptMiBs = dec;
    out.push(bench);
  }
  return out;
}

/**
 * Why `cryptsetup benchmark` could not run, in cryptsetup's words, when the reason is the host's kernel (no kernel
 * crypto user API: "Ensure you have algif_skcipher kernel module loaded."); undefined for any other failure.
 */
export function benchmarkUnsupportedReason(stderr: string): string | undefined {
  if (!/algif_skcipher|kernel crypto interface not available/i.test(stderr)) return undefined;
  return lines(stderr)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}
