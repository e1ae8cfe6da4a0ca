// How much recent data a service can lose: for each data set, the worst case of its copy
// mechanism; for the service, the worst of its data sets, compared with its tier's RPO.
import { cronWorstGapMs } from '../plan/cron.js';
import { humanDuration } from '../plan/duration.js';
import type { DataSet, Service } from '../plan/index.js';
import { type Diagnostic, diagnostic, type PlanPath } from '../plan/index.js';
import { replicationJobOf } from '../plan/replication-job.js';
import { DEFAULT_ASYNC_LAG_MS } from './estimates.js';
import type { Verdict } from './types.js';

export interface DataSetRpo {
  /** Worst-case loss, ms; Infinity when nothing is copied; NaN when it cannot be told. */
  ms: number;
  basis: string;
  /** The data lives on one node only. */
  noCopy: boolean;
  /** The estimate comes from `replication.schedule` (its longest gap between two runs). */
  scheduled?: boolean;
}

/** Worst-case data loss of one data set, from its kind and replication alone. */
export function dataSetRpo(d: DataSet): DataSetRpo {
  const r = d.replication;
  if (d.kind === 'none') return { ms: 0, basis: 'no data', noCopy: false };
  // A scheduled copy: the worst case is a change made just after the run before the longest gap.
  if (r.mode === 'periodic' && r.schedule !== undefined) {
    const gap = cronWorstGapMs(r.schedule);
    const what = `${d.kind} copied at \`${r.schedule}\``;
    if (gap === undefined) return { ms: Number.NaN, basis: what, noCopy: false, scheduled: true };
    if (gap === null)
      return {
        ms: Number.POSITIVE_INFINITY,
        basis: `${what}, which never runs`,
        noCopy: false,
        scheduled: true,
      };
    return {
      ms: gap,
      basis: `${what}: up to ${humanDuration(gap)} between two runs`,
      noCopy: false,
      scheduled: true,
    };
  }
  // The worst case for a periodic copy is a change made just after a copy finished.
  if (r.mode === 'periodic' && r.interval !== undefined)
    return {
      ms: r.interval,
      basis: `${d.kind} copied every ${humanDuration(r.interval)}${r.tool ? ` (${r.tool})` : ''}`,
      noCopy: false,
    };
  if (r.mode === 'sync') return { ms: 0, basis: `${d.kind} sync replication`, noCopy: false };
  if (r.mode === 'async') {
    const lag = r.expectedLag ?? DEFAULT_ASYNC_LAG_MS;
    return {
      ms: lag,
      basis: `${d.kind} async replication, lag ${humanDuration(lag)}${r.expectedLag === undefined ? ' (default)' : ''}`,
      noCopy: false,
    };
  }
  const hasCopyPlace = (d.targets?.length ?? 0) > 0 || d.storage !== undefined;
  if (!hasCopyPlace && d.kind !== 'backup')
    return { ms: Number.POSITIVE_INFINITY, basis: `${d.kind} with no copy`, noCopy: true };
  // Targets or storage exist but nothing says how often they are refreshed.
  return { ms: Number.NaN, basis: `${d.kind} copied at an unknown interval`, noCopy: false };
}

export interface RpoAssessment {
  plannedRpoMs: number;
  rpoBasis: string;
  rpoVerdict: Verdict;
  findings: Diagnostic[];
}

export function assessRpo(name: string, svc: Service, targetRpoMs: number): RpoAssessment {
  const findings: Diagnostic[] = [];
  let worst = 0;
  let basis = 'stateless: no data sets';
  let unknown = false;
  let exceeded = false;
  (svc.data ?? []).forEach((d, i) => {
    const path: PlanPath = ['services', name, 'data', i];
    const job = replicationJobOf(d);
    if (job && 'problem' in job)
      findings.push(
        diagnostic(
          job.problem === 'not-periodic'
            ? 'LB_E_CHECK_SCHEDULE_NOT_PERIODIC'
            : 'LB_E_CHECK_SCHEDULE_NO_JOB',
          `\`${name}\`: data set \`${d.name}\`: ${job.message}`,
          { path: [...path, 'replication', 'schedule'] },
        ),
      );
    const rpo = dataSetRpo(d);
    if (Number.isNaN(rpo.ms)) {
      unknown = true;
      findings.push(
        diagnostic(
          'LB_E_CHECK_RPO_UNKNOWN',
          `\`${name}\`: data set \`${d.name}\` has copies but no replication mode or interval says how recent they are`,
          { path: [...path, 'replication'] },
        ),
      );
      if (worst === 0) basis = rpo.basis;
      return;
    }
    if (rpo.noCopy) {
      findings.push(
        diagnostic(
          'LB_E_CHECK_NO_DATA_COPY',
          `\`${name}\`: data set \`${d.name}\` (${d.kind}) has no targets, no storage and no replication: losing its node loses it`,
          { path },
        ),
      );
    } else if (rpo.ms > targetRpoMs && rpo.scheduled) {
      exceeded = true;
      findings.push(
        diagnostic(
          'LB_E_CHECK_SCHEDULE_RPO_EXCEEDED',
          `\`${name}\`: data set \`${d.name}\` can lose ${humanDuration(rpo.ms)} of changes (${rpo.basis}); the tier allows ${humanDuration(targetRpoMs)}`,
          { path: [...path, 'replication', 'schedule'] },
        ),
      );
    } else if (rpo.ms > targetRpoMs) {
      exceeded = true;
      findings.push(
        diagnostic(
          'LB_E_CHECK_RPO_EXCEEDED',
          `\`${name}\`: data set \`${d.name}\` can lose ${humanDuration(rpo.ms)} of changes (${rpo.basis}); the tier allows ${humanDuration(targetRpoMs)}`,
          { path: [...path, 'replication'] },
        ),
      );
    }
    if (rpo.ms > worst || (rpo.ms === worst && basis.startsWith('stateless'))) {
      worst = rpo.ms;
      basis = `${d.name}: ${rpo.basis}`;
    }
  });
  return {
    plannedRpoMs: worst,
    rpoBasis: basis,
    rpoVerdict: worst > targetRpoMs || exceeded ? 'fails' : unknown ? 'unknown' : 'ok',
    findings,
  };
}
