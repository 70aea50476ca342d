import { HwqualError } from '../model/errors.ts';

/** tc's rate and time units, checked before any tc runs. Pure. */

const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
  tbps: 8e12,
};

/** `200mbit` → 200e6 bits/s. A unit is required (tc reads a bare number as bits, which surprises people). */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([a-z]+)$/i.exec(text.trim());
  const unit = m?.[2]?.toLowerCase();
  if (!m || !unit || !(unit in RATE_UNITS) || Number(m[1]) <= 0) {
    throw new HwqualError(
      'E_USAGE',
      `--rate "${text}": expected a number with a tc unit (${Object.keys(RATE_UNITS).join(', ')}), e.g. 200mbit`,
    );
  }
  return Number(m[1]) * RATE_UNITS[unit]!;
}

/** `1ms` → 1000 µs. */
export function parseDelay(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|usec|ms|msec|s|sec)$/i.exec(text.trim());
  if (!m) throw new HwqualError('E_USAGE', `--delay "${text}": expected a number with us, ms or s, e.g. 1ms`);
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit.startsWith('u') ? 1 : unit.startsWith('m') ? 1e3 : 1e6);
}

/** `tbf` arguments: the rate, a bucket of 10 ms of traffic (at least 32 KiB, above a GSO segment), 100 ms queue. */
export function tbfArgs(rate: string): string[] {
  const bitsPerSec = parseRate(rate);
  const burst = Math.max(32 * 1024, Math.ceil(bitsPerSec / 8 / 100));
  return ['tbf', 'rate', `${Math.round(bitsPerSec)}bit`, 'burst', String(burst), 'latency', '100ms'];
}

/** tc's answer when the kernel has no such qdisc module. */
export const UNKNOWN_QDISC = /Specified qdisc kind is unknown/;
