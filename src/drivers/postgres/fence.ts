// Fencing a PostgreSQL node so that it takes no more writes. `read-only`: the server's default
// becomes read-only (ALTER SYSTEM + reload) and every other client session is terminated, so
// none keeps a read-write transaction open; `stop`: pg_ctl stop -m immediate on the node. Unfence
// starts a stopped server and lifts the read-only default. PostgreSQL has no super_read_only:
// a client may still `SET default_transaction_read_only = off`; `stop` is the fence that holds.
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil } from '../context.js';
import type { EffectResult, OperationContext } from '../driver.js';
import type { PgServer } from './server.js';
import type { PgSession } from './session.js';

export interface FenceDeps {
  node: string;
  session: PgSession;
  server: PgServer | undefined;
}

const READ_ONLY_SQL =
  "SELECT reset_val AS v FROM pg_settings WHERE name = 'default_transaction_read_only'";

/** Client backends other than ours: walsenders and background workers are left alone. */
export const OTHER_CLIENTS_SQL = `SELECT pid, usename, application_name,
  pg_terminate_backend(pid, 5000) AS terminated
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`;

async function readOnlyDefault(d: FenceDeps, ctx: OperationContext): Promise<boolean> {
  const [r] = await d.session.query<{ v: string }>(
    ctx,
    READ_ONLY_SQL,
    [],
    'reading default_transaction_read_only',
  );
  return r?.v === 'on';
}

async function setReadOnlyDefault(d: FenceDeps, ctx: OperationContext, on: boolean) {
  await d.session.query(
    ctx,
    on
      ? 'ALTER SYSTEM SET default_transaction_read_only = on'
      : 'ALTER SYSTEM RESET default_transaction_read_only',
    [],
    'ALTER SYSTEM',
  );
  await d.session.query(ctx, 'SELECT pg_reload_conf()', [], 'pg_reload_conf()');
  // The reload reaches backends asynchronously: ours sees it once the postmaster has re-read
  // the file, and every backend forked after that starts with the new default.
  await pollUntil(
    ctx,
    `${d.node} to reload its configuration`,
    async () => ((await readOnlyDefault(d, ctx)) === on ? true : undefined),
    { timeoutMs: 5000, intervalMs: 10 },
  );
}

export async function fenceReadOnly(d: FenceDeps, ctx: OperationContext): Promise<EffectResult> {
  if (await readOnlyDefault(d, ctx)) {
    return { changed: false, detail: `${d.node} is already fenced read-only` };
  }
  const t0 = performance.now();
  await setReadOnlyDefault(d, ctx, true);
  const ended = await d.session.query<{ pid: number; usename: string; terminated: boolean }>(
    ctx,
    OTHER_CLIENTS_SQL,
    [],
    'terminating client sessions',
  );
  const stuck = ended.filter((r) => !r.terminated).map((r) => r.pid);
  if (stuck.length > 0) {
    throw new LifeboatError(
      'LB_E_DRIVER_TIMEOUT',
      `${d.node} is read-only but sessions ${stuck.join(', ')} did not end within 5 s`,
    );
  }
  const ms = Math.round(performance.now() - t0);
  return {
    changed: true,
    detail: `fenced ${d.node} read-only and ended ${ended.length} client session(s) in ${ms} ms`,
    data: { ms, sessionsEnded: ended.length, users: [...new Set(ended.map((r) => r.usename))] },
  };
}

function needServer(d: FenceDeps, what: string): PgServer {
  if (!d.server) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `${d.node}: ${what} needs server (runner, dataDir)`,
    );
  }
  return d.server;
}

export async function fenceStop(d: FenceDeps, ctx: OperationContext): Promise<EffectResult> {
  const server = needServer(d, "fence 'stop'");
  if (!(await server.isRunning(ctx))) {
    return { changed: false, detail: `${d.node} is already stopped` };
  }
  const t0 = performance.now();
  await d.session.close();
  // Immediate: a fast shutdown waits up to a minute for a cut-off standby (measured: 58.6 s).
  await server.stop(ctx, 'immediate');
  const ms = Math.round(performance.now() - t0);
  return {
    changed: true,
    detail: `stopped ${d.node} (pg_ctl stop -m immediate) in ${ms} ms`,
    data: { ms },
  };
}

export async function unfence(d: FenceDeps, ctx: OperationContext): Promise<EffectResult> {
  let started = false;
  if (d.server && !(await d.server.isRunning(ctx))) {
    await d.server.start(ctx);
    started = true;
  }
  const lifted = await readOnlyDefault(d, ctx);
  if (lifted) await setReadOnlyDefault(d, ctx, false);
  if (!started && !lifted) return { changed: false, detail: `${d.node} is not fenced` };
  const what = [started ? 'started' : '', lifted ? 'lifted read-only' : ''].filter(Boolean);
  return {
    changed: true,
    detail: `unfenced ${d.node}: ${what.join(' and ')}`,
    data: { started, lifted },
  };
}
