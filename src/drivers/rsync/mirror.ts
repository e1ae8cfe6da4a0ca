// The RPO of an rsync mirror: how old the newest change is that the target may lack.
//
// Design. A sync that starts at T0 and succeeds copies every change the source had before T0
// (rsync reads each file after T0, so it sees at least its state at T0). After each successful
// sync the driver writes a marker, `.lifeboat-mirror.json`, into the target's root, with
// mtime = T0 (whole seconds, rounded down, so the claim is never later than the truth) and the
// details as JSON. Then, reading both trees (read-only):
//   - newest source change <= T0  → the target holds everything: inSync, RPO 0;
//   - otherwise the changes it lacks are all newer than T0: RPO <= now − T0 (reported bound).
// Without a marker (a mirror Lifeboat did not sync) the newest mtimes are compared: rsync -a copies
// mtimes, so the newest target mtime is at most the last sync's T0 and the same bound holds with
// it in place of T0. Directories count as changes (a deletion changes its directory's mtime);
// the target's root directory does not (writing the marker changes it). A target entry newer
// than T0 means someone wrote on the mirror itself: reported, since the next sync will undo it.
// Clocks: for a push the source is local and T0 is the controller's clock; for a pull the
// source's mtimes come from the remote clock, so the bound is off by the clocks' skew (use NTP).
import { MARKER, PARTIAL_DIR } from './args.js';
import { type ListedEntry, parseListLine } from './parse.js';

export interface TreeSummary {
  /** Entries below the root (files, directories, links), without the marker and partial files. */
  entries: number;
  newestMtimeMs?: number;
  newestPath?: string;
  /** The marker's mtime: the T0 of the last successful sync (whole seconds). */
  markerMtimeMs?: number;
  /** The scan stopped at its entry limit: `newest` is a lower bound. */
  truncated?: boolean;
}

export interface MirrorMarker {
  version: 1;
  dataSet: string;
  /** T0: every source change before it is on the target. */
  syncedThrough: string;
  completedAt: string;
  from: string;
  files: number;
  bytes: number;
}

export type RpoBasis = 'marker' | 'mtime' | 'none';

export interface MirrorRpo {
  basis: RpoBasis;
  /** The target holds every change the source has (as far as the basis can tell). */
  inSync: boolean;
  /** Upper bound on the age of the oldest change the target lacks; 0 in sync; absent: unknown. */
  rpoMs?: number;
  syncedThroughMs?: number;
  /** An entry on the target is newer than the last sync's T0 (written on the mirror). */
  targetWrittenAfterSync: boolean;
}

/** Pure: the RPO from the two trees' summaries at `nowMs`. */
export function mirrorRpo(
  source: TreeSummary,
  target: TreeSummary,
  nowMs: number,
  toleranceMs = 2000,
): MirrorRpo {
  const t0 = target.markerMtimeMs;
  const srcNewest = source.newestMtimeMs;
  if (t0 !== undefined) {
    const inSync = srcNewest === undefined || srcNewest <= t0;
    return {
      basis: 'marker',
      inSync,
      rpoMs: inSync ? 0 : Math.max(0, nowMs - t0),
      syncedThroughMs: t0,
      targetWrittenAfterSync:
        target.newestMtimeMs !== undefined && target.newestMtimeMs > t0 + toleranceMs,
    };
  }
  const tgtNewest = target.newestMtimeMs;
  if (tgtNewest === undefined)
    return { basis: 'none', inSync: srcNewest === undefined, targetWrittenAfterSync: false };
  const inSync = srcNewest === undefined || srcNewest <= tgtNewest;
  return {
    basis: 'mtime',
    inSync,
    rpoMs: inSync ? 0 : Math.max(0, nowMs - tgtNewest),
    targetWrittenAfterSync: false,
  };
}

/** Whether a relative path is Lifeboat's own (marker, partial files), not the data set's. */
export function isOwnEntry(path: string): boolean {
  return (
    path === MARKER ||
    path === PARTIAL_DIR ||
    path.startsWith(`${PARTIAL_DIR}/`) ||
    path.includes(`/${PARTIAL_DIR}/`) ||
    path.endsWith(`/${PARTIAL_DIR}`)
  );
}

/**
 * Folds one entry into a summary. The tree's own directory (`.`) is not an entry, and its mtime
 * is a change only when `rootMtime` (not on a target, where writing the marker touches it).
 */
export function addEntry(s: TreeSummary, e: ListedEntry, opts: { rootMtime: boolean }): void {
  if (e.path === MARKER) {
    s.markerMtimeMs = e.mtimeMs;
    return;
  }
  if (isOwnEntry(e.path)) return;
  if (e.path === '.') {
    if (!opts.rootMtime) return;
  } else {
    s.entries++;
  }
  if (s.newestMtimeMs === undefined || e.mtimeMs > s.newestMtimeMs) {
    s.newestMtimeMs = e.mtimeMs;
    s.newestPath = e.path;
  }
}

/** Summary of an `rsync -r --list-only` listing (TZ=UTC). */
export function summariseListing(
  lines: Iterable<string>,
  opts: { rootMtime: boolean },
): TreeSummary {
  const s: TreeSummary = { entries: 0 };
  for (const line of lines) {
    const e = parseListLine(line);
    if (e) addEntry(s, e, opts);
  }
  return s;
}

export function renderMarker(m: MirrorMarker): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** T0 for a sync starting now: whole seconds, rounded down (rsync lists mtimes in seconds). */
export function syncStartMs(nowMs: number): number {
  return Math.floor(nowMs / 1000) * 1000;
}
