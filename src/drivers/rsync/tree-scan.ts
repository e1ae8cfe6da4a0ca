// The newest change in a local tree (the source of a push, the target of a pull): a bounded,
// abortable walk with lstat (links are not followed), the same summary as a remote listing.
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { LifeboatError } from '../../core/errors/index.js';
import { addEntry, type TreeSummary } from './mirror.js';

export interface ScanOptions {
  signal: AbortSignal;
  rootMtime: boolean;
  /** Stop after this many entries (default 2,000,000): `truncated` says so. */
  maxEntries?: number;
}

export async function scanLocalTree(root: string, opts: ScanOptions): Promise<TreeSummary> {
  const s: TreeSummary = { entries: 0 };
  const max = opts.maxEntries ?? 2_000_000;
  let seen = 0;
  let rootStat: Awaited<ReturnType<typeof lstat>>;
  try {
    rootStat = await lstat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return s;
    throw new LifeboatError(
      'LB_E_RSYNC_IO',
      `cannot read ${root}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  // Local stamps are read to the millisecond (a whole-second one may hide up to a second).
  const add = { rootMtime: opts.rootMtime, wholeSeconds: false };
  addEntry(s, { path: '.', dir: true, size: 0, mtimeMs: Math.floor(rootStat.mtimeMs) }, add);
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(join(root, rel));
    } catch {
      continue; // vanished or unreadable mid-scan: rsync would report it; the scan goes on
    }
    for await (const d of dir) {
      if (++seen % 1000 === 0 && opts.signal.aborted) {
        throw new LifeboatError('LB_E_DRIVER_ABORTED', `scanning ${root} was aborted`);
      }
      if (seen > max) {
        s.truncated = true;
        return s;
      }
      const path = rel === '' ? d.name : `${rel}/${d.name}`;
      try {
        const st = await lstat(join(root, path));
        addEntry(
          s,
          { path, dir: st.isDirectory(), size: st.size, mtimeMs: Math.floor(st.mtimeMs) },
          add,
        );
        if (st.isDirectory() && !path.endsWith('.lifeboat-partial')) stack.push(path);
      } catch {
        // vanished between readdir and lstat
      }
    }
  }
  return s;
}
