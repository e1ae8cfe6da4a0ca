// The building blocks of a contingency path: each returns the steps with their durations and
// says where each duration comes from. An estimate the plan states always wins over a default;
// a step with neither counts 0, is marked `unknown`, and is reported so the guess is visible.
import { humanDuration } from '../plan/duration.js';
import {
  type DataSet,
  type DerivedStep,
  type Diagnostic,
  diagnostic,
  type PlanPath,
  type Probe,
  type Service,
} from '../plan/index.js';
import {
  DEFAULT_ESTIMATES,
  type DefaultEstimate,
  parseSize,
  RESTORE_BYTES_PER_SECOND,
  restoreMsForSize,
  TRAFFIC_ESTIMATES,
} from './estimates.js';
import type { RtoStep } from './types.js';

/** Where findings about steps without any estimate go. */
export interface StepSink {
  service: string;
  findings: Diagnostic[];
}

export function unknownStep(
  sink: StepSink,
  step: string,
  description: string,
  path: PlanPath,
  advice: string,
): RtoStep {
  sink.findings.push(
    diagnostic(
      'LB_E_CHECK_RTO_UNKNOWN',
      `\`${sink.service}\`: step \`${step}\` (${description}) has no duration estimate; counted as 0`,
      { path, hint: advice },
    ),
  );
  return { step, description, ms: 0, source: 'unknown' };
}

/** A derived step: the service's `estimates` entry, else the default, else unknown. */
export function derived(
  sink: StepSink,
  svc: Service,
  step: DerivedStep,
  description: string,
  fallback: DefaultEstimate | undefined = DEFAULT_ESTIMATES[step],
): RtoStep {
  const planned = svc.estimates?.[step];
  if (planned !== undefined) return { step, description, ms: planned, source: 'plan' };
  if (fallback) return { step, description, ms: fallback.ms, source: 'default' };
  return unknownStep(
    sink,
    step,
    description,
    ['services', sink.service],
    `Add \`estimates: {${step}: <duration>}\` to the service.`,
  );
}

/** How long one probe takes to declare the service down: `failures` misses, the last timing out. */
export function probeDetectionMs(p: Probe): number {
  return p.interval * p.failures + p.timeout;
}

/** Detection: the fastest probe, else a human noticing (`detection.manual`). */
export function detectStep(svc: Service, manualMs: number): RtoStep {
  const planned = svc.estimates?.detect;
  if (planned !== undefined)
    return { step: 'detect', description: 'detection (estimate)', ms: planned, source: 'plan' };
  let best: Probe | undefined;
  for (const p of svc.health ?? [])
    if (!best || probeDetectionMs(p) < probeDetectionMs(best)) best = p;
  if (best)
    return {
      step: 'detect',
      description: `probe \`${best.name}\`: ${best.failures} × ${humanDuration(best.interval)} + ${humanDuration(best.timeout)} timeout`,
      ms: probeDetectionMs(best),
      source: 'probe',
    };
  return {
    step: 'detect',
    description: 'no probe: a human notices (detection.manual)',
    ms: manualMs,
    source: 'plan',
  };
}

/** One switch per traffic item; a DNS record also waits out its TTL in resolvers' caches. */
export function trafficSteps(sink: StepSink, svc: Service): RtoStep[] {
  const out: RtoStep[] = [];
  for (const t of svc.traffic ?? []) {
    if (t.kind === 'dns') {
      const manual = t.provider === 'manual';
      out.push(
        derived(
          sink,
          svc,
          'switch-traffic',
          `update DNS ${t.record} (${t.provider})`,
          manual ? TRAFFIC_ESTIMATES.dnsManual : DEFAULT_ESTIMATES['switch-traffic'],
        ),
      );
      out.push({
        step: 'switch-traffic',
        description: `TTL of ${t.record}: resolvers keep the old answer`,
        ms: t.ttl,
        source: 'ttl',
      });
    } else if (t.kind === 'haproxy') {
      out.push(
        derived(
          sink,
          svc,
          'switch-traffic',
          `switch HAProxy backend ${t.backend}`,
          TRAFFIC_ESTIMATES.haproxy,
        ),
      );
    } else if (t.kind === 'vip') {
      out.push(
        derived(sink, svc, 'switch-traffic', `move VIP ${t.address}`, TRAFFIC_ESTIMATES.vip),
      );
    }
  }
  return out;
}

export type DataRecovery = 'promote' | 'restore' | 'none';

/**
 * What a data set needs on the way back. With a standby, a streaming database replica is
 * promoted, while periodically copied databases (dumps) must be loaded; files are already
 * mirrored, and backup sets are the safety net, not the failover path. When rebuilding, every
 * data set that has a copy somewhere is restored onto the new machines.
 */
export function dataRecovery(d: DataSet, mode: 'standby' | 'rebuild'): DataRecovery {
  if (d.kind === 'none') return 'none';
  const r = d.replication.mode;
  if (mode === 'standby') {
    if (d.kind !== 'postgres' && d.kind !== 'mariadb') return 'none';
    if (r === 'sync' || r === 'async') return 'promote';
    return r === 'periodic' ? 'restore' : 'none';
  }
  const hasCopy = r !== 'none' || (d.targets?.length ?? 0) > 0 || d.storage !== undefined;
  return hasCopy ? 'restore' : 'none';
}

export function dataSteps(
  sink: StepSink,
  svc: Service,
  mode: 'standby' | 'rebuild',
  onto: string,
): RtoStep[] {
  const out: RtoStep[] = [];
  (svc.data ?? []).forEach((d, i) => {
    const what = dataRecovery(d, mode);
    if (what === 'promote')
      out.push(derived(sink, svc, 'promote', `promote ${d.kind} \`${d.name}\` on ${onto}`));
    else if (what === 'restore') out.push(restoreStep(sink, svc, d, i, onto));
  });
  return out;
}

/** `restoreDuration`, else the service's `estimates.restore`, else the size at the default rate. */
export function restoreStep(
  sink: StepSink,
  svc: Service,
  d: DataSet,
  i: number,
  onto: string,
): RtoStep {
  const description = `restore ${d.kind} \`${d.name}\` onto ${onto}`;
  if (d.restoreDuration !== undefined)
    return { step: 'restore', description, ms: d.restoreDuration, source: 'plan' };
  const planned = svc.estimates?.restore;
  if (planned !== undefined) return { step: 'restore', description, ms: planned, source: 'plan' };
  const bytes = d.size === undefined ? undefined : parseSize(d.size);
  if (bytes !== undefined)
    return {
      step: 'restore',
      description: `${description}: ${d.size} at ${RESTORE_BYTES_PER_SECOND / 1024 ** 2} MiB/s`,
      ms: restoreMsForSize(bytes),
      source: 'default',
    };
  return unknownStep(
    sink,
    'restore',
    description,
    ['services', sink.service, 'data', i],
    'Give the data set a `restoreDuration` (measured in a drill) or its `size`.',
  );
}

/** Rebuilding from scratch: `redeploy.duration`, else `estimates.redeploy`, else unknown. */
export function redeployStep(sink: StepSink, svc: Service, onto: string): RtoStep {
  const description = `rebuild with ${svc.redeploy?.playbook ?? 'no redeploy playbook'} onto ${onto}`;
  const ms = svc.redeploy?.duration ?? svc.estimates?.redeploy;
  if (ms !== undefined) return { step: 'redeploy', description, ms, source: 'plan' };
  return unknownStep(
    sink,
    'redeploy',
    description,
    ['services', sink.service, ...(svc.redeploy ? ['redeploy'] : [])],
    'Add `redeploy:` with the playbook and its measured `duration`.',
  );
}
