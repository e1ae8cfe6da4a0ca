// What `lifeboat serve` runs on a data set's `replication.schedule` (pure): an rsync copy of a
// `files` data set from its source to each target, or the data set's `command` on its source.
// `lifeboat check` reports a schedule that yields no job; the controller skips it.
import type { DataSet } from './schema/plan.js';

/** A run that takes longer is aborted (`replication.timeout` overrides it). */
export const DEFAULT_JOB_TIMEOUT_MS = 3_600_000;

export type ReplicationJobSpec =
  | { kind: 'rsync'; schedule: string; source: string; targets: string[]; timeoutMs: number }
  | { kind: 'command'; schedule: string; node: string; argv: string[]; timeoutMs: number };

export type ReplicationJobOf =
  | { job: ReplicationJobSpec }
  | { problem: 'not-periodic' | 'no-job'; message: string };

/** The job of a data set's schedule; undefined without a schedule. */
export function replicationJobOf(ds: DataSet): ReplicationJobOf | undefined {
  const r = ds.replication;
  if (r.schedule === undefined) return undefined;
  if (r.mode !== 'periodic')
    return {
      problem: 'not-periodic',
      message: `\`schedule\` runs periodic copies, and the replication mode is \`${r.mode}\``,
    };
  const timeoutMs = r.timeout ?? DEFAULT_JOB_TIMEOUT_MS;
  const schedule = r.schedule;
  if (ds.source === undefined)
    return { problem: 'no-job', message: 'a scheduled copy needs the `source` node it runs on' };
  if (r.command !== undefined)
    return { job: { kind: 'command', schedule, node: ds.source, argv: r.command, timeoutMs } };
  if (ds.kind === 'files' && (r.tool === undefined || r.tool === 'rsync')) {
    const targets = (ds.targets ?? []).filter((t) => t !== ds.source);
    if (targets.length === 0)
      return { problem: 'no-job', message: 'an rsync copy needs `targets` to copy to' };
    if (ds.path === undefined)
      return { problem: 'no-job', message: 'an rsync copy needs the `path` it copies' };
    return { job: { kind: 'rsync', schedule, source: ds.source, targets, timeoutMs } };
  }
  return {
    problem: 'no-job',
    message: `nothing says how to copy a ${ds.kind} data set${r.tool ? ` with ${r.tool}` : ''}: give \`replication.command\` (or use \`files\` with rsync)`,
  };
}
