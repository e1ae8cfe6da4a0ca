// What a MariaDB node says about its replication (variables + SHOW SLAVE STATUS), and the pure
// functions that make a ReplicationState and a promote verdict of it.
import type { ReplicationState } from '../driver.js';
import { covers, formatGtidPos, gtidDistance, parseGtidPos } from './gtid.js';

export const VARS_SQL = `SELECT @@global.read_only AS read_only, @@global.gtid_current_pos AS current_pos,
  @@global.gtid_binlog_pos AS binlog_pos, @@global.gtid_slave_pos AS slave_pos,
  @@global.gtid_strict_mode AS strict_mode,
  (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
    WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_STATUS') AS semi_sync_master,
  (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
    WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_SLAVE_STATUS') AS semi_sync_slave`;

export interface VarsRow {
  read_only: number;
  current_pos: string;
  binlog_pos: string;
  slave_pos: string;
  strict_mode: number;
  /** Semi-synchronous replication in effect (status ON), as primary and as replica. */
  semi_sync_master: string | null;
  semi_sync_slave: string | null;
}

/** The columns of SHOW SLAVE STATUS the driver reads. */
export interface SlaveRow {
  Master_Host: string;
  Master_Port: number;
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Slave_IO_State: string;
  Seconds_Behind_Master: number | null;
  Using_Gtid: string;
  Gtid_IO_Pos: string;
  Master_Log_File: string;
  Read_Master_Log_Pos: number;
  Relay_Master_Log_File: string;
  Exec_Master_Log_Pos: number;
  Last_IO_Errno: number;
  Last_IO_Error: string;
  Last_SQL_Errno: number;
  Last_SQL_Error: string;
}

export interface MyReplicationState extends ReplicationState {
  readOnly: boolean;
  /** gtid_binlog_pos: what this node has written to its binlog (its own and replicated). */
  binlogPos: string;
  /** On a replica: received (Gtid_IO_Pos) and applied (gtid_slave_pos) positions. */
  receivedPos?: string;
  appliedPos?: string;
  /** Transactions received but not yet applied. */
  unappliedTransactions?: number;
  ioRunning?: string;
  sqlRunning?: string;
  lastError?: string;
  /** Transactions the source has that this replica has not applied (when the source answered). */
  behindSourceTransactions?: number;
  sourcePos?: string;
}

/** A replica is configured when SHOW SLAVE STATUS has a row with a master host. */
export function isConfiguredReplica(slave: SlaveRow | undefined): slave is SlaveRow {
  return slave !== undefined && (slave.Master_Host ?? '') !== '';
}

/** Pure: variables + slave status (+ the source's gtid_binlog_pos when it answered). */
export function toReplicationState(
  vars: VarsRow,
  slave: SlaveRow | undefined,
  sourceBinlogPos?: string,
): MyReplicationState {
  const readOnly = Number(vars.read_only) === 1;
  const base = { readOnly, binlogPos: vars.binlog_pos, position: vars.current_pos };
  if (!isConfiguredReplica(slave)) {
    return {
      ...base,
      role: 'primary',
      writable: !readOnly,
      streaming: false,
      synchronous: vars.semi_sync_master === 'ON',
    };
  }
  const io = slave.Slave_IO_Running;
  const sql = slave.Slave_SQL_Running;
  const received = parseGtidPos(slave.Gtid_IO_Pos);
  const applied = parseGtidPos(vars.slave_pos);
  const state: MyReplicationState = {
    ...base,
    role: 'replica',
    writable: false,
    streaming: io === 'Yes' && sql === 'Yes',
    synchronous: vars.semi_sync_slave === 'ON',
    source: `${slave.Master_Host}:${slave.Master_Port}`,
    receivedPos: formatGtidPos(received),
    appliedPos: formatGtidPos(applied),
    unappliedTransactions: gtidDistance(applied, received),
    ioRunning: io,
    sqlRunning: sql,
  };
  const err = slave.Last_SQL_Error || slave.Last_IO_Error;
  if (err) state.lastError = err;
  if (slave.Seconds_Behind_Master !== null && slave.Seconds_Behind_Master !== undefined) {
    state.lagMs = Number(slave.Seconds_Behind_Master) * 1000;
  }
  if (slave.Master_Log_File === slave.Relay_Master_Log_File) {
    state.lagBytes = Math.max(
      0,
      Number(slave.Read_Master_Log_Pos) - Number(slave.Exec_Master_Log_Pos),
    );
  }
  if (sourceBinlogPos !== undefined) {
    const source = parseGtidPos(sourceBinlogPos);
    state.sourcePos = formatGtidPos(source);
    state.behindSourceTransactions = gtidDistance(applied, source);
    // The source is the truth when it answers: caught up means no lag at all.
    if (covers(applied, source) && state.streaming) state.lagMs = 0;
  }
  return state;
}

export interface MyPromoteLimits {
  maxLagSeconds: number;
}

/**
 * Pure: why promoting could lose or skip transactions, or undefined when it is ready to try
 * (whether it applied everything it received is checked after its IO thread is stopped).
 */
export function notReadyReason(s: MyReplicationState, limits: MyPromoteLimits): string | undefined {
  if (s.role !== 'replica') return undefined;
  if (s.sqlRunning !== 'Yes') {
    return `its SQL thread is not running${s.lastError ? ` (${s.lastError})` : ''}: received transactions may never be applied`;
  }
  if (s.ioRunning !== 'Yes') {
    return `it is not connected to its primary (IO thread: ${s.ioRunning}), so what the primary wrote since is unknown`;
  }
  if (
    s.behindSourceTransactions !== undefined &&
    s.behindSourceTransactions > 0 &&
    s.unappliedTransactions === 0
  ) {
    return `its source has ${s.behindSourceTransactions} transaction(s) it has not received`;
  }
  if (s.lagMs === undefined) return 'its lag is unknown (Seconds_Behind_Master is NULL)';
  if (s.lagMs > limits.maxLagSeconds * 1000) {
    return `it is ${s.lagMs / 1000} s behind its primary (more than ${limits.maxLagSeconds} s)`;
  }
  return undefined;
}
