// A real distribution: the Debian 12 image (debootstrap, systemd, qemu-guest-agent), one boot, readiness and
// commands through the guest agent. The image builds on first use (~1–3 min) and is cached.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { bootImage } from '../../src/vm/images/boot.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { GuestAgentClient } from '../../src/vm/guest-agent.ts';
import type { Vm } from '../../src/vm/vm.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runCli } from '../support/cli.ts';
import { qemuRunningIn } from './vm-support.ts';

const local = new LocalTransport('local');
let vm: Vm | undefined;
let agent: GuestAgentClient;

beforeAll(async () => {
  const image = await ensureImage('debian12');
  vm = (await bootImage(local, image, { accel: 'tcg', cpu: 'max', vcpus: 2, memoryMiB: 1024, readyTimeoutMs: 240_000 }))
    .vm;
  agent = await vm.guestAgent();
}, 900_000);
afterAll(async () => {
  agent?.close();
  await vm?.teardown();
  if (vm) expect(await qemuRunningIn(vm.paths.workDir)).toBe(false);
});

describe('Debian 12 guest (guest agent)', () => {
  it('answers guest-ping and guest-info', async () => {
    await expect(agent.ping()).resolves.toEqual({});
    const info = await agent.info();
    expect(info.supported_commands.map((c) => c.name)).toContain('guest-exec');
  });

  it('runs commands with guest-exec and returns their output and exit code', async () => {
    const os = await agent.exec('/bin/sh', [
      '-c',
      '. /etc/os-release; echo "$ID $VERSION_ID"; uname -r; grep -c ^processor /proc/cpuinfo',
    ]);
    expect(os.exitCode).toBe(0);
    const [idLine, kernel, cpus] = os.stdout.trim().split('\n');
    expect(idLine).toBe('debian 12');
    expect(kernel).toMatch(/cloud-amd64$/);
    expect(cpus).toBe('2');
    const failing = await agent.exec('/bin/sh', ['-c', 'echo oops >&2; exit 3']);
    expect(failing).toMatchObject({ exitCode: 3, stderr: 'oops\n' });
  });

  it('writes to an overlay, never to the cached image, and showed its ready marker on the console', async () => {
    expect(vm!.spec.disks?.[0].path).toMatch(new RegExp(`^${vm!.paths.workDir}/`));
    await vm!.waitForConsole(/HWQUAL-READY image=debian12/, { timeoutMs: 60_000 });
  });
});

describe('guest-images suite on the Debian 12 image', () => {
  it("boots to ready, and the guest agent's guest-shutdown powers it off cleanly (QEMU exits by itself)", async () => {
    const dir = mkdtempSync('/tmp/hwq-gi-debian-');
    try {
      const plan = join(dir, 'plan.json');
      writeFileSync(
        plan,
        JSON.stringify({
          name: 'gi-debian',
          suites: ['guest-images'],
          matrix: { images: ['debian12'], cpuModels: ['max'] },
          settings: { accel: 'tcg' },
        }),
      );
      const r = await runCli([
        'run',
        '--lab',
        join(PROJECT_ROOT, 'fixtures/labs/local.yaml'),
        '--plan',
        plan,
        '--out',
        join(dir, 'out'),
      ]);
      const res = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8')) as RunResults;
      const c = res.cases.find((x) => x.caseId.startsWith('boot'));
      expect(c?.status, r.stdout + r.stderr).toBe('passed');
      const down = c!.assertions.find((a) => a.name === 'clean shutdown');
      expect(down).toMatchObject({ passed: true });
      expect(down!.actual).toMatch(/QEMU exited \d+ ms after the guest-shutdown request$/); // not the ACPI fallback
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
