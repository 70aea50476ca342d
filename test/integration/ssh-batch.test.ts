// Batching of read-only commands in SshTransport (ssh-batch.ts) against a real OpenSSH sshd: one session channel
// for many commands, each with its own result; a timeout or cancel kills only its command; and the host-checks
// suite through the real runner, where every case keeps its own transcript.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeLab } from '../../src/config/lab.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { runFolderReader } from '../../src/report/reporter.ts';
import { transcriptReader } from '../../src/report/transcripts.ts';
import type { ExecResult } from '../../src/model/exec.ts';
import { CommandError } from '../../src/transport/command-error.ts';
import { SshTransport } from '../../src/transport/ssh.ts';
import { executeToTemp } from '../support/execute-run.ts';
import { startSshd, type SshdHandle } from '../support/sshd.ts';
import { planConfig } from '../support/plan-config.ts';
import { tempDir } from '../support/temp-dir.ts';

let sshd: SshdHandle;
let t: SshTransport;
let dir: string;
const sessions = () => (sshd.logText().match(/Starting session: command/g) ?? []).length;

beforeAll(async () => {
  sshd = await startSshd();
  t = new SshTransport(sshd.host);
  await t.connect();
  dir = tempDir('hwqual-batch-test-');
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('batched read-only commands', () => {
  it('30 commands issued together go out as one channel, each with its own stdout, stderr and exit code', async () => {
    const before = sessions();
    const batchesBefore = t.batcher!.batches;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.exec(`echo out-${i}; echo err-${i} >&2; echo "$LC_ALL"; exit ${i % 4}`, { readOnly: true }),
      ),
    );
    for (const [i, r] of results.entries()) {
      expect(r).toMatchObject({
        exitCode: i % 4,
        stdout: `out-${i}\nC\n`,
        stderr: `err-${i}\n`,
        timedOut: false,
        signal: null,
      });
    }
    expect(t.batcher!.batches - batchesBefore).toBe(1);
    await expect.poll(() => sessions() - before).toBe(1);
    // Not read-only, or with stdin: one channel each, as before.
    const plain = await Promise.all([t.exec('echo a'), t.exec('tr a-z A-Z', { readOnly: true, stdin: 'b\n' })]);
    expect(plain.map((r) => r.stdout)).toEqual(['a\n', 'B\n']);
    expect(t.batcher!.batches - batchesBefore).toBe(1);
  });

  it('a timed-out command is killed on the host (its process tree) while the rest of its batch finishes', async () => {
    const tag = `${60 + Math.floor(Math.random() * 1000)}.${randomBytes(2).readUInt16BE()}`;
    const [slow, fine, missing] = await Promise.allSettled([
      t.exec(`sh -c 'sleep ${tag}' & wait`, { readOnly: true, timeoutMs: 800 }),
      t.exec('sleep 1.5; echo fine', { readOnly: true, timeoutMs: 20_000 }),
      t.exec('no-such-command-hwqual', { readOnly: true }),
    ]);
    expect(slow.status).toBe('rejected');
    const err = (slow as PromiseRejectedResult).reason as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(fine).toMatchObject({ status: 'fulfilled', value: { exitCode: 0, stdout: 'fine\n' } });
    expect(missing).toMatchObject({ status: 'fulfilled', value: { exitCode: 127 } });
    const left = await t.exec(`pgrep -f 'slee[p] ${tag}' || true`);
    expect(left.stdout).toBe('');
  });

  it('a slow command times out nothing behind it and holds none of them up beyond their own timeouts', async () => {
    const splitsBefore = t.batcher!.splits;
    const t0 = performance.now();
    const took: number[] = [];
    const timed = (p: Promise<ExecResult>, i: number) =>
      p.then((r) => {
        took[i] = performance.now() - t0;
        return r;
      });
    const slow = timed(t.exec('sleep 3; echo slow', { readOnly: true, timeoutMs: 5_000 }), 0);
    const fast = Array.from({ length: 10 }, (_, i) =>
      timed(t.exec(`echo fast-${i}`, { readOnly: true, timeoutMs: 2_000 }), i + 1),
    );
    const settled = await Promise.allSettled([slow, ...fast]);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason)).toEqual([]);
    const results = settled.map((s) => (s as PromiseFulfilledResult<ExecResult>).value);
    expect(results.map((r) => r.stdout)).toEqual(['slow\n', ...Array.from({ length: 10 }, (_, i) => `fast-${i}\n`)]);
    expect(results.every((r) => r.exitCode === 0 && !r.timedOut)).toBe(true);
    expect(results[0]!.durationMs).toBeGreaterThanOrEqual(3_000);
    // Each fast command answered within its own 2 s, long before the slow one ended: the batch was split.
    for (const [i, ms] of took.entries()) if (i > 0) expect(ms, `fast-${i - 1}`).toBeLessThan(2_000);
    expect(Math.max(...took.slice(1))).toBeLessThan(took[0]!);
    expect(t.batcher!.splits - splitsBefore).toBe(1);
  });

  it('a sleep 30 with a 2 s timeout in a batch is killed on the host and is the only one reported', async () => {
    const tag = `30.${randomBytes(3).readUIntBE(0, 3)}`;
    const before = Array.from({ length: 3 }, (_, i) =>
      t.exec(`echo before-${i}`, { readOnly: true, timeoutMs: 2_000 }),
    );
    const stuck = t.exec(`sleep ${tag}`, { readOnly: true, timeoutMs: 2_000 });
    const after = Array.from({ length: 5 }, (_, i) => t.exec(`echo after-${i}`, { readOnly: true, timeoutMs: 2_000 }));
    const settled = await Promise.allSettled([...before, stuck, ...after]);
    const rejected = settled.flatMap((s, i) => (s.status === 'rejected' ? [[i, s.reason as CommandError]] : []));
    expect(rejected.map(([i]) => i)).toEqual([3]);
    const err = rejected[0]![1] as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.result).toMatchObject({ command: `sleep ${tag}`, timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(err.result.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(err.result.durationMs).toBeLessThan(15_000);
    for (const s of settled.filter((x) => x.status === 'fulfilled'))
      expect((s as PromiseFulfilledResult<ExecResult>).value).toMatchObject({ exitCode: 0, timedOut: false });
    expect((await t.exec(`pgrep -f 'slee[p] ${tag}' || true`)).stdout).toBe('');
  });

  it(
    'a cancelled command is killed and rejects with E_CANCELLED; ' + 'one cancelled before its batch left never runs',
    async () => {
      const file = join(dir, 'never');
      const early = new AbortController();
      early.abort();
      const late = new AbortController();
      const tag = `${70 + Math.floor(Math.random() * 1000)}.${randomBytes(2).readUInt16BE()}`;
      const running = t.exec(`sleep ${tag}`, { readOnly: true, signal: late.signal });
      const never = t.exec(`touch ${file}`, { readOnly: true, signal: early.signal });
      const neverRejects = expect(never).rejects.toMatchObject({ code: 'E_CANCELLED' });
      setTimeout(() => late.abort(), 600);
      await expect(running).rejects.toMatchObject({
        code: 'E_CANCELLED',
        result: { cancelled: true, signal: 'SIGKILL' },
      });
      await neverRejects;
      expect((await t.exec(`pgrep -f 'slee[p] ${tag}' || true; test -e ${file}; echo $?`)).stdout).toBe('1\n');
    },
  );
});

describe('host-checks suite over SSH', () => {
  it('one case per check, a failing check fails with its output, every case has its own transcript', async () => {
    const checks = join(dir, 'checks.json');
    writeFileSync(
      checks,
      JSON.stringify([
        { id: 'os-release', cmd: "grep -q '^ID=' /etc/os-release" },
        { id: 'loopback', cmd: 'test -d /sys/class/net/lo' },
        { id: 'broken', cmd: 'echo "expected something else" >&2; exit 1' },
      ]),
    );
    process.env.HWQUAL_HOST_CHECKS = checks;
    try {
      const lab = normalizeLab(
        { hosts: [{ name: 'sshd', address: '127.0.0.1' }] },
        join(dir, 'lab.yaml'),
        'lab.yaml',
        'x'.repeat(64),
      );
      const plan = planConfig({
        file: join(dir, 'plan.yaml'),
        name: 'checks',
        suites: ['host-checks'],
        concurrency: 64,
        timeouts: { case: 60 },
        facts: 'all', // every fact group: one batch of many commands (host-checks alone needs only identity)
      });
      const host = new SshTransport(sshd.host);
      const before = sessions();
      const prepared = await prepareRun({ lab, plan, transportFactory: () => host });
      const { results, out } = await executeToTemp(lab, plan, prepared, 'hwqual-ssh-batch-run-');
      const status = Object.fromEntries(results.cases.map((c) => [c.caseId, c.status]));
      expect(status).toEqual({ 'os-release': 'passed', loopback: 'passed', broken: 'failed' });
      const broken = results.cases.find((c) => c.caseId === 'broken')!;
      expect(broken.message).toContain('expected something else');
      const transcriptOf = transcriptReader(runFolderReader(out));
      for (const c of results.cases) {
        const text = transcriptOf(c)!;
        expect(text.match(/^\+[\d.]+s \$ /gm)).toHaveLength(1);
      }
      // Fact gathering (one batch) and the three cases (one batch): far fewer sessions than commands.
      expect(host.batcher!.batchedCommands).toBeGreaterThan(20);
      expect(sessions() - before).toBeLessThanOrEqual(4);
    } finally {
      delete process.env.HWQUAL_HOST_CHECKS;
    }
  });
});
