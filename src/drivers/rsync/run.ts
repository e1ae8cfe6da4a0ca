// Running rsync: the private SSH files for the run, the namespace prefix, progress throttled into
// the context's callbacks (each one is a heartbeat; a timer beats too while rsync lives, since
// rsync's own --timeout ends a run in which no data moves), and the exit status mapped.
import type { OperationContext } from '../driver.js';
import { missingHostKey, parseHostKey } from '../host-key.js';
import {
  makePrivateDir,
  type OpenSshFiles,
  type PrivateDir,
  writeOpenSshFiles,
} from '../private-files.js';
import { type ProcessResult, runProcess } from '../subprocess.js';
import { rsyncEnv } from './args.js';
import type { RsyncConfig } from './config.js';
import { rsyncFailure } from './exit-codes.js';
import { parseProgress, type TransferProgress } from './parse.js';

const PROGRESS_EVERY_MS = 250;
const HEARTBEAT_MS = 2000;

export interface RunSession {
  dir: PrivateDir;
  ssh?: OpenSshFiles;
}

/** Creates the run's private directory (and SSH files); the caller removes it in `finally`. */
export function openSession(c: RsyncConfig): RunSession {
  const dir = makePrivateDir('rsync');
  if (c.remote.kind !== 'ssh') return { dir };
  try {
    const r = c.remote;
    const port = r.port ?? 22;
    if (!r.hostKey) throw missingHostKey(r.node, r.host, port);
    const ssh = writeOpenSshFiles(dir, {
      host: r.host,
      port,
      hostKey: parseHostKey(r.hostKey, `nodes.${r.node}.ssh.hostKey`),
      identity: r.identity,
      connectTimeoutSec: c.connectTimeoutSec ?? 10,
    });
    return { dir, ssh };
  } catch (e) {
    dir.remove();
    throw e;
  }
}

export interface RsyncRunOptions {
  what: string;
  onLine?: (line: string) => void;
  onProgress?: (p: TransferProgress) => void;
  /** Statuses that are not failures for this call (23 for a listing of a missing directory). */
  okStatuses?: readonly number[];
}

/** Runs one rsync argv; resolves on status 0 (or an ok status), else throws the mapped error. */
export async function runRsync(
  c: RsyncConfig,
  argv: string[],
  ctx: OperationContext,
  opts: RsyncRunOptions,
): Promise<ProcessResult> {
  const prefix = c.namespace ? ['ip', 'netns', 'exec', c.namespace] : [];
  let lastProgress = 0;
  let latest: TransferProgress | undefined;
  const beat = ctx.heartbeat ? setInterval(() => ctx.heartbeat?.(), HEARTBEAT_MS) : undefined;
  try {
    const r = await runProcess([...prefix, ...argv], {
      signal: ctx.signal,
      env: rsyncEnv(c),
      inheritEnv: false,
      timeoutMs: c.timeoutMs ?? 6 * 3_600_000,
      captureStdout: false,
      splitOnCarriageReturn: true,
      what: opts.what,
      onStdoutLine: (line) => {
        const p = parseProgress(line);
        if (!p) {
          opts.onLine?.(line);
          return;
        }
        latest = p;
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          opts.onProgress?.(p);
        }
      },
    });
    if (latest && opts.onProgress) opts.onProgress(latest); // the final figures, unthrottled
    if (r.code !== 0 && !(opts.okStatuses ?? []).includes(r.code)) {
      const secrets =
        c.remote.kind === 'daemon'
          ? [c.remote.password]
          : c.remote.kind === 'ssh'
            ? [c.remote.identity]
            : [];
      throw rsyncFailure(opts.what, r.code, r.stderr, secrets);
    }
    return r;
  } finally {
    if (beat) clearInterval(beat);
  }
}
