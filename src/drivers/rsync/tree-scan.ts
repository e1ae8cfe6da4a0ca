// The newest change in a local tree (the source of a push, the target of a pull): a bounded,
// abortable walk with lstat (links are not followed), the same summary as a remote listing.
import type { BigIntStats } from 'node:fs';
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
  let rootStat: BigIntStats;
  try {
    rootStat = await lstat(root, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return s;
    throw new LifeboatError(
      'LB_E_RSYNC_IO',
      `cannot read ${root}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  // Local stamps are read in nanoseconds: precise, unless their sub-second part is all zero (a
  // seconds-only file system), which may hide up to a second.
  const add = { rootMtime: opts.rootMtime, wholeSeconds: false };
  addEntry(s, { path: '.', dir: true, size: 0, ...stamp(rootStat) }, add);
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
        const st = await lstat(join(root, path), { bigint: true });
        addEntry(s, { path, dir: st.isDirectory(), size: Number(st.size), ...stamp(st) }, add);
        if (st.isDirectory() && !path.endsWith('.lifeboat-partial')) stack.push(path);
      } catch {
        // vanished between readdir and lstat
      }
    }
  }
  return s;
}

/** A local stamp in ms, and whether it is known only to the second (nanoseconds all zero). */
export function stamp(st: Pick<BigIntStats, 'mtimeNs'>): { mtimeMs: number; wholeSecond: boolean } {
  return {
    mtimeMs: Number(st.mtimeNs / 1_000_000n),
    wholeSecond: st.mtimeNs % 1_000_000_000n === 0n,
  };
}
