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
import { deriveServiceSteps } from '../runbook/derive.js';
import { type PlanIndex, sitesOf } from './plan-index.js';
import { detectStep, rtoPathOf, type StepSink, unknownStep } from './recovery-steps.js';
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
  /** The lost site. */
  site: string | undefined;
  survivingActive: string[];
  usableStandby: string[];
}

export function scenarioFor(svc: Service, index: PlanIndex): Scenario {
  const first = svc.placement.active[0] as string;
  const site = index.nodeSite.get(first);
  return {
    description: `site ${site ?? '?'} lost`,
    site,
    survivingActive: svc.placement.active.filter((n) => index.nodeSite.get(n) !== site),
    usableStandby: (svc.placement.standby ?? []).filter((n) => index.nodeSite.get(n) !== site),
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
  const rtoPath = withDetectSteps(name, svc, strategyPath.steps, sink);
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
      return rebuildPath(name, svc, sc, detect, index, sink, 'treated as redeploy');
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
        return rebuildPath(name, svc, sc, detect, index, sink, 'no standby outside it: rebuilt');
      }
      const failover = deriveServiceSteps(index.plan, 'failover', name, {
        ...(sc.site === undefined ? {} : { from: sc.site }),
        to: index.nodeSite.get(standby) as string,
      }).steps;
      // A pilot light's path is counted as it always was: start the standby, take the data
      // over, switch. The derived failover also fences the old primary and checks the standby
      // (1.5 min by default) before that; see docs/runbooks.md.
      const counted =
        svc.strategy === 'pilot-light'
          ? failover.filter((s) => s.kind !== 'fence' && s.kind !== 'check-ready')
          : failover;
      return { steps: [detect, ...rtoPathOf(sink, svc, counted)] };
    }
    case 'migration':
      return migrationPath(name, svc, sc, detect, index, sink);
    default:
      return rebuildPath(name, svc, sc, detect, index, sink);
  }
}

/** The provider shared by every active site, when there is only one. */
function oneProvider(svc: Service, index: PlanIndex): string | undefined {
  const providers = new Set(
    sitesOf(svc.placement.active, index).map((site) => index.plan.sites?.[site]?.provider),
  );
  return providers.size === 1 ? [...providers][0] : undefined;
}

/** The derived redeploy, onto the first node outside the lost site (or new machines). */
function rebuildPath(
  name: string,
  svc: Service,
  sc: Scenario,
  detect: RtoStep,
  index: PlanIndex,
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
  const redeploy = deriveServiceSteps(
    index.plan,
    'redeploy',
    name,
    sc.site === undefined ? {} : { from: sc.site },
  ).steps;
  return { steps: [detect, ...rtoPathOf(sink, svc, redeploy)], ...(note ? { note } : {}) };
}

/** A failed migration is undone by its rollback runbook; without one, only a rebuild is left. */
function migrationPath(
  name: string,
  svc: Service,
  sc: Scenario,
  detect: RtoStep,
  index: PlanIndex,
  sink: StepSink,
): StrategyPath {
  const rollback = deriveServiceSteps(index.plan, 'rollback', name).steps;
  if (rollback.length === 0)
    return rebuildPath(name, svc, sc, detect, index, sink, 'no rollback runbook: rebuilt');
  return {
    steps: [detect, ...rtoPathOf(sink, svc, rollback)],
    note: `rolled back by runbook ${svc.migration?.rollback}`,
  };
}

/**
 * Custom steps around `detect`, which no runbook has (detection happens before any run): the
 * runbook derivation already placed the others, before the first or after the last step of
 * their anchor.
 */
function withDetectSteps(name: string, svc: Service, path: RtoStep[], sink: StepSink): RtoStep[] {
  if (svc.steps?.before?.detect === undefined && svc.steps?.after?.detect === undefined)
    return path;
  const custom = (where: 'before' | 'after'): RtoStep[] =>
    (svc.steps?.[where]?.detect ?? []).map((s: Step, i): RtoStep => {
      const description = s.description ?? `${s.action}${s.target ? ` ${s.target}` : ''}`;
      const at: PlanPath = ['services', name, 'steps', where, 'detect', i];
      return s.estimate !== undefined
        ? { step: s.id, description, ms: s.estimate, source: 'plan' }
        : unknownStep(sink, s.id, description, at, 'Give the step an `estimate`.');
    });
  const at = path.findIndex((s) => s.step === 'detect');
  if (at < 0) return path;
  return [
    ...path.slice(0, at),
    ...custom('before'),
    path[at] as RtoStep,
    ...custom('after'),
    ...path.slice(at + 1),
  ];
}
