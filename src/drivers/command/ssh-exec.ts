// One command on an open SSH connection. The remote login shell gets a string made of quoted argv
// elements; it first reports its PID (sshd made it a session leader, so the PID is also the
// process group), then execs the command. OpenSSH ignores the SSH "signal" request, so an abort
// or a timeout kills that group from a second channel, then closes the first.
import type { Client, ClientChannel } from 'ssh2';
import { LifeboatError } from '../../core/errors/index.js';
import { codeForSignal } from '../subprocess.js';
import { shellJoin } from './quote.js';

const PID_MARK = 'LIFEBOAT_PID:';

export interface ExecRequest {
  argv: readonly string[];
  input?: string;
  signal: AbortSignal;
  timeoutMs: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** For messages: "`pg_ctl` on pg-b". */
  what: string;
}

export interface ExecOutcome {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The command string sent over SSH: the PID report, then `exec` of the quoted argv. Pure. */
export function remoteCommand(argv: readonly string[]): string {
  return `printf '${PID_MARK}%s\\n' "$$" >&2; exec ${shellJoin(argv)}`;
}

function openChannel(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) {
        reject(
          new LifeboatError(
            'LB_E_SSH_CHANNEL',
            `the SSH server refused a session: ${err.message.slice(0, 120)}`,
          ),
        );
      } else resolve(channel);
    });
  });
}

/** Kills the remote process group from a second channel; bounded, never throws. */
async function killRemote(client: Client, pid: number): Promise<void> {
  try {
    const ch = await openChannel(client, `kill -KILL -- -${pid} 2>/dev/null || kill -KILL ${pid}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      ch.on('close', () => {
        clearTimeout(t);
        resolve();
      });
      ch.resume();
      ch.stderr.resume();
      ch.end();
    });
  } catch {
    // the connection is gone: sshd ends the session's processes' input, nothing more we can do
  }
}

export async function execOverSsh(client: Client, req: ExecRequest): Promise<ExecOutcome> {
  if (req.signal.aborted) throw new LifeboatError('LB_E_DRIVER_ABORTED', `${req.what} was aborted`);
  const started = performance.now();
  const channel = await openChannel(client, remoteCommand(req.argv));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    let pid: number | undefined;
    let headerDone = false;
    let exit: { code: number; signal?: string } | undefined;
    let stopping: LifeboatError | undefined;
    const closeChannel = () => channel.close();

    const stop = (why: LifeboatError) => {
      if (stopping) return;
      stopping = why;
      // Without the PID yet (the shell has not started), give it a moment to report one.
      if (pid !== undefined) void killRemote(client, pid).then(closeChannel);
      else setTimeout(closeChannel, 1000).unref();
      // The channel's close is what settles; bound it if the connection hangs.
      setTimeout(() => finish(), 4000).unref();
    };
    const onAbort = () =>
      stop(
        new LifeboatError(
          'LB_E_DRIVER_ABORTED',
          `${req.what} was aborted; its processes were killed`,
        ),
      );
    req.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        stop(
          new LifeboatError(
            'LB_E_DRIVER_TIMEOUT',
            `${req.what} did not finish within ${req.timeoutMs} ms; its processes were killed`,
          ),
        ),
      req.timeoutMs,
    );

    channel.setEncoding('utf8');
    channel.stderr.setEncoding('utf8');
    channel.on('data', (d: string) => {
      stdoutBytes += Buffer.byteLength(d);
      stdout += d;
      if (stdoutBytes > req.maxStdoutBytes) {
        stop(
          new LifeboatError(
            'LB_E_COMMAND_OUTPUT_LIMIT',
            `${req.what} wrote more than ${req.maxStdoutBytes} bytes to stdout and was killed`,
          ),
        );
      }
    });
    channel.stderr.on('data', (d: string) => {
      stderr += d;
      if (!headerDone) {
        const nl = stderr.indexOf('\n');
        if (nl < 0 && stderr.length < 64) return;
        const first = stderr.slice(0, Math.max(0, nl));
        if (first.startsWith(PID_MARK)) {
          const n = Number(first.slice(PID_MARK.length));
          if (Number.isInteger(n) && n > 1) pid = n;
          stderr = stderr.slice(nl + 1);
        }
        headerDone = true;
        if (stopping && pid !== undefined) void killRemote(client, pid).then(closeChannel);
      }
      if (stderr.length > req.maxStderrBytes) stderr = stderr.slice(-req.maxStderrBytes);
    });
    channel.on('exit', (code: number | null, signalName?: string) => {
      exit =
        code !== null && code !== undefined
          ? { code }
          : {
              code: codeForSignal(signalName),
              ...(signalName
                ? { signal: signalName.startsWith('SIG') ? signalName : `SIG${signalName}` }
                : {}),
            };
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      if (stopping) return reject(stopping);
      if (!exit) {
        return reject(
          new LifeboatError(
            'LB_E_DRIVER_UNREACHABLE',
            `the SSH connection ended while ${req.what} ran; it may or may not have completed`,
          ),
        );
      }
      resolve({ ...exit, stdout, stderr, ms: Math.round(performance.now() - started) });
    };
    channel.on('close', finish);
    channel.on('error', () => {});
    channel.end(req.input ?? '');
  });
}
