// What every part of the SQLite store shares: the connection, the clock, and the two ways a
// method touches the file (one write transaction, or one consistent read).
import type Database from 'better-sqlite3';
import { LifeboatError } from '../../core/errors/index.js';
import { assertCount } from '../json.js';
import { storeError } from './connection.js';

export interface SqliteContext {
  readonly db: Database.Database;
  /** The file, for messages. */
  readonly location: string;
  /** Wall-clock milliseconds. Leases compare it across processes, so it must be the host's clock. */
  readonly now: () => number;
  /** Prepared statements by their SQL: preparing costs more than running a small one. */
  readonly statements: Map<string, Database.Statement>;
  /**
   * One transaction wrapper per connection, running whatever function it is given: better-sqlite3
   * builds a wrapper per db.transaction() call, which cost more (27 µs) than the whole append's
   * SQL without the fsync (26 µs).
   */
  readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;
}

export function newContext(
  db: Database.Database,
  location: string,
  now: () => number,
): SqliteContext {
  return {
    db,
    location,
    now,
    statements: new Map(),
    transaction: db.transaction((fn: () => unknown) => fn()),
  };
}

/** The prepared statement for `text`, prepared once per connection. */
export function sql(ctx: SqliteContext, text: string): Database.Statement {
  let s = ctx.statements.get(text);
  if (!s) {
    s = ctx.db.prepare(text);
    ctx.statements.set(text, s);
  }
  return s;
}

/**
 * Runs `fn` as one BEGIN IMMEDIATE transaction: the write lock is taken first, so the busy
 * timeout covers waiting for another process. (A deferred transaction that reads, then writes,
 * fails at once with SQLITE_BUSY when another process committed in between: WAL cannot upgrade a
 * stale read snapshot, and SQLite does not call the busy handler for that.)
 */
export function inWrite<T>(ctx: SqliteContext, doing: string, fn: () => T): T {
  try {
    return ctx.transaction.immediate(fn) as T;
  } catch (e) {
    throw storeError(e, ctx.location, doing);
  }
}

/** Runs `fn` in one read transaction: every statement in it sees the same snapshot. */
export function inRead<T>(ctx: SqliteContext, doing: string, fn: () => T): T {
  try {
    return ctx.transaction.deferred(fn) as T;
  } catch (e) {
    throw storeError(e, ctx.location, doing);
  }
}

/**
 * The fencing check, made inside the write transaction that it guards: the token must be the
 * lease key's current one. Lower means another owner acquired the key since (this writer is
 * stale); higher was never issued. A token equal to the current one is accepted even after its
 * lease expired, as long as nobody acquired the key since: fencing orders writers, it does not
 * measure time, and nobody else can have written in between.
 */
export function checkToken(
  ctx: SqliteContext,
  leaseKey: string,
  token: number,
  doing: string,
): void {
  assertCount(token, 'fencing token');
  const row = sql(ctx, 'SELECT token FROM leases WHERE key = ?').get(leaseKey) as
    | { token: number }
    | undefined;
  const current = row?.token ?? 0;
  if (token === current && token > 0) return;
  const why =
    current === 0
      ? `the lease ${leaseKey} was never acquired`
      : token < current
        ? `the lease ${leaseKey} was acquired again since (token ${current} now): this writer is stale`
        : `token ${token} was never issued for ${leaseKey} (the last is ${current})`;
  throw new LifeboatError(
    'LB_E_STORE_STALE_TOKEN',
    `${doing} refused with token ${token}: ${why}`,
    {
      details: { leaseKey, token, current },
    },
  );
}

/** The time to record: the caller's `at` (checked), else the store's clock. */
export function stamp(ctx: SqliteContext, at: number | undefined): number {
  if (at === undefined) return ctx.now();
  assertCount(at, 'time (at)');
  return at;
}

/** JSON text from a column, as written by toJsonText. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
