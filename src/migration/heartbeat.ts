/** Guest heartbeat and integrity lines (fixtures/workload) as they arrive, timestamped on arrival. Pure. */

export interface HeartbeatLine {
  host: string;
  at: number;
  counter: number;
  guestMs: number;
  writes: number;
}
export interface IntegrityLine {
  host: string;
  at: number;
  ok: boolean;
  checks: number;
  demand: boolean;
  text: string;
  /** The data disk's part (a workload with a disk): its stamped blocks and writes so far, or what went wrong. */
  disk?: { ok: boolean; blocks?: number; writes?: number; detail: string };
}

const HB = /^HWQUAL-HB (\d+) (\d+) (\d+)$/;
const INTEGRITY = /^HWQUAL-INTEGRITY (ok|fail) checks=(\d+).*$/;

/** Splits chunks into lines; a line's time is the arrival of the chunk that completed it. */
export class LineCollector {
  readonly heartbeats: HeartbeatLine[] = [];
  readonly integrity: IntegrityLine[] = [];
  readonly other: Array<{ host: string; at: number; text: string }> = [];
  private readonly partial = new Map<string, string>();

  feed(host: string, chunk: string, at: number): void {
    const text = (this.partial.get(host) ?? '') + chunk.replace(/\r/g, '');
    const lines = text.split('\n');
    this.partial.set(host, lines.pop() ?? '');
    for (const line of lines) this.add(host, line, at);
  }

  private add(host: string, line: string, at: number): void {
    const hb = HB.exec(line);
    if (hb) {
      this.heartbeats.push({ host, at, counter: Number(hb[1]), guestMs: Number(hb[2]), writes: Number(hb[3]) });
      return;
    }
    const ig = INTEGRITY.exec(line);
    if (ig) {
      this.integrity.push({
        host,
        at,
        ok: ig[1] === 'ok',
        checks: Number(ig[2]),
        demand: / demand$/.test(line),
        text: line,
        ...diskPart(line),
      });
      return;
    }
    if (line.trim()) this.other.push({ host, at, text: line });
  }
}

const DISK = / disk=(ok|fail)( .*?)?( demand)?$/;

/** ` disk=ok blocks=B dwrites=W …` or ` disk=fail block=I want=X got=Y … why=…` of an integrity line. Pure. */
function diskPart(line: string): Pick<IntegrityLine, 'disk'> {
  const m = DISK.exec(line);
  if (!m) return {};
  const num = (k: string) => {
    const v = new RegExp(` ${k}=(\\d+)`).exec(m[2] ?? '')?.[1];
    return v === undefined ? undefined : Number(v);
  };
  return {
    disk: {
      ok: m[1] === 'ok',
      ...(num('blocks') !== undefined && { blocks: num('blocks') }),
      ...(num('dwrites') !== undefined && { writes: num('dwrites') }),
      detail: `disk=${m[1]}${m[2] ?? ''}`,
    },
  };
}

export interface HeartbeatAnalysis {
  /** Largest gap between consecutive heartbeats (any host) inside the window, ms; the guest-observed blackout. */
  blackoutMs: number;
  /** Where it was: the last line before the gap and the first after. */
  gap?: { before: { host: string; counter: number }; after: { host: string; counter: number } };
  /** Median gap over the window: the normal cadence. */
  cadenceMs: number;
  /** Counter went down or repeated (a reset or a replay). */
  resets: Array<{ host: string; from: number; to: number }>;
  lastOn: Record<string, number>;
  firstOn: Record<string, number>;
  /**
   * Per host, how much its stream's delay varied around the hop: the range of (arrival on the controller − the
   * guest's own timestamp) over that host's heartbeats from 1 s before the window to 1 s after it (ms). Lines that
   * queue behind migration traffic on a shared link, or arrive batched in one chunk, widen it.
   */
  streamSpreadMs: Record<string, number>;
  /**
   * What blackoutMs can be off by: one heartbeat period (the gap includes up to one period of normal cadence) plus
   * the stream spread of the hosts on either side of the gap (ms). A constant delay both streams share is not in it.
   */
  resolutionMs: number;
}

/** Margin around the hop's window over which each host's stream delay is measured (ms). */
export const SPREAD_MARGIN_MS = 1000;

export function analyzeHeartbeats(
  lines: readonly HeartbeatLine[],
  window: { from: number; to: number },
): HeartbeatAnalysis {
  const all = [...lines].sort((a, b) => a.at - b.at);
  const inWin = all.filter((l) => l.at >= window.from && l.at <= window.to);
  let blackoutMs = 0;
  let gap: HeartbeatAnalysis['gap'];
  const gaps: number[] = [];
  for (let i = 1; i < inWin.length; i++) {
    const d = inWin[i].at - inWin[i - 1].at;
    gaps.push(d);
    if (d > blackoutMs) {
      blackoutMs = d;
      gap = {
        before: { host: inWin[i - 1].host, counter: inWin[i - 1].counter },
        after: { host: inWin[i].host, counter: inWin[i].counter },
      };
    }
  }
  const resets: HeartbeatAnalysis['resets'] = [];
  for (let i = 1; i < all.length; i++) {
    if (all[i].counter <= all[i - 1].counter)
      resets.push({ host: all[i].host, from: all[i - 1].counter, to: all[i].counter });
  }
  const lastOn: Record<string, number> = {};
  const firstOn: Record<string, number> = {};
  for (const l of all) {
    lastOn[l.host] = l.counter;
    firstOn[l.host] ??= l.counter;
  }
  const streamSpreadMs = streamSpreads(all, window);
  const cadenceMs = median(gaps);
  const sides = gap ? [...new Set([gap.before.host, gap.after.host])] : Object.keys(streamSpreadMs);
  const resolutionMs = Math.round(cadenceMs + sides.reduce((sum, h) => sum + (streamSpreadMs[h] ?? 0), 0));
  return {
    blackoutMs: Math.round(blackoutMs),
    gap,
    cadenceMs,
    resets,
    lastOn,
    firstOn,
    streamSpreadMs,
    resolutionMs,
  };
}

/** Range of (arrival − guest timestamp) per host, over the window widened by SPREAD_MARGIN_MS each side. */
function streamSpreads(lines: readonly HeartbeatLine[], window: { from: number; to: number }): Record<string, number> {
  const lo: Record<string, number> = {};
  const hi: Record<string, number> = {};
  for (const l of lines) {
    if (l.at < window.from - SPREAD_MARGIN_MS || l.at > window.to + SPREAD_MARGIN_MS) continue;
    const delay = l.at - l.guestMs;
    lo[l.host] = Math.min(lo[l.host] ?? delay, delay);
    hi[l.host] = Math.max(hi[l.host] ?? delay, delay);
  }
  return Object.fromEntries(Object.keys(lo).map((h) => [h, Math.round(hi[h]! - lo[h]!)]));
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]);
}
