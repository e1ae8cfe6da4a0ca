// The Patroni side of bench/controller/failover.ts: one round of Patroni 3.0.2 (Debian's package)
// with a 3-member etcd, on the same lab, the same HAProxy in wan (port 5433, routed by Patroni's
// `/primary` health check) and the same client loop (src/lab/workload.ts) as Lifeboat's rounds.
// The faults are the same: (a) SIGKILL of the leader's postmaster, (b) site a partitioned.
// Patroni tells no breakdown: what is measured is fault → first acknowledged write, where the
// service is then served from, lost acknowledged writes and moments with two writable primaries.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Lab,
  openWorkload,
  type PatroniSettings,
  patroniPostmasterPid,
  watchPrimaries,
} from '../../src/lab/index.js';
import { endRound, type Fault, injectAndMark, type RoundEnd, within } from './fault.js';

export interface PatroniRound extends RoundEnd {
  fault: Fault;
  firstAckMs: number;
  ok: boolean;
  note: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL of patroni-a's postmaster; returns once it is gone. */
async function killLeaderPostmaster(lab: Lab): Promise<void> {
  const pid = patroniPostmasterPid(lab.paths, 'a');
  if (pid === undefined) throw new Error('patroni-a has no postmaster.pid');
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
  if (alive(pid)) throw new Error(`postmaster ${pid} still alive 2 s after SIGKILL`);
}

/** `waitMs`: how long the round waits for the first write after the fault. */
export async function patroniRound(
  lab: Lab,
  fault: Fault,
  settings: PatroniSettings,
  waitMs: number,
): Promise<PatroniRound> {
  await within(lab.down(), 90_000, 'lab down');
  await within(lab.up(['patroni', 'haproxy'], { patroni: settings }), 180_000, 'lab up');
  const wl = await openWorkload(lab, 'patroni', {
    name: 'bench-patroni',
    connectTimeoutMs: 500,
    queryTimeoutMs: 1000,
  });
  let writer: Awaited<ReturnType<typeof wl.writer>> | undefined;
  let checker: ReturnType<typeof watchPrimaries> | undefined;
  try {
    writer = await wl.writer('bench_writes', { pauseOnErrorMs: 20 });
    checker = watchPrimaries(lab, 'patroni', 50);
    await sleep(1500);
    const { faultMs, inFlight } = await injectAndMark(writer, () =>
      fault === 'kill' ? killLeaderPostmaster(lab) : lab.partition('a'),
    );
    const more = await writer.waitForMore(1, waitMs);
    const ack = writer.firstAckAfterMark();
    const end = await endRound(wl, writer, checker, 'patroni');
    return {
      fault,
      firstAckMs: ack === undefined ? Number.NaN : ack + faultMs,
      ...end,
      ok: more && ack !== undefined,
      note: `served by ${end.servedBy}${inFlight ? ', an in-flight write acked just after the fault set aside' : ''}${more ? '' : `, no write within ${waitMs} ms`}`,
    };
  } finally {
    await writer?.stop().catch(() => undefined);
    await checker?.stop().catch(() => undefined);
    await wl.close().catch(() => undefined);
  }
}
