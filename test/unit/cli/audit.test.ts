// `lifeboat audit` as an operator runs it after an incident: verify says intact (exit 0) and
// prints the head to record, or names the first broken entry (exit 1); show prints the log.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { runCli } from '../../../src/cli/program.js';
import { openSqliteStore } from '../../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-audit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A state file whose audit log holds a small incident: a run, an approval, the end. */
async function stateWithLog(): Promise<string> {
  const path = join(dir, `state-${++n}.db`);
  const store = openSqliteStore(path);
  const t = Date.UTC(2025, 10, 21, 9, 30, 0);
  await store.audit.append({
    actor: 'lifeboat@ops-1',
    action: 'run.start',
    subject: 'run-7',
    data: { runbook: 'failover', service: 'dlrn-db' },
    at: t,
  });
  await store.audit.append({
    actor: 'alice',
    action: 'approval.record',
    subject: 'run-7',
    data: { step: 'promote', role: 'dba' },
    at: t + 60_000,
  });
  await store.audit.append({
    actor: 'lifeboat@ops-1',
    action: 'run.end',
    subject: 'run-7',
    data: { state: 'succeeded', note: 'x'.repeat(80) },
    at: t + 120_000,
  });
  await store.close();
  return path;
}

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(COMMANDS, ['audit', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('lifeboat audit verify', () => {
  it('exits 0 on an intact log and prints the head to record; --anchor checks it later', async () => {
    const path = await stateWithLog();
    const before = statSync(path).mtimeMs;
    const r = await cli('verify', '--state', path);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${path}: audit log intact, 3 entries`);
    const head = /^head (3:[0-9a-f]{64})$/m.exec(r.out)?.[1];
    expect(head).toBeDefined();
    expect(statSync(path).mtimeMs).toBe(before); // read-only: evidence untouched

    const again = await cli('verify', '--state', path, '--anchor', head as string);
    expect(again.code).toBe(0);
    expect(again.out).toContain('anchor found');
    const wrong = await cli('verify', '--state', path, '--anchor', `2:${'0'.repeat(64)}`);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('broken at entry 2 (anchor)');
    expect((await cli('verify', '--state', path, '--anchor', 'yesterday')).code).toBe(2);
  });

  it('exits 1 and names the first broken entry when one was edited', async () => {
    const path = await stateWithLog();
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.exec(`UPDATE audit SET actor = 'mallory' WHERE seq = 2`);
    raw.close();
    const r = await cli('verify', '--state', path);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'LB_E_STORE_AUDIT_BROKEN audit log broken at entry 2 (edited): entry 2 does not match its hash',
    );
    expect(r.out).toContain('entries 1 to 1 verify');

    const j = await cli('verify', '--state', path, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({
      ok: false,
      state: path,
      count: 1,
      recorded: { seq: 3 },
      broken: { code: 'LB_E_STORE_AUDIT_BROKEN', seq: 2, reason: 'edited' },
    });
  });

  it('--json on an intact log: ok, count and the head', async () => {
    const path = await stateWithLog();
    const r = await cli('verify', '--json', '--state', path);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    expect(v).toMatchObject({ ok: true, count: 3, head: { seq: 3 }, broken: null });
    expect(v.head.anchor).toBe(`3:${v.head.hash}`);
    expect(v.recorded).toEqual({ seq: 3, hash: v.head.hash });
  });

  it('exits 2 without creating anything when there is no state file', async () => {
    const path = join(dir, 'none', 'state.db');
    const r = await cli('verify', '--state', path);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`LB_E_STORE_OPEN no state file at ${path}`);
    expect(() => statSync(join(dir, 'none'))).toThrow();
  });

  it('uses $LIFEBOAT_STATE when --state is not given', async () => {
    const path = await stateWithLog();
    const saved = process.env.LIFEBOAT_STATE;
    process.env.LIFEBOAT_STATE = path;
    try {
      expect((await cli('verify')).out).toContain(`${path}: audit log intact`);
    } finally {
      if (saved === undefined) delete process.env.LIFEBOAT_STATE;
      else process.env.LIFEBOAT_STATE = saved;
    }
  });
});

describe('lifeboat audit show', () => {
  it('prints one line per entry, times in UTC, long data cut', async () => {
    const path = await stateWithLog();
    const r = await cli('show', '--state', path);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^SEQ {2}TIME \(UTC\) +ACTOR +ACTION +SUBJECT {2}DATA$/);
    expect(lines[1]).toMatch(
      /^ {2}1 {2}2025-11-21T09:30:00\.000Z {2}lifeboat@ops-1 {2}run\.start +run-7 {4}\{"runbook":"failover","service":"dlrn-db"\}$/,
    );
    expect(lines[2]).toContain('alice');
    expect(lines[3]).toMatch(/…$/);
    expect(lines[4]).toBe('3 entries; `lifeboat audit verify` checks them');

    const last = await cli('show', '--state', path, '--limit', '1');
    expect(last.out).toContain('1 of 3 entries');
    expect(last.out).not.toContain('alice');
    expect((await cli('show', '--state', path, '--limit', 'all')).code).toBe(2);
  });

  it('--json gives the entries whole, with their hashes, and the head', async () => {
    const path = await stateWithLog();
    const r = await cli('show', '--state', path, '--json');
    const v = JSON.parse(r.out);
    expect(v.state).toBe(path);
    expect(v.entries).toHaveLength(3);
    expect(v.entries[2]).toMatchObject({
      seq: 3,
      action: 'run.end',
      data: { note: 'x'.repeat(80) },
    });
    expect(v.head).toEqual({ seq: 3, hash: v.entries[2].hash });
  });

  it('says so when the log is empty', async () => {
    const path = join(dir, 'empty.db');
    await openSqliteStore(path).close();
    const r = await cli('show', '--state', path);
    expect(r.out).toBe(`${path}: the audit log is empty\n`);
    expect((await cli('verify', '--state', path)).out).toContain('intact, 0 entries');
  });
});
