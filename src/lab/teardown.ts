// `down`: leaves no process, namespace, veth or directory of the lab behind, even after a
// crashed test or a half-done `up`. Recorded servers get an orderly stop first; then whatever
// still lives in the lab's namespaces, or names a path in the lab directory, is killed (with
// its start time checked at the moment of the kill); then namespaces and directory go.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LifeboatError } from '../core/errors/index.js';
import { run } from './exec.js';
import { existingNamespaces, namespaceInode, netDown } from './netns.js';
import type { LabPaths } from './paths.js';
import {
  isLeftover,
  listProcesses,
  liveState,
  type PidRecord,
  readPidFile,
  selfAndAncestors,
  signalRecorded,
} from './processes.js';
import { PLACES, type Place, SERVERS } from './topology.js';

export interface DownReport {
  /** Servers stopped, with the ms each took to exit after its stop signal. */
  stopped: Record<string, number>;
  killedLeftovers: { pid: number; comm: string }[];
  namespacesRemoved: string[];
  sharedMemoryRemoved: number;
  dirRemoved: boolean;
  /** ms per step: stop, leftovers, namespaces, directory. */
  phases: Record<string, number>;
  ms: number;
}

const STOP_GRACE_MS = 8000;
const POLL_MS = 50;

interface Tracked {
  name: string;
  rec: PidRecord;
  /** ms from the stop signal until the process was gone. */
  ms?: number;
}

async function waitGone(tracked: Tracked[], timeoutMs: number, t0: number): Promise<Tracked[]> {
  const deadline = performance.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / POLL_MS) + 1; i++) {
    for (const t of tracked) {
      if (t.ms === undefined && liveState(t.rec) === 'down')
        t.ms = Math.round(performance.now() - t0);
    }
    const alive = tracked.filter((t) => t.ms === undefined);
    if (alive.length === 0 || performance.now() > deadline) return alive;
    await sleep(POLL_MS);
  }
  return tracked.filter((t) => t.ms === undefined);
}

/** SIGCONT too: a paused (SIGSTOPped) server would never act on its stop signal. */
async function stopRecorded(paths: LabPaths): Promise<Record<string, number>> {
  const names = existsSync(paths.run)
    ? readdirSync(paths.run)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => f.slice(0, -4))
    : [];
  const tracked: Tracked[] = [];
  const t0 = performance.now();
  for (const name of names) {
    const rec = readPidFile(paths.pidFile(name));
    if (!rec || liveState(rec) === 'down') continue;
    const sig = SERVERS.find((s) => s.name === name)?.stopSignal ?? 'SIGTERM';
    try {
      signalRecorded(rec, sig, name);
      signalRecorded(rec, 'SIGCONT', name);
      tracked.push({ name, rec });
    } catch {
      // PID reused by another process: not ours to stop
    }
  }
  for (const t of await waitGone(tracked, STOP_GRACE_MS, t0)) {
    try {
      signalRecorded(t.rec, 'SIGKILL', 'stop');
    } catch {
      // exited (and reused) between our checks
    }
  }
  await waitGone(tracked, 3000, t0);
  return Object.fromEntries(tracked.map((t) => [t.name, t.ms ?? -1]));
}

function labInodes(ns: Readonly<Record<Place, string>>): Set<number> {
  const out = new Set<number>();
  for (const p of PLACES) {
    const ino = namespaceInode(ns[p]);
    if (ino !== undefined) out.add(ino);
  }
  return out;
}

async function killLeftovers(
  ns: Readonly<Record<Place, string>>,
  dir: string,
): Promise<{ pid: number; comm: string }[]> {
  const killed: { pid: number; comm: string }[] = [];
  const exclude = selfAndAncestors();
  // A killed parent can leave a child that a later scan finds: a few rounds, bounded.
  for (let round = 0; round < 5; round++) {
    const query = { netnsInodes: labInodes(ns), dir, exclude };
    const found = listProcesses().filter((p) => isLeftover(p, query));
    if (found.length === 0) break;
    const recs: Tracked[] = [];
    for (const p of found) {
      const rec = { pid: p.pid, startTime: p.startTime };
      try {
        if (signalRecorded(rec, 'SIGKILL', p.comm)) {
          killed.push({ pid: p.pid, comm: p.comm });
          recs.push({ name: p.comm, rec });
        }
      } catch {
        // reused between scan and kill: not ours
      }
    }
    await waitGone(recs, 3000, performance.now());
  }
  return killed;
}

/**
 * PostgreSQL keeps a small System V segment; a SIGKILLed postmaster leaves it behind. Remove
 * segments nobody is attached to that a lab process created.
 */
async function removeOrphanShm(creators: ReadonlySet<number>): Promise<number> {
  let text = '';
  try {
    text = readFileSync('/proc/sysvipc/shm', 'utf8');
  } catch {
    return 0;
  }
  let removed = 0;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // key shmid perms size cpid lpid nattch ...
    const [shmid, cpid, nattch] = [f[1], Number(f[4]), Number(f[6])];
    if (!shmid || nattch !== 0 || !creators.has(cpid)) continue;
    const r = await run(['ipcrm', '-m', shmid], { timeoutMs: 5000 });
    if (r.code === 0) removed++;
  }
  return removed;
}

function recordedPids(paths: LabPaths): Set<number> {
  const out = new Set<number>();
  if (!existsSync(paths.run)) return out;
  for (const f of readdirSync(paths.run)) {
    const rec = readPidFile(`${paths.run}/${f}`);
    if (rec) out.add(rec.pid);
  }
  return out;
}

export async function teardown(
  ns: Readonly<Record<Place, string>>,
  paths: LabPaths,
): Promise<DownReport> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let mark = t0;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  const creators = recordedPids(paths);
  const stopped = await stopRecorded(paths);
  phase('stop');
  const killedLeftovers = await killLeftovers(ns, paths.dir);
  for (const k of killedLeftovers) creators.add(k.pid);
  const sharedMemoryRemoved = await removeOrphanShm(creators);
  phase('leftovers');
  const before = existingNamespaces();
  const failedNs = await netDown(ns);
  const namespacesRemoved = PLACES.map((p) => ns[p]).filter(
    (n) => before.has(n) && !failedNs.includes(n),
  );
  phase('namespaces');
  let dirRemoved = false;
  if (existsSync(paths.dir)) {
    rmSync(paths.dir, { recursive: true, force: true, maxRetries: 3 });
    dirRemoved = !existsSync(paths.dir);
  }
  phase('directory');
  const left = [
    ...failedNs.map((n) => `namespace ${n}`),
    ...(existsSync(paths.dir) ? [`directory ${paths.dir}`] : []),
  ];
  if (left.length > 0) {
    throw new LifeboatError('LB_E_LAB_TEARDOWN', `left behind: ${left.join(', ')}`);
  }
  return {
    stopped,
    killedLeftovers,
    namespacesRemoved,
    sharedMemoryRemoved,
    dirRemoved,
    phases,
    ms: Math.round(performance.now() - t0),
  };
}
