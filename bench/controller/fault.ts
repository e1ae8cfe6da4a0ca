// What the controller benchmark's two sides (Lifeboat, bench/controller/failover.ts; Patroni,
// bench/controller/patroni.ts) share: a bound on a step, the fault with the writer's mark, and
// the end of a round (the writes counted where the service is served from).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  countPresent,
  type PrimaryChecker,
  servingSite,
  type Workload,
  type WorkloadEngine,
  type Writer,
} from '../../src/lab/index.js';

export type Fault = 'kill' | 'partition';

/** `p`, or a rejection naming `what` after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Injects the fault (`inject` resolves once it holds: a killed process is gone) and marks the
 * writer, so that its first acknowledgement after the mark, plus `faultMs`, is fault → first
 * acknowledged write. A write in flight at the fault can still be acknowledged just after (its
 * reply already on its way): 100 ms later, well below any detection, such an ack is set aside by
 * marking again, the time to that mark added back instead.
 */
export async function injectAndMark(
  writer: Writer,
  inject: () => Promise<unknown>,
): Promise<{ faultMs: number; inFlight: boolean }> {
  const p0 = performance.now();
  await inject();
  writer.mark();
  let faultMs = performance.now() - p0;
  await sleep(100);
  const inFlight = writer.firstAckAfterMark() !== undefined;
  if (inFlight) {
    writer.mark();
    faultMs = performance.now() - p0;
  }
  return { faultMs, inFlight };
}

/** What a round found once the writes stopped. */
export interface RoundEnd {
  acked: number;
  /** Acknowledged ids absent where the service is served from now. */
  lost: number;
  /** The site serving writes through HAProxy after the round. */
  servedBy: string;
  doubles: number;
  checks: number;
}

/**
 * A second more of writes on the new primary, then the writer and the checker stopped, and the
 * acknowledged ids counted through HAProxy, where the service is served from now.
 */
export async function endRound(
  wl: Workload,
  writer: Writer,
  checker: PrimaryChecker,
  engine: WorkloadEngine,
): Promise<RoundEnd> {
  await sleep(1000);
  await writer.stop();
  await checker.stop();
  const c = await wl.connect();
  try {
    const acked = [...writer.acked];
    const present = await countPresent(c, 'bench_writes', acked);
    return {
      acked: acked.length,
      lost: acked.length - present,
      servedBy: await servingSite(c, engine),
      doubles: checker.doubles.length,
      checks: checker.checks,
    };
  } finally {
    await c.end();
  }
}
