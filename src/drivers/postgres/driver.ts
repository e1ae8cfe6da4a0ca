// The PostgreSQL driver of one node: observe, replication state, promote, fence and rebuild.
// Each effect re-checks the node first and does nothing when it is already in the asked state.
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil } from '../context.js';
import type {
  EffectResult,
  Fenceable,
  FenceMode,
  Observation,
  OperationContext,
  Promotable,
  ReplicaSource,
  Replicating,
} from '../driver.js';
import { type CheckedPgConfig, checkPgConfig, type PostgresDriverConfig } from './config.js';
import { fenceReadOnly, fenceStop, unfence } from './fence.js';
import { rebuildAsReplica } from './rebuild.js';
import { PgServer } from './server.js';
import { PgSession } from './session.js';
import {
  CONNINFO_SQL,
  conninfoTarget,
  NODE_SQL,
  type NodeRow,
  notReadyReason,
  type PgReplicationState,
  RECEIVER_SQL,
  type ReceiverRow,
  STANDBYS_SQL,
  type StandbyRow,
  toReplicationState,
} from './state.js';

export interface PromoteOptions {
  /** Promote even when the replica is not streaming or too far behind: writes may be lost. */
  acceptDataLoss?: boolean;
  /** Overrides the configured promote.maxLagBytes for this call. */
  maxLagBytes?: number;
}

export class PostgresDriver implements Replicating, Promotable, Fenceable {
  readonly kind = 'postgres';
  readonly target: string;
  readonly config: CheckedPgConfig;
  readonly #session: PgSession;
  readonly #server: PgServer | undefined;

  constructor(config: PostgresDriverConfig) {
    this.config = checkPgConfig(config);
    this.target = this.config.node;
    this.#session = new PgSession(this.config, `postgres ${this.target}`);
    const s = this.config.server;
    this.#server = s
      ? new PgServer(s, `postgres ${this.target}`, [
          this.config.password,
          config.replication?.password,
        ])
      : undefined;
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const s = await this.replicationState(ctx);
    const lag =
      s.role === 'replica'
        ? `, lag ${s.lagBytes ?? '?'} B / ${s.lagMs ?? '?'} ms`
        : `, ${s.standbys?.length ?? 0} standby(s)`;
    const what =
      s.role === 'replica'
        ? `replica of ${s.source ?? '?'} (${s.receiverStatus})`
        : `${s.writable ? 'writable' : 'read-only'} primary`;
    const facts: Record<string, unknown> = {
      role: s.role,
      writable: s.writable,
      streaming: s.streaming,
      fenced: s.fenced,
      timeline: s.timeline,
      synchronous: s.synchronous ?? false,
      source: s.source,
      receiverStatus: s.receiverStatus,
      replayPaused: s.replayPaused,
      standbys: s.standbys?.map((b) => ({ name: b.name, state: b.state, syncState: b.syncState })),
      // Moving values are named so that readers (and the conformance suite) know they move.
      positionAt: s.position,
      lag: {
        bytes: s.lagBytes,
        ms: s.lagMs,
        unappliedBytes: s.unappliedBytes,
        silenceMs: s.silenceMs,
        standbys: s.standbys,
      },
    };
    return {
      healthy: s.role === 'primary' || s.streaming,
      summary: `${this.target}: ${what}, timeline ${s.timeline ?? '?'}${lag}`,
      facts: JSON.parse(JSON.stringify(facts)) as Record<string, unknown>,
    };
  }

  async replicationState(ctx: OperationContext): Promise<PgReplicationState> {
    const [node] = await this.#session.query<NodeRow & Record<string, unknown>>(
      ctx,
      NODE_SQL,
      [],
      'reading the node state',
    );
    if (!node)
      throw new LifeboatError('LB_E_DRIVER_PROTOCOL', `${this.target} returned no state row`);
    const receiver = node.in_recovery
      ? (
          await this.#session.query<ReceiverRow & Record<string, unknown>>(
            ctx,
            RECEIVER_SQL,
            [],
            'reading pg_stat_wal_receiver',
          )
        )[0]
      : undefined;
    const standbys = node.in_recovery
      ? []
      : await this.#session.query<StandbyRow & Record<string, unknown>>(
          ctx,
          STANDBYS_SQL,
          [],
          'reading pg_stat_replication',
        );
    return toReplicationState(node, receiver, standbys);
  }

  async promote(ctx: OperationContext, opts: PromoteOptions = {}): Promise<EffectResult> {
    const before = await this.replicationState(ctx);
    if (before.role === 'primary') {
      return {
        changed: false,
        detail: `${this.target} is already primary${before.writable ? '' : ' (fenced read-only)'}`,
        data: { timeline: before.timeline },
      };
    }
    const limits = {
      ...this.config.promote,
      ...(opts.maxLagBytes !== undefined ? { maxLagBytes: opts.maxLagBytes } : {}),
    };
    const why = notReadyReason(before, limits);
    if (why && !opts.acceptDataLoss) {
      throw new LifeboatError('LB_E_DRIVER_NOT_READY', `not promoting ${this.target}: ${why}`, {
        details: {
          receiverStatus: before.receiverStatus,
          lagBytes: before.lagBytes,
          silenceMs: before.silenceMs,
        },
      });
    }
    const t0 = performance.now();
    // wait => false: the server's own wait polls every 100 ms; we poll every ~10 ms.
    await this.#session.query(ctx, 'SELECT pg_promote(wait => false)', [], 'pg_promote');
    await pollUntil(
      ctx,
      `${this.target} to leave recovery`,
      async () => {
        const [r] = await this.#session.query<{ r: boolean }>(
          ctx,
          'SELECT pg_is_in_recovery() AS r',
          [],
          'polling pg_is_in_recovery()',
        );
        return r?.r === false ? true : undefined;
      },
      { timeoutMs: this.config.promote.timeoutMs, intervalMs: this.config.promote.pollMs },
    );
    const ms = Math.round(performance.now() - t0);
    const after = await this.replicationState(ctx);
    const [sync] = await this.#session.query<{ names: string }>(
      ctx,
      "SELECT current_setting('synchronous_standby_names') AS names",
    );
    const warn = [
      after.fenced ? 'it is fenced read-only (unfence it to write)' : '',
      sync?.names ? `commits wait for a synchronous standby (${sync.names})` : '',
    ].filter((w) => w !== '');
    return {
      changed: true,
      detail: `promoted ${this.target} (timeline ${before.timeline ?? '?'} → ${after.timeline ?? '?'}) in ${ms} ms${warn.length ? `; ${warn.join('; ')}` : ''}`,
      data: {
        ms,
        timelineBefore: before.timeline,
        timelineAfter: after.timeline,
        lagBytesAtPromote: before.lagBytes,
        acceptedDataLoss: Boolean(why),
        ...(why ? { notReadyBecause: why } : {}),
      },
    };
  }

  fence(ctx: OperationContext, how: FenceMode = 'read-only'): Promise<EffectResult> {
    if (how === 'stop') return fenceStop(this.#fenceDeps(), ctx);
    return fenceReadOnly(this.#fenceDeps(), ctx);
  }

  unfence(ctx: OperationContext): Promise<EffectResult> {
    return unfence(this.#fenceDeps(), ctx);
  }

  rebuildAsReplicaOf(ctx: OperationContext, source: ReplicaSource): Promise<EffectResult> {
    const serverCfg = this.config.server;
    if (!this.#server || !serverCfg) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFIG',
        `${this.target}: rebuildAsReplicaOf needs server (runner, dataDir)`,
      );
    }
    return rebuildAsReplica(
      {
        cfg: this.config,
        server: this.#server,
        serverCfg,
        state: (c) => this.#stateOrUndefined(c),
        configuredSource: async (c) => {
          const [r] = await this.#session.query<{ conninfo: string }>(c, CONNINFO_SQL);
          return r?.conninfo ? conninfoTarget(r.conninfo) : undefined;
        },
        closeSession: () => this.#session.close(),
      },
      ctx,
      source,
    );
  }

  close(): Promise<void> {
    return this.#session.close();
  }

  async #stateOrUndefined(ctx: OperationContext): Promise<PgReplicationState | undefined> {
    try {
      return await this.replicationState(ctx);
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_UNREACHABLE') return undefined;
      throw e;
    }
  }

  #fenceDeps() {
    return { node: this.target, session: this.#session, server: this.#server };
  }
}
