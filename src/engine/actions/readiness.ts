// `engine.check-ready` and `engine.wait-catch-up`: the interlock that a replica is fit to take
// over before anything irreversible happens. Pure verdicts (`replicaVerdict`) plus the loops
// that read the replicas through their drivers.
import { LifeboatError } from '../../core/errors/index.js';
import { isReplicating, type ReplicationState } from '../../drivers/driver.js';
import type { DataSetFacts } from '../ports.js';
import { num, strList } from './args.js';
import type { ActionContext, ActionHandler } from './types.js';

export interface Verdict {
  ready: boolean;
  /** One line for the operator and the journal. */
  reason: string;
  lagMs?: number;
  /**
   * The verdict may change within moments without anything being done: a replica that has just
   * (re)connected streams before it reports how far behind it is.
   */
  transient?: boolean;
}

/** How long check-ready re-reads a replica whose verdict is transient before it decides. */
export const SETTLE_MS = 3000;
const SETTLE_POLL_MS = 100;

/** Pure: may this replica be promoted without losing more than `maxLagMs` of writes? */
export function replicaVerdict(
  s: ReplicationState,
  facts: DataSetFacts,
  maxLagMs: number,
): Verdict {
  if (s.role === 'primary') return { ready: true, reason: 'already primary (promoted earlier)' };
  if (s.role !== 'replica') return { ready: false, reason: `its role is ${s.role}` };
  if (s.streaming && s.sourceAnswered === false && !facts.synchronous)
    return {
      ready: false,
      reason: `its source does not answer: the replica says it streams${s.lagMs !== undefined ? `, ${s.lagMs} ms behind` : ''}, but that is as of its last contact, and with asynchronous replication what the source wrote since is unknown`,
    };
  if (s.streaming) {
    const lag = s.lagMs ?? (s.lagBytes === 0 ? 0 : undefined);
    if (lag === undefined)
      return { ready: false, reason: 'streaming, but its lag is unknown', transient: true };
    return lag <= maxLagMs
      ? { ready: true, reason: `streaming, ${lag} ms behind (limit ${maxLagMs} ms)`, lagMs: lag }
      : {
          ready: false,
          reason: `${lag} ms behind, more than the ${maxLagMs} ms allowed`,
          lagMs: lag,
        };
  }
  if (facts.synchronous)
    return {
      ready: true,
      reason:
        'not streaming (its primary is gone), but replication is synchronous: every acknowledged commit reached this replica',
    };
  return {
    ready: false,
    reason:
      'not streaming and replication is asynchronous: what its primary wrote since it last sent is unknown',
  };
}

/**
 * Pure: may this mirror copy (rsync) take over? Everything its source had before `syncedThrough`
 * is in it; what came later may be missing: the loss is at most now − syncedThrough.
 */
export function mirrorVerdict(
  syncedThrough: number | undefined,
  nowMs: number,
  maxLagMs: number,
): Verdict {
  if (syncedThrough === undefined)
    return {
      ready: false,
      reason:
        'its copy has no marker of a sync by Lifeboat: how old it is cannot be told (sync it once with a run, or accept the loss)',
    };
  const lag = Math.max(0, nowMs - syncedThrough);
  const at = new Date(syncedThrough).toISOString();
  return lag <= maxLagMs
    ? {
        ready: true,
        reason: `complete up to ${at}, ${lag} ms ago (limit ${maxLagMs} ms)`,
        lagMs: lag,
      }
    : {
        ready: false,
        reason: `complete only up to ${at}, ${lag} ms ago: more than the ${maxLagMs} ms allowed`,
        lagMs: lag,
      };
}

async function stateOf(ctx: ActionContext, dataSet: string): Promise<ReplicationState> {
  const d = ctx.drivers.database(ctx.step.service, dataSet, ctx.step.target);
  if (!isReplicating(d))
    throw new LifeboatError(
      'LB_E_ENGINE_BAD_STEP',
      `${d.kind} on ${d.target} reports no replication state`,
    );
  return d.replicationState(ctx.op);
}

export const checkReady: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const maxLagMs = num(ctx.step, 'maxLagMs', 0);
    const lines: string[] = [];
    const notReady: string[] = [];
    for (const dataSet of strList(ctx.step, 'dataSets')) {
      const facts = ctx.drivers.dataSet(ctx.step.service, dataSet);
      let v: Verdict = { ready: false, reason: 'not read' };
      // Bounded: a transient verdict is read again for at most SETTLE_MS.
      const settleBy = Date.now() + SETTLE_MS;
      for (;;) {
        try {
          v =
            facts.kind === 'files'
              ? mirrorVerdict(
                  await ctx.drivers.mirrorSyncedThrough(
                    ctx.step.service,
                    dataSet,
                    ctx.step.target,
                    ctx.op.signal,
                  ),
                  Date.now(),
                  maxLagMs,
                )
              : replicaVerdict(await stateOf(ctx, dataSet), facts, maxLagMs);
        } catch (e) {
          if (ctx.op.signal.aborted) throw e;
          v = {
            ready: false,
            reason: `unreachable: ${e instanceof Error ? e.message : String(e)}`,
          };
        }
        if (v.ready || !v.transient || Date.now() >= settleBy) break;
        await ctx.sleep(SETTLE_POLL_MS);
      }
      await ctx.note({ event: 'readiness', dataSet, ready: v.ready, reason: v.reason });
      lines.push(`${dataSet}: ${v.reason}`);
      if (!v.ready) notReady.push(`\`${dataSet}\` on ${ctx.step.target}: ${v.reason}`);
    }
    if (notReady.length > 0 && !ctx.acceptDataLoss)
      throw new LifeboatError(
        'LB_E_ENGINE_NOT_READY',
        `not ready to take over: ${notReady.join('; ')}`,
      );
    if (notReady.length > 0) await ctx.note({ event: 'data-loss-accepted', notReady });
    return {
      changed: false,
      detail: `${notReady.length > 0 ? 'NOT ready, accepted (--accept-data-loss)' : 'ready'}: ${lines.join('; ')}`,
    };
  },
};

/** How often the replicas are read while waiting for them to catch up. */
const CATCH_UP_POLL_MS = 100;

export const waitCatchUp: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const started = Date.now();
    for (const dataSet of strList(ctx.step, 'dataSets')) {
      for (;;) {
        const s = await stateOf(ctx, dataSet);
        const caughtUp =
          s.role === 'primary' ||
          (s.streaming && (s.lagBytes === 0 || (s.lagBytes === undefined && s.lagMs === 0)));
        if (caughtUp) break;
        // Bounded by the step's timeout (op.signal), which aborts the sleep.
        await ctx.sleep(CATCH_UP_POLL_MS);
      }
    }
    return { changed: false, detail: `caught up in ${Date.now() - started} ms` };
  },
};
