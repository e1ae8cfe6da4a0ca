// One run of a scheduled replication job (replication-jobs.ts schedules them), with the drivers
// of the plan applied when it starts (held until it ends): rsync to each target in turn (every
// target is tried; the run fails if one failed, with the first failure's code), or the data
// set's command on its source.
import { LifeboatError } from '../core/errors/index.js';
import type { ReplicationJobSpec } from '../core/plan/index.js';
import type { Clock } from './clock.js';
import { codeOf, message } from './error-text.js';
import type { JobRunResult } from './replication-jobs.js';
import type { RunningPlan } from './running-plan.js';

export async function runReplicationJob(
  plan: Pick<RunningPlan, 'hold' | 'release'>,
  clock: Clock,
  service: string,
  dataSet: string,
  job: ReplicationJobSpec,
  signal: AbortSignal,
): Promise<JobRunResult> {
  const gen = plan.hold();
  try {
    const ctx = { signal };
    if (job.kind === 'command') {
      const started = clock.now();
      await gen.drivers.command(job.node, { argv: job.argv }).run(ctx);
      return { syncedThroughMs: started };
    }
    let through = Number.POSITIVE_INFINITY;
    const failed: { to: string; error: unknown }[] = [];
    for (const to of job.targets) {
      if (signal.aborted) throw signal.reason;
      const started = clock.now();
      try {
        const r = await gen.drivers.mirror(service, dataSet, job.source, to).sync(ctx);
        const t0 = r.data?.syncedThrough;
        const ms = typeof t0 === 'string' ? Date.parse(t0) : Number.NaN;
        through = Math.min(through, Number.isFinite(ms) ? ms : started);
      } catch (e) {
        if (signal.aborted) throw e;
        failed.push({ to, error: e });
      }
    }
    const first = failed[0];
    if (first) {
      const text = failed.map((f) => `${f.to}: ${message(f.error)}`).join('; ');
      const code = codeOf(first.error) ?? 'LB_E_CONTROLLER_JOB_FAILED';
      throw new LifeboatError(code, `rsync of ${dataSet} failed to ${text}`, {
        cause: first.error,
      });
    }
    return { syncedThroughMs: through };
  } finally {
    plan.release(gen);
  }
}
