import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLabLock } from '../../src/lab/lock.ts';
import { tempDir } from '../support/temp-dir.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = tempDir('hwq-lock-');
  dirs.push(d);
  return d;
};

describe('lab lock', () => {
  it('runs two callers on one lab folder one after the other', async () => {
    const dir = tmp();
    const events: string[] = [];
    const job = (name: string) =>
      withLabLock(dir, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 150));
        events.push(`${name} out`);
      });
    await Promise.all([job('a'), job('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock whose owner is dead, and releases it when the body throws', async () => {
    const dir = tmp();
    // same pid, other start time
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, startTime: '1' }));
    await expect(
      withLabLock(dir, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('gives up with E_TIMEOUT while a live owner holds the lock', async () => {
    const dir = tmp();
    let release!: () => void;
    const holder = withLabLock(
      dir,
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    await new Promise((r) => setTimeout(r, 50));
    await expect(withLabLock(dir, async () => 1, 300)).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    release();
    await holder;
  });
});
