import { CRYPTO_FACTS, type CaseContext, type CaseDef, guestStep, type PlanView } from '../../src/suite-api/index.ts';
import {
  bestDriver,
  parseCpuinfo,
  parseCpuSpec,
  parseCryptsetupBenchmark,
  parseProcCrypto,
} from '../../src/suite-api/parsers.ts';
import {
  bootImage,
  ensureImage,
  modelFeaturesOnce,
  ownedDirCommand,
  resolveAccel,
  shellQuote,
  vmWorkDir,
  vmWorkRoot,
} from '../../src/suite-api/vm.ts';
import { ENC_CMD } from './commands.ts';
import {
  gateLines,
  type GuestGatesRequire,
  type GuestObservation,
  guestCryptoFact,
  recordGuestCrypto,
} from './guest-judge.ts';
import { LUKS_STEPS, runLuksScript } from './luks-run.ts';
import { checkStep } from './luks-cases.ts';
import { encryptionRequire } from './require.ts';
import { guestScriptHost, type ScriptHost } from './script-host.ts';

export const GUEST_IMAGE = 'debian12';
/** The customer-style volume the round trip runs on: a second virtio disk (qcow2) in the guest. */
export const VOLUME = { device: '/dev/vdb', sysfs: '/sys/block/vdb/size', sizeMiB: 64 } as const;

/**
 * Opt-in (it boots a Debian guest per CPU model, ~15–75 s each under TCG, plus a one-time image build):
 *   settings: { encryption: { guest: true, cpuModels: [max, qemu64], append: 'clearcpuid=aes' } }
 * (default models: matrix.cpuModels, else max; append: extra guest kernel parameters).
 */
export function guestModels(plan: PlanView): string[] {
  const s = plan.settings.encryption;
  if (s?.guest !== true) return [];
  return s.cpuModels ?? plan.matrix.cpuModels ?? ['max'];
}

/**
 * Does AES reach a guest, and how fast, under this CPU model: the crypto flags QEMU says the model gives on this host
 * and accelerator against the guest's (guest-judge.ts), the guest kernel's xts(aes) driver, the LUKS2 round trip on
 * the guest's second virtio disk (/dev/vdb) with device-mapper, and cryptsetup benchmark against the plan's guest
 * minimums (judged only under KVM). Inside the Debian 12 image, through the guest agent.
 */
export function guestCase(model: string, req: GuestGatesRequire = {}, append?: string): CaseDef {
  return {
    id: 'guest-luks',
    title:
      `The CPU model decides the guest's AES: crypto flags, xts(aes) driver, LUKS2 round trip on /dev/vdb and ` +
      `aes-xts benchmark inside a Debian 12 guest (-cpu ${model})`,
    tags: ['luks', 'guest', 'cpu-model'],
    params: { cpuModel: model },
    requires: [{ live: true }, { arch: 'x86_64' }],
    timeoutSec: 900,
    async run(ctx) {
      const { accel } = await resolveAccel(ctx.transport, ctx.plan.accel, { signal: ctx.signal });
      if (parseCpuSpec(model).model === 'host' && accel !== 'kvm')
        return ctx.skip(`-cpu host needs KVM; this host runs guests under ${accel}`);
      const image = await ensureImage(GUEST_IMAGE, { log: (l) => ctx.log(l) });
      const volume = await scratchVolume(ctx);
      // no_timer_check: under a loaded TCG host the guest kernel's IO-APIC timer check can panic the boot
      // ("IO-APIC + timer doesn't work!"), seen here; it tests the emulator's speed, not the CPU model.
      const { vm } = await bootImage(ctx.transport, image, {
        accel,
        cpu: model,
        vcpus: 2,
        memoryMiB: 1024,
        signal: ctx.signal,
        readyTimeoutMs: 600_000,
        name: `enc-guest-${parseCpuSpec(model).model}`,
        append: ['no_timer_check', append].filter(Boolean).join(' '),
        extraDisks: [{ path: volume, format: 'qcow2' }],
        driver: ctx.plan.driver,
      });
      ctx.defer(() => vm.teardown());
      const agent = await vm.guestAgent({ signal: ctx.signal });
      ctx.defer(() => agent.close());
      const guest = guestScriptHost(agent, `guest ${GUEST_IMAGE} (-cpu ${model}, ${accel})`, ctx.signal);

      const sectors = await guestStep(vm, 'reading the size of the guest volume', () =>
        guest.exec(`cat ${VOLUME.sysfs}`, 60_000),
      );
      ctx.check.equal(
        `guest sees the ${VOLUME.sizeMiB} MiB volume as ${VOLUME.device} (512-byte sectors)`,
        Number(sectors.stdout.trim()) || sectors.stderr.trim() || 'absent',
        VOLUME.sizeMiB * 2048,
      );
      // A guest that ends or stops answering is judged by its console first (guestStep: failed, in its own words).
      const run = await guestStep(vm, `running the LUKS round trip on ${VOLUME.device} in the guest`, () =>
        runLuksScript(guest, 'roundtrip', 600_000, VOLUME.device),
      );
      for (const s of run.steps)
        ctx.log(`guest ${s.step}: ${s.result} (rc ${s.rc})${s.message ? ` — ${s.message}` : ''}`);

      const observed = await guestStep(vm, 'benchmarking aes-xts in the guest', () => guestCrypto(guest));
      const mf = await modelFeaturesOnce(ctx.transport, parseCpuSpec(model).model, accel, { signal: ctx.signal });
      const fact = guestCryptoFact({
        model,
        accel,
        modelFeatures: mf.features,
        guest: observed,
        req,
        device: run.steps.find((s) => s.step === 'format')?.fields.volume,
        append,
      });
      ctx.fact(`${CRYPTO_FACTS.guestPrefix}${model}`, fact);
      ctx.log(
        `-cpu ${model} (${accel}) gives ${fact.expected.join(' ') || 'no crypto flags'}; ` +
          `the guest shows ${fact.cryptoFlags.join(' ') || 'none'}; xts(aes) → ${fact.driver ?? 'none'}; ` +
          `aes-xts 512b ${fact.encryptMiBs ?? '?'} / ${fact.decryptMiBs ?? '?'} MiB/s`,
      );
      for (const l of gateLines(fact)) ctx.log(l);
      if (fact.encryptMiBs !== undefined) ctx.metric('guest_aes_xts_512_encrypt_mibs', fact.encryptMiBs);
      if (fact.decryptMiBs !== undefined) ctx.metric('guest_aes_xts_512_decrypt_mibs', fact.decryptMiBs);

      // The model's verdict first (the case's message names the model and the flag or driver), then the round trip.
      recordGuestCrypto(ctx.check, fact);
      for (const name of LUKS_STEPS.roundtrip) checkStep(ctx, run, name);
      ctx.check.ok('guest benchmark measured aes-xts 512b', fact.encryptMiBs !== undefined, {
        expected: 'MiB/s figures',
        actual: 'none',
      });
    },
  };
}

/** A qcow2 scratch volume on the host (removed after the case): the guest's /dev/vdb. */
async function scratchVolume(ctx: CaseContext): Promise<string> {
  const path = `${vmWorkDir(ctx.transport, 'enc-volume')}.qcow2`;
  await ctx.run(
    `${ownedDirCommand(vmWorkRoot(ctx.transport.user))} && ` +
      `qemu-img create -q -f qcow2 ${shellQuote(path)} ${VOLUME.sizeMiB}M`,
  );
  ctx.defer(async () => {
    await ctx.transport.exec(`rm -f ${shellQuote(path)}`, { timeoutMs: 30_000 });
  });
  return path;
}

/** Benchmark first: it makes the kernel instantiate xts(aes), so /proc/crypto names the driver dm-crypt gets. */
export async function guestCrypto(guest: ScriptHost): Promise<GuestObservation> {
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
  const append = plan.settings.encryption?.append;
  return guestModels(plan).map((m) => guestCase(m, req, append));
}
