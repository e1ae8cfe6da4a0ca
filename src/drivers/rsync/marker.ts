// Writing the mirror marker after a successful sync (see mirror.ts for why and what it proves):
// T0 in its JSON, T0 rounded down to the second as its mtime. For a pull the target is local:
// written in place (temp file, rename). For a push it is sent with a second, tiny rsync run: the
// data run cannot carry it, since a marker that arrived before the data failed would claim a
// sync that did not happen. Reading it back (its content, when the mtime alone cannot decide):
// in place for a pull, one small rsync run for a push.
import { lstatSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../../core/errors/index.js';
import type { OperationContext } from '../driver.js';
import { MARKER, MARKER_MAX_BYTES, remoteSpec, rsyncArgv } from './args.js';
import type { RsyncConfig } from './config.js';
import { renderMarker, syncT0, wholeSecond } from './mirror.js';
import type { TransferStats } from './parse.js';
import { openSession, type RunSession, runRsync } from './run.js';

/**
 * Records that every source change stamped before T0 (the sync's start less the stamp slack) is
 * on the target: T0 with milliseconds in the JSON, rounded down to the second as the mtime.
 * Returns T0.
 */
export async function putMarker(
  c: RsyncConfig,
  session: RunSession,
  ctx: OperationContext,
  startedMs: number,
  stats: TransferStats | undefined,
): Promise<number> {
  const t0 = syncT0(startedMs);
  const from = c.direction === 'push' ? c.localPath : remoteSpec(c);
  const text = renderMarker({
    version: 1,
    dataSet: c.dataSet,
    syncedThrough: new Date(t0).toISOString(),
    completedAt: new Date().toISOString(),
    from,
    files: stats?.files ?? 0,
    bytes: stats?.totalSize ?? 0,
  });
  const seconds = wholeSecond(t0) / 1000;
  if (c.direction === 'pull') {
    const tmp = join(c.localPath, `${MARKER}.tmp`);
    try {
      writeFileSync(tmp, text, { mode: 0o644 });
      utimesSync(tmp, seconds, seconds);
      renameSync(tmp, join(c.localPath, MARKER));
    } catch (e) {
      throw new LifeboatError(
        'LB_E_RSYNC_IO',
        `cannot write the mirror marker in ${c.localPath}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    return t0;
  }
  const file = session.dir.write(MARKER, text);
  utimesSync(file, seconds, seconds);
  await runRsync(
    c,
    rsyncArgv(c, 'put-marker', { ...(session.ssh ? { ssh: session.ssh } : {}), markerFile: file }),
    ctx,
    {
      what: `writing the mirror marker of ${c.dataSet}`,
    },
  );
  return t0;
}

/** A marker file's text, when it is a regular file of marker size; otherwise undefined. */
export function readMarkerFile(path: string): string | undefined {
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size > MARKER_MAX_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The target's marker text: read in place for a pull, fetched by one small rsync run for a push. */
export async function getMarker(
  c: RsyncConfig,
  ctx: OperationContext,
): Promise<string | undefined> {
  if (c.direction === 'pull') return readMarkerFile(join(c.localPath, MARKER));
  const session = openSession(c);
  try {
    const argv = rsyncArgv(c, 'get-marker', {
      ...(session.ssh ? { ssh: session.ssh } : {}),
      into: session.dir.path,
    });
    // 23/24: the marker vanished since the listing (another sync is replacing it).
    await runRsync(c, argv, ctx, {
      what: `reading the mirror marker of ${c.dataSet}`,
      okStatuses: [23, 24],
    });
    return readMarkerFile(join(session.dir.path, MARKER));
  } finally {
    session.dir.remove();
  }
}
