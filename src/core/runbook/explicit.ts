// Runbooks written out in the plan (`runbooks:`), run as given, and the rollback of a migration,
// which is the explicit runbook its service names in `migration.rollback`.
//
// A rollback is only valid before the forward runbook's point of no return (seed 001: once the
// data plane is touched, the only way is forward). Derivation cannot know how far the forward
// run got; it records the condition as a guard, and the engine checks it against the journal.
import { type Diagnostic, diagnostic, type Plan, type Runbook } from '../plan/index.js';
import { planStepDraft } from './custom-steps.js';
import type { StepDraft } from './draft.js';
import type { Scope } from './scope.js';
import type { RunGuard } from './types.js';

export function explicitDrafts(runbookName: string, rb: Runbook, service: string): StepDraft[] {
  return rb.steps.map((s, i) => planStepDraft(s, ['runbooks', runbookName, 'steps', i], service));
}

/** The services whose migration this runbook rolls back, each with its guard. */
export function rollbackGuards(
  plan: Plan,
  runbookName: string,
  out: Diagnostic[],
  only?: string,
): RunGuard[] {
  const guards: RunGuard[] = [];
  // `only`: one service's guard, looked up directly (check derives a rollback per service).
  const services = plan.services ?? {};
  const candidates =
    only === undefined
      ? Object.entries(services)
      : Object.hasOwn(services, only)
        ? [[only, services[only]] as const]
        : [];
  for (const [service, svc] of candidates) {
    const m = svc?.migration;
    if (m?.rollback !== runbookName) continue;
    const forward = plan.runbooks?.[m.runbook];
    const pnr = forward?.steps.find((s) => s.pointOfNoReturn);
    if (pnr)
      guards.push({ kind: 'before-point-of-no-return', service, runbook: m.runbook, step: pnr.id });
    else
      out.push(
        diagnostic(
          'LB_E_RUNBOOK_NO_FORWARD_PNR',
          `\`${service}\`: the migration runbook \`${m.runbook}\` has no point of no return, so nothing limits when \`${runbookName}\` may run`,
          { path: ['services', service, 'migration'], severity: 'warning' },
        ),
      );
  }
  return guards;
}

export interface ExplicitResult {
  drafts: StepDraft[];
  guards: RunGuard[];
}

/** `run rollback <service>`: the steps of the service's `migration.rollback` runbook. */
export function rollbackDrafts(scope: Scope, out: Diagnostic[]): ExplicitResult | undefined {
  const name = scope.svc.migration?.rollback;
  const rb = name === undefined ? undefined : scope.plan.runbooks?.[name];
  if (name === undefined || rb === undefined) {
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_ROLLBACK',
        name === undefined
          ? `\`${scope.name}\` has no \`migration.rollback\` runbook`
          : `\`${scope.name}\`: its rollback runbook \`${name}\` is not in \`runbooks\``,
        { path: [...scope.path, ...(scope.svc.migration ? ['migration'] : [])] },
      ),
    );
    return undefined;
  }
  const guards = rollbackGuards(scope.plan, name, out, scope.name);
  return { drafts: explicitDrafts(name, rb, scope.name), guards };
}
