import { lines, splitKeyValue } from './text.ts';

export interface CryptoAlg {
  name: string;
  driver: string;
  module?: string;
  priority: number;
  type?: string;
  selftest?: string;
  internal?: boolean;
}

/** /proc/crypto: blank-line separated blocks of `key : value`. */
export function parseProcCrypto(text: string): CryptoAlg[] {
  const algs: CryptoAlg[] = [];
  let cur: Record<string, string> = {};
  const flush = () => {
    if (cur.name && cur.driver) {
      algs.push({
        name: cur.name,
        driver: cur.driver,
        module: cur.module,
        priority: Number(cur.priority ?? 0),
        type: cur.type,
        selftest: cur.selftest,
        internal: cur.internal === 'yes',
      });
    }
    cur = {};
  };
  for (const line of lines(text)) {
    if (!line.trim()) {
      flush();
      continue;
    }
    const kv = splitKeyValue(line);
    if (!kv) continue;
    if (kv[0] === 'name' && cur.name) flush();
    cur[kv[0]] = kv[1];
  }
  flush();
  return algs;
}

export interface CipherDriver {
  driver: string;
  priority: number;
  accelerated: boolean;
}

/**
 * The driver the kernel picks for `name` (the highest priority one, not internal, that passed its self-test), and
 * whether it is hardware accelerated: the C implementations (`aes-generic`, `aes-fixed-time`, as in
 * `xts(ecb(aes-generic))`) are not.
 */
export function bestDriver(algs: CryptoAlg[], name = 'xts(aes)'): CipherDriver | undefined {
  const candidates = algs.filter(
    (a) => a.name === name && !a.internal && a.selftest !== 'unknown' && !/fail/i.test(a.selftest ?? ''),
  );
  const best = candidates.sort((a, b) => b.priority - a.priority)[0];
  if (!best) return undefined;
  return { driver: best.driver, priority: best.priority, accelerated: !/generic|fixed-time/.test(best.driver) };
}
