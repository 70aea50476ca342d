import { guestStep, HwqualError, type CaseContext } from '../../src/suite-api/index.ts';
import { parseGuestFacts, type GuestFacts } from '../../src/suite-api/parsers.ts';
import {
  ensureImage,
  imageVmSpec,
  launchVm,
  makeCidataDisk,
  ownedDirCommand,
  shellQuote,
  stageImage,
  userImage,
  vmWorkDir,
  vmWorkRoot,
  waitUntilReady,
  type Accel,
  type BuiltImage,
  type DiskSpec,
  type Vm,
} from '../../src/suite-api/vm.ts';
import { FACTS_SCRIPT, type DiskExpect } from './guest-checks.ts';
import type { GuestImageSettings, ImageChoice } from './settings.ts';

export type ShutdownBy = 'tiny-init' | 'guest-agent' | 'acpi';

export interface BootedGuest {
  vm: Vm;
  image: BuiltImage;
  /** QEMU start → the image's ready signal. */
  bootMs: number;
  facts?: GuestFacts;
  disks: DiskExpect[];
  memoryMiB: number;
  shutdownBy: ShutdownBy;
}

/**
 * Boot one image under one CPU spec with a scratch disk of known size, until its ready signal; then read its facts
 * (tiny init's console block, or the same lines through the guest agent). Teardown, the console artifact and the
 * scratch disk's removal are deferred on the case, so they run on failure, timeout and cancel too.
 */
export async function bootGuest(
  ctx: CaseContext,
  choice: ImageChoice,
  o: { accel: Accel; cpu: string; s: GuestImageSettings },
): Promise<BootedGuest> {
  const { transport, signal } = ctx;
  const image = 'builtIn' in choice ? await ensureImage(choice.builtIn) : userImage(choice.user);
  const onHost = await stageImage(transport, image, signal);
  const tinyInit = onHost.kind === 'tiny';
  const disks: DiskExpect[] = [];
  if (onHost.disk)
    disks.push({
      name: 'vda',
      sectors: await virtualSectors(ctx, onHost.disk.path),
      what: `image disk ${onHost.disk.path}`,
    });
  const scratch = `${vmWorkDir(transport, 'scratch')}.raw`;
  await ctx.run(
    `${ownedDirCommand(vmWorkRoot(transport.user))} && truncate -s ${o.s.scratchDiskMiB}M ${shellQuote(scratch)}`,
  );
  ctx.defer(async () => {
    await transport.exec(`rm -f ${shellQuote(scratch)}`, { timeoutMs: 30_000 });
  });
  const extraDisks: DiskSpec[] = [{ path: scratch, format: 'raw' }];
  disks.push({
    name: `vd${String.fromCharCode(97 + disks.length)}`,
    sectors: o.s.scratchDiskMiB * 2048,
    what: `${o.s.scratchDiskMiB} MiB scratch disk`,
  });
  if ('user' in choice && choice.user.cloudInit) {
    const seed = await makeCidataDisk(transport, choice.user.cloudInit, `${vmWorkRoot(transport.user)}/seeds`, signal);
    ctx.defer(() => seed.remove());
    extraDisks.push(seed.disk);
  }
  const memoryMiB = ('user' in choice ? choice.user.memoryMiB : undefined) ?? (tinyInit ? 256 : 1024);
  const spec = imageVmSpec(onHost, {
    accel: o.accel,
    cpu: o.cpu,
    memoryMiB,
    run: tinyInit ? 'facts' : undefined,
    extraDisks,
    name: `gi-${choice.name}-${o.cpu.split(',')[0]}`,
  });
  const t0 = performance.now();
  const vm = await launchVm(transport, spec, { signal, driver: o.s.driver });
  // What the guest was started from — QEMU's argv or libvirt's domain XML — is part of the evidence.
  await ctx.artifact(vm.definition.artifact, vm.definition.text);
  ctx.defer(async () => {
    await vm.teardown();
    await ctx.artifact('console.log', vm.console.text);
  });
  const timeoutMs = (o.s.readyTimeoutSec ?? ('guestAgent' in onHost.readiness ? 300 : 120)) * 1000;
  // A guest that ends or stops answering is judged by its console first (guestStep: failed, in its own words).
  const ready = await guestStep(vm, 'waiting for the guest to be ready', () =>
    waitUntilReady(vm, onHost, { timeoutMs, signal }),
  );
  const bootMs = performance.now() - t0;
  const agent = 'guestAgent' in onHost.readiness;
  const facts =
    ready.facts ??
    (await guestStep(vm, "reading the guest's facts", () =>
      agent ? factsByAgent(vm, signal) : factsOnConsole(vm, signal),
    ));
  // The tiny init (built-in, or a user image made from it) powers off by itself after its facts block.
  const shutdownBy: ShutdownBy = agent
    ? 'guest-agent'
    : tinyInit || vm.console.text.includes('HWQUAL-FACTS-END')
      ? 'tiny-init'
      : 'acpi';
  return { vm, image: onHost, bootMs, facts, disks, memoryMiB, shutdownBy };
}

/** A user image with a console readiness may print the tiny facts block (a tiny kernel+initrd of one's own). */
async function factsOnConsole(vm: Vm, signal: AbortSignal): Promise<GuestFacts | undefined> {
  if (!vm.console.text.includes('HWQUAL-FACTS-BEGIN')) {
    await vm.waitForConsole(/HWQUAL-FACTS-BEGIN/, { timeoutMs: 3_000, signal }).catch((err) => {
      if (err instanceof HwqualError && (err.code === 'E_TIMEOUT' || err.code === 'E_VM')) return;
      throw err;
    });
    if (!vm.console.text.includes('HWQUAL-FACTS-BEGIN')) return undefined;
  }
  await vm.waitForConsole(/HWQUAL-FACTS-END/, { timeoutMs: 30_000, signal });
  return parseGuestFacts(vm.console.text);
}

async function factsByAgent(vm: Vm, signal: AbortSignal): Promise<GuestFacts | undefined> {
  const agent = await vm.guestAgent({ signal });
  try {
    // slow under TCG on a loaded host
    const r = await agent.exec('/bin/sh', ['-c', FACTS_SCRIPT], { timeoutMs: 180_000, signal });
    if (r.exitCode !== 0)
      throw new HwqualError('E_VM', `the facts script failed in the guest (exit ${r.exitCode}): ${r.stderr.trim()}`);
    return parseGuestFacts(r.stdout);
  } finally {
    agent.close();
  }
}

async function virtualSectors(ctx: CaseContext, path: string): Promise<number> {
  const info = JSON.parse(await ctx.run(`qemu-img info -U --output=json ${shellQuote(path)}`)) as {
    'virtual-size': number;
  };
  return Math.round(info['virtual-size'] / 512);
}
