// The batch script (ssh-batch-script.ts) run by the real /bin/sh of this machine, and its output split by
// BatchFrames: every command gets back exactly what `sh -c CMD` alone gives, in any chunking.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BatchFrames, type BatchRecord } from '../../src/transport/ssh-batch-frames.ts';
import { batchCommandLine, batchScript } from '../../src/transport/ssh-batch-script.ts';

const MARK = '@@hwqual-0123456789abcdef01234567';

function runBatch(commands: string[], chunk = 0, given?: ReturnType<typeof spawnSync>) {
  const p = given ?? spawnSync('sh', ['-c', batchCommandLine(commands, MARK)], { maxBuffer: 64 << 20 });
  const frames = new BatchFrames(MARK);
  const records: BatchRecord[] = [];
  const pids: Array<[number, number]> = [];
  const feed = (buf: Buffer, fn: (b: Buffer) => void) => {
    if (!chunk) return fn(buf);
    for (let i = 0; i < buf.length; i += chunk) fn(buf.subarray(i, i + chunk));
  };
  feed(p.stdout as Buffer, (b) => records.push(...frames.pushStdout(b)));
  feed(p.stderr as Buffer, (b) => pids.push(...frames.pushStderr(b)));
  return { records, pids, stray: frames.strayStderr(), status: p.status };
}

function alone(cmd: string): { exitCode: number | null; stdout: string; stderr: string } {
  const p = spawnSync('sh', ['-c', cmd], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { exitCode: p.status, stdout: p.stdout, stderr: p.stderr };
}

const COMMANDS = [
  'echo out; echo err >&2; exit 3',
  'printf "no newline at the end"',
  'no-such-command-hwqual-batch',
  `printf '%s|%s#1:0;' '${MARK.slice(0, 12)}' 'looks like a frame'; echo "it's quoted"`,
  'cat /proc/cpuinfo',
  'head -c 300000 /dev/zero | tr "\\0" x',
  'echo "$LC_ALL"; cat; echo "stdin was empty"',
  'sleep 0.2; echo late',
  'true',
  '! grep -q "^Vulnerable" /nonexistent/file',
];

describe('batch script', () => {
  it('gives every command its own stdout, stderr and exit code, as sh -c alone does', () => {
    const once = spawnSync('sh', ['-c', batchCommandLine(COMMANDS, MARK)], { maxBuffer: 64 << 20 });
    const want = COMMANDS.map(alone);
    for (const chunk of [0, 7, 4096]) {
      const { records, stray, status } = runBatch(COMMANDS, chunk, once);
      expect(status).toBe(0);
      expect(stray).toBe('');
      expect(records.map((r) => r.index).sort((a, b) => a - b)).toEqual(COMMANDS.map((_, i) => i));
      for (const r of records) {
        expect({ exitCode: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }, COMMANDS[r.index]).toEqual(want[r.index]);
      }
    }
  });

  it('hands out records as commands end, not in list order', () => {
    const { records } = runBatch(['sleep 0.4; echo slow', 'echo fast']);
    expect(records.map((r) => r.stdout.toString())).toEqual(['fast\n', 'slow\n']);
  });

  it('runs each command in its own process group, announced on stderr before it ends', () => {
    const { records, pids } = runBatch(['echo $$; ps -o pgid= -p $$', 'echo $$; ps -o pgid= -p $$']);
    expect(pids.map(([i]) => i).sort()).toEqual([0, 1]);
    for (const r of records) {
      const [pid, pgid] = r.stdout.toString().trim().split(/\s+/).map(Number);
      expect(pgid).toBe(pid);
      expect(pids.find(([i]) => i === r.index)?.[1]).toBe(pid);
    }
  });

  it('cleans its temp folder and copes with an empty list', () => {
    const before = execFileSync('sh', ['-c', 'ls -d /tmp/hwqual-batch.* 2>/dev/null | wc -l'], { encoding: 'utf8' });
    runBatch(['echo a', 'exit 1']);
    expect(execFileSync('sh', ['-c', 'ls -d /tmp/hwqual-batch.* 2>/dev/null | wc -l'], { encoding: 'utf8' })).toBe(before);
    expect(batchScript([], MARK)).toBe('exit 0');
    expect(runBatch([]).records).toEqual([]);
  });
});
