// The SQLite schema, as numbered migrations. The file's `PRAGMA user_version` says which ones
// were applied; opening a file applies the missing ones in one transaction, and refuses a file
// from a newer Lifeboat (a downgrade would silently drop what it does not know).
import type Database from 'better-sqlite3';
import { LifeboatError } from '../../core/errors/index.js';
import { JOURNAL_PHASES, RUN_STATES } from '../types.js';

/** 'LBOT': marks the file as a Lifeboat state database (`PRAGMA application_id`). */
export const APPLICATION_ID = 0x4c424f54;

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Append-only tables refuse UPDATE and DELETE: a bug cannot rewrite history by accident. */
const appendOnly = (table: string) => `
  CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
  CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
    BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'leases, runs, journal, approvals, audit log, meta',
    sql: `
      -- Small facts kept beside the data: the audit log's head (count, hash).
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- One row per key, never deleted: token is the last fencing token issued, so a key
      -- released or expired keeps counting up. owner is NULL while nobody holds it.
      CREATE TABLE leases (
        key        TEXT PRIMARY KEY,
        token      INTEGER NOT NULL CHECK (token > 0),
        owner      TEXT,
        ttl_ms     INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        service     TEXT NOT NULL,
        runbook     TEXT NOT NULL,
        plan_hash   TEXT NOT NULL,
        params_hash TEXT NOT NULL,
        params      TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN (${quoted(RUN_STATES)})),
        lease_key   TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        data        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX runs_by_service ON runs (service, state);
      CREATE INDEX runs_by_state ON runs (state);

      -- Keyed by (run, seq): the next seq is MAX(seq) + 1 read through the primary key.
      CREATE TABLE journal (
        run_id  TEXT NOT NULL REFERENCES runs (id),
        seq     INTEGER NOT NULL CHECK (seq > 0),
        at      INTEGER NOT NULL,
        step_id TEXT,
        phase   TEXT NOT NULL CHECK (phase IN (${quoted(JOURNAL_PHASES)})),
        token   INTEGER NOT NULL,
        data    TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) STRICT, WITHOUT ROWID;
      ${appendOnly('journal')}

      CREATE TABLE approvals (
        id          TEXT PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs (id),
        step_id     TEXT NOT NULL,
        role        TEXT NOT NULL,
        approver    TEXT NOT NULL,
        at          INTEGER NOT NULL,
        plan_hash   TEXT NOT NULL,
        params_hash TEXT NOT NULL,
        used_at     INTEGER
      ) STRICT;
      CREATE INDEX approvals_by_step ON approvals (run_id, step_id);

      CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY CHECK (seq > 0),
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT,
        data      TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      ) STRICT;
      ${appendOnly('audit')}
    `,
  },
  {
    version: 2,
    description: 'API tokens (SHA-256 only, never the token)',
    sql: `
      CREATE TABLE api_tokens (
        name         TEXT PRIMARY KEY,
        role         TEXT NOT NULL,
        hash         TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER
      ) STRICT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations the file lacks, all or none. Returns the version it was at. */
export function migrate(db: Database.Database, location: string): number {
  return db
    .transaction(() => {
      const from = userVersion(db);
      if (from > SCHEMA_VERSION) throw newerSchema(location, from);
      const appId = db.pragma('application_id', { simple: true }) as number;
      if (from === 0 && appId === 0 && hasTables(db)) throw notOurs(location);
      if (from > 0 && appId !== APPLICATION_ID) throw notOurs(location);
      for (const m of MIGRATIONS) if (m.version > from) db.exec(m.sql);
      if (from < SCHEMA_VERSION) {
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
      return from;
    })
    .immediate();
}

/** For a read-only open: the file must already be a Lifeboat state database of this schema. */
export function checkSchema(db: Database.Database, location: string): void {
  const version = userVersion(db);
  if (version > SCHEMA_VERSION) throw newerSchema(location, version);
  if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) throw notOurs(location);
  if (version < SCHEMA_VERSION) {
    throw new LifeboatError(
      'LB_E_STORE_OPEN',
      `${location} has state schema ${version}, older than ${SCHEMA_VERSION}: run a command that writes to it once (it upgrades the file), then read it`,
    );
  }
}

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function hasTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get() !== undefined;
}

function newerSchema(location: string, version: number): LifeboatError {
  return new LifeboatError(
    'LB_E_STORE_SCHEMA_NEWER',
    `${location} has state schema ${version}; this Lifeboat knows up to ${SCHEMA_VERSION}`,
  );
}

function notOurs(location: string): LifeboatError {
  return new LifeboatError('LB_E_STORE_OPEN', `${location} is not a Lifeboat state database`);
}
