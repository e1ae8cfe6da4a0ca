// Makes a node (typically the old primary) a streaming replica of `source`: pg_rewind when the
// data directory allows it (after a CHECKPOINT on the source), else a fresh pg_basebackup beside
// it; the node's own config files survive either; then standby.signal + primary_conninfo
// (password only in a 0600 passfile), start, and wait until it streams. Re-checks first: already
// streaming from there → no change.
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil, throwIfAborted } from '../context.js';
import type { EffectResult, OperationContext, ReplicaSource } from '../driver.js';
import { checkedReplicaSource } from '../safe-values.js';
import type { CheckedPgConfig, CheckedPgServer } from './config.js';
import { renderConninfo, renderPassFile, rewriteAutoConf, sameSource } from './recovery-conf.js';
import { type PgServer, rewindPossible } from './server.js';
import type { PgReplicationState } from './state.js';

export interface RebuildDeps {
  cfg: CheckedPgConfig;
  server: PgServer;
  serverCfg: CheckedPgServer;
  /** The node's state, or undefined when it does not answer. */
  state(ctx: OperationContext): Promise<PgReplicationState | undefined>;
  /** The configured source (primary_conninfo host/port), or undefined. */
  configuredSource(ctx: OperationContext): Promise<{ host?: string; port?: number } | undefined>;
  closeSession(): Promise<void>;
}

const streamsFrom = (s: PgReplicationState | undefined, src: ReplicaSource) =>
  s?.role === 'replica' && s.streaming && s.source === `${src.host}:${src.port}`;

export async function rebuildAsReplica(
  d: RebuildDeps,
  ctx: OperationContext,
  source: ReplicaSource,
): Promise<EffectResult> {
  const { cfg, server, serverCfg } = d;
  const from = checkedReplicaSource(cfg, source);
  const repl = cfg.replication;
  if (!repl) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `${cfg.node}: rebuildAsReplicaOf needs replication.user and replication.password`,
    );
  }
  const t0 = performance.now();
  const before = await d.state(ctx);
  if (streamsFrom(before, source)) {
    return { changed: false, detail: `${cfg.node} already streams from ${from}` };
  }
  // Just restarted towards the right source (a re-run after a crash): give it a moment to stream.
  if (before?.role === 'replica') {
    const target = await d.configuredSource(ctx);
    if (target && sameSource(target, source)) {
      const ok = await pollUntil(
        ctx,
        `${cfg.node} to stream`,
        async () => (streamsFrom(await d.state(ctx), source) ? true : undefined),
        { timeoutMs: 10_000, intervalMs: 200 },
      ).catch((e: unknown) => {
        if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_TIMEOUT') return false;
        throw e;
      });
      if (ok) return { changed: false, detail: `${cfg.node} already streams from ${from}` };
    }
  }

  const step = (message: string) => {
    throwIfAborted(ctx, `rebuilding ${cfg.node}`);
    ctx.progress?.({ message });
    ctx.heartbeat?.();
  };
  const data = serverCfg.dataDir;
  step('writing the replication password file');
  await server.writeFile(
    ctx,
    serverCfg.passFile,
    renderPassFile(source, [
      { user: repl.user, password: repl.password },
      { user: cfg.user, password: cfg.password },
    ]),
  );
  if (await server.isRunning(ctx)) {
    step('stopping the server (pg_ctl stop -m fast)');
    await d.closeSession();
    await server.stop(ctx);
  }
  step("saving the node's own configuration files");
  const saveDir = `${data}.lifeboat-conf`;
  await server.mkdir(ctx, saveDir);
  const kept: string[] = [];
  const owners = new Map<string, string>();
  for (const f of serverCfg.keepFiles) {
    if ((await server.readFile(ctx, `${data}/${f}`)) === undefined) continue;
    await server.copy(ctx, `${data}/${f}`, `${saveDir}/${f}`);
    kept.push(f);
    const owner = await server.owner(ctx, `${data}/${f}`);
    if (owner) owners.set(f, owner);
  }
  const autoConf = (await server.readFile(ctx, `${data}/postgresql.auto.conf`)) ?? '';

  const rewind = rewindPossible(await server.controlData(ctx));
  let method: 'pg_rewind' | 'pg_basebackup' = 'pg_basebackup';
  let rewindOutput = rewind.ok ? '' : `pg_rewind skipped: ${rewind.why}`;
  const env = { PGPASSFILE: serverCfg.passFile };
  if (rewind.ok) {
    const conninfo = renderConninfo({
      host: source.host,
      port: source.port,
      user: cfg.user,
      passFile: serverCfg.passFile,
      applicationName: 'lifeboat_rewind',
      dbname: cfg.database,
    });
    // pg_rewind reads the source's timeline from its control file, which a promoted server
    // updates only when its first checkpoint after the promotion ends (a spread one, seconds
    // later). Until then pg_rewind sees one timeline, says "no rewind required" and changes
    // nothing, though this node has diverged: it could not follow the new timeline. So a
    // CHECKPOINT on the source first, as the PostgreSQL documentation advises.
    step(`CHECKPOINT on ${from}, so that pg_rewind reads its current timeline`);
    const cp = await server.run(
      ctx,
      [
        `${serverCfg.binDir}/psql`,
        ...['-X', '-w', '-q', '-v', 'ON_ERROR_STOP=1'],
        ...['-d', conninfo, '-c', 'CHECKPOINT'],
      ],
      { env, timeoutMs: serverCfg.rebuildTimeoutMs },
    );
    if (cp.code !== 0) {
      rewindOutput = `pg_rewind skipped: CHECKPOINT on the source exited ${cp.code}: ${server.output(cp)}`;
    } else {
      step(`pg_rewind from ${from} (${rewind.why})`);
      const r = await server.run(
        ctx,
        [`${serverCfg.binDir}/pg_rewind`, '--target-pgdata', data, '--source-server', conninfo],
        { env, timeoutMs: serverCfg.rebuildTimeoutMs },
      );
      if (r.code === 0) method = 'pg_rewind';
      else rewindOutput = `pg_rewind exited ${r.code}: ${server.output(r)}`;
    }
  }
  if (method === 'pg_basebackup') {
    step(`pg_basebackup from ${from}`);
    const fresh = `${data}.lifeboat-new`;
    await server.remove(ctx, fresh);
    const r = await server.run(
      ctx,
      [
        `${serverCfg.binDir}/pg_basebackup`,
        ...['-h', source.host, '-p', String(source.port), '-U', repl.user, '-w'],
        ...['-D', fresh, '-X', 'stream', '-c', 'fast'],
        ...(repl.slotName ? ['-S', repl.slotName] : []),
      ],
      { env, timeoutMs: serverCfg.rebuildTimeoutMs },
    );
    if (r.code !== 0) {
      throw new LifeboatError(
        'LB_E_POSTGRES_REBUILD_FAILED',
        `${cfg.node}: ${rewindOutput}; pg_basebackup exited ${r.code}: ${server.output(r)}`,
      );
    }
    // The old copy is kept (its writes may be wanted); only the previous kept copy goes.
    await server.remove(ctx, `${data}.lifeboat-old`);
    await server.move(ctx, data, `${data}.lifeboat-old`);
    await server.move(ctx, fresh, data);
  }

  step("restoring the node's configuration and writing standby.signal");
  // A kept file still as it was (pg_rewind found nothing to rewind) is left alone: its owner and
  // mode stay, even when the server's user may not write it (config owned by root). A file that
  // pg_rewind or pg_basebackup replaced gets its saved bytes back, written as the server's
  // user: it then belongs to that user, which the result says when the owner was another one.
  const restored: string[] = [];
  const ownerNotKept: { file: string; was: string; now: string }[] = [];
  for (const f of kept) {
    if (await server.sameContent(ctx, `${saveDir}/${f}`, `${data}/${f}`)) continue;
    await server.copy(ctx, `${saveDir}/${f}`, `${data}/${f}`);
    restored.push(f);
    const was = owners.get(f);
    const now = await server.owner(ctx, `${data}/${f}`);
    if (was && now && was !== now) ownerNotKept.push({ file: f, was, now });
  }
  const primaryConninfo = renderConninfo({
    host: source.host,
    port: source.port,
    user: repl.user,
    passFile: serverCfg.passFile,
    applicationName: repl.applicationName ?? cfg.node,
  });
  await server.writeFile(
    ctx,
    `${data}/postgresql.auto.conf`,
    rewriteAutoConf(autoConf, {
      primaryConninfo,
      ...(repl.slotName ? { slotName: repl.slotName } : {}),
    }),
  );
  await server.writeFile(ctx, `${data}/standby.signal`, '');
  step('starting the server as a replica');
  await server.start(ctx);
  step(`waiting for ${cfg.node} to stream from ${from}`);
  await pollUntil(
    ctx,
    `${cfg.node} to stream from ${from}`,
    async () => (streamsFrom(await d.state(ctx), source) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch((e: unknown) => {
    if (!(e instanceof LifeboatError) || e.code !== 'LB_E_DRIVER_TIMEOUT') throw e;
    throw new LifeboatError(
      'LB_E_POSTGRES_REBUILD_FAILED',
      `${cfg.node} was rebuilt by ${method} and started, but does not stream from ${from} after 60 s; see ${serverCfg.logFile}`,
    );
  });
  const ms = Math.round(performance.now() - t0);
  const owned = ownerNotKept.map((o) => `${o.file} (was ${o.was})`).join(', ');
  return {
    changed: true,
    detail: `${cfg.node} now streams from ${from} (rebuilt by ${method}) in ${ms} ms${owned ? `; restored as ${serverCfg.osUser}, owner not kept: ${owned}` : ''}`,
    data: {
      method,
      ms,
      keptFiles: kept,
      restoredFiles: restored,
      ...(ownerNotKept.length ? { ownerNotKept } : {}),
      ...(rewindOutput ? { rewind: rewindOutput } : {}),
    },
  };
}
