import { QmpClient } from '../vm/qmp-client.ts';
import { HeartbeatStream } from './hb-stream.ts';
import type { LineCollector } from './heartbeat.ts';
import type { Endpoint, GuestHandle } from './types.ts';

/**
 * A new QMP session to the guest's QEMU (its unix-socket monitor serves one client at a time: the old one is closed
 * first), with out-of-band execution negotiated. A post-copy destination needs it from the start: once a vCPU waits
 * for a page while holding QEMU's big lock, in-band commands (and a new session's qmp_capabilities) hang until the
 * page arrives, and only OOB migrate-pause / migrate-recover get through.
 */
export async function reconnectQmp(g: GuestHandle, host: Endpoint, signal?: AbortSignal): Promise<void> {
  g.vm.qmp.close();
  const stream = await host.transport.forwardUnixSocket(g.vm.paths.qmpSocket, { timeoutMs: 10_000, signal });
  g.vm.qmp = await QmpClient.connect(stream, { host: host.name, timeoutMs: 10_000, signal, oob: true });
}

/**
 * After the SSH connection to a guest's host was lost (a cut link outlived the keepalives), its QMP and heartbeat
 * streams are dead; QEMU's unix-socket servers accept a new client. Reconnect both; false when QMP was still up
 * (both ride the same connection, so the heartbeat is then up too).
 */
export async function reattachGuest(
  g: GuestHandle,
  host: Endpoint,
  collector: LineCollector,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!g.vm.qmp.isClosed) return false;
  await reconnectQmp(g, host, signal);
  g.hb.close();
  const hb = await HeartbeatStream.open(host.transport, `${g.vm.paths.workDir}/hb.sock`, g.label, collector, {
    signal,
  });
  g.hb = hb;
  g.vm.addCleanup(async () => hb.close());
  return true;
}
