// Recovery time of one service: the contingency path its strategy implies for the loss of the
// site where it runs, step by step, against its tier's RTO. See docs/check.md for the paths.
import { humanDuration } from '../plan/duration.js';
import {
  type Diagnostic,
  diagnostic,
  type PlanPath,
  type Service,
  type Step,
} from '../plan/index.js';
import { type PlanIndex, sitesOf } from './plan-index.js';
import {
  dataSteps,
  derived,
  detectStep,
  redeployStep,
  type StepSink,
  trafficSteps,
  unknownStep,
} from './recovery-steps.js';
import type { RtoStep, Verdict } from './types.js';

export interface RtoAssessment {
  rtoPath: RtoStep[];
  plannedRtoMs: number;
  rtoVerdict: Verdict;
  scenario: string;
  findings: Diagnostic[];
}

/** What the failure leaves: the site of the first active node is lost with everything on it. */
export interface Scenario {
  description: string;
  survivingActive: string[];
  usableStandby: string[];
}

export function scenarioFor(svc: Service, index: PlanIndex): Scenario {
  const first = svc.placement.active[0] as string;
  const site = index.nodeSite.get(first);
  const lost = (n: string) => index.nodeSite.get(n) === site;
  return {
    description: `site ${site ?? '?'} lost`,
    survivingActive: svc.placement.active.filter((n) => !lost(n)),
    usableStandby: (svc.placement.standby ?? []).filter((n) => !lost(n)),
  };
}

export function rtoVerdict(plannedMs: number, targetMs: number, hasUnknown: boolean): Verdict {
  if (plannedMs > targetMs) return 'fails';
  return hasUnknown ? 'unknown' : 'ok';
}

export function assessRto(
  name: string,
  svc: Service,
  targetRtoMs: number,
  index: PlanIndex,
): RtoAssessment {
  const sink: StepSink = { service: name, findings: [] };
  const scenario = scenarioFor(svc, index);
  const strategyPath = pathFor(name, svc, scenario, index, sink);
  const rtoPath = withCustomSteps(name, svc, strategyPath.steps, sink);
  let plannedRtoMs = 0;
  let hasUnknown = false;
  for (const s of rtoPath) {
    plannedRtoMs += s.ms;
    if (s.source === 'unknown') hasUnknown = true;
  }
  const rtoVerdictValue = rtoVerdict(plannedRtoMs, targetRtoMs, hasUnknown);
  if (rtoVerdictValue === 'fails') {
    sink.findings.push(
      diagnostic(
        'LB_E_CHECK_RTO_EXCEEDED',
        Number.isFinite(plannedRtoMs)
          ? `\`${name}\` (${svc.strategy}) needs ${humanDuration(plannedRtoMs)} to recover when ${scenario.description} (${largestSteps(rtoPath)}); its tier allows ${humanDuration(targetRtoMs)}`
          : `\`${name}\` cannot be restored when ${scenario.description}: no standby outside it and no redeploy`,
        {
          path: ['services', name],
          ...(Number.isFinite(plannedRtoMs)
            ? {}
            : {
                hint: 'Add a standby node on another site (`placement.standby`), or a `redeploy` playbook that rebuilds the service elsewhere.',
              }),
        },
      ),
    );
  }
  return {
    rtoPath,
    plannedRtoMs,
    rtoVerdict: rtoVerdictValue,
    scenario: `${scenario.description}${strategyPath.note ? `; ${strategyPath.note}` : ''}`,
    findings: sink.findings,
  };
}

function largestSteps(path: RtoStep[]): string {
  return [...path]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((s) => `${s.step} ${humanDuration(s.ms)}`)
    .join(', ');
}

interface StrategyPath {
  steps: RtoStep[];
  /** How the path differs from what the strategy promises. */
  note?: string;
}

function pathFor(
  name: string,
  svc: Service,
  sc: Scenario,
  index: PlanIndex,
  sink: StepSink,
): StrategyPath {
  const detect = detectStep(svc, index.plan.detection.manual);
  const standby = sc.usableStandby[0];
  const tail = () => [
    ...trafficSteps(sink, svc),
    derived(sink, svc, 'verify', 'health probes pass'),
  ];
  switch (svc.strategy) {
    case 'multi-provider':
      if (sc.survivingActive.length > 0) {
        const provider = oneProvider(svc, index);
        if (provider !== undefined)
          sink.findings.push(
            diagnostic(
              'LB_E_CHECK_SINGLE_PROVIDER',
              `\`${name}\` is multi-provider but all its active sites are run by ${provider}: one provider outage stops it`,
              { path: ['services', name, 'placement', 'active'], severity: 'warning' },
            ),
          );
        return { steps: [detect], note: `${sc.survivingActive.join(', ')} keep serving` };
      }
      sink.findings.push(
        diagnostic(
          'LB_E_CHECK_SINGLE_PROVIDER',
          `\`${name}\` is multi-provider but all its active nodes are on one site: it is rebuilt instead`,
          { path: ['services', name, 'placement', 'active'] },
        ),
      );
      return rebuildPath(svc, sc, detect, tail, sink, 'treated as redeploy');
    case 'active-passive':
    case 'pilot-light':
    case 'blue-green': {
      if (standby === undefined) {
        if ((svc.placement.standby ?? []).length === 0)
          sink.findings.push(
            diagnostic(
              'LB_E_CHECK_STANDBY_MISSING',
              `\`${name}\` is ${svc.strategy} but has no standby node: its recovery is a rebuild`,
              { path: ['services', name, 'strategy'] },
            ),
          );
        return rebuildPath(svc, sc, detect, tail, sink, 'no standby outside it: rebuilt');
      }
      if (svc.strategy === 'blue-green') return { steps: [detect, ...tail()] };
      const start =
        svc.strategy === 'active-passive'
          ? [
              derived(sink, svc, 'fence', 'fence the old active'),
              derived(sink, svc, 'check-ready', `check ${standby} is ready`),
            ]
          : [derived(sink, svc, 'provision', `start the pilot light on ${standby}`)];
      return { steps: [detect, ...start, ...dataSteps(sink, svc, 'standby', standby), ...tail()] };
    }
    case 'migration':
      return migrationPath(svc, sc, detect, tail, index, sink);
    default:
      return rebuildPath(svc, sc, detect, tail, sink);
  }
}

/** The provider shared by every active site, when there is only one. */
function oneProvider(svc: Service, index: PlanIndex): string | undefined {
  const providers = new Set(
    sitesOf(svc.placement.active, index).map((site) => index.plan.sites?.[site]?.provider),
  );
  return providers.size === 1 ? [...providers][0] : undefined;
}

function rebuildPath(
  svc: Service,
  sc: Scenario,
  detect: RtoStep,
  tail: () => RtoStep[],
  sink: StepSink,
  note?: string,
): StrategyPath {
  const onto = sc.usableStandby[0] ?? sc.survivingActive[0];
  if (svc.redeploy === undefined && svc.estimates?.redeploy === undefined && onto === undefined) {
    return {
      steps: [
        detect,
        {
          step: 'redeploy',
          description: 'no standby outside the lost site and no redeploy: cannot be restored',
          ms: Number.POSITIVE_INFINITY,
          source: 'unknown',
        },
      ],
      note: 'cannot be restored',
    };
  }
  const target = onto ?? 'new machines';
  return {
    steps: [
      detect,
      redeployStep(sink, svc, target),
      ...dataSteps(sink, svc, 'rebuild', target),
      ...tail(),
    ],
    ...(note ? { note } : {}),
  };
}

/** A failed migration is undone by its rollback runbook; without one, only a rebuild is left. */
function migrationPath(
  svc: Service,
  sc: Scenario,
  detect: RtoStep,
  tail: () => RtoStep[],
  index: PlanIndex,
  sink: StepSink,
): StrategyPath {
  const rbName = svc.migration?.rollback;
  const rb = rbName === undefined ? undefined : index.plan.runbooks?.[rbName];
  if (rbName === undefined || rb === undefined)
    return rebuildPath(svc, sc, detect, tail, sink, 'no rollback runbook: rebuilt');
  const steps = rb.steps.map((s, i): RtoStep => {
    const description = s.description ?? `${s.action}${s.target ? ` ${s.target}` : ''}`;
    return s.estimate !== undefined
      ? { step: s.id, description, ms: s.estimate, source: 'plan' }
      : unknownStep(
          sink,
          s.id,
          description,
          ['runbooks', rbName, 'steps', i],
          'Give the step an `estimate`.',
        );
  });
  return { steps: [detect, ...steps], note: `rolled back by runbook ${rbName}` };
}

/** Custom steps go before the first / after the last occurrence of their anchor on the path. */
function withCustomSteps(name: string, svc: Service, path: RtoStep[], sink: StepSink): RtoStep[] {
  const before = svc.steps?.before;
  const after = svc.steps?.after;
  if (!before && !after) return path;
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  path.forEach((s, i) => {
    if (!first.has(s.step)) first.set(s.step, i);
    last.set(s.step, i);
  });
  const custom = (where: 'before' | 'after', anchor: string): RtoStep[] =>
    (
      ((where === 'before' ? before : after) as Record<string, Step[]> | undefined)?.[anchor] ?? []
    ).map((s, i): RtoStep => {
      const description = s.description ?? `${s.action}${s.target ? ` ${s.target}` : ''}`;
      const at: PlanPath = ['services', name, 'steps', where, anchor, i];
      return s.estimate !== undefined
        ? { step: s.id, description, ms: s.estimate, source: 'plan' }
        : unknownStep(sink, s.id, description, at, 'Give the step an `estimate`.');
    });
  const out: RtoStep[] = [];
  path.forEach((s, i) => {
    if (first.get(s.step) === i) out.push(...custom('before', s.step));
    out.push(s);
    if (last.get(s.step) === i) out.push(...custom('after', s.step));
  });
  return out;
}
