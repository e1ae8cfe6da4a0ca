// Journal append benchmark: 1,000 fsync'd appends through the SQLite state store (fencing check,
// next seq, JSON check, INSERT, COMMIT) against the named baseline, 1,000 bare better-sqlite3
// INSERTs of the same row into the same table shape with the same pragmas (WAL,
// synchronous=FULL), each its own commit. Interleaved in blocks of 100 so that drift of the disk
// hits both. Prints median, p99, mean and max per append, and a bare write+fdatasync of the same
// size as the floor the disk sets. Target: store median ≤ baseline median + max(25 %, 0.3 ms).
// Run: npx tsx bench/store/run.ts [--dir DIR]   (DIR on the disk to measure; not tmpfs)
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/index.js';

const N = 1_000;
const BLOCK = 100;
const WARMUP = 50;

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

function stats(xs: readonly number[]) {
  return {
    median: quantile(xs, 0.5),
    p99: quantile(xs, 0.99),
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    max: Math.max(...xs),
  };
}

/** The file system type of the longest mount point holding `path` (tmpfs makes fsync free). */
function fsType(path: string): string {
  let best = { mount: '', type: 'unknown' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, mount, type] = line.split(' ');
    if (mount && type && path.startsWith(mount) && mount.length >= best.mount.length) {
      best = { mount, type };
    }
  }
  return `${best.type} (${best.mount})`;
}

const dirArg = process.argv.indexOf('--dir');
const base = resolve(
  dirArg > 0 ? (process.argv[dirArg + 1] as string) : join('.lifeboat', 'bench'),
);
const dir = join(base, `store-${process.pid}`);
mkdirSync(dir, { recursive: true });

// A realistic entry: the effect of a command step.
const data = {
  argv: ['pg_ctl', 'promote', '-D', '/var/lib/postgresql/16/main'],
  exitCode: 0,
  durationMs: 412,
  stderrTail: 'waiting for server to promote.... done\nserver promoted\n'.repeat(3),
};
const dataText = JSON.stringify(data);

// Baseline: the same table, the same pragmas, one prepared INSERT per commit, nothing else.
const raw = new Database(join(dir, 'baseline.db'));
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = FULL');
raw.pragma('busy_timeout = 5000');
raw.exec(`CREATE TABLE journal (run_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  step_id TEXT, phase TEXT NOT NULL, token INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)) STRICT, WITHOUT ROWID`);
const sqliteVersion = raw.prepare('SELECT sqlite_version()').pluck().get() as string;
const insert = raw.prepare('INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?)');
let rawSeq = 0;
const baselineOnce = () => {
  insert.run('run-1', ++rawSeq, Date.now(), 'promote', 'effect', 1, dataText);
};

const store = openSqliteStore(join(dir, 'state.db'));
const run = await store.runs.create({
  service: 'db',
  runbook: 'failover',
  planHash: 'p',
  paramsHash: 'q',
});
const lease = await store.leases.acquire('service/db', 'bench', 600_000);
if (!lease) throw new Error('could not take the lease');
const storeOnce = () =>
  store.journal.append(run.id, { stepId: 'promote', phase: 'effect', data }, lease.token);

// The disk's floor: write the same bytes and fdatasync, as a commit must at least.
const floorFd = openSync(join(dir, 'floor.bin'), 'w');
const floorOnce = () => {
  writeSync(floorFd, dataText);
  fdatasyncSync(floorFd);
};

for (let i = 0; i < WARMUP; i++) {
  baselineOnce();
  await storeOnce();
  floorOnce();
}
const times = { store: [] as number[], baseline: [] as number[], floor: [] as number[] };
/** This process's CPU time per operation (ms): the steadier figure on a shared, noisy disk. */
const cpu = { store: 0, baseline: 0 };
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
for (let done = 0; done < N; done += BLOCK) {
  let c = process.cpuUsage();
  for (let i = 0; i < BLOCK; i++) {
    const t = performance.now();
    baselineOnce();
    times.baseline.push(performance.now() - t);
  }
  cpu.baseline += cpuMs(process.cpuUsage(c));
  c = process.cpuUsage();
  for (let i = 0; i < BLOCK; i++) {
    const t = performance.now();
    await storeOnce();
    times.store.push(performance.now() - t);
  }
  cpu.store += cpuMs(process.cpuUsage(c));
  for (let i = 0; i < BLOCK / 10; i++) {
    const t = performance.now();
    floorOnce();
    times.floor.push(performance.now() - t);
  }
}
closeSync(floorFd);
const appended = (await store.journal.read(run.id)).length;
await store.close();
raw.close();
rmSync(dir, { recursive: true, force: true });

const s = stats(times.store);
const b = stats(times.baseline);
const f = stats(times.floor);
const ms = (x: number) => x.toFixed(3).padStart(8);
const line = (name: string, x: ReturnType<typeof stats>, n: number) =>
  `| ${name.padEnd(46)} | ${String(n).padStart(5)} | ${ms(x.median)} | ${ms(x.p99)} | ${ms(x.mean)} | ${ms(x.max)} |`;
const allowed = Math.max(b.median * 0.25, 0.3);
const pass = s.median - b.median <= allowed && appended === N + WARMUP;
const out = [
  `journal append, fsync'd: ${N} each, interleaved in blocks of ${BLOCK} after ${WARMUP} warm-up`,
  `dir ${base} on ${fsType(base)}; SQLite ${sqliteVersion}; Node ${process.version}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  '',
  `| ${'operation (ms per append)'.padEnd(46)} |     n |   median |      p99 |     mean |      max |`,
  `| ${'-'.repeat(46)} | ----: | -------: | -------: | -------: | -------: |`,
  line('store: journal.append (fenced, gapless, FULL)', s, times.store.length),
  line('baseline: bare INSERT, same pragmas', b, times.baseline.length),
  line('floor: write + fdatasync of the same bytes', f, times.floor.length),
  '',
  `CPU per append: store ${(cpu.store / N).toFixed(3)} ms, baseline ${(cpu.baseline / N).toFixed(3)} ms`,
  `overhead of the store (medians): ${(s.median - b.median).toFixed(3)} ms (${((100 * (s.median - b.median)) / b.median).toFixed(0)} %); allowed ${allowed.toFixed(3)} ms`,
  `${pass ? 'PASS' : 'FAIL'}${appended === N + WARMUP ? '' : ` (the journal holds ${appended} entries, not ${N + WARMUP})`}`,
];
process.stdout.write(`${out.join('\n')}\n`);
if (!pass) process.exitCode = 1;
