// Database actions: `<kind>.fence`, `<kind>.unfence`, `<kind>.promote`, `<kind>.rebuild`
// (postgres, mariadb, or any driver with the capability). The promotion carries the
// two-primaries interlock: it never runs while another node of the data set accepts writes, or
// could not be reached and was not fenced by this run.
import { LifeboatError } from '../../core/errors/index.js';
import {
  type Driver,
  type FenceMode,
  isFenceable,
  isPromotable,
  isReplicating,
} from '../../drivers/driver.js';
import { sleep } from '../approvals.js';
import { badStep, str } from './args.js';
import type { ActionContext, ActionHandler } from './types.js';

function capable<T extends Driver>(
  ctx: ActionContext,
  driver: Driver,
  guard: (d: Driver) => d is T,
  what: string,
): T {
  if (!guard(driver)) throw badStep(ctx.step, `${driver.kind} on ${driver.target} cannot ${what}`);
  return driver;
}

function db(ctx: ActionContext, node = ctx.step.target): Driver {
  return ctx.drivers.database(ctx.step.service, str(ctx.step, 'dataSet'), node);
}

/**
 * Fences the node: by reaching it (stop, or read-only), and, where the data set has a fence lease
 * the node's agent holds, by revoking it — then whichever comes first: the node fenced directly,
 * or the lease expired (the agent has stopped the server by then, reachable or not). A node that
 * cannot be reached and holds no lease fails the step (the engine then asks a person).
 */
export const fence: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const mode = ctx.step.args.mode === 'read-only' ? 'read-only' : ('stop' as FenceMode);
    const driver = capable(ctx, db(ctx), isFenceable, 'be fenced');
    const dataSet = str(ctx.step, 'dataSet');
    // Only a stop fence (failover) revokes: a read-only fence (switchover) keeps the old primary
    // serving reads while its replica catches up, and its agent must not stop it meanwhile.
    const lease =
      mode === 'stop'
        ? ctx.drivers.leases?.revoke(ctx.step.service, dataSet, ctx.step.target)
        : undefined;
    if (!lease?.held) return driver.fence(ctx.op, mode);
    const direct = new AbortController();
    const op = { ...ctx.op, signal: AbortSignal.any([ctx.op.signal, direct.signal]) };
    let directError: unknown;
    const byHand = driver.fence(op, mode).catch((e: unknown) => {
      directError = e;
      return undefined;
    });
    const stopWaiting = new AbortController();
    const expired = sleep(
      Math.max(0, lease.safeAt - Date.now()),
      AbortSignal.any([ctx.op.signal, stopWaiting.signal]),
    ).then(() => 'expired' as const);
    expired.catch(() => undefined); // rejected when the direct fence wins, or the run stops
    const first = await Promise.race([byHand, expired]);
    if (first !== 'expired' && first !== undefined) {
      stopWaiting.abort();
      return first;
    }
    if (first === undefined) await expired; // reaching it failed: the lease decides
    direct.abort();
    const why =
      directError === undefined
        ? 'not reached before its lease expired'
        : `not reached: ${directError instanceof Error ? directError.message : String(directError)}`;
    return {
      changed: true,
      detail: `${ctx.step.target} fenced by its lease: revoked, last renewed ${new Date(lease.lastRenewedAt).toISOString()}, expired (ttl ${lease.ttlMs} ms) at ${new Date(lease.safeAt).toISOString()}; its agent stops a writable primary that cannot renew (${why})`,
      data: { byLease: true, safeAt: lease.safeAt },
    };
  },
};

export const unfence: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    return capable(ctx, db(ctx), isFenceable, 'be unfenced').unfence(ctx.op);
  },
};

/** How long a node gets to answer the two-primaries check before it counts as unreachable. */
const PEER_CHECK_MS = 3000;
const FENCED_PEER_CHECK_MS = 250;

async function assertNoOtherPrimary(ctx: ActionContext): Promise<void> {
  const dataSet = str(ctx.step, 'dataSet');
  const facts = ctx.drivers.dataSet(ctx.step.service, dataSet);
  for (const node of facts.nodes) {
    if (node === ctx.step.target) continue;
    const peer = ctx.drivers.database(ctx.step.service, dataSet, node);
    if (!isReplicating(peer)) continue;
    // A node this run fenced is expected not to answer (stopped, or cut off): do not wait long.
    const timeout = AbortSignal.timeout(
      ctx.fencedInRun(ctx.step.service, node) ? FENCED_PEER_CHECK_MS : PEER_CHECK_MS,
    );
    const signal = AbortSignal.any([ctx.op.signal, timeout]);
    let verdict: string;
    try {
      const s = await peer.replicationState({ signal });
      if (s.writable)
        throw new LifeboatError(
          'LB_E_ENGINE_TWO_PRIMARIES',
          `not promoting ${ctx.step.target}: ${node} is a ${s.role} that still accepts writes on \`${dataSet}\``,
          { details: { node, role: s.role } },
        );
      verdict = `${s.role}, not writable`;
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_ENGINE_TWO_PRIMARIES') throw e;
      if (ctx.op.signal.aborted) throw e;
      const fenced = ctx.fencedInRun(ctx.step.service, node);
      if (!fenced)
        throw new LifeboatError(
          'LB_E_ENGINE_TWO_PRIMARIES',
          `not promoting ${ctx.step.target}: ${node} could not be checked (${e instanceof Error ? e.message : String(e)}) and was not fenced by this run`,
          { details: { node } },
        );
      verdict = `unreachable, ${fenced} earlier in this run`;
    }
    await ctx.note({ event: 'peer-checked', node, verdict });
  }
}

export const promote: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const driver = capable(ctx, db(ctx), isPromotable, 'be promoted');
    await assertNoOtherPrimary(ctx);
    // The new primary's own lease must be renewable, or its agent would fence it.
    ctx.drivers.leases?.restore(ctx.step.service, str(ctx.step, 'dataSet'), ctx.step.target);
    // The readiness was judged (and recorded) by the run's check-ready step, with what the driver
    // alone cannot know (the old primary fenced, replication synchronous, --accept-data-loss).
    return driver.promote(ctx.op, {
      acceptDataLoss: ctx.acceptDataLoss || ctx.readinessChecked(ctx.step.service),
    });
  },
};

export const rebuild: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const driver = capable(ctx, db(ctx), isReplicating, 'be rebuilt as a replica');
    const source = ctx.drivers.replicaSource(
      ctx.step.service,
      str(ctx.step, 'dataSet'),
      str(ctx.step, 'source'),
    );
    return driver.rebuildAsReplicaOf(ctx.op, source);
  },
};
