import { type CaseDef, guestStep, type PlanView } from '../../src/suite-api/index.ts';
import { bestDriver, parseCpuinfo, parseCryptsetupBenchmark, parseProcCrypto } from '../../src/suite-api/parsers.ts';
import { bootImage, ensureImage, resolveAccel } from '../../src/suite-api/vm.ts';
import { ENC_CMD } from './commands.ts';
import { LUKS_STEPS, runLuksScript } from './luks-run.ts';
import { checkStep } from './luks-cases.ts';
import { encryptionRequire, type EncryptionRequire } from './require.ts';
import { guestScriptHost, type ScriptHost } from './script-host.ts';

export const GUEST_IMAGE = 'debian12';

/**
 * Opt-in (it boots a Debian guest per CPU model, ~15 s each under TCG, plus a one-time image build):
 *   settings: { encryption: { guest: true, cpuModels: [max, qemu64] } }   (default models: matrix.cpuModels, else max)
 */
export function guestModels(plan: PlanView): string[] {
  const s = plan.settings.encryption;
  if (s?.guest !== true) return [];
  return s.cpuModels ?? plan.matrix.cpuModels ?? ['max'];
}

export interface GuestCrypto {
  flags: string[];
  driver?: string;
  accelerated: boolean;
  encryptMiBs?: number;
  decryptMiBs?: number;
}

/**
 * Does AES reach a guest, and how fast, under this CPU model: inside the Debian 12 image (through the guest agent)
 * the LUKS2 round trip with device-mapper, the guest kernel's xts(aes) driver, and cryptsetup benchmark.
 */
export function guestCase(
  model: string,
  req: Pick<EncryptionRequire, 'aesXtsEncryptMiBs' | 'aesXtsDecryptMiBs'> = {},
): CaseDef {
  return {
    id: 'guest-luks',
    title: `LUKS2 round trip, xts(aes) driver and aes-xts benchmark inside a Debian 12 guest (-cpu ${model})`,
    tags: ['luks', 'guest', 'cpu-model'],
    params: { cpuModel: model },
    requires: [{ live: true }, { arch: 'x86_64' }],
    timeoutSec: 900,
    async run(ctx) {
      const { accel } = await resolveAccel(ctx.transport, ctx.plan.accel, { signal: ctx.signal });
      const image = await ensureImage(GUEST_IMAGE, { log: (l) => ctx.log(l) });
      // no_timer_check: under a loaded TCG host the guest kernel's IO-APIC timer check can panic the boot
      // ("IO-APIC + timer doesn't work!"), seen here; it tests the emulator's speed, not the CPU model.
      const { vm } = await bootImage(ctx.transport, image, {
        accel,
        cpu: model,
        vcpus: 2,
        memoryMiB: 1024,
        signal: ctx.signal,
        readyTimeoutMs: 600_000,
        name: `enc-guest-${model}`,
        append: 'no_timer_check',
        driver: ctx.plan.driver,
      });
      ctx.defer(() => vm.teardown());
      const agent = await vm.guestAgent({ signal: ctx.signal });
      ctx.defer(() => agent.close());
      const guest = guestScriptHost(agent, `guest ${GUEST_IMAGE} (-cpu ${model}, ${accel})`, ctx.signal);

      // A guest that ends or stops answering is judged by its console first (guestStep: failed, in its own words).
      const run = await guestStep(vm, 'running the LUKS round trip in the guest', () =>
        runLuksScript(guest, 'roundtrip', 600_000),
      );
      for (const s of run.steps)
        ctx.log(`guest ${s.step}: ${s.result} (rc ${s.rc})${s.message ? ` — ${s.message}` : ''}`);
      for (const name of LUKS_STEPS.roundtrip) checkStep(ctx, run, name);

      const crypto = await guestStep(vm, 'benchmarking aes-xts in the guest', () => guestCrypto(guest));
      ctx.fact(`guestCrypto:${model}`, crypto);
      ctx.log(
        `-cpu ${model}: aes ${crypto.flags.includes('aes') ? 'in' : 'not in'} the guest, ` +
          `xts(aes) → ${crypto.driver ?? 'none'}, ` +
          `aes-xts 512b ${crypto.encryptMiBs ?? '?'} / ${crypto.decryptMiBs ?? '?'} MiB/s`,
      );
      if (crypto.encryptMiBs !== undefined) ctx.metric('guest_aes_xts_512_encrypt_mibs', crypto.encryptMiBs);
      if (crypto.decryptMiBs !== undefined) ctx.metric('guest_aes_xts_512_decrypt_mibs', crypto.decryptMiBs);
      ctx.check.ok('guest benchmark measured aes-xts 512b', crypto.encryptMiBs !== undefined, {
        expected: 'MiB/s figures',
        actual: 'none',
      });
      // The plan's benchmark minimums hold for every guest too: what a tenant gets under this model on this hardware.
      if (req.aesXtsEncryptMiBs !== undefined)
        ctx.check.atLeast('guest aes-xts 512b encryption MiB/s', crypto.encryptMiBs, req.aesXtsEncryptMiBs);
      if (req.aesXtsDecryptMiBs !== undefined)
        ctx.check.atLeast('guest aes-xts 512b decryption MiB/s', crypto.decryptMiBs, req.aesXtsDecryptMiBs);
      // A model that passes AES-NI through must get an accelerated driver in the guest; one that does not, reports it.
      if (crypto.flags.includes('aes'))
        ctx.check.ok('guest xts(aes) driver accelerated', crypto.accelerated, {
          expected: 'xts-aes-aesni / vaes',
          actual: crypto.driver ?? 'none',
        });
    },
  };
}

/** Benchmark first: it makes the kernel instantiate xts(aes), so /proc/crypto names the driver dm-crypt gets. */
export async function guestCrypto(guest: ScriptHost): Promise<GuestCrypto> {
  const bench = await guest.exec(ENC_CMD.benchmark, 600_000);
  const xts = parseCryptsetupBenchmark(bench.stdout).find((b) => b.algorithm === 'aes-xts' && b.keyBits === 512);
  const procCrypto = await guest.exec(ENC_CMD.crypto, 60_000);
  const best = bestDriver(parseProcCrypto(procCrypto.stdout));
  const cpuinfo = await guest.exec(ENC_CMD.cpuinfo, 60_000);
  return {
    flags: parseCpuinfo(cpuinfo.stdout).flags ?? [],
    driver: best?.driver,
    accelerated: best?.accelerated ?? false,
    ...(xts?.encryptMiBs !== undefined && { encryptMiBs: xts.encryptMiBs }),
    ...(xts?.decryptMiBs !== undefined && { decryptMiBs: xts.decryptMiBs }),
  };
}

export function guestCases(plan: PlanView): CaseDef[] {
  const req = encryptionRequire(plan);
  return guestModels(plan).map((m) => guestCase(m, req));
}
