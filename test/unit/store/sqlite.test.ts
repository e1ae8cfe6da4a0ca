// What the SQLite store promises beyond the shared contract: a private file in a known place,
// WAL with a fsync per commit, versioned migrations that refuse a newer file, read-only opening
// for commands that only look, coded errors when the file is locked, foreign or closed.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStatePath, openSqliteStore, SCHEMA_VERSION } from '../../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `case-${++n}`, 'state.db');
const mode = (path: string) => statSync(path).mode & 0o777;

describe('the SQLite state file', () => {
  it('is ./.lifeboat/state.db unless --state or $LIFEBOAT_STATE says otherwise', () => {
    expect(defaultStatePath({}, '/srv/ops')).toBe('/srv/ops/.lifeboat/state.db');
    expect(defaultStatePath({ LIFEBOAT_STATE: 'x/s.db' }, '/srv/ops')).toBe('/srv/ops/x/s.db');
    expect(defaultStatePath({ LIFEBOAT_STATE: '/var/lib/lb.db' }, '/srv')).toBe('/var/lib/lb.db');
  });

  it('is created 0600 in a 0700 directory, its WAL and shared memory too', async () => {
    const path = fresh();
    const store = openSqliteStore(path);
    await store.audit.append({ actor: 'a', action: 'x' });
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    expect(mode(join(path, '..'))).toBe(0o700);
    await store.close();
  });

  it('runs in WAL mode with synchronous=FULL and a busy timeout, at the latest schema', async () => {
    const store = openSqliteStore(fresh(), { busyTimeoutMs: 1234 });
    expect(store.info()).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      journalMode: 'wal',
      synchronous: 'FULL',
      busyTimeoutMs: 1234,
      readOnly: false,
    });
    await store.close();
    await store.close(); // idempotent
    await expect(store.audit.head()).rejects.toMatchObject({ code: 'LB_E_STORE_INVALID' });
  });

  it('keeps its data and schema across reopening; migrating again changes nothing', async () => {
    const path = fresh();
    const a = openSqliteStore(path);
    const run = await a.runs.create({ service: 's', runbook: 'r', planHash: 'p', paramsHash: 'q' });
    await a.close();
    const b = openSqliteStore(path);
    expect(await b.runs.get(run.id)).toEqual(run);
    expect(b.info().schemaVersion).toBe(SCHEMA_VERSION);
    await b.close();
  });

  it('refuses a file from a newer Lifeboat, and files that are not Lifeboat state', async () => {
    const newer = fresh();
    await openSqliteStore(newer).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openSqliteStore(newer)).toThrow(
      expect.objectContaining({ code: 'LB_E_STORE_SCHEMA_NEWER' }),
    );
    expect(() => openSqliteStore(newer, { readOnly: true })).toThrow(
      expect.objectContaining({ code: 'LB_E_STORE_SCHEMA_NEWER' }),
    );

    const foreign = join(dir, 'foreign.db');
    const other = new Database(foreign);
    other.exec('CREATE TABLE customers (id INTEGER)');
    other.close();
    expect(() => openSqliteStore(foreign)).toThrow(
      expect.objectContaining({ code: 'LB_E_STORE_OPEN' }),
    );

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, just some text that is long enough'.repeat(20));
    expect(() => openSqliteStore(text)).toThrow(
      expect.objectContaining({ code: 'LB_E_STORE_OPEN' }),
    );
    expect(readFileSync(text, 'utf8')).toMatch(/^not a database/);
  });

  it('opens read-only without creating or changing anything', async () => {
    const missing = fresh();
    expect(() => openSqliteStore(missing, { readOnly: true })).toThrow(
      expect.objectContaining({
        code: 'LB_E_STORE_OPEN',
        message: expect.stringContaining('no state file'),
      }),
    );
    expect(() => statSync(missing)).toThrow();
    expect(() => openSqliteStore(missing, { create: false })).toThrow(
      expect.objectContaining({ code: 'LB_E_STORE_OPEN' }),
    );

    const path = fresh();
    const writer = openSqliteStore(path);
    await writer.audit.append({ actor: 'a', action: 'x' });
    const reader = openSqliteStore(path, { readOnly: true });
    expect(reader.info().readOnly).toBe(true);
    expect((await reader.audit.verify()).ok).toBe(true);
    await expect(reader.audit.append({ actor: 'a', action: 'y' })).rejects.toMatchObject({
      code: 'LB_E_STORE_IO',
    });
    // The reader sees what the writer commits after it opened.
    await writer.audit.append({ actor: 'a', action: 'z' });
    expect((await reader.audit.head()).count).toBe(2);
    await reader.close();
    await writer.close();
  });

  it('says LB_E_STORE_BUSY (retryable) when another process keeps the file locked', async () => {
    const path = fresh();
    const store = openSqliteStore(path, { busyTimeoutMs: 100 });
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const t = Date.now();
    await expect(store.audit.append({ actor: 'a', action: 'x' })).rejects.toMatchObject({
      code: 'LB_E_STORE_BUSY',
      retryable: true,
    });
    expect(Date.now() - t).toBeGreaterThanOrEqual(90);
    holder.exec('ROLLBACK');
    holder.close();
    expect((await store.audit.append({ actor: 'a', action: 'x' })).seq).toBe(1);
    await store.close();
  });

  it('refuses UPDATE and DELETE on the journal and the audit log, even by hand', async () => {
    const path = fresh();
    const store = openSqliteStore(path);
    const run = await store.runs.create({
      service: 's',
      runbook: 'r',
      planHash: 'p',
      paramsHash: 'q',
    });
    const lease = await store.leases.acquire('service/s', 'o', 60_000);
    await store.journal.append(run.id, { stepId: null, phase: 'note' }, lease?.token ?? 0);
    await store.audit.append({ actor: 'a', action: 'x' });
    const raw = new Database(path);
    expect(() => raw.exec("UPDATE journal SET data = '1'")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM journal')).toThrow(/append-only/);
    expect(() => raw.exec("UPDATE audit SET actor = 'b'")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM audit')).toThrow(/append-only/);
    raw.close();
    await store.close();
  });

  it('expires leases by its clock: live until expiresAt, free from then on', async () => {
    let now = 1_000_000;
    const store = openSqliteStore(fresh(), { now: () => now });
    const a = await store.leases.acquire('k', 'a', 1_000);
    expect(a?.expiresAt).toBe(1_001_000);
    now = 1_000_999;
    expect(await store.leases.acquire('k', 'b', 1_000)).toBeUndefined();
    if (a) expect((await store.leases.renew(a)).expiresAt).toBe(1_001_999);
    now = 1_001_999;
    const b = await store.leases.acquire('k', 'b', 1_000);
    expect(b?.token).toBe(2);
    await store.close();
  });
});

describe('an audit entry edited by hand into something that is not JSON', () => {
  it('verifies as edited, not as an I/O error', async () => {
    const path = fresh();
    const store = openSqliteStore(path);
    for (let i = 0; i < 3; i++) await store.audit.append({ actor: 'a', action: 'x', data: { i } });
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.exec("UPDATE audit SET data = '{broken' WHERE seq = 2");
    raw.close();
    expect(await store.audit.verify()).toMatchObject({
      ok: false,
      broken: { seq: 2, reason: 'edited' },
    });
    await store.close();
  });
});
