// The RPO of an rsync mirror: how old the newest change is that the target may lack.
//
// Design. A sync that starts at `started` and succeeds copies every change the source had
// before it (rsync reads each file after that, so it sees at least its state then). Its T0 is
// `started` less STAMP_SLACK_MS: the kernel stamps files from a coarse clock that may trail the
// precise one (Date.now()) by a tick, so a change made just after the start can carry a stamp
// just before it. After each successful sync the driver writes a marker, `.lifeboat-mirror.json`,
// into the target's root: T0 with milliseconds in its JSON (`syncedThrough`), and T0 rounded down
// to the second as its mtime (a remote listing shows it without reading the file; the claim is
// never later than the truth). Then, reading both trees (read-only):
//   - every source change before T0 → the target holds everything: inSync, RPO 0;
//   - otherwise the changes it lacks are all newer than T0: RPO <= now − T0 (reported bound).
// "Before T0" accounts for the precision of each stamp: an mtime read locally with a sub-second
// part is known to the millisecond; one from a listing (rsync prints whole seconds), or a
// whole-second stamp (a file system that keeps seconds only), may hide up to a second, so the
// change may be as late as mtime + 1 s. The whole-second mtime of the marker decides alone unless
// the newest source change falls in T0's own second; only then is the marker's content read
// (for a push, one small extra rsync run) and its milliseconds decide.
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
  /**
   * When the newest change may really have happened, at the latest (exclusive): the largest
   * mtime + the precision it is known to (1 ms, or 1 s for a listed or whole-second stamp).
   */
  changesBeforeMs?: number;
  /** The marker's mtime: the T0 of the last successful sync, rounded down to the second. */
  markerMtimeMs?: number;
  /** The marker's T0 with milliseconds, from its content (read only when the second cannot decide). */
  markerT0Ms?: number;
  /** The scan stopped at its entry limit: `newest` is a lower bound. */
  truncated?: boolean;
}

export interface MirrorMarker {
  version: 1;
  dataSet: string;
  /** T0 (milliseconds): every source change stamped before it is on the target. */
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

/** How much earlier than the truth a file's stamp may be (coarse kernel clock, 1–10 ms a tick). */
export const STAMP_SLACK_MS = 50;
/** What a whole-second stamp (an rsync listing, a seconds-only file system) may hide. */
export const SECOND_MS = 1000;

/**
 * The latest a change stamped `mtimeMs` may have happened (exclusive). `wholeSeconds`: the stamp
 * is known only to the second (a listing; or a local stamp whose nanoseconds are all zero, as a
 * seconds-only file system writes). A local stamp merely falling on a whole millisecond-second
 * (1 in 1,000 files) is precise, not coarse. Pure.
 */
export function changeBefore(mtimeMs: number, wholeSeconds: boolean): number {
  return mtimeMs + (wholeSeconds ? SECOND_MS : 1);
}

/**
 * Whether the marker's content could change the verdict of its whole-second mtime: the newest
 * source change may have happened within T0's own second (before that second: in sync anyway;
 * at or after its end, which T0 < mtime + 1 s never reaches: behind anyway). Pure.
 */
export function markerContentDecides(source: TreeSummary, target: TreeSummary): boolean {
  const t0 = target.markerMtimeMs;
  const before = source.changesBeforeMs;
  return (
    t0 !== undefined &&
    target.markerT0Ms === undefined &&
    before !== undefined &&
    before > t0 &&
    before < t0 + SECOND_MS
  );
}

/** T0 with milliseconds from a marker's text, when it is a marker of ours; else undefined. Pure. */
export function markerSyncedThrough(text: string): number | undefined {
  let m: Partial<MirrorMarker>;
  try {
    m = JSON.parse(text) as Partial<MirrorMarker>;
  } catch {
    return undefined;
  }
  if (m === null || typeof m !== 'object' || m.version !== 1) return undefined;
  if (typeof m.syncedThrough !== 'string') return undefined;
  const t0 = Date.parse(m.syncedThrough);
  return Number.isFinite(t0) ? t0 : undefined;
}

/**
 * T0 with milliseconds from the marker's text, when it is a marker of ours and agrees with the
 * marker's mtime (same second); otherwise undefined and the mtime alone counts. Pure.
 */
export function markerT0(text: string, markerMtimeMs: number): number | undefined {
  const t0 = markerSyncedThrough(text);
  return t0 !== undefined && wholeSecond(t0) === markerMtimeMs ? t0 : undefined;
}

/** Pure: the RPO from the two trees' summaries at `nowMs`. */
export function mirrorRpo(
  source: TreeSummary,
  target: TreeSummary,
  nowMs: number,
  toleranceMs = 2000,
): MirrorRpo {
  const marker = target.markerMtimeMs;
  const srcBefore =
    source.changesBeforeMs ??
    (source.newestMtimeMs === undefined ? undefined : changeBefore(source.newestMtimeMs, true));
  if (marker !== undefined) {
    const t0 = target.markerT0Ms ?? marker;
    const inSync = srcBefore === undefined || srcBefore <= t0;
    return {
      basis: 'marker',
      inSync,
      rpoMs: inSync ? 0 : Math.max(0, nowMs - t0),
      syncedThroughMs: t0,
      targetWrittenAfterSync:
        target.newestMtimeMs !== undefined && target.newestMtimeMs > marker + toleranceMs,
    };
  }
  const srcNewest = source.newestMtimeMs;
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
export function addEntry(
  s: TreeSummary,
  e: ListedEntry,
  opts: { rootMtime: boolean; wholeSeconds: boolean },
): void {
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
  const before = changeBefore(e.mtimeMs, opts.wholeSeconds || e.wholeSecond === true);
  if (s.changesBeforeMs === undefined || before > s.changesBeforeMs) s.changesBeforeMs = before;
}

/** Summary of an `rsync -r --list-only` listing (TZ=UTC). */
export function summariseListing(
  lines: Iterable<string>,
  opts: { rootMtime: boolean },
): TreeSummary {
  const s: TreeSummary = { entries: 0 };
  for (const line of lines) {
    const e = parseListLine(line);
    if (e) addEntry(s, e, { ...opts, wholeSeconds: true });
  }
  return s;
}

export function renderMarker(m: MirrorMarker): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** T0 of a sync that started at `startedMs`: every change stamped before it was copied. */
export function syncT0(startedMs: number): number {
  return startedMs - STAMP_SLACK_MS;
}

/** `ms` rounded down to the second: the marker's mtime (rsync lists mtimes in seconds). */
export function wholeSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}
