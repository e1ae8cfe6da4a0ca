// The contingency path as `check` counts it: detection, then the steps of the runbook the
// service would run (derived in src/core/runbook/, the one source of truth for what a recovery
// does and how long each step takes), plus each DNS record's TTL, during which resolvers keep
// the old answer. A step with no estimate counts 0, is marked `unknown`, and is reported where
// the plan should give it one.
import { humanDuration } from '../plan/duration.js';
import {
  type Diagnostic,
  diagnostic,
  type PlanPath,
  type Probe,
  type Service,
} from '../plan/index.js';
import type { PlannedStep } from '../runbook/types.js';
import { RESTORE_BYTES_PER_SECOND } from './estimates.js';
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

/** The interval between the probes that confirm a change (`fastInterval`, else `interval`). */
function confirmMs(p: Probe): number {
  return p.fastInterval !== undefined && p.fastInterval < p.interval ? p.fastInterval : p.interval;
}

/**
 * How long one probe takes to declare the service down: `failures` misses, the first up to an
 * `interval` after the fault, the others `fastInterval` apart, the last timing out.
 */
export function probeDetectionMs(p: Probe): number {
  return p.interval + confirmMs(p) * (p.failures - 1) + p.timeout;
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
      description:
        confirmMs(best) === best.interval
          ? `probe \`${best.name}\`: ${best.failures} × ${humanDuration(best.interval)} + ${humanDuration(best.timeout)} timeout`
          : `probe \`${best.name}\`: ${humanDuration(best.interval)} + ${best.failures - 1} × ${humanDuration(confirmMs(best))} + ${humanDuration(best.timeout)} timeout`,
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

const arg = (s: PlannedStep, key: string): string | undefined => {
  const v = s.args[key];
  return typeof v === 'string' ? v : undefined;
};

/** The short label of a step in the RTO table (the runbook's descriptions are for operators). */
export function rtoLabel(svc: Service, s: PlannedStep): string {
  const data = (svc.data ?? []).find((d) => d.name === arg(s, 'dataSet'));
  switch (s.kind) {
    case 'fence':
      return `fence the old primary ${s.target}`;
    case 'check-ready':
      return `check ${s.target} is ready`;
    case 'provision':
      return `start the pilot light on ${s.target}`;
    case 'promote':
      return `promote ${data?.kind ?? ''} \`${arg(s, 'dataSet')}\` on ${s.target}`;
    case 'restore': {
      const onto = s.args.to === undefined ? s.target : (arg(s, 'to') ?? 'new machines');
      const rate =
        s.estimateSource === 'default' && data?.size
          ? `: ${data.size} at ${RESTORE_BYTES_PER_SECOND / 1024 ** 2} MiB/s`
          : '';
      return `restore ${data?.kind} \`${data?.name}\` onto ${onto}${rate}`;
    }
    case 'redeploy':
      return `rebuild with ${arg(s, 'playbook') ?? 'no redeploy playbook'} onto ${s.target === s.service ? 'new machines' : s.target}`;
    case 'switch-traffic': {
      const t = svc.traffic?.find(
        (t) =>
          (t.kind === 'dns' && t.record === s.target) ||
          (t.kind === 'haproxy' && t.backend === s.target) ||
          (t.kind === 'vip' && t.address === s.target),
      );
      if (t?.kind === 'dns') return `update DNS ${t.record} (${t.provider})`;
      if (t?.kind === 'haproxy') return `switch HAProxy backend ${t.backend}`;
      return `move VIP ${s.target}`;
    }
    case 'verify':
      return 'health probes pass';
    default:
      return s.description;
  }
}

/** Where the plan should say how long a step takes, and how. */
function estimateAdvice(sink: StepSink, svc: Service, s: PlannedStep): [PlanPath, string] {
  if (s.kind === 'custom') return [s.origin.path, 'Give the step an `estimate`.'];
  if (s.kind === 'restore')
    return [
      s.origin.path,
      'Give the data set a `restoreDuration` (measured in a drill) or its `size`.',
    ];
  if (s.kind === 'redeploy')
    return [
      ['services', sink.service, ...(svc.redeploy ? ['redeploy'] : [])],
      'Add `redeploy:` with the playbook and its measured `duration`.',
    ];
  return [['services', sink.service], `Add \`estimates: {${s.kind}: <duration>}\` to the service.`];
}

/** A runbook's steps as the RTO path: each DNS switch followed by its record's TTL. */
export function rtoPathOf(sink: StepSink, svc: Service, steps: readonly PlannedStep[]): RtoStep[] {
  const out: RtoStep[] = [];
  for (const s of steps) {
    const step = s.kind === 'custom' ? (s.origin.stepId ?? s.id) : s.kind;
    const description = rtoLabel(svc, s);
    if (s.estimateSource === 'unknown') {
      const [path, advice] = estimateAdvice(sink, svc, s);
      out.push(unknownStep(sink, step, description, path, advice));
    } else out.push({ step, description, ms: s.estimateMs, source: s.estimateSource });
    const dns = svc.traffic?.find((t) => t.kind === 'dns' && t.record === s.target);
    if (s.kind === 'switch-traffic' && dns?.kind === 'dns')
      out.push({
        step: 'switch-traffic',
        description: `TTL of ${dns.record}: resolvers keep the old answer`,
        ms: dns.ttl,
        source: 'ttl',
      });
  }
  return out;
}
