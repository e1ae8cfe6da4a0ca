// The embedded state store: one SQLite file (WAL, synchronous=FULL), shared safely by several
// Lifeboat processes on one host. Not for several hosts: SQLite's locks do not work over NFS,
// and a second site needs the etcd store.
import type Database from 'better-sqlite3';
import type { StateStore } from '../store.js';
import { SqliteApprovals } from './approvals.js';
import { SqliteAudit } from './audit.js';
import { openDatabase, type SqliteOpenOptions } from './connection.js';
import { newContext } from './context.js';
import { SqliteJournal } from './journal.js';
import { SqliteLeases } from './leases.js';
import { SqliteRuns } from './runs.js';
import { SqliteTokens } from './tokens.js';

export interface SqliteStoreOptions extends SqliteOpenOptions {
  /** The clock leases are measured with; tests may pass a fake one. Default Date.now. */
  now?: () => number;
}

export interface SqliteInfo {
  path: string;
  schemaVersion: number;
  journalMode: string;
  synchronous: string;
  busyTimeoutMs: number;
  readOnly: boolean;
}

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export class SqliteStateStore implements StateStore {
  readonly leases: SqliteLeases;
  readonly runs: SqliteRuns;
  readonly journal: SqliteJournal;
  readonly approvals: SqliteApprovals;
  readonly audit: SqliteAudit;
  readonly tokens: SqliteTokens;
  readonly location: string;
  readonly #db: Database.Database;

  constructor(db: Database.Database, location: string, now: () => number) {
    const ctx = newContext(db, location, now);
    this.#db = db;
    this.location = location;
    this.leases = new SqliteLeases(ctx);
    this.runs = new SqliteRuns(ctx);
    this.journal = new SqliteJournal(ctx);
    this.approvals = new SqliteApprovals(ctx);
    this.audit = new SqliteAudit(ctx);
    this.tokens = new SqliteTokens(ctx);
  }

  /** How the file is set up, as SQLite reports it (for `lifeboat status` and tests). */
  info(): SqliteInfo {
    const p = (name: string) => this.#db.pragma(name, { simple: true });
    return {
      path: this.location,
      schemaVersion: p('user_version') as number,
      journalMode: String(p('journal_mode')),
      synchronous: SYNCHRONOUS[p('synchronous') as number] ?? String(p('synchronous')),
      busyTimeoutMs: p('busy_timeout') as number,
      readOnly: this.#db.readonly,
    };
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

/**
 * Opens the state file at `path` (created 0600, with its directory 0700, when missing; migrated
 * to this Lifeboat's schema). Throws LB_E_STORE_OPEN, LB_E_STORE_SCHEMA_NEWER or LB_E_STORE_BUSY.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStateStore {
  const db = openDatabase(path, options);
  return new SqliteStateStore(db, db.name, options.now ?? Date.now);
}
