// Server-side steps of a driver (pg_ctl, pg_rewind, pg_basebackup, starting a daemon) must run
// on the node itself. A driver takes a NodeRunner for that: in production an SSH runner, in the
// lab a local runner prefixed with `ip netns exec <site namespace>`. argv arrays only: nothing
// goes through a shell, and secrets travel on stdin or in env, never in argv (`ps` shows argv).
import { spawn } from 'node:child_process';
import { LifeboatError } from '../core/errors/index.js';
import { safeArg, safeName } from './safe-values.js';

export interface NodeRunOptions {
  /** Unix user to run as (the runner switches to it); default: the runner's own user. */
  user?: string;
  /** Aborting kills the command (SIGTERM, then SIGKILL) and rejects with LB_E_DRIVER_ABORTED. */
  signal: AbortSignal;
  /** Written to the command's stdin (file contents with secrets go this way, not argv). */
  input?: string;
  /** Extra environment (PGPASSFILE, LANG); the runner starts from a minimal environment. */
  env?: Record<string, string>;
}

export interface NodeRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv on one node. Resolves with the exit code (non-zero is not an error here). */
export interface NodeRunner {
  /** For messages: "local", "ns lb-a", "ssh pg-a". */
  readonly where?: string;
  run(argv: string[], opts: NodeRunOptions): Promise<NodeRunResult>;
}

export interface LocalNodeRunnerOptions {
  /** Network namespace to enter (`ip netns exec <namespace>`), e.g. the lab site's. */
  namespace?: string;
  /** Bytes of stdout/stderr kept per stream; the rest is dropped. */
  maxCapture?: number;
  /** How long a killed command gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

const BASE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

/** Runs commands on this machine, optionally inside a network namespace, as root or a user. */
export class LocalNodeRunner implements NodeRunner {
  readonly where: string;
  readonly #namespace: string | undefined;
  readonly #maxCapture: number;
  readonly #killGraceMs: number;

  constructor(opts: LocalNodeRunnerOptions = {}) {
    this.#namespace =
      opts.namespace === undefined ? undefined : safeName(opts.namespace, 'namespace');
    this.#maxCapture = opts.maxCapture ?? 1 << 20;
    this.#killGraceMs = opts.killGraceMs ?? 2000;
    this.where = this.#namespace ? `ns ${this.#namespace}` : 'local';
  }

  /** The full argv as spawned: namespace and user prefixes first. Pure; exported for tests. */
  commandLine(argv: readonly string[], user?: string): string[] {
    if (argv.length === 0) {
      throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'a node command needs a program');
    }
    safeArg(argv[0] as string, 'the program');
    for (const a of argv) {
      if (/[\0\n\r]/.test(a)) {
        throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'an argument holds a NUL or newline');
      }
    }
    const ns = this.#namespace ? ['ip', 'netns', 'exec', this.#namespace] : [];
    // runuser: no password, no PAM prompt, and `--` ends its options.
    const as =
      user && user !== 'root' ? ['runuser', '-u', safeName(user, 'the Unix user'), '--'] : [];
    return [...ns, ...as, ...argv];
  }

  run(argv: string[], opts: NodeRunOptions): Promise<NodeRunResult> {
    const line = this.commandLine(argv, opts.user);
    if (opts.signal.aborted) {
      return Promise.reject(
        new LifeboatError('LB_E_DRIVER_ABORTED', `${argv[0]} was aborted before it started`),
      );
    }
    return new Promise((resolve, reject) => {
      const child = spawn(line[0] as string, line.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...BASE_ENV, ...(opts.env ?? {}) },
        // The target user may not be able to enter our working directory.
        cwd: '/',
      });
      let stdout = '';
      let stderr = '';
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        aborted = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), this.#killGraceMs);
      };
      opts.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < this.#maxCapture) stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < this.#maxCapture) stderr += d.toString();
      });
      child.stdin.on('error', () => {}); // a command that exits before reading stdin
      child.stdin.end(opts.input ?? '');
      const finish = () => {
        opts.signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
      };
      child.on('error', (e: NodeJS.ErrnoException) => {
        finish();
        resolve({ code: 127, stdout, stderr: `${stderr}${line[0]}: ${e.code ?? e.message}\n` });
      });
      child.on('close', (code, sig) => {
        finish();
        if (aborted) {
          reject(
            new LifeboatError('LB_E_DRIVER_ABORTED', `${argv[0]} on ${this.where} was aborted`),
          );
          return;
        }
        resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr });
      });
    });
  }
}

/** A signal that aborts with `signal` or after `ms`, whichever comes first. */
export function boundedSignal(signal: AbortSignal, ms: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(ms)]);
}
