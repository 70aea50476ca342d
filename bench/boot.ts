// `npm run bench -- boot`: guest boot-to-ready time of the tiny image through hwqual (LocalTransport, launchImage +
// waitForConsole: work dir, QMP connect, console polling through the transport) against the very same QEMU argv
// (src/vm/qemu-args.ts) started by hand with a plain spawn and the console file read until the ready marker.
// Alternating rounds, medians, ratio; target ≤ 1.1×.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { LocalTransport } from '../src/transport/local.ts';
import { resolveAccel } from '../src/vm/accel.ts';
import { imageVmSpec, launchImage, type ImageBootOptions } from '../src/vm/images/boot.ts';
import { ensureImage } from '../src/vm/images/builder.ts';
import type { BuiltImage } from '../src/vm/images/built-image.ts';
import { buildQemuArgs } from '../src/vm/qemu-args.ts';
import { vmPaths } from '../src/vm/spec.ts';

const TARGET = 1.1;
const READY_TIMEOUT_MS = 180_000;

async function throughHwqual(transport: LocalTransport, image: BuiltImage, o: ImageBootOptions): Promise<number> {
  const t0 = performance.now();
  const vm = await launchImage(transport, image, o);
  try {
    // The ready marker only (waitUntilReady would also wait for the facts block, which the by-hand side does not).
    await vm.waitForConsole(readyMarker(image), { timeoutMs: READY_TIMEOUT_MS });
    return performance.now() - t0;
  } finally {
    await vm.teardown();
  }
}

/** The same argv (without -daemonize, so the spawned process is QEMU itself), console file polled every 50 ms. */
async function byHand(image: BuiltImage, o: ImageBootOptions): Promise<number> {
  const dir = mkdtempSync('/tmp/hwqual-bench-boot-');
  const paths = vmPaths(dir);
  const argv = buildQemuArgs(imageVmSpec(image, o), paths).filter((a) => a !== '-daemonize');
  const marker = readyMarker(image);
  const t0 = performance.now();
  const child = spawn('qemu-system-x86_64', argv, { stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  try {
    for (;;) {
      let text = '';
      try {
        text = readFileSync(paths.console, 'utf8');
      } catch {
        /* not created yet */
      }
      if (marker.test(text)) return performance.now() - t0;
      if (child.exitCode !== null) throw new Error(`QEMU exited (${child.exitCode}) before the ready marker`);
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error('no ready marker in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

function readyMarker(image: BuiltImage): RegExp {
  return 'console' in image.readiness ? new RegExp(image.readiness.console) : /HWQUAL-READY/;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchBoot(rounds = Number(process.env.HWQUAL_BENCH_BOOT_ROUNDS ?? 5)): Promise<string> {
  const transport = new LocalTransport('local');
  const image = await ensureImage('tiny');
  const { accel } = await resolveAccel(transport, 'auto');
  const o: ImageBootOptions = { accel, cpu: 'max', run: 'facts', name: 'bench-boot' };
  const hw: number[] = [];
  const hand: number[] = [];
  await byHand(image, o); // warm the page cache for kernel and initramfs
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first so drift in the machine's load hits both sides alike.
    if (i % 2 === 0) {
      hw.push(await throughHwqual(transport, image, o));
      hand.push(await byHand(image, o));
    } else {
      hand.push(await byHand(image, o));
      hw.push(await throughHwqual(transport, image, o));
    }
  }
  const ratio = median(hw) / median(hand);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return [
    'The tiny guest (busybox initramfs) from QEMU start to its ready marker on the console: through hwqual vs the ' +
      `same QEMU argv by hand (${accel}, ${rounds} alternating rounds, after one warm-up boot).`,
    '',
    '| run | median | min | max |',
    '| --- | --- | --- | --- |',
    `| hwqual (launchImage + waitForConsole, LocalTransport) | ${s(median(hw))} | ${s(Math.min(...hw))} ` +
      `| ${s(Math.max(...hw))} |`,
    `| by hand (spawn qemu-system-x86_64, read console file) | ${s(median(hand))} | ${s(Math.min(...hand))} ` +
      `| ${s(Math.max(...hand))} |`,
    '',
    `ratio hwqual / by hand: **${ratio.toFixed(3)}×** (target ≤ ${TARGET}×: ${ratio <= TARGET ? 'met' : 'NOT met'})`,
    '',
    'Reproduce: `npm run bench -- boot` (HWQUAL_BENCH_BOOT_ROUNDS for more rounds).',
  ].join('\n');
}
