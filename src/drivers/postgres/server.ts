// Steps that run on the node itself through its NodeRunner, as the data directory's owner:
// pg_ctl (status, stop, start), pg_controldata, and small file operations (write a file with
// a mode, compare, copy, move) done with coreutils argv so that no shell is ever involved.
import { LifeboatError } from '../../core/errors/index.js';
import type { OperationContext } from '../driver.js';
import { boundedSignal, type NodeRunResult } from '../node-runner.js';
import { redact, type Secret } from '../secrets.js';
import type { CheckedPgServer } from './config.js';

export class PgServer {
  constructor(
    private readonly s: CheckedPgServer,
    private readonly label: string,
    private readonly secrets: readonly (Secret | undefined)[] = [],
  ) {}

  get dataDir(): string {
    return this.s.dataDir;
  }

  /** Runs argv as the data directory's owner; a runner-side timeout becomes LB_E_DRIVER_TIMEOUT. */
  async run(
    ctx: OperationContext,
    argv: string[],
    opts: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {},
  ): Promise<NodeRunResult> {
    const signal = boundedSignal(ctx.signal, opts.timeoutMs ?? 30_000);
    const beat = ctx.heartbeat ? setInterval(ctx.heartbeat, 2000) : undefined;
    try {
      return await this.s.runner.run(argv, {
        user: this.s.osUser,
        signal,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(opts.env ? { env: opts.env } : {}),
      });
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED' && !ctx.signal.aborted) {
        throw new LifeboatError(
          'LB_E_DRIVER_TIMEOUT',
          `${argv[0]} on ${this.label} did not finish within ${opts.timeoutMs ?? 30_000} ms`,
        );
      }
      throw e;
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  /** Output of a failed command for a message: last lines, secrets masked. */
  output(r: NodeRunResult): string {
    const text = `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-4).join(' | ');
    return redact(text, this.secrets);
  }

  async isRunning(ctx: OperationContext): Promise<boolean> {
    const r = await this.run(ctx, [`${this.s.binDir}/pg_ctl`, 'status', '-D', this.s.dataDir]);
    if (r.code === 0) return true;
    if (r.code === 3) return false; // pg_ctl: "no server running"
    throw this.#failed('pg_ctl status', r);
  }

  /**
   * `fast` (a clean shutdown: a rebuild) waits for the walsenders to send the shutdown
   * checkpoint, up to wal_sender_timeout (60 s) when the standby is cut off; `immediate` (a
   * fence) stops at once: committed data is safe (crash recovery on the next start).
   */
  async stop(ctx: OperationContext, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const secs = String(Math.max(1, Math.ceil(this.s.stopTimeoutMs / 1000)));
    const r = await this.run(
      ctx,
      [`${this.s.binDir}/pg_ctl`, 'stop', '-D', this.s.dataDir, '-m', mode, '-w', '-t', secs],
      { timeoutMs: this.s.stopTimeoutMs + 5000 },
    );
    if (r.code !== 0) throw this.#failed(`pg_ctl stop -m ${mode}`, r);
  }

  async start(ctx: OperationContext): Promise<void> {
    const secs = String(Math.max(1, Math.ceil(this.s.startTimeoutMs / 1000)));
    const r = await this.run(
      ctx,
      [
        `${this.s.binDir}/pg_ctl`,
        ...['start', '-D', this.s.dataDir, '-l', this.s.logFile, '-w', '-t', secs],
      ],
      { timeoutMs: this.s.startTimeoutMs + 5000 },
    );
    if (r.code !== 0) throw this.#failed('pg_ctl start', r, `; log: ${this.s.logFile}`);
  }

  /** pg_controldata's fields: what pg_rewind needs (wal_log_hints, checksums) can be read stopped. */
  async controlData(ctx: OperationContext): Promise<Record<string, string>> {
    const r = await this.run(ctx, [`${this.s.binDir}/pg_controldata`, '-D', this.s.dataDir], {
      env: { LC_ALL: 'C' },
    });
    if (r.code !== 0) throw this.#failed('pg_controldata', r);
    return parseControlData(r.stdout);
  }

  async readFile(ctx: OperationContext, path: string): Promise<string | undefined> {
    const r = await this.run(ctx, ['cat', '--', path]);
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Creates the file with `mode` first, then fills it: the content is never readable by others. */
  async writeFile(ctx: OperationContext, path: string, content: string, mode = '600') {
    await this.#ok(ctx, 'install', ['install', '-m', mode, '/dev/null', path]);
    await this.#ok(ctx, 'dd', ['dd', `of=${path}`, 'status=none'], content);
  }

  /** Whether both files exist and hold the same bytes (`cmp -s`). */
  async sameContent(ctx: OperationContext, a: string, b: string): Promise<boolean> {
    const r = await this.run(ctx, ['cmp', '-s', '--', a, b]);
    return r.code === 0;
  }

  /** `user:group` of a file, or undefined when it cannot be read. */
  async owner(ctx: OperationContext, path: string): Promise<string | undefined> {
    const r = await this.run(ctx, ['stat', '-c', '%U:%G', '--', path]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async copy(ctx: OperationContext, from: string, to: string): Promise<void> {
    await this.#ok(ctx, 'cp', ['cp', '-p', '--', from, to]);
  }

  async move(ctx: OperationContext, from: string, to: string): Promise<void> {
    await this.#ok(ctx, 'mv', ['mv', '-T', '--', from, to]);
  }

  async remove(ctx: OperationContext, path: string): Promise<void> {
    await this.#ok(ctx, 'rm', ['rm', '-rf', '--', path], undefined, 600_000);
  }

  async mkdir(ctx: OperationContext, path: string): Promise<void> {
    await this.#ok(ctx, 'mkdir', ['mkdir', '-p', '-m', '700', '--', path]);
  }

  async #ok(
    ctx: OperationContext,
    what: string,
    argv: string[],
    input?: string,
    timeoutMs?: number,
  ) {
    const r = await this.run(ctx, argv, {
      ...(input !== undefined ? { input } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    if (r.code !== 0) throw this.#failed(what, r);
  }

  #failed(what: string, r: NodeRunResult, extra = ''): LifeboatError {
    const code = what.startsWith('pg_ctl')
      ? 'LB_E_POSTGRES_SERVER_CONTROL'
      : 'LB_E_DRIVER_COMMAND_FAILED';
    return new LifeboatError(
      code,
      `${what} on ${this.label} exited ${r.code}: ${this.output(r)}${extra}`,
      { details: { exitCode: r.code } },
    );
  }
}

/** Pure: `Key:   value` lines of pg_controldata. */
export function parseControlData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Pure: pg_rewind needs hint bits in WAL, from wal_log_hints or data checksums. */
export function rewindPossible(control: Record<string, string>): { ok: boolean; why: string } {
  const hints = control['wal_log_hints setting'] === 'on';
  const checksums = (control['Data page checksum version'] ?? '0') !== '0';
  if (hints || checksums)
    return { ok: true, why: hints ? 'wal_log_hints is on' : 'data checksums are on' };
  return { ok: false, why: 'neither wal_log_hints nor data checksums are on' };
}
