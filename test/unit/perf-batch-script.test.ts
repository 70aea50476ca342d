// The batch script (ssh-batch-script.ts) run by the real /bin/sh of this machine, and its output split by
// BatchFrames: every command gets back exactly what `sh -c CMD` alone gives, in any chunking.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchFrames, type BatchRecord, type FrameEvents } from '../../src/transport/ssh-batch-frames.ts';
import {
  batchCommandLine,
  batchKillCommand,
  batchScript,
  batchStopCommand,
} from '../../src/transport/ssh-batch-script.ts';
import { tempDir } from '../support/temp-dir.ts';

const MARK = '@@hwqual-0123456789abcdef01234567';

function runBatch(commands: string[], chunk = 0, given?: ReturnType<typeof spawnSync>, env?: NodeJS.ProcessEnv) {
  const p =
    given ??
    spawnSync('sh', ['-c', batchCommandLine(commands, MARK)], { maxBuffer: 64 << 20, env: env ?? process.env });
  const frames = new BatchFrames(MARK);
  const records: BatchRecord[] = [];
  const pids: Array<[number, number]> = [];
  const feed = (buf: Buffer, fn: (b: Buffer) => void) => {
    if (!chunk) return fn(buf);
    for (let i = 0; i < buf.length; i += chunk) fn(buf.subarray(i, i + chunk));
  };
  const take = (ev: FrameEvents) => {
    records.push(...ev.records);
    pids.push(...ev.pids);
  };
  feed(p.stdout as Buffer, (b) => take(frames.pushStdout(b)));
  feed(p.stderr as Buffer, (b) => take(frames.pushStderr(b)));
  return { records, pids, stray: frames.strayStderr(), status: p.status };
}

function alone(cmd: string): { exitCode: number | null; stdout: string; stderr: string } {
  const p = spawnSync('sh', ['-c', cmd], {
    env: { ...process.env, LC_ALL: 'C' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
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
        // The shell's own complaints name the line and, in a batch, `eval` ("sh: 1: x: not found" / "sh: 6: eval: x:
        // not found").
        const shell = (t: string) => t.replace(/^sh: \d+: (eval: )?/gm, 'sh: ');
        const got = { exitCode: r.exitCode, stdout: r.stdout.toString(), stderr: shell(r.stderr.toString()) };
        expect(got, COMMANDS[r.index]).toEqual({ ...want[r.index], stderr: shell(want[r.index]!.stderr) });
      }
    }
  });

  it('hands out each record as soon as its command ends, before the next one has finished', async () => {
    const tmp = tempDir('hwqual-batch-go-');
    const go = join(tmp, 'go');
    const child = spawn('sh', [
      '-c',
      batchCommandLine(['echo first', `while [ ! -e ${go} ]; do sleep 0.05; done; echo second`], MARK),
    ]);
    const frames = new BatchFrames(MARK);
    const seen: string[] = [];
    const take = (ev: FrameEvents) => {
      for (const r of ev.records) {
        seen.push(r.stdout.toString());
        if (r.index === 0) writeFileSync(go, ''); // the second command only ends once the first record is out
      }
    };
    child.stdout.on('data', (b: Buffer) => take(frames.pushStdout(b)));
    child.stderr.on('data', (b: Buffer) => take(frames.pushStderr(b)));
    await new Promise((r) => child.on('close', r));
    rmSync(tmp, { recursive: true, force: true });
    expect(seen).toEqual(['first\n', 'second\n']);
  });

  it("announces each command's pid; batchKillCommand kills that command's whole tree and nothing else", async () => {
    const tag = `${40 + Math.floor(Math.random() * 1000)}.${process.pid}`;
    const child = spawn('sh', [
      '-c',
      batchCommandLine([`sh -c 'sleep ${tag}' & sleep ${tag}1; echo never`, 'sleep 0.5; echo kept'], MARK),
    ]);
    const frames = new BatchFrames(MARK);
    const records: BatchRecord[] = [];
    const pids = new Map<number, number>();
    const take = (ev: FrameEvents) => {
      records.push(...ev.records);
      for (const [i, pid] of ev.pids) pids.set(i, pid);
    };
    child.stdout.on('data', (b: Buffer) => take(frames.pushStdout(b)));
    child.stderr.on('data', (b: Buffer) => take(frames.pushStderr(b)));
    while (!pids.has(0)) await new Promise((r) => setTimeout(r, 20));
    const live = () =>
      spawnSync('pgrep', ['-f', `^sleep ${tag}`], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
    for (let i = 0; live().length < 2 && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    expect(live()).toHaveLength(2);
    execFileSync('sh', ['-c', batchKillCommand(pids.get(0)!)]);
    await new Promise((r) => child.on('close', r));
    expect(live()).toEqual([]);
    const byIndex = new Map(records.map((r) => [r.index, r]));
    expect(byIndex.get(0)!.exitCode).toBe(137);
    expect(byIndex.get(0)!.stdout.toString()).toBe('');
    expect(byIndex.get(1)).toMatchObject({ exitCode: 0 });
    expect(byIndex.get(1)!.stdout.toString()).toBe('kept\n');
  });

  it(
    'batchStopCommand: the batch starts no further command, the ' + 'running one still reports, the shell says where',
    async () => {
      const tmp = tempDir('hwqual-batch-stop-');
      const never = join(tmp, 'never');
      const child = spawn('sh', [
        '-c',
        batchCommandLine(['echo first', 'sleep 0.6; echo part >&2; echo slow; echo more >&2', `touch ${never}`], MARK),
      ]);
      const frames = new BatchFrames(MARK);
      const records: BatchRecord[] = [];
      let shell: number | undefined;
      let stoppedAt: number | undefined;
      const started = new Set<number>();
      const take = (ev: FrameEvents) => {
        records.push(...ev.records);
        for (const [i] of ev.pids) started.add(i);
        shell ??= ev.shell;
        stoppedAt ??= ev.stoppedAt;
      };
      child.stdout.on('data', (b: Buffer) => take(frames.pushStdout(b)));
      child.stderr.on('data', (b: Buffer) => take(frames.pushStderr(b)));
      while (!started.has(1)) await new Promise((r) => setTimeout(r, 20));
      // A pid that is not this batch's shell (a reused one) is never signalled.
      const bystander = spawn('sleep', ['5']);
      execFileSync('sh', ['-c', batchStopCommand(bystander.pid!, MARK)]);
      execFileSync('sh', ['-c', batchStopCommand(shell!, MARK)]);
      await new Promise((r) => child.on('close', r));
      expect(bystander.exitCode).toBeNull();
      bystander.kill();
      expect(stoppedAt).toBe(2);
      expect(records.map((r) => [r.index, r.exitCode, r.stdout.toString(), r.stderr.toString()])).toEqual([
        [0, 0, 'first\n', ''],
        [1, 0, 'slow\n', 'part\nmore\n'],
      ]);
      expect(frames.strayStderr()).toBe('');
      expect(readdirSync(tmp)).toEqual([]);
      rmSync(tmp, { recursive: true, force: true });
    },
  );

  it('leaves no temp files and copes with an empty list', () => {
    const tmp = tempDir('hwqual-batch-tmp-');
    try {
      const { records } = runBatch(['echo a', 'exit 1'], 0, undefined, { ...process.env, TMPDIR: tmp });
      expect(records.map((r) => r.exitCode).sort()).toEqual([0, 1]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(batchScript([], MARK)).toBe('exit 0');
    expect(runBatch([]).records).toEqual([]);
  });
});
