// Makes a MariaDB node (typically the old primary) a replica of `source` with GTID:
// read_only=ON first (in strict mode any write there would be an errant GTID), then
// CHANGE MASTER TO ... MASTER_USE_GTID=current_pos with every value a query parameter, START
// SLAVE, and wait until both threads run. Re-checks first: already replicating from there → no
// change. A node with transactions the source never had is refused (LB_E_MARIADB_ERRANT_GTID).
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil } from '../context.js';
import type { EffectResult, OperationContext, ReplicaSource } from '../driver.js';
import { checkedReplicaSource } from '../safe-values.js';
import type { CheckedMyConfig } from './config.js';
import { killOtherClients } from './fence.js';
import { errantAgainst, parseGtidPos } from './gtid.js';
import type { MySession } from './session.js';
import type { MyReplicationState } from './state.js';

export interface RepointDeps {
  cfg: CheckedMyConfig;
  session: MySession;
  state(ctx: OperationContext): Promise<MyReplicationState>;
  /** The would-be source's gtid_binlog_pos, or undefined when it does not answer in time. */
  sourcePos(ctx: OperationContext, source: ReplicaSource): Promise<string | undefined>;
}

/** The statement; every value is a `?` parameter, escaped by the connector, never concatenated. */
export const CHANGE_MASTER_SQL = `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?,
  MASTER_PASSWORD = ?, MASTER_USE_GTID = current_pos, MASTER_CONNECT_RETRY = ?,
  MASTER_HEARTBEAT_PERIOD = ?`;

const follows = (s: MyReplicationState, from: string) =>
  s.role === 'replica' && s.source === from && s.ioRunning === 'Yes' && s.sqlRunning === 'Yes';

export async function repointAsReplica(
  d: RepointDeps,
  ctx: OperationContext,
  source: ReplicaSource,
): Promise<EffectResult> {
  const { cfg, session } = d;
  const from = checkedReplicaSource(cfg, source);
  const repl = cfg.replication;
  if (!repl) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `${cfg.node}: rebuildAsReplicaOf needs replication.user and replication.password`,
    );
  }
  const before = await d.state(ctx);
  if (follows(before, from))
    return { changed: false, detail: `${cfg.node} already replicates from ${from}` };

  const t0 = performance.now();
  const sourcePos = await d.sourcePos(ctx, source);
  if (sourcePos !== undefined) {
    const errant = errantAgainst(parseGtidPos(before.binlogPos), parseGtidPos(sourcePos));
    if (errant) {
      throw new LifeboatError(
        'LB_E_MARIADB_ERRANT_GTID',
        `${cfg.node} has transactions ${errant} that ${from} (at ${sourcePos}) never had`,
        { details: { nodePos: before.binlogPos, sourcePos } },
      );
    }
  }
  await session.query(ctx, 'SET GLOBAL read_only = ON', [], 'SET GLOBAL read_only');
  // A session already inside a write transaction would still commit an errant GTID.
  await killOtherClients({ node: cfg.node, session, server: undefined }, ctx);
  await session.query(ctx, 'STOP SLAVE', [], 'STOP SLAVE');
  await session.query(
    ctx,
    CHANGE_MASTER_SQL,
    [
      source.host,
      source.port,
      repl.user,
      repl.password.reveal(),
      repl.connectRetryS,
      repl.heartbeatPeriodS,
    ],
    'CHANGE MASTER TO',
  );
  await session.query(ctx, 'START SLAVE', [], 'START SLAVE');

  let last: MyReplicationState | undefined;
  await pollUntil(
    ctx,
    `${cfg.node} to replicate from ${from}`,
    async () => {
      last = await d.state(ctx);
      if (last.ioRunning === 'No' || last.sqlRunning === 'No') {
        const errant = /1236|GTID/i.test(last.lastError ?? '');
        throw new LifeboatError(
          errant ? 'LB_E_MARIADB_ERRANT_GTID' : 'LB_E_MARIADB_REPLICATION_BROKEN',
          `${cfg.node} stopped replicating from ${from}: ${last.lastError ?? 'a thread stopped'}`,
        );
      }
      return follows(last, from) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  ).catch((e: unknown) => {
    if (!(e instanceof LifeboatError) || e.code !== 'LB_E_DRIVER_TIMEOUT') throw e;
    throw new LifeboatError(
      'LB_E_MARIADB_REPLICATION_BROKEN',
      `${cfg.node} does not replicate from ${from} after 30 s (IO: ${last?.ioRunning}, SQL: ${last?.sqlRunning}${last?.lastError ? `, ${last.lastError}` : ''})`,
      { retryable: true },
    );
  });
  const ms = Math.round(performance.now() - t0);
  return {
    changed: true,
    detail: `${cfg.node} now replicates from ${from} (GTID current_pos) in ${ms} ms`,
    data: { ms, previousSource: before.source, binlogPos: before.binlogPos, sourcePos },
  };
}
