import { createServer, type Server } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { launchVm, type Vm } from '../../src/vm/vm.ts';
import { QmpClient, QmpError } from '../../src/vm/qmp-client.ts';
import { qemuRunningIn } from './vm-support.ts';

const local = new LocalTransport('local');

describe('QMP client against a real QEMU (-machine none, tcg)', () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await launchVm(local, { name: 'qmp-test', accel: 'tcg', machine: 'none' });
  });
  afterAll(async () => {
    await vm?.teardown();
  });

  it('negotiates capabilities and reads the greeting', () => {
    expect(vm.qmp.greeting?.QMP.version.qemu.major).toBeGreaterThanOrEqual(7);
  });

  it('answers query-status and query-version', async () => {
    const status = await vm.qmp.queryStatus();
    expect(typeof status.running).toBe('boolean');
    expect(status.status).toMatch(/running|prelaunch|paused/);
    const version = await vm.qmp.queryVersion();
    expect(version.qemu.major).toBe(vm.qmp.greeting?.QMP.version.qemu.major);
  });

  it('lists CPU models with query-cpu-definitions', async () => {
    const defs = await vm.qmp.queryCpuDefinitions();
    const names = defs.map((d) => d.name);
    expect(names).toContain('max');
    expect(names).toContain('qemu64');
    expect(defs.every((d) => typeof d.name === 'string')).toBe(true);
  });

  it('rejects an unknown command with its QMP error class', async () => {
    const err = await vm.qmp.execute('no-such-command').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect((err as QmpError).errorClass).toBe('CommandNotFound');
  });

  it('delivers events (stop → STOP)', async () => {
    const since = vm.qmp.events.length;
    const stopped = vm.qmp.waitForEvent('STOP', { timeoutMs: 10_000, sinceIndex: since });
    await vm.qmp.stop();
    const e = await stopped;
    expect(e.event).toBe('STOP');
    expect(e.timestamp.seconds).toBeGreaterThan(0);
    expect((await vm.qmp.queryStatus()).running).toBe(false);
  });

  it('times out waiting for an event that does not come', async () => {
    const err = await vm.qmp.waitForEvent('SHUTDOWN', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TIMEOUT' });
  });

  it('teardown leaves no QEMU process and no work dir', async () => {
    const other = await launchVm(local, { name: 'qmp-teardown', accel: 'tcg', machine: 'none' });
    expect(await qemuRunningIn(other.paths.workDir)).toBe(true);
    await other.teardown();
    await other.teardown(); // idempotent
    expect(await qemuRunningIn(other.paths.workDir)).toBe(false);
    expect((await local.exec(`test -e ${other.paths.workDir}`)).exitCode).not.toBe(0);
  });
});

describe('QMP client timeouts', () => {
  let server: Server;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('hwqual-qmp-');
    server = createServer(() => {
      /* accepts, never greets */
    });
    await new Promise<void>((r) => server.listen(join(dir, 'silent.sock'), r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with E_TIMEOUT when the peer never sends the greeting', async () => {
    const stream = await local.forwardUnixSocket(join(dir, 'silent.sock'));
    const err = await QmpClient.connect(stream, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TIMEOUT' });
    expect(stream.destroyed).toBe(true);
  });
});
