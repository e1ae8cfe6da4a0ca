// The SQLite store as a conformance subject: a fresh file per test, opened in this process or in
// child processes (they import `openStore` from here), and tampered with through a raw connection,
// the way someone with write access to the file would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, type StateStore } from '../../../src/store/index.js';
import type { AuditTamper, StoreSubject } from '../../conformance/store-suite.js';

export async function openStore(location: string): Promise<StateStore> {
  return openSqliteStore(location);
}

/** Runs `fn` on a raw connection with the append-only triggers out of the way, then restores them. */
function raw(location: string, fn: (db: Database.Database) => void): void {
  const db = new Database(location, { fileMustExist: true });
  try {
    const triggers = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit'")
      .all() as { name: string; sql: string }[];
    db.transaction(() => {
      for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
      fn(db);
      for (const t of triggers) db.exec(t.sql);
    }).immediate();
  } finally {
    db.close();
  }
}

function lastSeq(db: Database.Database): number {
  return (db.prepare('SELECT max(seq) AS n FROM audit').get() as { n: number }).n;
}

export const sqliteTamper: AuditTamper = {
  async edit(location, seq) {
    raw(location, (db) => {
      db.prepare(`UPDATE audit SET data = '{"i":99}' WHERE seq = ?`).run(seq);
    });
  },
  async remove(location, seq) {
    raw(location, (db) => {
      db.prepare('DELETE FROM audit WHERE seq = ?').run(seq);
    });
  },
  async swap(location, a, b) {
    raw(location, (db) => {
      const cols = 'at, actor, action, subject, data, prev_hash, hash';
      const get = db.prepare(`SELECT ${cols} FROM audit WHERE seq = ?`);
      const ra = get.get(a) as Record<string, unknown>;
      const rb = get.get(b) as Record<string, unknown>;
      const put = db.prepare(
        'UPDATE audit SET at = @at, actor = @actor, action = @action, subject = @subject, data = @data, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq',
      );
      put.run({ ...rb, seq: a });
      put.run({ ...ra, seq: b });
    });
  },
  async truncate(location, count) {
    raw(location, (db) => {
      db.prepare('DELETE FROM audit WHERE seq > ?').run(lastSeq(db) - count);
    });
  },
  async truncateWithHead(location, count) {
    raw(location, (db) => {
      const keep = lastSeq(db) - count;
      db.prepare('DELETE FROM audit WHERE seq > ?').run(keep);
      const head = db.prepare('SELECT hash FROM audit WHERE seq = ?').get(keep) as { hash: string };
      db.prepare("UPDATE meta SET value = ? WHERE key = 'audit.count'").run(String(keep));
      db.prepare("UPDATE meta SET value = ? WHERE key = 'audit.head'").run(head.hash);
    });
  },
};

/** A subject whose files live in one temporary directory, removed by cleanup(). */
export function sqliteSubject(): StoreSubject {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-store-'));
  let n = 0;
  return {
    name: 'sqlite',
    newLocation: async () => join(dir, `state-${++n}.db`),
    open: openStore,
    close: (store) => store.close(),
    childModule: join(import.meta.dirname, 'sqlite-subject.ts'),
    leaseTtlMs: 200,
    tamper: sqliteTamper,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
