// RPO now and readiness to fail over, per service: what the engine's `engine.check-ready` of the
// failover the controller would start now (from the active site) would decide, with the same
// pure rule (`replicaVerdict`), read through the same StepDrivers. Data sets the failover does
// not check: a scheduled copy's age (the time since what its last successful run holds), else a
// mirror's age of the last good sync (its marker, read on a target), else unknown with the reason.
import type { DataSet, Plan } from '../core/plan/index.js';
import type { PlannedStep } from '../core/runbook/index.js';
import { mirrorVerdict, replicaVerdict, type StepDrivers, type Verdict } from '../engine/index.js';
import type { RpoStatus } from './model.js';
import type { JobRecord } from './replication-jobs.js';

type AnyDriver = ReturnType<StepDrivers['database']>;
type OpContext = Parameters<AnyDriver['observe']>[0];
type ReplicationState = Parameters<typeof replicaVerdict>[0];

export interface DataAssessment {
  rpo: RpoStatus[];
  ready: boolean;
  detail: string;
}

interface Replicating {
  replicationState(ctx: OpContext): Promise<ReplicationState>;
}

function isReplicating(d: AnyDriver): d is AnyDriver & Replicating {
  return typeof (d as unknown as Record<string, unknown>).replicationState === 'function';
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function kindOf(ds: DataSet): RpoStatus['kind'] {
  if (ds.kind === 'none' || ds.replication.mode === 'none') return 'none';
  if (ds.kind === 'files') return 'mirror';
  if (ds.kind === 'backup' || ds.replication.mode === 'periodic') return 'backup';
  return 'replica';
}

export interface AssessInput {
  plan: Plan;
  service: string;
  /** The steps of the failover the controller would start now; undefined with `why` when none derives. */
  failover: readonly PlannedStep[] | undefined;
  why?: string;
  activeSite: string | undefined;
  drivers: StepDrivers;
  ctx: () => OpContext;
  now: number;
  /** The scheduled job of a data set, when it has one (its last success, its failures). */
  jobs?: (dataSet: string) => JobRecord | undefined;
  /** When the controller started: a job that failed ever since is at least that old. */
  since?: number;
}

export async function assessData(input: AssessInput): Promise<DataAssessment> {
  const { plan, service, failover, drivers } = input;
  const svc = plan.services?.[service];
  const targetMs = plan.tiers?.[svc?.tier ?? '']?.rpo ?? 0;
  const observedAt = new Date(input.now).toISOString();
  const rpo: RpoStatus[] = [];
  const reasons: string[] = [];
  let ready = failover !== undefined;
  if (!failover) reasons.push(input.why ?? 'no failover derives for this service');
  const checked = new Set<string>();
  for (const step of failover ?? []) {
    if (step.action !== 'engine.check-ready' || step.service !== service) continue;
    const maxLagMs = typeof step.args.maxLagMs === 'number' ? step.args.maxLagMs : 0;
    for (const dataSet of strings(step.args.dataSets)) {
      checked.add(dataSet);
      let v: Verdict;
      let synchronous = false;
      let kind: RpoStatus['kind'] = 'replica';
      try {
        const facts = drivers.dataSet(service, dataSet);
        synchronous = facts.synchronous;
        if (facts.kind === 'files') {
          // A mirror copy: the age of its last complete sync, read on the target node.
          kind = 'mirror';
          const through = await drivers.mirrorSyncedThrough(
            service,
            dataSet,
            step.target,
            input.ctx().signal,
          );
          v = mirrorVerdict(through, input.now, maxLagMs);
        } else {
          const d = drivers.database(service, dataSet, step.target);
          if (!isReplicating(d)) throw new Error(`${d.kind} on ${d.target} reports no replication`);
          v = replicaVerdict(await d.replicationState(input.ctx()), facts, maxLagMs);
        }
      } catch (e) {
        v = { ready: false, reason: `unreachable: ${message(e)}` };
      }
      if (!v.ready) ready = false;
      reasons.push(`${dataSet} on ${step.target}: ${v.reason}`);
      // A synchronous replica that stopped streaming has every acknowledged commit: 0 lost.
      const rpoMs = v.lagMs ?? (v.ready && synchronous ? 0 : undefined);
      rpo.push({
        dataSet,
        kind,
        ...(rpoMs !== undefined ? { rpoMs, within: rpoMs <= targetMs } : {}),
        targetMs,
        observedAt,
        detail: `${step.target}: ${v.reason}`,
      });
    }
  }
  for (const ds of svc?.data ?? []) {
    if (checked.has(ds.name)) continue;
    const kind = kindOf(ds);
    const base = { dataSet: ds.name, kind, targetMs, observedAt };
    if (kind === 'none') {
      rpo.push({ ...base, detail: 'no copy is kept' });
      continue;
    }
    const job = input.jobs?.(ds.name);
    if (job?.syncedThroughMs !== undefined) {
      const age = Math.max(0, input.now - job.syncedThroughMs);
      const failedSince =
        job.lastFailureAt !== undefined && job.lastFailureAt > job.syncedThroughMs;
      rpo.push({
        ...base,
        rpoMs: age,
        within: age <= targetMs,
        detail: `scheduled copy: changes before ${new Date(job.syncedThroughMs).toISOString()} are copied${failedSince ? '; the last run failed' : ''}`,
      });
      continue;
    }
    if (job && kind !== 'mirror') {
      // No run succeeded since the controller started (a mirror's marker may still tell, below).
      if (job.failed > 0 && input.since !== undefined) {
        const atLeast = Math.max(0, input.now - input.since);
        rpo.push({
          ...base,
          rpoMs: atLeast,
          within: atLeast <= targetMs,
          detail: `scheduled copy: no run succeeded since the controller started (${new Date(input.since).toISOString()}), ${job.failed} failed: at least this old`,
        });
      } else
        rpo.push({
          ...base,
          detail: 'scheduled copy: no run has ended yet since the controller started',
        });
      continue;
    }
    if (kind === 'mirror' && ds.source !== undefined) {
      const to = (ds.targets ?? []).find(
        (t) => plan.nodes?.[t]?.site !== input.activeSite && t !== ds.source,
      );
      try {
        if (!to) throw new Error('no target outside the active site');
        const v = mirrorVerdict(
          await drivers.mirrorSyncedThrough(service, ds.name, to, input.ctx().signal),
          input.now,
          targetMs,
        );
        rpo.push({
          ...base,
          ...(v.lagMs !== undefined ? { rpoMs: v.lagMs, within: v.lagMs <= targetMs } : {}),
          detail: `${to}: ${v.reason}`,
        });
      } catch (e) {
        rpo.push({ ...base, detail: `age of the last sync unknown: ${message(e)}` });
      }
      continue;
    }
    rpo.push({
      ...base,
      detail:
        'copied periodically outside Lifeboat (no `replication.schedule`): the age of the last copy is not observed',
    });
  }
  if (failover && reasons.length === 0) reasons.push('no data to check: nothing to promote');
  return { rpo, ready, detail: reasons.join('; ') };
}
