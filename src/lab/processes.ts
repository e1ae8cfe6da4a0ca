// PID bookkeeping. A PID alone names nothing for long: PIDs are reused and other tenants'
// servers share the PID space. We record PID + start time (field 22 of /proc/PID/stat) and
// signal only a process whose start time still matches.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';

export interface PidRecord {
  pid: number;
  /** Clock ticks since boot at which the process started. */
  startTime: number;
}

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, T (stopped), t, Z (zombie), X, I ... */
  state: string;
  ppid: number;
  pgrp: number;
  startTime: number;
}

/** Parses /proc/PID/stat; comm may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || !Number.isFinite(startTime)) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    startTime,
  };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function formatPidFile(r: PidRecord): string {
  return `${r.pid} ${r.startTime}\n`;
}

export function parsePidFile(text: string): PidRecord | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  return { pid: Number(m[1]), startTime: Number(m[2]) };
}

export function readPidFile(path: string): PidRecord | undefined {
  try {
    return parsePidFile(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writePidFile(path: string, r: PidRecord): void {
  try {
    writeFileSync(path, formatPidFile(r), { mode: 0o644 });
  } catch (e) {
    throw new LifeboatError('LB_E_LAB_STATE', `cannot write pid file ${path}`, { cause: e });
  }
}

export type LiveState = 'running' | 'paused' | 'down';

/** What a stat says of a recorded process: gone, reused PID and zombie all count as down. */
export function liveStateOf(r: PidRecord, stat: ProcStat | undefined): LiveState {
  if (!stat || stat.startTime !== r.startTime) return 'down';
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return 'down';
  if (stat.state === 'T' || stat.state === 't') return 'paused';
  return 'running';
}

export function liveState(r: PidRecord | undefined): LiveState {
  return r ? liveStateOf(r, readStat(r.pid)) : 'down';
}

export function recordOf(pid: number): PidRecord | undefined {
  const s = readStat(pid);
  return s ? { pid, startTime: s.startTime } : undefined;
}

/**
 * Signals a recorded process, and its whole process group when it leads one (every lab daemon
 * is started with setsid, so its workers and backends go with it). Returns false when the
 * process is gone; throws LB_E_LAB_PID_MISMATCH when the PID now belongs to someone else.
 */
export function signalRecorded(r: PidRecord, signal: NodeJS.Signals, what: string): boolean {
  const stat = readStat(r.pid);
  if (!stat || stat.state === 'Z') return false;
  if (stat.startTime !== r.startTime) {
    throw new LifeboatError(
      'LB_E_LAB_PID_MISMATCH',
      `${what}: PID ${r.pid} started at ${stat.startTime}, not ${r.startTime}: not signalled`,
    );
  }
  try {
    process.kill(stat.pgrp === r.pid ? -r.pid : r.pid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

export interface ProcInfo extends ProcStat {
  /** `net:[inode]` link of /proc/PID/ns/net, as an inode number. */
  netns: number | undefined;
  cmdline: string;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export function listProcesses(limit = 1_000_000): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc').slice(0, limit)) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const ns = safe(() => readlinkSync(`/proc/${name}/ns/net`));
    out.push({
      ...stat,
      netns: ns ? Number(/\[(\d+)\]/.exec(ns)?.[1]) : undefined,
      cmdline: safe(() => readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ')) ?? '',
    });
  }
  return out;
}

export interface LeftoverQuery {
  /** Inodes of the lab's network namespaces: anything living in them is the lab's. */
  netnsInodes: ReadonlySet<number>;
  /** The lab directory: a process naming a path inside it is the lab's (initdb, a client...). */
  dir: string;
  /** Never these (ourselves and our ancestors: the command line of `down` may name the dir). */
  exclude: ReadonlySet<number>;
}

export function isLeftover(p: ProcInfo, q: LeftoverQuery): boolean {
  if (q.exclude.has(p.pid) || p.pid <= 1 || p.ppid === 2 || p.pid === 2) return false;
  if (p.state === 'Z') return false;
  if (p.netns !== undefined && q.netnsInodes.has(p.netns)) return true;
  // Not by working directory: that would end an operator's shell that is `cd`'d into the lab.
  return p.cmdline.includes(`${q.dir}/`);
}

/** Our PID and our ancestors'. */
export function selfAndAncestors(maxDepth = 64): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  for (let i = 0; i < maxDepth && pid > 1; i++) {
    out.add(pid);
    const s = readStat(pid);
    if (!s) break;
    pid = s.ppid;
  }
  return out;
}
