// The guest workload (fixtures/workload/hwqual-workload.c), compiled as the image build does and run on this
// machine: heartbeat cadence and counter, the dirtying rate, integrity scans (periodic, on demand) and a page
// that goes back in time being caught; with a data disk (here a file), its blocks stamped, read back and a block
// that goes back in time caught.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workloadSourcePath } from '../../src/vm/images/build-tiny.ts';
import { LineCollector } from '../../src/migration/index.ts';
import { tempDir } from '../support/temp-dir.ts';

let bin: string;
beforeAll(() => {
  bin = join(tempDir('hwq-wl-'), 'hwqual-workload');
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Werror', '-o', bin, workloadSourcePath()]);
}, 60_000);
afterAll(() => {
  if (bin) rmSync(dirname(bin), { recursive: true, force: true });
});

/** Run it for `ms`, optionally writing to its stdin after `writeAt` ms; lines timestamped on arrival. */
function run(args: string[], ms: number, write?: { at: number; text: string }): Promise<LineCollector> {
  const c = new LineCollector();
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.on('data', (d: Buffer) => c.feed('local', d.toString(), Date.now()));
  if (write) setTimeout(() => child.stdin.write(write.text), write.at);
  return new Promise((resolve) => {
    setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', () => resolve(c));
  });
}

describe('hwqual-workload', () => {
  it('beats every 10 ms with a counter that only grows, dirties at the asked rate, and scans clean', async () => {
    const c = await run(['-w', '8', '-d', '40', '-c', '200'], 1500);
    const hb = c.heartbeats;
    expect(hb.length).toBeGreaterThan(50);
    expect(hb.every((h, i) => i === 0 || h.counter === hb[i - 1].counter + 1)).toBe(true);
    const span = (hb.at(-1)!.guestMs - hb[0].guestMs) / 1000;
    const rate = ((hb.at(-1)!.writes - hb[0].writes) * 4096) / (1024 * 1024) / span;
    expect(rate).toBeGreaterThan(15); // paced, with room for a starved CI machine
    expect(rate).toBeLessThan(48);
    expect(c.other.some((l) => /^HWQUAL-WORKLOAD start wss=8 dirty=40/.test(l.text))).toBe(true);
    expect(c.integrity.length).toBeGreaterThanOrEqual(3);
    expect(c.integrity.every((l) => l.ok)).toBe(true);
  });

  it("scans on demand when a 'c' arrives", async () => {
    const c = await run(['-w', '4', '-c', '100000'], 900, { at: 400, text: 'c' });
    expect(c.integrity.map((l) => [l.ok, l.demand])).toEqual([[true, true]]);
  });

  it('stamps a data disk, reads it back continuously and on demand, reports it on every integrity line', async () => {
    const disk = join(dirname(bin), 'disk.img');
    writeFileSync(disk, Buffer.alloc(2 * 1024 * 1024));
    const c = await run(['-w', '4', '-c', '200', '-D', disk, '-K', '1024', '-R', '256'], 1500, { at: 1100, text: 'c' });
    expect(c.other.find((l) => l.text.startsWith('HWQUAL-WORKLOAD start'))?.text).toMatch(
      / disk=\S+disk\.img blocks=256 diskrate=256 direct=[01]$/,
    );
    expect(c.integrity.length).toBeGreaterThanOrEqual(4);
    expect(c.integrity.every((l) => l.ok && l.disk?.ok && l.disk.blocks === 256)).toBe(true);
    const writes = c.integrity.map((l) => l.disk!.writes!);
    expect(writes[0]).toBeGreaterThanOrEqual(256); // every block stamped at start, then 64 blocks/s
    expect(writes.at(-1)!).toBeGreaterThan(writes[0]);
    expect(c.integrity.filter((l) => l.demand).map((l) => l.disk?.detail)).toEqual([
      expect.stringMatching(/^disk=ok blocks=256 dwrites=\d+ dpasses=\d+ dfailures=0$/),
    ]);
    expect(readFileSync(disk).includes('HWQUAL-DISK-STAMP')).toBe(true); // a plain disk shows its stamps
  });

  it('catches a disk block that went back in time (self-test -T)', async () => {
    const disk = join(dirname(bin), 'disk-rollback.img');
    writeFileSync(disk, Buffer.alloc(1024 * 1024));
    const c = await run(['-w', '4', '-c', '100', '-D', disk, '-K', '256', '-R', '64', '-T', '300'], 1500);
    const fail = c.integrity.find((l) => !l.ok);
    expect(fail?.disk).toEqual({
      ok: false,
      detail: expect.stringMatching(/^disk=fail block=0 want=(\d+) got=(\d+) tail=\d+ why=back-in-time$/),
    });
    const [, want, got] = /want=(\d+) got=(\d+)/.exec(fail!.text)!;
    expect(Number(got)).toBe(Number(want) - 1);
  });

  it('catches a page that went back in time (self-test -t)', async () => {
    const c = await run(['-w', '4', '-d', '10', '-c', '200', '-t', '300'], 1000);
    const fail = c.integrity.find((l) => !l.ok);
    expect(fail?.text).toMatch(
      /^HWQUAL-INTEGRITY fail checks=\d+ bad=1 page=0 want=(\d+) got=(\d+) tail=\d+ stamp=ok$/,
    );
    const [, want, got] = /want=(\d+) got=(\d+)/.exec(fail!.text)!;
    expect(Number(got)).toBe(Number(want) - 1);
  });

  it('with -F N enters the kernel once every N pages it stamps or scans, never without -F', async () => {
    const yields = async (extra: string[]) => {
      const dir = tempDir('hwq-wl-strace-');
      const trace = join(dir, 'trace.txt');
      const c = new LineCollector();
      // strace follows timeout and the workload; timeout kills the workload, so nothing outlives the test.
      const args = ['-f', '-qq', '-e', 'trace=sched_yield', '-o', trace, 'timeout', '-s', 'KILL', '1.2', bin];
      const child = spawn('strace', [...args, '-w', '8', '-d', '40', '-c', '200', ...extra], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.on('data', (d: Buffer) => c.feed('local', d.toString(), Date.now()));
      await new Promise((resolve) => child.on('close', resolve));
      const count = readFileSync(trace, 'utf8')
        .split('\n')
        .filter((l) => l.includes('sched_yield(')).length;
      rmSync(dir, { recursive: true, force: true });
      // Pages touched: every write (the first 2048 stamp the whole set) and 2048 per integrity scan.
      const touched = (c.heartbeats.at(-1)?.writes ?? 0) + c.integrity.length * 2048;
      return { count, touched, start: c.other.find((l) => l.text.startsWith('HWQUAL-WORKLOAD start'))?.text };
    };
    const on = await yields(['-F', '64']);
    expect(on.start).toMatch(/ pages=2048 flush=64$/);
    expect(on.touched).toBeGreaterThan(2048 * 3);
    // The last heartbeat and scan lines before the kill may be missing from the count of pages touched.
    expect(on.count).toBeGreaterThanOrEqual(Math.floor(on.touched / 64) - 2);
    expect(on.count).toBeLessThanOrEqual(Math.ceil((on.touched + 2048 + 40 * 256) / 64));
    const off = await yields([]);
    expect(off.start).not.toMatch(/flush=/);
    expect(off.count).toBe(0);
  });
});
