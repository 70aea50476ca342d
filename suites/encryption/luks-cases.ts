import { HwqualError, needsRootReason, type CaseContext, type CaseDef } from '../../src/suite-api/index.ts';
import { benchmarkUnsupportedReason, parseCryptsetupBenchmark } from '../../src/suite-api/parsers.ts';
import { ENC_CMD } from './commands.ts';
import { LUKS_STEPS, runLuksScript, stepOf, type LuksMode, type LuksRun } from './luks-run.ts';
import { readCommand } from './read.ts';
import type { EncryptionRequire } from './require.ts';
import { hostScriptHost } from './script-host.ts';

/** Steps that need device-mapper: skipped (never passed) where the host cannot open a LUKS device. */
const DM_STEPS = ['open', 'write', 'close', 'ciphertext', 'reopen', 'verify', 'wrong-open', 'close-again'];

export function luksCases(req: EncryptionRequire): CaseDef[] {
  return [
    {
      id: 'luks-format',
      title: 'LUKS2 luksFormat + luksDump on a file; right passphrase accepted, wrong one refused',
      tags: ['luks', 'cryptsetup'],
      requires: [{ live: true }],
      async run(ctx) {
        const run = await runOnHost(ctx, 'format');
        checkDump(ctx, run);
        for (const name of LUKS_STEPS.format.slice(1)) checkStep(ctx, run, name);
      },
    },
    {
      id: 'luks-roundtrip',
      title: 'LUKS2 round trip: open, write, close, reopen, verify, wrong passphrase refused (device-mapper)',
      tags: ['luks', 'cryptsetup', 'dm-crypt'],
      requires: [{ live: true }],
      async run(ctx) {
        const run = await runOnHost(ctx, 'roundtrip');
        checkStep(ctx, run, 'format');
        const open = stepOf(run, 'open');
        if (open?.result === 'skip') {
          checkStep(ctx, run, 'remove');
          return ctx.skip(
            `cannot open a LUKS device on ${ctx.host.name}:` +
              ` ${open.message.replace(/^no device-mapper: /, 'no device-mapper — cryptsetup: ')}`,
          );
        }
        for (const name of [...DM_STEPS, 'remove']) checkStep(ctx, run, name);
      },
    },
    {
      id: 'luks-benchmark',
      title: 'cryptsetup benchmark aes-xts (512-bit key) throughput',
      tags: ['luks', 'cryptsetup', 'performance'],
      timeoutSec: 180,
      async run(ctx) {
        const r = await ctx.exec(ENC_CMD.benchmark).catch(async (err: unknown) => {
          if (err instanceof HwqualError && err.code === 'E_NOT_RECORDED') return ctx.skip(err.message);
          throw err;
        });
        if (r.exitCode === 127)
          throw new HwqualError('E_COMMAND_NOT_FOUND', `cryptsetup is not installed on ${ctx.host.name}`, {
            host: ctx.host.name,
          });
        const unsupported = benchmarkUnsupportedReason(r.stderr);
        if (r.exitCode !== 0 && unsupported)
          return ctx.skip(
            `the kernel of ${ctx.host.name} has no crypto user API for cryptsetup benchmark: ${unsupported}`,
          );
        if (r.exitCode !== 0)
          throw new HwqualError('E_COMMAND', `${ENC_CMD.benchmark} exited ${r.exitCode}: ${r.stderr.trim()}`, {
            host: ctx.host.name,
          });
        const xts = parseCryptsetupBenchmark(r.stdout).find((b) => b.algorithm === 'aes-xts' && b.keyBits === 512);
        if (!xts)
          return ctx.fail(
            'cryptsetup benchmark printed no aes-xts 512b line',
            'aes-xts 512b MiB/s figures',
            r.stdout.trim(),
          );
        if (xts.encryptMiBs !== undefined) ctx.metric('aes_xts_512_encrypt_mibs', xts.encryptMiBs);
        if (xts.decryptMiBs !== undefined) ctx.metric('aes_xts_512_decrypt_mibs', xts.decryptMiBs);
        ctx.fact('aesXtsBenchmark', xts);
        ctx.expect.ok('aes-xts measured', xts.encryptMiBs !== undefined && xts.decryptMiBs !== undefined, {
          expected: 'MiB/s figures',
          actual: 'N/A',
        });
        if (req.aesXtsEncryptMiBs !== undefined)
          ctx.check.atLeast('aes-xts 512b encryption MiB/s', xts.encryptMiBs, req.aesXtsEncryptMiBs);
        if (req.aesXtsDecryptMiBs !== undefined)
          ctx.check.atLeast('aes-xts 512b decryption MiB/s', xts.decryptMiBs, req.aesXtsDecryptMiBs);
      },
    },
  ];
}

async function runOnHost(ctx: CaseContext, mode: LuksMode): Promise<LuksRun> {
  const version = await readCommand(ctx, ENC_CMD.cryptsetupVersion);
  if (version.text === undefined)
    throw new HwqualError('E_COMMAND_NOT_FOUND', `cryptsetup is not usable on ${ctx.host.name}: ${version.why}`, {
      host: ctx.host.name,
    });
  const run = await runLuksScript(hostScriptHost(ctx), mode).catch((err: unknown) => {
    if (!(err instanceof HwqualError && err.code === 'E_NEEDS_ROOT')) throw err;
    return ctx.skip(
      `${needsRootReason(ctx.host.name)}: the LUKS round trip opens a device-mapper device (cryptsetup open)`,
    );
  });
  for (const s of run.steps) ctx.log(`${s.step}: ${s.result} (rc ${s.rc})${s.message ? ` — ${s.message}` : ''}`);
  if (!run.steps.length)
    throw new HwqualError('E_COMMAND', `the LUKS script printed no step (exit ${run.exitCode}): ${run.stderr.trim()}`, {
      host: ctx.host.name,
    });
  return run;
}

function checkDump(ctx: CaseContext, run: LuksRun): void {
  if (stepOf(run, 'dump')?.result !== 'ok') return;
  ctx.fact('luks', {
    version: run.dump.version,
    cipher: run.dump.cipher,
    keyBits: run.dump.keyBits,
    pbkdf: run.dump.pbkdf,
  });
  ctx.check.equal('LUKS version', run.dump.version, 2);
  ctx.check.equal('data cipher', run.dump.cipher, 'aes-xts-plain64');
}

/** A step the script must have reported as ok (a missing step means the script stopped early: failed). */
export function checkStep(ctx: CaseContext, run: LuksRun, name: string): void {
  const s = stepOf(run, name);
  const actual = s ? `${s.result} (rc ${s.rc})${s.message ? `: ${s.message}` : ''}` : '(not reached)';
  ctx.expect.ok(`luks ${name}`, s?.result === 'ok', { expected: 'ok', actual });
}
