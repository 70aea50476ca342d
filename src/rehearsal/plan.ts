import { analyzeHeartbeats, type HeartbeatLine } from '../migration/index.ts';
import type { Invariant, Location } from './types.ts';

/** Where the rehearsal's guests start and move: pure decisions, tested without hosts. */

/** Guests `g1…gN` spread over the pool in lab order: g1 on the first host, g2 on the second, … round again. */
export function initialPlacement(hosts: readonly string[], guests: number): Array<{ name: string; host: string }> {
  return Array.from({ length: guests }, (_, i) => ({ name: `g${i + 1}`, host: hosts[i % hosts.length]! }));
}

/**
 * Where a guest leaving `from` goes: the other host of the pool holding the fewest guests now (the first in pool
 * order on a tie), so an evacuation spreads its guests instead of piling them on one neighbour.
 */
export function evacuationTarget(from: string, hosts: readonly string[], placement: Record<string, string>): string {
  const load = (h: string) => Object.values(placement).filter((x) => x === h).length;
  const others = hosts.filter((h) => h !== from);
  return others.reduce((best, h) => (load(h) < load(best) ? h : best), others[0]!);
}

/** One host's re-image as the invariants need it: when, and where each guest's heartbeat was just before. */
export interface ReimageWindow {
  host: string;
  from: number;
  to: number;
  locatedBefore: Record<string, Location>;
}

/**
 * The rehearsal's invariants, checked from what was recorded (never assumed from hwqual's own placement): no guest on
 * a host while it was re-imaged (no heartbeat from it during the re-image, every guest heard elsewhere just before),
 * no heartbeat counter ever went back, every guest runs at the end, every host runs the target release. Pure.
 */
export function checkInvariants(o: {
  guests: ReadonlyArray<{ name: string; heartbeats: readonly HeartbeatLine[] }>;
  reimages: readonly ReimageWindow[];
  final: Record<string, Location>;
  hostsAfter: Record<string, string>;
  to: string;
  window: { from: number; to: number };
}): Invariant[] {
  const during = o.reimages.flatMap((w) => {
    const onIt = o.guests.flatMap((g) =>
      g.heartbeats.filter((h) => h.host === w.host && h.at >= w.from && h.at <= w.to).map(() => g.name),
    );
    const before = Object.entries(w.locatedBefore)
      .filter(([, l]) => !l.heartbeat || l.host === w.host)
      .map(([g, l]) => `${g} ${l.heartbeat ? `was on ${w.host}` : `not located (${l.detail})`}`);
    return [...new Set(onIt)].map((g) => `${g} heartbeat from ${w.host} while it was re-imaged`).concat(before);
  });
  const where = (w: ReimageWindow) =>
    `${w.host} (${(Object.entries(w.locatedBefore) as Array<[string, Location]>)
      .map(([g, l]) => `${g} on ${l.host ?? '?'}`)
      .join(', ')})`;
  const resets = o.guests.flatMap((g) =>
    analyzeHeartbeats(g.heartbeats, o.window).resets.map((r) => `${g.name}: ${r.from} → ${r.to} on ${r.host}`),
  );
  const notRunning = o.guests
    .filter((g) => !(o.final[g.name]?.heartbeat && o.final[g.name]?.status === 'running'))
    .map((g) => `${g.name}: ${o.final[g.name]?.detail ?? 'not located'}`);
  const behind = Object.entries(o.hostsAfter)
    .filter(([, r]) => r !== o.to)
    .map(([h, r]) => `${h} runs ${r}`);
  const counters = o.guests.map((g) => `${g.name} ${Math.max(0, ...g.heartbeats.map((h) => h.counter))}`);
  return [
    {
      name: 'no guest was on a host while it was re-imaged',
      ok: during.length === 0,
      detail: during.length
        ? during.join('; ')
        : o.reimages.length
          ? `re-imaged: ${o.reimages.map(where).join('; ')}; no heartbeat from a host during its re-image`
          : 'no host was re-imaged',
    },
    {
      name: 'no heartbeat counter ever reset',
      ok: resets.length === 0,
      detail: resets.length
        ? resets.slice(0, 5).join('; ')
        : `every counter rose throughout (last: ${counters.join(', ')})`,
    },
    {
      name: 'every guest ends running',
      ok: notRunning.length === 0 && o.guests.length > 0,
      detail: notRunning.length
        ? notRunning.join('; ')
        : o.guests.map((g) => `${g.name} on ${o.final[g.name]!.host}`).join(', ') || 'no guest was started',
    },
    {
      name: `every host runs ${o.to}`,
      ok: behind.length === 0,
      detail: behind.length ? behind.join(', ') : Object.keys(o.hostsAfter).join(', '),
    },
  ];
}
