// The MariaDB driver of one node: observe, replication state (GTID positions, lag, and a GTID
// comparison with the source when it answers), promote, fence, and re-point as a replica.
import { LifeboatError } from '../../core/errors/index.js';
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
import { type CheckedMyConfig, checkMyConfig, type MariadbDriverConfig } from './config.js';
import { fenceReadOnly, fenceStop, unfence } from './fence.js';
import { promoteReplica } from './promote.js';
import { repointAsReplica } from './repoint.js';
import { MyServer } from './server.js';
import { MySession } from './session.js';
import {
  isConfiguredReplica,
  type MyReplicationState,
  type SlaveRow,
  toReplicationState,
  VARS_SQL,
  type VarsRow,
} from './state.js';

export interface MyPromoteOptions {
  /** Promote even when the replica is not connected, behind, or has not applied everything. */
  acceptDataLoss?: boolean;
}

export class MariadbDriver implements Replicating, Promotable, Fenceable {
  readonly kind = 'mariadb';
  readonly target: string;
  readonly config: CheckedMyConfig;
  readonly #session: MySession;
  readonly #server: MyServer | undefined;
  readonly #peers = new Map<string, MySession>();

  constructor(config: MariadbDriverConfig) {
    this.config = checkMyConfig(config);
    this.target = this.config.node;
    this.#session = this.#sessionTo(
      config.host.startsWith('/')
        ? { socketPath: config.host }
        : { host: config.host, port: config.port },
      this.config.connectTimeoutMs,
      `mariadb ${this.target}`,
    );
    this.#server = config.server
      ? new MyServer(config.server, `mariadb ${this.target}`)
      : undefined;
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const s = await this.replicationState(ctx);
    const what =
      s.role === 'replica'
        ? `replica of ${s.source} (IO ${s.ioRunning}, SQL ${s.sqlRunning}), ${s.unappliedTransactions ?? '?'} unapplied, lag ${s.lagMs ?? '?'} ms`
        : `${s.writable ? 'writable' : 'read-only'} primary`;
    const facts: Record<string, unknown> = {
      role: s.role,
      writable: s.writable,
      streaming: s.streaming,
      readOnly: s.readOnly,
      source: s.source,
      ioRunning: s.ioRunning,
      sqlRunning: s.sqlRunning,
      lastError: s.lastError,
      positionAt: s.position,
      binlogPositionAt: s.binlogPos,
      lag: {
        ms: s.lagMs,
        bytes: s.lagBytes,
        unappliedTransactions: s.unappliedTransactions,
        behindSourceTransactions: s.behindSourceTransactions,
        receivedPos: s.receivedPos,
        appliedPos: s.appliedPos,
        sourcePos: s.sourcePos,
      },
    };
    return {
      healthy: s.role === 'primary' || s.streaming,
      summary: `${this.target}: ${what}, GTID ${s.position ?? '?'}`,
      facts: JSON.parse(JSON.stringify(facts)) as Record<string, unknown>,
    };
  }

  /** With `compareSource` (default), asks the source for its position too, within sourceTimeoutMs. */
  async replicationState(ctx: OperationContext, compareSource = true): Promise<MyReplicationState> {
    const [vars] = await this.#session.query<VarsRow & Record<string, unknown>>(
      ctx,
      VARS_SQL,
      [],
      'reading variables',
    );
    if (!vars)
      throw new LifeboatError('LB_E_DRIVER_PROTOCOL', `${this.target} returned no variables`);
    const [slave] = await this.#session.query<SlaveRow & Record<string, unknown>>(
      ctx,
      'SHOW SLAVE STATUS',
      [],
      'SHOW SLAVE STATUS',
    );
    let sourcePos: string | undefined;
    const asked = compareSource && isConfiguredReplica(slave);
    if (asked) {
      sourcePos = await this.#sourcePos(ctx, {
        host: slave.Master_Host,
        port: Number(slave.Master_Port),
      });
    }
    const state = toReplicationState(vars, slave, sourcePos);
    if (asked) state.sourceAnswered = sourcePos !== undefined;
    return state;
  }

  promote(ctx: OperationContext, opts: MyPromoteOptions = {}): Promise<EffectResult> {
    return promoteReplica(
      {
        cfg: this.config,
        session: this.#session,
        state: (c) => this.replicationState(c),
      },
      ctx,
      opts,
    );
  }

  fence(ctx: OperationContext, how: FenceMode = 'read-only'): Promise<EffectResult> {
    const d = { node: this.target, session: this.#session, server: this.#server };
    return how === 'stop' ? fenceStop(d, ctx) : fenceReadOnly(d, ctx);
  }

  unfence(ctx: OperationContext): Promise<EffectResult> {
    return unfence({ node: this.target, session: this.#session, server: this.#server }, ctx);
  }

  rebuildAsReplicaOf(ctx: OperationContext, source: ReplicaSource): Promise<EffectResult> {
    return repointAsReplica(
      {
        cfg: this.config,
        session: this.#session,
        state: (c) => this.replicationState(c, false),
        sourcePos: (c, s) => this.#sourcePos(c, s),
      },
      ctx,
      source,
    );
  }

  async close(): Promise<void> {
    await this.#session.close();
    for (const p of this.#peers.values()) await p.close();
    this.#peers.clear();
  }

  /** The source's gtid_binlog_pos, or undefined when it does not answer within sourceTimeoutMs. */
  async #sourcePos(ctx: OperationContext, source: ReplicaSource): Promise<string | undefined> {
    const key = `${source.host}:${source.port}`;
    let peer = this.#peers.get(key);
    if (!peer) {
      const where = this.config.resolvePeer?.(source.host, source.port) ?? source;
      peer = this.#sessionTo(where, this.config.sourceTimeoutMs, `mariadb source ${key}`);
      this.#peers.set(key, peer);
    }
    try {
      const [r] = await peer.query<{ pos: string }>(
        ctx,
        'SELECT @@global.gtid_binlog_pos AS pos',
        [],
        'reading the source position',
        this.config.sourceTimeoutMs,
      );
      return r?.pos;
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED') throw e;
      return undefined;
    }
  }

  #sessionTo(
    peer: { host?: string; port?: number; socketPath?: string },
    connectTimeoutMs: number,
    label: string,
  ) {
    return new MySession({
      peer,
      user: this.config.user,
      password: this.config.password,
      connectTimeoutMs,
      queryTimeoutMs: this.config.queryTimeoutMs,
      label,
      secrets: [this.config.replication?.password],
    });
  }
}
