import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendants, isAlive, parseStat, readStat, recordProcess, stopRecorded } from '../../src/lab/proc.ts';

describe('recorded processes', () => {
  it('parses /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field 3 … 52
    fields[0] = 'S';
    fields[1] = '77';
    const s = parseStat(`1234 (we (ird) name) ${fields.join(' ')}`);
    expect(s).toEqual({ pid: 1234, state: 'S', ppid: 77, startTime: '22' });
  });

  it("reads this process's own start time and treats a changed start time as another process", () => {
    const me = recordProcess(process.pid)!;
    expect(me.startTime).toMatch(/^\d+$/);
    expect(isAlive(me)).toBe(true);
    expect(isAlive({ pid: process.pid, startTime: String(Number(me.startTime) + 1) })).toBe(false);
    expect(readStat(2 ** 22 + 7)).toBeUndefined();
  });

  it("finds a process's children, stops it and them, and never signals a stale record", async () => {
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const rec = recordProcess(child.pid!)!;
    const kids = descendants(child.pid!);
    expect(kids.length).toBe(1);
    expect(await stopRecorded({ pid: rec.pid, startTime: '1' })).toBe(false);
    expect(isAlive(rec)).toBe(true);
    expect(await stopRecorded(rec)).toBe(true);
    expect(isAlive(rec)).toBe(false);
    expect(await stopRecorded(kids[0]!)).toBe(true);
    expect(isAlive(kids[0]!)).toBe(false);
  });
});
