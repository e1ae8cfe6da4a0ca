// Local subprocesses for drivers (command, rsync, ansible): an argv array, never a shell; its
// own process group so an abort or a timeout ends the tool *and* what it started (ssh, workers);
// output capped; lines streamed for progress. Lives here, not in one driver folder, because the
// layer rule lets a driver import only its own folder and the top-level driver files.
import { spawn } from 'node:child_process';
import { LifeboatError } from '../core/errors/index.js';
import { redact, type Secret } from './secrets.js';

export interface SpawnOptions {
  signal: AbortSignal;
  /** Written to stdin, then stdin is closed (secrets go here, never in argv). */
  input?: string;
  /** Added to the environment (inherited unless `inheritEnv: false`). */
  env?: Record<string, string>;
  /** false: start from PATH, HOME and LC_ALL=C only, so the controller's secrets stay home. */
  inheritEnv?: boolean;
  cwd?: string;
  /** The process (group) is stopped after this long; the promise rejects LB_E_DRIVER_TIMEOUT. */
  timeoutMs?: number;
  /** Stdout beyond this stops the process and rejects LB_E_COMMAND_OUTPUT_LIMIT (default 16 MiB). */
  maxStdoutBytes?: number;
  /** Only the last this-many bytes of stderr are kept (default 64 KiB). */
  maxStderrBytes?: number;
  /** false: stdout is only streamed to onStdoutLine, not kept (long rsync listings). */
  captureStdout?: boolean;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** rsync's progress rewrites its line with `\r`: treat `\r` as a line end too. */
  splitOnCarriageReturn?: boolean;
  /** SIGTERM first, SIGKILL after this long (default 2000 ms). */
  killGraceMs?: number;
  /** Named in errors: "rsync", "ansible-playbook". Defaults to argv[0]. */
  what?: string;
}

export interface ProcessResult {
  /** Exit status, or 128 + signal number when killed by a signal (the shell convention). */
  code: number;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const DEFAULT_MAX_STDOUT = 16 << 20;
const DEFAULT_MAX_STDERR = 64 << 10;
const MAX_LINE = 64 << 10;
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** Exit code for a death by signal, as a shell reports it. */
export function codeForSignal(signal: NodeJS.Signals | string | null | undefined): number {
  return 128 + (SIGNAL_NUMBERS[signal as NodeJS.Signals] ?? 0);
}

/** Splits a byte stream into lines for a callback, bounded in line length. */
function lineSplitter(onLine: (line: string) => void, cr: boolean) {
  let pending = '';
  const sep = cr ? /\r\n|\r|\n/ : /\r?\n/;
  return {
    push(chunk: string) {
      pending += chunk;
      const parts = pending.split(sep);
      pending = parts.pop() ?? '';
      if (pending.length > MAX_LINE) pending = pending.slice(-MAX_LINE);
      for (const line of parts) if (line !== '') onLine(line);
    },
    flush() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

function baseEnv(inherit: boolean): NodeJS.ProcessEnv {
  if (inherit) return { ...process.env };
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/',
    LC_ALL: 'C',
  };
}

/**
 * Runs argv to completion. Resolves with the exit status whatever it is (the caller decides what
 * a non-zero status means); rejects only with LB_E_DRIVER_ABORTED, LB_E_DRIVER_TIMEOUT,
 * LB_E_COMMAND_OUTPUT_LIMIT or LB_E_COMMAND_NOT_FOUND, each after the process group is gone.
 */
export function runProcess(argv: readonly string[], opts: SpawnOptions): Promise<ProcessResult> {
  const [cmd, ...args] = argv;
  const what = opts.what ?? cmd ?? 'the command';
  if (!cmd) {
    return Promise.reject(new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'the command is empty'));
  }
  if (opts.signal.aborted) {
    return Promise.reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`));
  }
  const started = performance.now();
  const maxOut = opts.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
  const maxErr = opts.maxStderrBytes ?? DEFAULT_MAX_STDERR;
  const capture = opts.captureStdout ?? true;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...baseEnv(opts.inheritEnv ?? true), ...opts.env },
      cwd: opts.cwd,
      // Its own process group: killing -pid reaches ssh, ansible workers, rsync's receiver.
      detached: true,
      shell: false,
    });
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    let stopping: LifeboatError | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const outLines = opts.onStdoutLine
      ? lineSplitter(opts.onStdoutLine, opts.splitOnCarriageReturn ?? false)
      : undefined;
    const errLines = opts.onStderrLine
      ? lineSplitter(opts.onStderrLine, opts.splitOnCarriageReturn ?? false)
      : undefined;

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const stop = (why: LifeboatError) => {
      if (stopping) return;
      stopping = why;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs ?? 2000);
    };
    const onAbort = () => stop(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              stop(
                new LifeboatError(
                  'LB_E_DRIVER_TIMEOUT',
                  `${what} did not finish within ${opts.timeoutMs} ms and was stopped`,
                ),
              ),
            opts.timeoutMs,
          );

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdoutBytes += Buffer.byteLength(d);
      if (capture) stdout += d;
      outLines?.push(d);
      if (stdoutBytes > maxOut) {
        stop(
          new LifeboatError(
            'LB_E_COMMAND_OUTPUT_LIMIT',
            `${what} wrote more than ${maxOut} bytes to stdout and was stopped`,
          ),
        );
      }
    });
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (stderr.length > maxErr) stderr = stderr.slice(-maxErr);
      errLines?.push(d);
    });
    child.stdin.on('error', () => {}); // a child that exits before reading stdin is not our error
    child.stdin.end(opts.input ?? '');

    const finish = () => {
      opts.signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish();
      if (e.code === 'ENOENT') {
        reject(
          new LifeboatError('LB_E_COMMAND_NOT_FOUND', `'${cmd}' is not installed or not on PATH`),
        );
      } else {
        reject(
          new LifeboatError(
            'LB_E_COMMAND_FAILED',
            `${what} could not start: ${e.code ?? e.message}`,
          ),
        );
      }
    });
    child.on('close', (code, signal) => {
      finish();
      outLines?.flush();
      errLines?.flush();
      if (stopping) {
        reject(stopping);
        return;
      }
      resolve({
        code: code ?? codeForSignal(signal),
        signal,
        stdout: capture ? stdout.slice(0, maxOut) : '',
        stderr,
        ms: Math.round(performance.now() - started),
      });
    });
  });
}

/** The last lines of a tool's output for an error message: bounded, secrets replaced. */
export function tailOf(
  text: string,
  secrets: readonly (Secret | undefined)[] = [],
  lines = 5,
): string {
  const kept = text
    .replace(/\r/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-lines)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
    .join(' | ');
  return redact(kept, secrets);
}
