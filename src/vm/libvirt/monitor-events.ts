import type { QmpEvent } from '../qmp-types.ts';

/**
 * One line of `virsh qemu-monitor-event --loop --timestamp` → a QMP event, or undefined for other lines:
 *   2026-12-06 21:10:44.102+0000: event STOP for domain 'hwqual-x': <null>
 *   2026-12-06 21:11:02.412+0000: event MIGRATION for domain 'hwqual-x': {"status":"active"}
 * The timestamp is libvirt's (UTC, milliseconds), the data QEMU's own JSON. Pure.
 */
export function parseMonitorEvent(line: string): QmpEvent | undefined {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{3})\+0000: event (\S+) for domain '.*?': (.*)$/.exec(line.trim());
  if (!m) return undefined;
  const [, day, time, ms, event, rest] = m;
  const seconds = Math.floor(Date.parse(`${day}T${time}Z`) / 1000);
  let data: Record<string, unknown> | undefined;
  if (rest !== '<null>') {
    try {
      const parsed = JSON.parse(rest!) as unknown;
      if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
    } catch {
      data = { text: rest };
    }
  }
  return { event: event!, ...(data && { data }), timestamp: { seconds, microseconds: Number(ms) * 1000 } };
}

/** Split a stream of text into whole lines (the last partial line is kept for the next chunk). */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  };
}
