// Parsers of rsync's output (pure, tested on captured output of rsync 3.2-3.5 run with
// --no-human-readable and LC_ALL=C, so numbers carry no separators beyond optional commas).

export interface TransferProgress {
  bytes: number;
  percent: number;
  /** Bytes per second, as rsync estimates it. */
  rate?: number;
  /** Files transferred so far (xfr#). */
  files?: number;
  /** Files still to check / total files known so far (to-chk= or ir-chk=). */
  toCheck?: number;
  totalFiles?: number;
}

const PROGRESS =
  /^\s*([\d,]+)\s+(\d+)%\s+([\d.]+)([kMGT]?)B\/s\s+\d+:\d\d:\d\d(?:\s+\(xfr#(\d+),\s+(?:to|ir)-chk=(\d+)\/(\d+)\))?/;
const UNIT: Record<string, number> = { '': 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

const num = (s: string) => Number(s.replace(/,/g, ''));

/** One `--info=progress2` line, or undefined for any other line. */
export function parseProgress(line: string): TransferProgress | undefined {
  const m = PROGRESS.exec(line);
  if (!m) return undefined;
  const p: TransferProgress = { bytes: num(m[1] as string), percent: Number(m[2]) };
  p.rate = Math.round(Number(m[3]) * (UNIT[m[4] as string] ?? 1));
  if (m[5] !== undefined) {
    p.files = Number(m[5]);
    p.toCheck = Number(m[6]);
    p.totalFiles = Number(m[7]);
  }
  return p;
}

export interface TransferStats {
  files: number;
  createdFiles: number;
  deletedFiles: number;
  /** Regular files whose data was sent. */
  transferredFiles: number;
  totalSize: number;
  transferredSize: number;
  literalBytes: number;
  matchedBytes: number;
  bytesSent: number;
  bytesReceived: number;
}

const STATS: Record<keyof TransferStats, RegExp> = {
  files: /^Number of files: ([\d,]+)/m,
  createdFiles: /^Number of created files: ([\d,]+)/m,
  deletedFiles: /^Number of deleted files: ([\d,]+)/m,
  transferredFiles: /^Number of regular files transferred: ([\d,]+)/m,
  totalSize: /^Total file size: ([\d,]+)/m,
  transferredSize: /^Total transferred file size: ([\d,]+)/m,
  literalBytes: /^Literal data: ([\d,]+)/m,
  matchedBytes: /^Matched data: ([\d,]+)/m,
  bytesSent: /^Total bytes sent: ([\d,]+)/m,
  bytesReceived: /^Total bytes received: ([\d,]+)/m,
};

/** The `--stats` block; undefined when rsync printed none (it failed before the end). */
export function parseStats(text: string): TransferStats | undefined {
  if (!STATS.files.test(text)) return undefined;
  const out = {} as TransferStats;
  for (const [k, re] of Object.entries(STATS) as [keyof TransferStats, RegExp][]) {
    const m = re.exec(text);
    out[k] = m ? num(m[1] as string) : 0;
  }
  return out;
}

export type ChangeKind = 'create' | 'update' | 'attributes' | 'delete';

export interface ItemChange {
  path: string;
  /** f file, d directory, L symlink, D device, S special. */
  type: 'file' | 'dir' | 'symlink' | 'device' | 'special' | 'unknown';
  change: ChangeKind;
}

const TYPES: Record<string, ItemChange['type']> = {
  f: 'file',
  d: 'dir',
  L: 'symlink',
  D: 'device',
  S: 'special',
};

/** One `--itemize-changes` line (`>f+++++++++ a/b`, `*deleting   a/c`), or undefined. */
export function parseItemize(line: string): ItemChange | undefined {
  const del = /^\*deleting\s+(.+)$/.exec(line);
  if (del) {
    const path = del[1] as string;
    return {
      path: path.replace(/\/$/, ''),
      type: path.endsWith('/') ? 'dir' : 'unknown',
      change: 'delete',
    };
  }
  const m = /^([<>ch.])([fdLDS])([^ ]{9,}) (.+)$/.exec(line);
  if (!m) return undefined;
  const attrs = m[3] as string;
  const change: ChangeKind = /^\++$/.test(attrs)
    ? 'create'
    : m[1] === '.'
      ? 'attributes'
      : 'update';
  const raw = (m[4] as string).replace(/ -> .*$/, '');
  return {
    path: raw === './' ? '.' : raw.replace(/\/$/, ''),
    type: TYPES[m[2] as string] ?? 'unknown',
    change,
  };
}

export interface ListedEntry {
  path: string;
  dir: boolean;
  size: number;
  /** Modification time in ms since the epoch (rsync prints whole seconds; TZ=UTC). */
  mtimeMs: number;
  /** The stamp is known only to the second (a local stamp with no sub-second part at all). */
  wholeSecond?: boolean;
}

const LIST =
  /^([dlcbsp-])[rwxsStT-]{9}\s+([\d,]+)\s+(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) (.+)$/;

/** One line of `rsync -r --list-only` run with TZ=UTC, or undefined. */
export function parseListLine(line: string): ListedEntry | undefined {
  const m = LIST.exec(line);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(3, 9).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const name = (m[9] as string).replace(m[1] === 'l' ? / -> .*$/ : /$^/, '');
  return {
    path: name,
    dir: m[1] === 'd',
    size: num(m[2] as string),
    mtimeMs: Date.UTC(y, mo - 1, d, h, mi, s),
  };
}
