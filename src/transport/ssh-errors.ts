import { HwqualError } from '../model/errors.ts';
import type { HostConnection } from '../config/host-connection.ts';

/** ssh2 tags its errors with `level`; this is the one place that turns them into our codes. */
export interface Ssh2Error extends Error {
  level?: string;
  code?: unknown;
}

export function where(host: HostConnection): string {
  return `${host.name} (${host.user}@${host.address}:${host.port})`;
}

/**
 * An error before the connection was ready. On the first connect a network fault is E_HOST_UNREACHABLE;
 * on a reconnect after a drop it is E_CONNECTION_LOST (the host was there and went away).
 */
export function connectError(host: HostConnection, err: Ssh2Error, reconnect: boolean): HwqualError {
  if (err instanceof HwqualError) return err;
  const reason = err.message || String(err);
  if (err.level === 'client-authentication') {
    return new HwqualError('E_AUTH', `authentication failed for ${where(host)}: ${reason}`, {
      host: host.name,
      cause: err,
    });
  }
  if (err.level === 'agent') {
    return new HwqualError('E_AUTH', `ssh-agent failed for ${where(host)}: ${reason}`, { host: host.name, cause: err });
  }
  const why = err.level === 'client-timeout' ? `timed out (${reason})` : reason;
  if (reconnect) {
    return new HwqualError('E_CONNECTION_LOST', `connection to ${where(host)} lost and reconnecting failed: ${why}`, {
      host: host.name,
      cause: err,
    });
  }
  return new HwqualError('E_HOST_UNREACHABLE', `host unreachable: ${where(host)}: ${why}`, {
    host: host.name,
    cause: err,
  });
}

/** Why an established connection ended, in words. */
export function lostError(host: HostConnection, err: Ssh2Error | undefined): HwqualError {
  const reason = !err
    ? 'connection closed'
    : err.level === 'client-timeout'
      ? `no answer to ${host.ssh.keepaliveCountMax} keepalives ${host.ssh.keepaliveIntervalSec} s apart`
      : err.message;
  return new HwqualError('E_CONNECTION_LOST', `connection to ${where(host)} lost: ${reason}`, {
    host: host.name,
    cause: err,
  });
}
