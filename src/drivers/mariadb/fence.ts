// Fencing a MariaDB node. `read-only`: SET GLOBAL read_only=ON, then every other client
// connection is killed (MariaDB has no super_read_only: a session already inside a write
// transaction, or a user with READ_ONLY ADMIN, would keep writing). `stop`: SHUTDOWN.
// Unfence starts a stopped server and lifts read_only, except on a configured replica, whose
// read_only is its normal state (any write there would be an errant GTID).
import { LifeboatError } from '../../core/errors/index.js';
import type { EffectResult, OperationContext } from '../driver.js';
import type { MyServer } from './server.js';
import type { MySession } from './session.js';
import { isConfiguredReplica, type SlaveRow } from './state.js';

export interface MyFenceDeps {
  node: string;
  session: MySession;
  server: MyServer | undefined;
}

/** Client connections other than ours; replication threads and daemons are left alone. */
export const OTHER_CLIENTS_SQL = `SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST
WHERE ID <> CONNECTION_ID()
  AND COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Slave_IO', 'Slave_SQL', 'Slave_worker')
  AND USER NOT IN ('system user', 'event_scheduler')`;

async function readOnly(d: MyFenceDeps, ctx: OperationContext): Promise<boolean> {
  const [r] = await d.session.query<{ ro: number }>(
    ctx,
    'SELECT @@global.read_only AS ro',
    [],
    'reading read_only',
  );
  return Number(r?.ro) === 1;
}

/** Kills every other client connection; returns how many were killed. */
export async function killOtherClients(d: MyFenceDeps, ctx: OperationContext): Promise<number> {
  const others = await d.session.query<{ id: number; user: string }>(
    ctx,
    OTHER_CLIENTS_SQL,
    [],
    'listing client connections',
  );
  let killed = 0;
  for (const o of others) {
    try {
      await d.session.query(ctx, 'KILL CONNECTION ?', [Number(o.id)], 'KILL CONNECTION');
      killed++;
    } catch (e) {
      // 1094: the connection ended between the listing and the kill.
      if (!(e instanceof LifeboatError && /errno 1094/.test(e.message))) throw e;
    }
  }
  return killed;
}

export async function fenceReadOnly(d: MyFenceDeps, ctx: OperationContext): Promise<EffectResult> {
  if (await readOnly(d, ctx)) return { changed: false, detail: `${d.node} is already read-only` };
  const t0 = performance.now();
  // read_only=ON waits for running write transactions to commit; bound that wait, and if it
  // runs out, end those sessions first, then set it.
  await d.session.query(ctx, 'SET SESSION lock_wait_timeout = 5', [], 'SET lock_wait_timeout');
  let killedFirst = 0;
  try {
    await d.session.query(ctx, 'SET GLOBAL read_only = ON', [], 'SET GLOBAL read_only');
  } catch (e) {
    if (!(e instanceof LifeboatError && e.code === 'LB_E_DRIVER_TIMEOUT')) throw e;
    killedFirst = await killOtherClients(d, ctx);
    await d.session.query(ctx, 'SET GLOBAL read_only = ON', [], 'SET GLOBAL read_only');
  }
  const killed = killedFirst + (await killOtherClients(d, ctx));
  const ms = Math.round(performance.now() - t0);
  return {
    changed: true,
    detail: `fenced ${d.node} read-only and killed ${killed} client connection(s) in ${ms} ms`,
    data: { ms, connectionsKilled: killed },
  };
}

function needServer(d: MyFenceDeps, what: string): MyServer {
  if (!d.server)
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `${d.node}: ${what} needs server (runner, socket, startArgv)`,
    );
  return d.server;
}

export async function fenceStop(d: MyFenceDeps, ctx: OperationContext): Promise<EffectResult> {
  const server = needServer(d, "fence 'stop'");
  if (!(await server.isAlive(ctx)))
    return { changed: false, detail: `${d.node} is already stopped` };
  const t0 = performance.now();
  // On the node, over the server's socket (mariadb-admin shutdown): a failover fences a primary
  // that its clients (and this controller's SQL connection) may no longer reach; the node's
  // runner still does. The SQL session is dropped first, without waiting on a dead link.
  void d.session.close().catch(() => undefined);
  await server.stop(ctx, false);
  const ms = Math.round(performance.now() - t0);
  return { changed: true, detail: `stopped ${d.node} in ${ms} ms`, data: { ms } };
}

export async function unfence(d: MyFenceDeps, ctx: OperationContext): Promise<EffectResult> {
  let started = false;
  if (d.server && !(await d.server.isAlive(ctx))) {
    await d.server.start(ctx);
    started = true;
  }
  const [slave] = await d.session.query<SlaveRow & Record<string, unknown>>(
    ctx,
    'SHOW SLAVE STATUS',
    [],
    'SHOW SLAVE STATUS',
  );
  const replica = isConfiguredReplica(slave);
  let lifted = false;
  if (!replica && (await readOnly(d, ctx))) {
    await d.session.query(ctx, 'SET GLOBAL read_only = OFF', [], 'SET GLOBAL read_only');
    lifted = true;
  }
  if (!started && !lifted) {
    return {
      changed: false,
      detail: `${d.node} is not fenced${replica ? ' (a replica stays read-only)' : ''}`,
    };
  }
  const what = [started ? 'started' : '', lifted ? 'lifted read_only' : ''].filter(Boolean);
  return {
    changed: true,
    detail: `unfenced ${d.node}: ${what.join(' and ')}`,
    data: { started, lifted },
  };
}
