// Promoting a MariaDB replica: STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=OFF, but only
// once it has applied everything it received (and everything its source has, when the source
// answers): MASTER_GTID_WAIT bounds that wait; past it the promote is refused (unless
// acceptDataLoss) and replication is left running as it was.
import { LifeboatError } from '../../core/errors/index.js';
import type { EffectResult, OperationContext } from '../driver.js';
import type { CheckedMyConfig } from './config.js';
import type { MySession } from './session.js';
import { type MyReplicationState, notReadyReason, type SlaveRow } from './state.js';

export interface PromoteDeps {
  cfg: CheckedMyConfig;
  session: MySession;
  state(ctx: OperationContext): Promise<MyReplicationState>;
}

/** 0: reached; -1: timed out (MASTER_GTID_WAIT's own answers). */
async function gtidWait(d: PromoteDeps, ctx: OperationContext, pos: string): Promise<boolean> {
  if (pos === '') return true;
  const secs = d.cfg.promote.applyWaitMs / 1000;
  const [r] = await d.session.query<{ w: number }>(
    ctx,
    'SELECT MASTER_GTID_WAIT(?, ?) AS w',
    [pos, secs],
    'MASTER_GTID_WAIT',
    d.cfg.promote.applyWaitMs + d.cfg.queryTimeoutMs,
  );
  return Number(r?.w) === 0;
}

export async function promoteReplica(
  d: PromoteDeps,
  ctx: OperationContext,
  opts: { acceptDataLoss?: boolean },
): Promise<EffectResult> {
  const node = d.cfg.node;
  const before = await d.state(ctx);
  if (before.role !== 'replica') {
    if (before.writable) return { changed: false, detail: `${node} is already primary` };
    // A node with no source and read_only=ON: a promote stopped half-way, or a fenced primary
    // the engine chose to promote. Either way, promoting means writable.
    await d.session.query(ctx, 'SET GLOBAL read_only = OFF', [], 'SET GLOBAL read_only');
    return { changed: true, detail: `${node} had no source and was read-only: made writable` };
  }
  const why = notReadyReason(before, d.cfg.promote);
  if (why && !opts.acceptDataLoss) {
    throw new LifeboatError('LB_E_DRIVER_NOT_READY', `not promoting ${node}: ${why}`, {
      details: { io: before.ioRunning, sql: before.sqlRunning, lagMs: before.lagMs },
    });
  }
  const t0 = performance.now();
  if (!opts.acceptDataLoss) {
    // Everything the source has (when it answered), while the IO thread still fetches it...
    const target = before.sourcePos ?? before.receivedPos ?? '';
    if (!(await gtidWait(d, ctx, target))) {
      throw new LifeboatError(
        'LB_E_DRIVER_NOT_READY',
        `not promoting ${node}: it did not reach ${target} within ${d.cfg.promote.applyWaitMs} ms (applied: ${before.appliedPos})`,
      );
    }
    // ...then nothing more arrives, and what did arrive must be applied.
    await d.session.query(ctx, 'STOP SLAVE IO_THREAD', [], 'STOP SLAVE IO_THREAD');
    const [slave] = await d.session.query<SlaveRow & Record<string, unknown>>(
      ctx,
      'SHOW SLAVE STATUS',
      [],
      'SHOW SLAVE STATUS',
    );
    const received = slave?.Gtid_IO_Pos ?? '';
    if (!(await gtidWait(d, ctx, received))) {
      await d.session.query(ctx, 'START SLAVE IO_THREAD', [], 'START SLAVE IO_THREAD');
      throw new LifeboatError(
        'LB_E_DRIVER_NOT_READY',
        `not promoting ${node}: it has not applied everything it received (${received}) within ${d.cfg.promote.applyWaitMs} ms`,
      );
    }
  }
  await d.session.query(ctx, 'STOP SLAVE', [], 'STOP SLAVE');
  await d.session.query(ctx, 'RESET SLAVE ALL', [], 'RESET SLAVE ALL');
  await d.session.query(ctx, 'SET GLOBAL read_only = OFF', [], 'SET GLOBAL read_only');
  const ms = Math.round(performance.now() - t0);
  const [after] = await d.session.query<{ pos: string }>(
    ctx,
    'SELECT @@global.gtid_current_pos AS pos',
  );
  return {
    changed: true,
    detail: `promoted ${node} (was replica of ${before.source}, at ${after?.pos ?? '?'}) in ${ms} ms`,
    data: {
      ms,
      previousSource: before.source,
      position: after?.pos,
      lagMsAtPromote: before.lagMs,
      acceptedDataLoss: Boolean(why) || undefined,
      ...(why ? { notReadyBecause: why } : {}),
    },
  };
}
