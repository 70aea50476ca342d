import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { labPaths } from './names.ts';
import type { LabState } from './types.ts';

/** `<dir>/state.json`: what `up` made, written before and after each step so `down` works after a crash. */

export function readState(dir: string): LabState | undefined {
  const path = labPaths(dir).state;
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HwqualError(
      'E_CONFIG',
      `${path}: not valid JSON (${(err as Error).message}); remove the lab's resources by hand`,
      { cause: err },
    );
  }
  return validateState(data, path);
}

export function validateState(data: unknown, path = 'state.json'): LabState {
  const s = data as Partial<LabState>;
  const ok =
    s &&
    s.version === 1 &&
    typeof s.dir === 'string' &&
    typeof s.id === 'string' &&
    (s.mode === 'netns' || s.mode === 'loopback') &&
    typeof s.user === 'string' &&
    Array.isArray(s.hosts) &&
    s.hosts.every((h) => typeof h?.name === 'string' && typeof h.address === 'string' && typeof h.port === 'number');
  if (!ok) throw new HwqualError('E_CONFIG', `${path}: not a hwqual lab state (version 1)`);
  return s as LabState;
}

/** Atomic: write a sibling file, then rename over the old one. */
export function writeState(state: LabState): void {
  const path = labPaths(state.dir).state;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function removeState(dir: string): void {
  rmSync(labPaths(dir).state, { force: true });
}
