// PID bookkeeping: a PID is trusted only with its start time; leftovers are found by namespace
// and lab directory, never by name.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatPidFile,
  isLeftover,
  liveState,
  liveStateOf,
  type ProcInfo,
  parsePidFile,
  parseStat,
  readPidFile,
  readStat,
  recordOf,
  selfAndAncestors,
  signalRecorded,
  writePidFile,
} from '../../../src/lab/processes.js';
import { acquireLock } from '../../../src/lab/state.js';

const STAT =
  '4242 (postgres: a: wal (sender)) S 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 123 45 18446744073709551615';

describe('/proc/PID/stat', () => {
  it('parses fields after a comm holding spaces and parentheses', () => {
    expect(parseStat(STAT)).toEqual({
      pid: 4242,
      comm: 'postgres: a: wal (sender)',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      startTime: 987654,
    });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('reads our own process', () => {
    const s = readStat(process.pid);
    expect(s?.pid).toBe(process.pid);
    expect(s?.startTime).toBeGreaterThan(0);
  });
});

describe('pid files', () => {
  it('round-trips PID and start time', () => {
    expect(parsePidFile(formatPidFile({ pid: 12, startTime: 345 }))).toEqual({
      pid: 12,
      startTime: 345,
    });
    expect(parsePidFile('12')).toBeUndefined();
    expect(parsePidFile('')).toBeUndefined();
  });

  it('says down for a gone process, a reused PID and a zombie; paused for a stopped one', () => {
    const base = parseStat(STAT)!;
    const rec = { pid: 4242, startTime: 987654 };
    expect(liveStateOf(rec, base)).toBe('running');
    expect(liveStateOf(rec, undefined)).toBe('down');
    expect(liveStateOf(rec, { ...base, startTime: 1 })).toBe('down');
    expect(liveStateOf(rec, { ...base, state: 'Z' })).toBe('down');
    expect(liveStateOf(rec, { ...base, state: 'T' })).toBe('paused');
  });

  it('never signals a PID whose start time differs', () => {
    const me = recordOf(process.pid)!;
    expect(liveState(me)).toBe('running');
    expect(() =>
      signalRecorded({ pid: me.pid, startTime: me.startTime + 1 }, 'SIGTERM', 'x'),
    ).toThrow(expect.objectContaining({ code: 'LB_E_LAB_PID_MISMATCH' }));
    expect(signalRecorded({ pid: 2 ** 22 + 7, startTime: 1 }, 'SIGTERM', 'gone')).toBe(false);
  });
});

describe('leftovers', () => {
  const proc = (p: Partial<ProcInfo>): ProcInfo => ({
    pid: 500,
    comm: 'x',
    state: 'S',
    ppid: 1,
    pgrp: 500,
    startTime: 1,
    netns: 1000,
    cmdline: '',
    ...p,
  });
  const q = {
    netnsInodes: new Set([4001, 4002]),
    dir: '/tmp/lifeboat-lab/t1',
    exclude: new Set([77]),
  };

  it('finds processes living in a lab namespace', () => {
    expect(isLeftover(proc({ netns: 4001 }), q)).toBe(true);
    expect(isLeftover(proc({ netns: 1000 }), q)).toBe(false);
  });

  it('finds processes naming a path inside the lab directory, not the directory alone', () => {
    expect(
      isLeftover(proc({ cmdline: 'initdb -D /tmp/lifeboat-lab/t1/postgres/a/data ' }), q),
    ).toBe(true);
    expect(isLeftover(proc({ cmdline: 'lifeboat lab down --dir /tmp/lifeboat-lab/t1 ' }), q)).toBe(
      false,
    );
    expect(isLeftover(proc({ cmdline: 'less /tmp/lifeboat-lab/t10/logs/x.log' }), q)).toBe(false);
  });

  it('spares ourselves, our ancestors, zombies, init and kernel threads', () => {
    expect(isLeftover(proc({ pid: 77, netns: 4001 }), q)).toBe(false);
    expect(isLeftover(proc({ state: 'Z', netns: 4001 }), q)).toBe(false);
    expect(isLeftover(proc({ pid: 1, netns: 4001 }), q)).toBe(false);
    expect(isLeftover(proc({ ppid: 2, netns: 4001 }), q)).toBe(false);
    expect(selfAndAncestors().has(process.pid)).toBe(true);
    expect(selfAndAncestors().has(process.ppid)).toBe(true);
  });
});

describe('the lab lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken, refused while held by a live process, and released', () => {
    const path = join(dir, 'lock');
    const release = acquireLock(path);
    expect(readPidFile(path)?.pid).toBe(process.pid);
    // A lock held by another live process (our parent) is an error, not a wait.
    writePidFile(`${path}2`, recordOf(process.ppid)!);
    expect(() => acquireLock(`${path}2`)).toThrow(
      expect.objectContaining({ code: 'LB_E_LAB_LOCKED' }),
    );
    release();
    expect(() => readFileSync(path)).toThrow();
  });

  it('takes over a lock whose holder is gone (a crashed `up`)', () => {
    const path = join(dir, 'stale');
    writeFileSync(path, formatPidFile({ pid: process.pid, startTime: 1 }));
    const release = acquireLock(path);
    expect(readPidFile(path)).toEqual(recordOf(process.pid));
    release();
  });
});
