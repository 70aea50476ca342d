import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import type { Become } from '../config/host-connection.ts';
import { HwqualError } from '../model/errors.ts';
import type { ExecResult } from '../model/exec.ts';
import { CommandError } from './command-error.ts';
import type { Deadline } from './deadline.ts';
import type { SshConnection } from './ssh-connect.ts';
import { sudoCommand, sudoKillCommand, sudoRefusedError } from './become.ts';
import { remoteProcesses } from './remote-processes.ts';
import { COMMAND_ENV, shellQuote } from './shell.ts';
import { where } from './ssh-errors.ts';

export { shellQuote };

/** How long a killed command may take to close its channel before we close it ourselves. */
const KILL_GRACE_MS = 10_000;

/**
 * The command as it runs on the host: in its own session and process group (setsid -w keeps the exit status and
 * output), whose id the inner shell prints on stderr first, so a timeout can kill the whole group even as root
 * (sshd ignores channel signals for root). COMMAND_ENV: LC_ALL=C for parseable output, sbin on the PATH.
 */
export function wrapCommand(command: string, marker: string): string {
  const inner = `printf '%s%s\\n' ${shellQuote(marker)} "$$" >&2; sh -c "$1"`;
  return `${COMMAND_ENV} exec setsid -w sh -c ${shellQuote(inner)} hwqual ${shellQuote(command)}`;
}

export interface ExecRequest {
  command: string;
  stdin?: string | Buffer;
  onStdout?: (chunk: string) => void;
  deadline: Deadline;
  startedAt: Date;
  t0: number;
  /** Run it through sudo as become.user (the lab's `become`), `login` being the SSH user (for sudo's refusal). */
  become?: Become & { login: string };
}

/** Run one command on a channel of conn; see Transport.exec for the contract. */
export async function execOnConnection(conn: SshConnection, req: ExecRequest): Promise<ExecResult> {
  const marker = `__hwqual_pgid_${randomBytes(6).toString('hex')}=`;
  const become = req.become;
  // Through sudo, the shell sudo starts says so first: a result without this line is sudo's refusal.
  const sudoMarker = become ? `__hwqual_sudo_${randomBytes(6).toString('hex')}` : undefined;
  const hostCommand = become ? sudoCommand(req.command, become, sudoMarker!) : req.command;
  // The exit status can arrive in the same packet batch as the channel's confirmation, before an awaiting caller could
  // attach a listener (ssh2 emits 'exit' synchronously): listen from the callback itself.
  let early: { code: number | null; signal: string | null } | null = null;
  const channel = await conn.channel<ClientChannel>(
    (cb) =>
      conn.client.exec(wrapCommand(hostCommand, marker), (err, ch) => {
        ch?.on('exit', (code: number | null, signal?: string) => {
          early = { code, signal: signal ?? null };
        });
        cb(err, ch);
      }),
    'exec',
    { signal: req.deadline.signal, session: true },
  );
  const host = conn.host;
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let pgid: number | null = null;
    let offRegistry = () => {};
    let exit: { code: number | null; signal: string | null } | null = early;
    let killSent = false;
    let forceTimer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const pgidPattern = new RegExp(`(?:^|\\n)${marker}(\\d+)\\n`);
    const sudoPattern = sudoMarker ? new RegExp(`(?:^|\\n)${sudoMarker}\\n`) : undefined;
    let sudoRan = false;
    const killCommand = (id: number) => (become ? sudoKillCommand(id, become) : `kill -s KILL -- -${id}`);

    // Stop = kill the process group from a second channel, then let the channel close by itself. Only when the
    // group is unknown or the kill fails do we close the channel ourselves (which may leave a root process behind).
    const killWhenKnown = () => {
      if (!req.deadline.reason || pgid === null || killSent) return;
      killSent = true;
      clearTimeout(forceTimer);
      killGroup(conn, killCommand(pgid)).then(() => {
        if (!done) forceTimer = setTimeout(forceClose, KILL_GRACE_MS);
      }, forceClose);
    };
    // sshd keeps a session channel open while its process lives, so do not wait for 'close' after this one.
    const forceClose = () => {
      if (done) return;
      try {
        channel.signal('KILL');
      } catch {
        /* closed */
      }
      channel.close();
      stderr.push(
        Buffer.from(`hwqual: could not kill process group ${pgid ?? '(unknown)'} on ${host.name}; it may still run\n`),
      );
      finish();
    };
    const onStop = () => {
      if (pgid === null) forceTimer = setTimeout(forceClose, KILL_GRACE_MS);
      killWhenKnown();
    };
    const cleanStderr = () => {
      let text = Buffer.concat(stderr)
        .toString('utf8')
        .replace(pgidPattern, (m) => (m.startsWith('\n') ? '\n' : ''));
      if (sudoPattern) text = text.replace(sudoPattern, (m) => (m.startsWith('\n') ? '\n' : ''));
      if (killSent) text = text.replace(new RegExp(`^setsid: child ${pgid} did not exit normally.*\n`, 'm'), '');
      return text;
    };
    const result = (): ExecResult => ({
      host: host.name,
      command: req.command,
      exitCode: req.deadline.reason ? null : (exit?.code ?? null),
      signal: killSent ? 'SIGKILL' : exit?.signal ? `SIG${exit.signal.replace(/^SIG/, '')}` : null,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: cleanStderr(),
      startedAt: req.startedAt.toISOString(),
      durationMs: performance.now() - req.t0,
      timedOut: req.deadline.reason === 'timeout',
      cancelled: req.deadline.reason === 'cancel',
    });
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(forceTimer);
      offRegistry();
      offLost();
      req.deadline.signal.removeEventListener('abort', onStop);
      if (err) return reject(err);
      const r = result();
      if (req.deadline.reason)
        return reject(new CommandError(req.deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED', r));
      if (!exit) {
        if (conn.lost) return reject(conn.lost);
        // The wrapper prints the process group first: without it, the command never started on the host.
        return reject(
          new HwqualError(
            'E_CHANNEL',
            `${req.command} on ${where(host)}: channel closed without an exit status` +
              (pgid === null ? ' (the command did not start)' : ''),
            { host: host.name },
          ),
        );
      }
      // Through sudo and its shell never started: sudo refused (a password wanted, no rule, no sudo).
      if (become && !sudoRan) return reject(sudoRefusedError(host.name, become.login, become, r));
      resolve(r);
    };

    channel.on('error', () => {
      /* a channel fault ends in 'close' (or the connection's loss), handled there */
    });
    const live = req.onStdout && new StringDecoder('utf8');
    channel.on('data', (d: Buffer) => {
      stdout.push(d);
      if (live) req.onStdout!(live.write(d));
    });
    channel.stderr.on('data', (d: Buffer) => {
      stderr.push(d);
      if (sudoPattern && !sudoRan) sudoRan = sudoPattern.test(Buffer.concat(stderr).toString('latin1'));
      if (pgid !== null) return;
      const m = pgidPattern.exec(Buffer.concat(stderr).toString('latin1'));
      if (m) {
        pgid = Number(m[1]);
        // Known to the registry until it ends: a second SIGINT, or the transport closing, kills it there.
        if (!done)
          offRegistry = remoteProcesses.add(conn, {
            host: host.name,
            channel: 'exec',
            kill: killCommand(pgid),
            command: req.command,
          });
        killWhenKnown();
      }
    });
    channel.on('exit', (code: number | null, signal?: string) => {
      exit = { code, signal: signal ?? null };
    });
    channel.on('close', () => finish());
    const offLost = conn.onLost((lost) =>
      finish(
        new HwqualError('E_CONNECTION_LOST', `${lost.message} (while running: ${req.command})`, {
          host: host.name,
          cause: lost,
        }),
      ),
    );
    if (req.deadline.signal.aborted) onStop();
    else req.deadline.signal.addEventListener('abort', onStop, { once: true });
    channel.end(req.stdin);
  });
}

/**
 * Kill the command's process group from a second channel (taken from the connection's reserve slot): `kill -KILL`,
 * or through sudo for a command sudo started (sudoKillCommand).
 */
async function killGroup(conn: SshConnection, command: string): Promise<void> {
  const ch = await conn.channel<ClientChannel>((cb) => conn.client.exec(command, cb), 'kill', {
    limiter: conn.reserve,
    session: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ch.close();
      reject(new Error('kill did not finish'));
    }, KILL_GRACE_MS);
    ch.on('close', () => {
      clearTimeout(timer);
      resolve();
    }).on('error', () => {});
    ch.resume();
    ch.stderr.resume();
    ch.end();
  });
}
