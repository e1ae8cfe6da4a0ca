// Deriving a run from the plan: pure, deterministic (same plan and request, same steps and ids),
// and it never throws on a plan problem: every problem is a coded diagnostic, and a run with an
// error diagnostic has no steps to execute. `lifeboat run --dry-run` prints its result, the
// engine executes it, and `lifeboat check` sums its failover for the planned RTO.
import { type Diagnostic, diagnostic, type Plan, type Service } from '../plan/index.js';
import type { STRATEGIES } from '../plan/schema/service.js';
import { bluegreenDrafts } from './bluegreen.js';
import { unanchoredCustomSteps, withCustomSteps } from './custom-steps.js';
import { dataMoves } from './data-steps.js';
import { finalizeChain, type StepDraft } from './draft.js';
import { explicitDrafts, rollbackDrafts, rollbackGuards } from './explicit.js';
import { failoverDrafts, failoverMove } from './failover.js';
import { orderServices, selectServices } from './groups.js';
import { planHash } from './plan-hash.js';
import { redeployDrafts } from './redeploy.js';
import { checkSites, resolveMove, type Scope, scopeOf } from './scope.js';
import { failbackDrafts, switchoverDrafts } from './switchover.js';
import {
  DERIVED_KINDS,
  type Derivation,
  type DerivedKind,
  type PlannedRun,
  type PlannedStep,
  type RunGuard,
  type RunParams,
} from './types.js';

type Strategy = (typeof STRATEGIES)[number];

/** Which services a derived runbook applies to; a group skips the others with a warning. */
const FITS: Record<DerivedKind, (svc: Service) => boolean> = {
  failover: (s) =>
    (['active-passive', 'pilot-light', 'blue-green'] as Strategy[]).includes(s.strategy),
  switchover: (s) => (['active-passive', 'pilot-light'] as Strategy[]).includes(s.strategy),
  failback: (s) => (['active-passive', 'pilot-light'] as Strategy[]).includes(s.strategy),
  bluegreen: (s) => s.strategy === 'blue-green',
  rollback: (s) => s.migration?.rollback !== undefined,
  redeploy: (s) => s.redeploy !== undefined,
};

export interface ServiceSteps {
  steps: PlannedStep[];
  guards: RunGuard[];
  diagnostics: Diagnostic[];
}

/** The drafts of one derived runbook for one service, before custom steps; undefined on error. */
function kindDrafts(
  scope: Scope,
  kind: DerivedKind,
  params: RunParams,
  out: Diagnostic[],
): { drafts: StepDraft[]; guards: RunGuard[] } | undefined {
  const plain = (drafts: StepDraft[] | undefined) => drafts && { drafts, guards: [] };
  switch (kind) {
    case 'failover': {
      const move = failoverMove(scope, params, out);
      return plain(move && failoverDrafts(scope, move, params, out));
    }
    case 'switchover': {
      const move = resolveMove(scope, params, 'away', out);
      return plain(move && switchoverDrafts(scope, move, dataMoves(scope, move, out), out));
    }
    case 'failback': {
      const move = resolveMove(scope, params, 'home', out);
      return plain(move && failbackDrafts(scope, move, out));
    }
    case 'bluegreen':
      return plain(bluegreenDrafts(scope, params, out));
    case 'rollback':
      return rollbackDrafts(scope, out);
    case 'redeploy':
      return plain(redeployDrafts(scope, params, out));
  }
}

/**
 * One service's chain for a derived runbook, custom steps inserted and ids assigned. `check`
 * uses it for the RTO path, so it returns the steps even when a diagnostic is an error (a
 * redeploy without playbook still has a duration to count); `deriveRunbook` refuses those.
 */
export function deriveServiceSteps(
  plan: Plan,
  kind: DerivedKind,
  name: string,
  params: RunParams = {},
): ServiceSteps {
  const diagnostics: Diagnostic[] = [];
  const svc = plan.services?.[name];
  if (!svc) {
    diagnostics.push(
      diagnostic('LB_E_RUNBOOK_UNKNOWN_SERVICE', `\`${name}\` is no service of the plan`),
    );
    return { steps: [], guards: [], diagnostics };
  }
  const scope = scopeOf(plan, name, svc);
  const derived = kindDrafts(scope, kind, params, diagnostics);
  if (!derived) return { steps: [], guards: [], diagnostics };
  const skipped = unanchoredCustomSteps(scope, derived.drafts);
  if (skipped.length > 0)
    diagnostics.push(
      diagnostic(
        'LB_E_RUNBOOK_CUSTOM_SKIPPED',
        `\`${name}\`: custom steps around steps a ${kind} does not have are left out: ${skipped.join(', ')}`,
        { path: [...scope.path, 'steps'], severity: 'info' },
      ),
    );
  const drafts = withCustomSteps(scope, derived.drafts);
  return { steps: finalizeChain(name, drafts, diagnostics), guards: derived.guards, diagnostics };
}

function isDerivedKind(name: string): name is DerivedKind {
  return (DERIVED_KINDS as readonly string[]).includes(name);
}

/** The selected services that fit the kind; a service named alone must fit. */
function fitting(
  plan: Plan,
  kind: DerivedKind,
  names: string[],
  single: boolean,
  out: Diagnostic[],
) {
  return names.filter((n) => {
    const svc = plan.services?.[n] as Service;
    if (FITS[kind](svc)) return true;
    const why =
      kind === 'rollback'
        ? 'has no `migration.rollback`'
        : kind === 'redeploy'
          ? 'has no `redeploy` playbook'
          : `is ${svc.strategy}`;
    out.push(
      diagnostic(
        single ? 'LB_E_RUNBOOK_KIND_MISMATCH' : 'LB_E_RUNBOOK_SERVICE_SKIPPED',
        `\`${n}\` ${why}: no ${kind} applies to it${single ? '' : ', so it is left out of the run'}`,
        { path: ['services', n], ...(single ? {} : { severity: 'warning' as const }) },
      ),
    );
    return false;
  });
}

/** The first steps of a chain (nothing of their own to wait for) wait for the chains it depends on. */
function linkChains(chains: Map<string, PlannedStep[]>, waitsFor: Map<string, string[]>): void {
  for (const [service, steps] of chains) {
    const lasts = (waitsFor.get(service) ?? [])
      .map((d) => chains.get(d)?.at(-1)?.id)
      .filter((id): id is string => id !== undefined);
    for (const s of steps) if (s.needs.length === 0) s.needs.push(...lasts);
  }
}

/**
 * Derives the run `lifeboat run <runbook> <selector>` would execute. `runbook` is a derived
 * kind (`failover`, `switchover`, `failback`, `bluegreen`, `rollback`, `redeploy`) or the name of
 * an explicit runbook of the plan (a kind's name always means the derived kind).
 */
export function deriveRunbook(
  plan: Plan,
  runbook: string,
  selector?: string | readonly string[],
  params: RunParams = {},
): Derivation {
  const out: Diagnostic[] = [];
  const fail = (): Derivation => ({ run: undefined, diagnostics: dedupe(out) });
  if (!checkSites(plan, params, out)) return fail();
  if (!isDerivedKind(runbook)) return explicitRun(plan, runbook, selector, params, out);
  if (plan.runbooks?.[runbook])
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_SHADOWED',
        `the plan's runbook \`${runbook}\` has the name of a derived runbook: \`run ${runbook}\` derives`,
        { path: ['runbooks', runbook], severity: 'warning' },
      ),
    );
  if (selector === undefined) {
    out.push(diagnostic('LB_E_RUNBOOK_NO_TARGET', `\`run ${runbook}\` needs a service or group`));
    return fail();
  }
  const selection = selectServices(plan, selector, out);
  if (!selection) return fail();
  const names = fitting(plan, runbook, selection.services, selection.single, out);
  if (names.length === 0 && !out.some((d) => d.severity === 'error'))
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NOTHING_TO_RUN',
        `no service of \`${String(selector)}\` has a ${runbook}`,
      ),
    );
  const order = orderServices(plan, names, out);
  // A site as the group is the site being left, unless the run says otherwise.
  const leaves = runbook === 'failover' || runbook === 'switchover';
  const own: RunParams =
    leaves && selection.site !== undefined && params.from === undefined
      ? { ...params, from: selection.site }
      : params;
  const chains = new Map<string, PlannedStep[]>();
  const guards: RunGuard[] = [];
  for (const name of order.waves.flat()) {
    const r = deriveServiceSteps(plan, runbook, name, own);
    out.push(...r.diagnostics);
    chains.set(name, r.steps);
    guards.push(...r.guards);
  }
  if (out.some((d) => d.severity === 'error')) return fail();
  linkChains(chains, order.waitsFor);
  return finish(plan, { runbook, kind: runbook, waves: order.waves, params, chains, guards }, out);
}

function explicitRun(
  plan: Plan,
  name: string,
  selector: string | readonly string[] | undefined,
  params: RunParams,
  out: Diagnostic[],
): Derivation {
  const rb = plan.runbooks?.[name];
  const given = typeof selector === 'string' ? selector : selector?.join(',');
  if (!rb) {
    const known = [...DERIVED_KINDS, ...Object.keys(plan.runbooks ?? {})];
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_UNKNOWN_RUNBOOK',
        `\`${name}\` is no runbook kind and no runbook of the plan`,
        {
          hint: `Known: ${known.map((k) => `\`${k}\``).join(', ')}.`,
        },
      ),
    );
    return { run: undefined, diagnostics: dedupe(out) };
  }
  const service = rb.service ?? given ?? name;
  if (given !== undefined && given !== service)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_SERVICE_MISMATCH',
        `runbook \`${name}\` is written for \`${service}\`, not \`${given}\``,
        { path: ['runbooks', name, 'service'] },
      ),
    );
  if (params.from !== undefined || params.to !== undefined)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_PARAM_IGNORED',
        `runbook \`${name}\` runs its steps as written: --from and --to are not used`,
        { severity: 'warning' },
      ),
    );
  const guards = rollbackGuards(plan, name, out);
  const steps = finalizeChain(service, explicitDrafts(name, rb, service), out);
  if (out.some((d) => d.severity === 'error')) return { run: undefined, diagnostics: dedupe(out) };
  return finish(
    plan,
    {
      runbook: name,
      kind: rb.kind,
      waves: [[service]],
      params,
      chains: new Map([[service, steps]]),
      guards,
    },
    out,
  );
}

function finish(
  plan: Plan,
  r: Omit<PlannedRun, 'services' | 'steps' | 'planHash' | 'warnings'> & {
    chains: Map<string, PlannedStep[]>;
  },
  out: Diagnostic[],
): Derivation {
  const diagnostics = dedupe(out);
  const run: PlannedRun = {
    runbook: r.runbook,
    kind: r.kind,
    services: r.waves.flat(),
    waves: r.waves,
    params: r.params,
    steps: r.waves.flat().flatMap((s) => r.chains.get(s) ?? []),
    guards: r.guards,
    planHash: planHash(plan),
    warnings: diagnostics,
  };
  return { run, diagnostics };
}

/** The same problem found for several services of a group is reported once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.code}\0${d.message}\0${(d.path ?? []).join('\0')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
