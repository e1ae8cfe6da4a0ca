// Opening the state file: where it is, who may read it, the pragmas that make every commit
// durable, and SQLite's errors turned into coded ones.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isLifeboatError, LifeboatError } from '../../core/errors/index.js';
import { checkSchema, migrate } from './schema.js';

/** `--state PATH`, else `$LIFEBOAT_STATE`, else `./.lifeboat/state.db` in the working directory. */
export function defaultStatePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  return resolve(cwd, env.LIFEBOAT_STATE || join('.lifeboat', 'state.db'));
}

export interface SqliteOpenOptions {
  /**
   * How long a write waits for another process's transaction before LB_E_STORE_BUSY. Default
   * 5 s: transactions here last well under a millisecond plus one fsync, so 5 s means stuck.
   */
  busyTimeoutMs?: number;
  /** Read only (`audit verify`, `audit show`): the file must exist and is never changed. */
  readOnly?: boolean;
  /** Create the file (and its directory) when missing. Default true unless readOnly. */
  create?: boolean;
}

/** Opens (creating if allowed) and migrates the state file, with WAL and synchronous=FULL. */
export function openDatabase(path: string, options: SqliteOpenOptions = {}): Database.Database {
  const file = resolve(path);
  const readOnly = options.readOnly ?? false;
  const create = options.create ?? !readOnly;
  if (!existsSync(file)) {
    if (!create) {
      throw new LifeboatError('LB_E_STORE_OPEN', `no state file at ${file}`);
    }
    createPrivateFile(file);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, {
      readonly: readOnly,
      fileMustExist: true,
      timeout: options.busyTimeoutMs ?? 5_000,
    });
    if (readOnly) {
      checkSchema(db, file);
    } else {
      // WAL: readers never block the writer; FULL: the WAL is fsync'd at every commit, so a
      // commit that returned survives power loss, not only a crash of this process.
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') {
        throw new LifeboatError('LB_E_STORE_OPEN', `${file}: SQLite refused WAL mode (${mode})`);
      }
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, file);
    }
    return db;
  } catch (e) {
    db?.close();
    throw storeError(e, file, 'open');
  }
}

/**
 * Creates the file 0600 before SQLite does (SQLite would use 0644 less the umask), in a 0700
 * directory when it makes one: the state holds who approved what and the audit trail. SQLite
 * gives its -wal and -shm files the database file's mode.
 */
function createPrivateFile(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  } catch (e) {
    throw new LifeboatError(
      'LB_E_STORE_OPEN',
      `cannot create the state file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** SQLite's error codes that mean "someone else holds the lock". */
const BUSY = /^SQLITE_(BUSY|LOCKED)/;
/** The file is not a database, or cannot be opened at all. */
const NOT_OPENABLE = /^SQLITE_(NOTADB|CANTOPEN|PERM|AUTH)/;

/** Any error from SQLite as a LifeboatError; coded errors pass through unchanged. */
export function storeError(e: unknown, location: string, doing: string): LifeboatError {
  if (isLifeboatError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string' && BUSY.test(code)) {
    return new LifeboatError(
      'LB_E_STORE_BUSY',
      `${location}: ${doing}: the state file stayed locked by another process (${code})`,
      { cause: e },
    );
  }
  if (typeof code === 'string' && NOT_OPENABLE.test(code)) {
    return new LifeboatError('LB_E_STORE_OPEN', `${location}: ${doing}: ${message} (${code})`, {
      cause: e,
    });
  }
  if (e instanceof TypeError && /database connection is not open/.test(message)) {
    return new LifeboatError('LB_E_STORE_INVALID', `${location}: ${doing}: the store is closed`, {
      cause: e,
    });
  }
  return new LifeboatError(
    'LB_E_STORE_IO',
    `${location}: ${doing}: ${message}${typeof code === 'string' ? ` (${code})` : ''}`,
    { cause: e },
  );
}
