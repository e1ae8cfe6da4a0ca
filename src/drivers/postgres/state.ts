// What a PostgreSQL node says about its replication, read in three queries, and the pure
// functions that turn the rows into Lifeboat's ReplicationState and a promote verdict.
import type { ReplicationState } from '../driver.js';

/** Role, read-only default, timelines and local WAL positions: one row, on any node. */
export const NODE_SQL = `SELECT pg_is_in_recovery() AS in_recovery,
  (SELECT reset_val FROM pg_settings WHERE name = 'default_transaction_read_only') AS read_only_default,
  current_setting('synchronous_standby_names') AS sync_names,
  CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()::text END AS current_lsn,
  CASE WHEN NOT pg_is_in_recovery()
    THEN ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS wal_timeline,
  (SELECT timeline_id FROM pg_control_checkpoint()) AS checkpoint_timeline,
  pg_last_wal_receive_lsn()::text AS receive_lsn,
  pg_last_wal_replay_lsn()::text AS replay_lsn,
  pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::text AS unapplied_bytes,
  (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_age_ms,
  CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END AS replay_pause`;

/** The WAL receiver of a replica (no row when it is not running). */
export const RECEIVER_SQL = `SELECT status, sender_host, sender_port, received_tli, slot_name,
  flushed_lsn::text AS flushed_lsn, latest_end_lsn::text AS latest_end_lsn,
  pg_wal_lsn_diff(latest_end_lsn, pg_last_wal_replay_lsn())::text AS behind_bytes,
  pg_wal_lsn_diff(latest_end_lsn, flushed_lsn)::text AS unreceived_bytes,
  (extract(epoch FROM now() - last_msg_receipt_time) * 1000)::float8 AS silence_ms
FROM pg_stat_wal_receiver`;

/** The standbys of a primary, with their lag in bytes (from our WAL end) and in time. */
export const STANDBYS_SQL = `SELECT application_name, host(client_addr) AS client_addr, state, sync_state,
  pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)::text AS flush_behind_bytes,
  pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS replay_behind_bytes,
  (extract(epoch FROM write_lag) * 1000)::float8 AS write_lag_ms,
  (extract(epoch FROM flush_lag) * 1000)::float8 AS flush_lag_ms,
  (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
FROM pg_stat_replication ORDER BY application_name`;

/** Whether primary_conninfo is set, and to which host and port (never the rest: it may hold a password). */
export const CONNINFO_SQL = `SELECT current_setting('primary_conninfo') AS conninfo`;

export interface NodeRow {
  in_recovery: boolean;
  read_only_default: string | null;
  sync_names: string;
  current_lsn: string | null;
  wal_timeline: number | null;
  checkpoint_timeline: number | null;
  receive_lsn: string | null;
  replay_lsn: string | null;
  unapplied_bytes: string | null;
  replay_age_ms: number | null;
  replay_pause: string | null;
}

export interface ReceiverRow {
  status: string;
  sender_host: string | null;
  sender_port: number | null;
  received_tli: number | null;
  slot_name: string | null;
  flushed_lsn: string | null;
  latest_end_lsn: string | null;
  behind_bytes: string | null;
  unreceived_bytes: string | null;
  silence_ms: number | null;
}

export interface StandbyRow {
  application_name: string;
  client_addr: string | null;
  state: string;
  sync_state: string;
  flush_behind_bytes: string | null;
  replay_behind_bytes: string | null;
  write_lag_ms: number | null;
  flush_lag_ms: number | null;
  replay_lag_ms: number | null;
}

export interface StandbyState {
  name: string;
  address?: string;
  state: string;
  syncState: string;
  flushLagBytes?: number;
  replayLagBytes?: number;
  writeLagMs?: number;
  flushLagMs?: number;
  replayLagMs?: number;
}

export interface PgReplicationState extends ReplicationState {
  /** default_transaction_read_only is on in the server's configuration (our read-only fence). */
  fenced: boolean;
  /** On a primary: its standbys. */
  standbys?: StandbyState[];
  /** On a replica: WAL received but not yet replayed, and whether replay is paused. */
  unappliedBytes?: number;
  replayPaused?: boolean;
  /** On a replica: the WAL receiver's status and ms since its last message from the primary. */
  receiverStatus?: string;
  silenceMs?: number;
}

/** pg returns numeric and pg_lsn as text; bigint stays a string too. */
export function num(v: string | number | null | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const nonNegative = (v: string | number | null | undefined) => {
  const n = num(v);
  return n === undefined ? undefined : Math.max(0, Math.round(n));
};

function standby(r: StandbyRow): StandbyState {
  const s: StandbyState = { name: r.application_name, state: r.state, syncState: r.sync_state };
  if (r.client_addr) s.address = r.client_addr;
  const put = (k: keyof StandbyState, v: number | undefined) => {
    if (v !== undefined) (s as unknown as Record<string, number>)[k] = v;
  };
  put('flushLagBytes', nonNegative(r.flush_behind_bytes));
  put('replayLagBytes', nonNegative(r.replay_behind_bytes));
  put('writeLagMs', nonNegative(r.write_lag_ms));
  put('flushLagMs', nonNegative(r.flush_lag_ms));
  put('replayLagMs', nonNegative(r.replay_lag_ms));
  return s;
}

/** Pure: the rows of NODE_SQL, RECEIVER_SQL and STANDBYS_SQL → ReplicationState. */
export function toReplicationState(
  node: NodeRow,
  receiver: ReceiverRow | undefined,
  standbys: StandbyRow[],
): PgReplicationState {
  const fenced = node.read_only_default === 'on';
  if (!node.in_recovery) {
    const list = standbys.map(standby);
    const synchronous =
      node.sync_names.trim() !== '' && list.some((s) => ['sync', 'quorum'].includes(s.syncState));
    return {
      role: 'primary',
      writable: !fenced,
      streaming: false,
      fenced,
      synchronous,
      standbys: list,
      ...(node.current_lsn ? { position: node.current_lsn } : {}),
      ...(node.wal_timeline !== null ? { timeline: node.wal_timeline } : {}),
    };
  }
  const streaming = receiver?.status === 'streaming';
  const state: PgReplicationState = {
    role: 'replica',
    writable: false,
    streaming,
    fenced,
    receiverStatus: receiver?.status ?? 'stopped',
    replayPaused: node.replay_pause !== null && node.replay_pause !== 'not paused',
  };
  const timeline = receiver?.received_tli ?? node.checkpoint_timeline;
  if (timeline !== null && timeline !== undefined) state.timeline = timeline;
  if (node.replay_lsn) state.position = node.replay_lsn;
  const unapplied = nonNegative(node.unapplied_bytes);
  if (unapplied !== undefined) state.unappliedBytes = unapplied;
  if (receiver?.sender_host)
    state.source = `${receiver.sender_host}:${receiver.sender_port ?? 5432}`;
  const silence = nonNegative(receiver?.silence_ms);
  if (silence !== undefined) state.silenceMs = silence;
  // Behind the primary is only known while its messages arrive; replay lag in time means
  // nothing when there is nothing to replay (the last replayed commit just gets older).
  if (streaming) {
    const behind = nonNegative(receiver?.behind_bytes);
    if (behind !== undefined) state.lagBytes = behind;
    const age = nonNegative(node.replay_age_ms);
    if (unapplied === 0 && behind === 0) state.lagMs = 0;
    else if (age !== undefined) state.lagMs = age;
    else if (behind === undefined && unapplied === 0 && silence !== undefined) {
      // Just (re)connected and idle: the sender has not reported its end yet (it does with its
      // next keepalive, up to wal_sender_timeout / 2 later), and nothing received is unapplied.
      // WAL is sent as it is written, so what the replica may lack is at most what the primary
      // wrote since its last message: a bound, in time.
      state.lagMs = silence;
    }
  }
  return state;
}

export interface PromoteLimits {
  maxLagBytes: number;
  maxSilenceMs: number;
}

/**
 * Pure: why promoting this replica could lose acknowledged writes, or undefined when it is
 * ready. Not streaming → what the primary wrote since is unknown; silent for too long → the
 * link may be cut without the receiver knowing yet (wal_receiver_timeout); too far behind.
 */
export function notReadyReason(s: PgReplicationState, limits: PromoteLimits): string | undefined {
  if (s.role !== 'replica') return undefined;
  if (!s.streaming) {
    return `it is not streaming from its primary (WAL receiver: ${s.receiverStatus ?? 'stopped'}), so what the primary wrote since is unknown`;
  }
  if (s.silenceMs !== undefined && s.silenceMs > limits.maxSilenceMs) {
    return `nothing came from its primary for ${s.silenceMs} ms (more than ${limits.maxSilenceMs} ms): its lag is unknown`;
  }
  if (s.lagBytes === undefined) return 'its lag behind the primary is unknown';
  if (s.lagBytes > limits.maxLagBytes) {
    return `it is ${s.lagBytes} bytes behind its primary (more than ${limits.maxLagBytes})`;
  }
  return undefined;
}

/** Pure: host and port from a conninfo string, without keeping anything else of it. */
export function conninfoTarget(conninfo: string): { host?: string; port?: number } {
  const out: { host?: string; port?: number } = {};
  for (const m of conninfo.matchAll(/(?:^|\s)(host|port)\s*=\s*'?([^\s']+)'?/g)) {
    if (m[1] === 'host') out.host = m[2];
    else out.port = Number(m[2]);
  }
  return out;
}
