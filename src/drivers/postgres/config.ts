// What the PostgreSQL driver needs to know about one node, and the checks that make every value
// safe to pass on: identifiers, hosts and paths reach SQL, libpq conninfo strings, a libpq
// password file and argv, so each is validated here before anything runs.
import { dirname } from 'node:path';
import { LifeboatError } from '../../core/errors/index.js';
import type { NodeRunner } from '../node-runner.js';
import {
  safeAbsolutePath,
  safeHost,
  safeName,
  safePort,
  safeSqlIdentifier,
} from '../safe-values.js';
import type { Secret } from '../secrets.js';

export interface PostgresDriverConfig {
  /** The plan node this driver drives (messages, journal). */
  node: string;
  /** Where the driver connects: a host name, an IP address, or a Unix socket directory (`/...`). */
  host: string;
  port: number;
  /** Default `postgres`. */
  database?: string;
  /** A superuser (ALTER SYSTEM, pg_promote, pg_terminate_backend, pg_rewind's source login). */
  user: string;
  password?: Secret;
  /** How the other nodes reach this one: refuses to make it a replica of itself. */
  address?: string;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  promote?: {
    /** Refuse to promote a replica further behind than this (default 16 MiB: one WAL segment). */
    maxLagBytes?: number;
    /** Refuse when nothing came from the primary for this long (default 35 s, see docs). */
    maxSilenceMs?: number;
    /** How long to wait for the node to leave recovery (default 60 s). */
    timeoutMs?: number;
    /** How often to poll pg_is_in_recovery() (default 10 ms). */
    pollMs?: number;
  };
  /** For rebuildAsReplicaOf: how this node streams from its source. */
  replication?: {
    user: string;
    password: Secret;
    /** Name the source sees (synchronous_standby_names matches it); default: `node`. */
    applicationName?: string;
    /** A physical slot that exists on the source; default: none. */
    slotName?: string;
  };
  /** For fence 'stop', unfence after it, and rebuildAsReplicaOf: the server's files on the node. */
  server?: {
    runner: NodeRunner;
    dataDir: string;
    /** Default /usr/lib/postgresql/15/bin. */
    binDir?: string;
    /** Unix user that owns the data directory; default `postgres`. */
    osUser?: string;
    /** pg_ctl's log when the driver starts the server; default `<dataDir>/../lifeboat-postgres.log`. */
    logFile?: string;
    /** libpq password file the driver writes (0600); default `<dataDir>/../lifeboat.pgpass`. */
    passFile?: string;
    /** Files of the data directory that belong to this node and survive a rewind or a copy. */
    keepFiles?: string[];
    stopTimeoutMs?: number;
    startTimeoutMs?: number;
    /** pg_rewind or pg_basebackup, then streaming; default 10 min. */
    rebuildTimeoutMs?: number;
  };
}

/** The config with defaults filled in and every value checked. */
export interface CheckedPgConfig {
  node: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: Secret | undefined;
  address: string | undefined;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  promote: { maxLagBytes: number; maxSilenceMs: number; timeoutMs: number; pollMs: number };
  replication: PostgresDriverConfig['replication'];
  server: CheckedPgServer | undefined;
}

export interface CheckedPgServer {
  runner: NodeRunner;
  dataDir: string;
  binDir: string;
  osUser: string;
  logFile: string;
  passFile: string;
  keepFiles: string[];
  stopTimeoutMs: number;
  startTimeoutMs: number;
  rebuildTimeoutMs: number;
}

export const DEFAULT_KEEP_FILES = ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf'];

/** Paths reach pg_ctl's argv and unquoted conninfo values: no blanks, quotes or backslashes. */
export function safeFilePath(value: string, what: string): string {
  safeAbsolutePath(value, what);
  if (!/^\/[A-Za-z0-9._/@+=-]*$/.test(value)) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what} may hold only letters, digits and . _ / @ + = -`,
    );
  }
  return value;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} must be a number >= 0`);
  }
  return v;
}

function checkServer(s: NonNullable<PostgresDriverConfig['server']>): CheckedPgServer {
  const dataDir = safeFilePath(s.dataDir.replace(/\/+$/, ''), 'server.dataDir');
  const parent = dirname(dataDir);
  const keepFiles = (s.keepFiles ?? DEFAULT_KEEP_FILES).map((f) =>
    safeName(f, 'server.keepFiles entry'),
  );
  return {
    runner: s.runner,
    dataDir,
    binDir: safeFilePath(s.binDir ?? '/usr/lib/postgresql/15/bin', 'server.binDir'),
    osUser: safeName(s.osUser ?? 'postgres', 'server.osUser'),
    logFile: safeFilePath(s.logFile ?? `${parent}/lifeboat-postgres.log`, 'server.logFile'),
    passFile: safeFilePath(s.passFile ?? `${parent}/lifeboat.pgpass`, 'server.passFile'),
    keepFiles,
    stopTimeoutMs: positive(s.stopTimeoutMs, 60_000, 'server.stopTimeoutMs'),
    startTimeoutMs: positive(s.startTimeoutMs, 120_000, 'server.startTimeoutMs'),
    rebuildTimeoutMs: positive(s.rebuildTimeoutMs, 600_000, 'server.rebuildTimeoutMs'),
  };
}

export function checkPgConfig(c: PostgresDriverConfig): CheckedPgConfig {
  safeName(c.node, 'node');
  const host = c.host.startsWith('/')
    ? safeFilePath(c.host, 'host (socket directory)')
    : safeHost(c.host, 'host');
  const replication = c.replication && {
    ...c.replication,
    user: safeSqlIdentifier(c.replication.user, 'replication.user'),
    applicationName: safeSqlIdentifier(
      c.replication.applicationName ?? c.node.replace(/[.-]/g, '_'),
      'replication.applicationName',
    ),
    ...(c.replication.slotName !== undefined
      ? { slotName: safeSqlIdentifier(c.replication.slotName, 'replication.slotName') }
      : {}),
  };
  return {
    node: c.node,
    host,
    port: safePort(c.port, 'port'),
    database: safeName(c.database ?? 'postgres', 'database'),
    user: safeSqlIdentifier(c.user, 'user'),
    password: c.password,
    address: c.address === undefined ? undefined : safeHost(c.address, 'address'),
    connectTimeoutMs: positive(c.connectTimeoutMs, 3000, 'connectTimeoutMs'),
    statementTimeoutMs: positive(c.statementTimeoutMs, 10_000, 'statementTimeoutMs'),
    promote: {
      maxLagBytes: positive(c.promote?.maxLagBytes, 16 * 1024 * 1024, 'promote.maxLagBytes'),
      maxSilenceMs: positive(c.promote?.maxSilenceMs, 35_000, 'promote.maxSilenceMs'),
      timeoutMs: positive(c.promote?.timeoutMs, 60_000, 'promote.timeoutMs'),
      pollMs: positive(c.promote?.pollMs, 10, 'promote.pollMs'),
    },
    replication,
    server: c.server ? checkServer(c.server) : undefined,
  };
}
