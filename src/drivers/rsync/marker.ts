// Writing the mirror marker after a successful sync (see mirror.ts for why and what it proves):
// its mtime is T0. For a pull the target is local: written in place (temp file, rename). For a
// push it is sent with a second, tiny rsync run: the data run cannot carry it, since a marker
// that arrived before the data failed would claim a sync that did not happen.
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../../core/errors/index.js';
import type { OperationContext } from '../driver.js';
import { MARKER, remoteSpec, rsyncArgv } from './args.js';
import type { RsyncConfig } from './config.js';
import { renderMarker, syncStartMs } from './mirror.js';
import type { TransferStats } from './parse.js';
import { type RunSession, runRsync } from './run.js';

/** Records that every source change before `startedMs` is on the target; returns T0. */
export async function putMarker(
  c: RsyncConfig,
  session: RunSession,
  ctx: OperationContext,
  startedMs: number,
  stats: TransferStats | undefined,
): Promise<number> {
  const t0 = syncStartMs(startedMs);
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
  const seconds = t0 / 1000;
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
