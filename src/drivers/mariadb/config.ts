// What the MariaDB driver needs to know about one node, checked before anything runs: values
// reach SQL only as query parameters, and argv only as separate elements, but names, hosts and
// paths are still held to plain shapes so that a plan cannot smuggle options or statements.
import { LifeboatError } from '../../core/errors/index.js';
import type { NodeRunner } from '../node-runner.js';
import { safeAbsolutePath, safeArg, safeHost, safeName, safePort } from '../safe-values.js';
import type { Secret } from '../secrets.js';

export interface MariadbPeer {
  host?: string;
  port?: number;
  /** Connect over this Unix socket instead (tests reach the lab through one). */
  socketPath?: string;
}

export interface MariadbDriverConfig {
  /** The plan node this driver drives (messages, journal). */
  node: string;
  /** Where the driver connects: host name or IP, or a Unix socket file (`/...`). */
  host: string;
  port: number;
  /** A user with SUPER (or READ_ONLY ADMIN, REPLICATION SLAVE ADMIN, CONNECTION ADMIN, SHUTDOWN). */
  user: string;
  password?: Secret;
  /** How the other nodes reach this one: refuses to make it a replica of itself. */
  address?: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  promote?: {
    /** Refuse when the replica's SQL thread is further behind than this (default 5 s). */
    maxLagSeconds?: number;
    /** How long promote waits for received transactions to be applied (default 5 s). */
    applyWaitMs?: number;
  };
  /** For rebuildAsReplicaOf: the replication login and connection settings on the source. */
  replication?: {
    user: string;
    password: Secret;
    /** MASTER_HEARTBEAT_PERIOD in seconds (default 1: a cut link shows within slave_net_timeout). */
    heartbeatPeriodS?: number;
    /** MASTER_CONNECT_RETRY in seconds (default 1). */
    connectRetryS?: number;
  };
  /**
   * How this driver reaches another node named in SHOW SLAVE STATUS (Master_Host, Master_Port),
   * to compare GTIDs with the source; default: that host and port as they are.
   */
  resolvePeer?: (host: string, port: number) => MariadbPeer;
  /** Time allowed to reach the source for the GTID comparison (default 1000 ms). */
  sourceTimeoutMs?: number;
  /** For fence 'stop' and unfence after it: the server on its node. */
  server?: {
    runner: NodeRunner;
    /** The server's Unix socket on the node (mariadb-admin ping / shutdown, as root). */
    socket: string;
    /** How the node starts the server, e.g. ['systemctl', 'start', 'mariadb']. */
    startArgv: string[];
    /** The server's pid file on the node: stop waits until it is gone. */
    pidFile?: string;
    startTimeoutMs?: number;
    stopTimeoutMs?: number;
  };
}

export interface CheckedMyConfig extends Omit<MariadbDriverConfig, 'promote' | 'replication'> {
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  sourceTimeoutMs: number;
  promote: { maxLagSeconds: number; applyWaitMs: number };
  replication?: { user: string; password: Secret; heartbeatPeriodS: number; connectRetryS: number };
}

function positive(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} must be a number >= 0`);
  }
  return v;
}

/** A MariaDB account name: what CHANGE MASTER's MASTER_USER and our login accept here. */
export function safeAccount(value: string, what: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/.test(value)) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} must be letters, digits, _ . -`);
  }
  return value;
}

export function safeSocketPath(value: string, what: string): string {
  safeAbsolutePath(value, what);
  if (!/^\/[A-Za-z0-9._/@+=-]*$/.test(value)) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what} may hold only letters, digits and . _ / @ + = -`,
    );
  }
  return value;
}

export function checkMyConfig(c: MariadbDriverConfig): CheckedMyConfig {
  safeName(c.node, 'node');
  if (c.host.startsWith('/')) safeSocketPath(c.host, 'host (socket)');
  else safeHost(c.host, 'host');
  safePort(c.port, 'port');
  safeAccount(c.user, 'user');
  if (c.address !== undefined) safeHost(c.address, 'address');
  if (c.server) {
    safeSocketPath(c.server.socket, 'server.socket');
    if (c.server.pidFile !== undefined) safeSocketPath(c.server.pidFile, 'server.pidFile');
    if (c.server.startArgv.length === 0) {
      throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'server.startArgv needs a program');
    }
    safeArg(c.server.startArgv[0] as string, 'server.startArgv[0]');
    for (const a of c.server.startArgv) {
      if (/[\0\r\n]/.test(a))
        throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'server.startArgv holds a line break');
    }
  }
  const { promote, replication, ...rest } = c;
  return {
    ...rest,
    connectTimeoutMs: positive(c.connectTimeoutMs, 3000, 'connectTimeoutMs'),
    queryTimeoutMs: positive(c.queryTimeoutMs, 10_000, 'queryTimeoutMs'),
    sourceTimeoutMs: positive(c.sourceTimeoutMs, 1000, 'sourceTimeoutMs'),
    promote: {
      maxLagSeconds: positive(promote?.maxLagSeconds, 5, 'promote.maxLagSeconds'),
      applyWaitMs: positive(promote?.applyWaitMs, 5000, 'promote.applyWaitMs'),
    },
    ...(replication
      ? {
          replication: {
            user: safeAccount(replication.user, 'replication.user'),
            password: replication.password,
            heartbeatPeriodS: positive(
              replication.heartbeatPeriodS,
              1,
              'replication.heartbeatPeriodS',
            ),
            connectRetryS: Math.max(
              1,
              Math.round(positive(replication.connectRetryS, 1, 'replication.connectRetryS')),
            ),
          },
        }
      : {}),
  };
}
