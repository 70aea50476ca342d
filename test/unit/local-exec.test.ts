// The one local exec (LocalTransport, the lab's system commands, the image builds): any exit resolves as the
// transport's ExecResult, a missing program is 127, a timeout or cancel rejects with a CommandError that carries the
// result, and in its own process group a timeout kills the grandchildren too.
import { execSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/transport/command-error.ts';
import { execLocal, execLocalOk } from '../../src/transport/local-exec.ts';
import { eventually } from '../../src/util/poll.ts';

describe('execLocal', () => {
  it('resolves any exit code as an ExecResult, stdout without its final newline unless kept', async () => {
    const r = await execLocal('sh', ['-c', 'echo out; echo err >&2; exit 3'], { host: 'ctl', command: 'the step' });
    expect(r).toMatchObject({ host: 'ctl', command: 'the step', exitCode: 3, stdout: 'out', stderr: 'err' });
    expect(r).toMatchObject({ timedOut: false, cancelled: false, signal: null });
    expect((await execLocal('echo', ['a'], { keepFinalNewline: true })).stdout).toBe('a\n');
    expect((await execLocal('sh', ['-c', 'echo $LC_ALL $X'], { env: { X: 'y' } })).stdout).toBe('C y');
    expect((await execLocal('cat', [], { stdin: 'fed' })).stdout).toBe('fed');
  });

  it('a missing program is exit 127 in words, as a shell would say', async () => {
    const r = await execLocal('hwqual-no-such-program', ['x']);
    expect(r).toMatchObject({ exitCode: 127, command: 'hwqual-no-such-program x' });
    expect(r.stderr).toContain('command not found');
  });

  it('a timeout or a cancel rejects with a CommandError carrying the result', async () => {
    const late = await execLocal('sleep', ['5'], { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(CommandError);
    expect(late).toMatchObject({ code: 'E_TIMEOUT', result: { command: 'sleep 5', timedOut: true, exitCode: null } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(execLocal('sleep', ['5'], { signal: ac.signal })).rejects.toMatchObject({
      code: 'E_CANCELLED',
      result: { cancelled: true },
    });
    ac.abort();
    await expect(execLocal('true', [], { signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('in its own process group, a timeout kills the grandchildren too', async () => {
    const tag = `hwqual-local-exec-${process.pid}`;
    await expect(
      execLocal('sh', ['-c', `sh -c 'sleep 30; : ${tag}' & wait`], { timeoutMs: 300, ownProcessGroup: true }),
    ).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    const left = () => execSync(`pgrep -f '[:] ${tag}' || true`).toString().trim();
    expect(await eventually(() => left() === '', { timeoutMs: 5000 })).toBe(true);
  });
});

describe('execLocalOk', () => {
  it('gives stdout on exit 0, else a CommandError naming what ran and what came back', async () => {
    expect(await execLocalOk('echo', ['fine'])).toBe('fine');
    const err = await execLocalOk('sh', ['-c', 'echo broken >&2; exit 2']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: 'E_COMMAND', result: { exitCode: 2, stderr: 'broken' } });
    expect((err as Error).message).toBe('sh -c echo broken >&2; exit 2 on local: exit 2 — broken');
    await expect(execLocalOk('hwqual-no-such-program', [])).rejects.toMatchObject({ code: 'E_COMMAND_NOT_FOUND' });
  });
});
