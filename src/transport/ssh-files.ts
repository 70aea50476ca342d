import type { Duplex } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { HwqualError } from '../model/errors.ts';
import type { SshConnection } from './ssh-connect.ts';
import { where } from './ssh-errors.ts';

/** Files over the connection's one SFTP session; forwards to unix sockets on their own channel. */

export async function sftpReadFile(conn: SshConnection, path: string, signal?: AbortSignal): Promise<Buffer> {
  const sftp = await conn.sftp(signal);
  return new Promise((resolve, reject) => {
    sftp.readFile(path, (err: Error | undefined, data: Buffer) =>
      err ? reject(fileError(conn, 'read', path, err)) : resolve(data),
    );
  });
}

/** Write the whole file; with a mode, the file gets exactly that mode before any data is written. */
export async function sftpWriteFile(
  conn: SshConnection,
  path: string,
  data: Buffer,
  mode?: number,
  signal?: AbortSignal,
): Promise<void> {
  const sftp = await conn.sftp(signal);
  const call = <T>(fn: (cb: (err: Error | undefined | null, v: T) => void) => void) =>
    new Promise<T>((resolve, reject) =>
      fn((err, v) => (err ? reject(fileError(conn, 'write', path, err)) : resolve(v))),
    );
  const handle = await call<Buffer>((cb) => sftp.open(path, 'w', mode === undefined ? {} : { mode }, cb));
  try {
    if (mode !== undefined) await call<void>((cb) => sftp.fchmod(handle, mode, cb as (err?: Error | null) => void));
    if (data.length) await call<void>((cb) => sftp.write(handle, data, 0, data.length, 0, cb as never));
  } finally {
    await call<void>((cb) => sftp.close(handle, cb as (err?: Error | null) => void)).catch(() => {});
  }
}

export async function openUnixSocket(conn: SshConnection, path: string, signal?: AbortSignal): Promise<Duplex> {
  try {
    return await conn.channel<Duplex>(
      (cb) => conn.client.openssh_forwardOutStreamLocal(path, cb as never),
      `connect ${path}`,
      { signal },
    );
  } catch (err) {
    if (err instanceof HwqualError && err.code === 'E_CHANNEL') {
      throw new HwqualError(
        'E_VM',
        `connect ${path} on ${where(conn.host)}: ${(err.cause as Error)?.message ?? err.message}`,
        { host: conn.host.name, cause: err },
      );
    }
    throw err;
  }
}

function fileError(conn: SshConnection, op: string, path: string, err: Error): HwqualError {
  if (conn.lost) return conn.lost;
  return new HwqualError('E_COMMAND', `${op} ${path} on ${where(conn.host)}: ${err.message}`, {
    host: conn.host.name,
    cause: err,
  });
}

export type { SFTPWrapper };
