// Steps written in the plan: the custom steps a service inserts around its derived steps, and
// the steps of explicit runbooks. Both are taken as written; only their ids get the service's
// prefix so that they are unique in a run of several services.
import { isReadOnlyAction } from '../analysis/runbook-lint.js';
import type { PlanPath, Step } from '../plan/index.js';
import { DERIVED_STEPS } from '../plan/schema/steps.js';
import type { StepDraft } from './draft.js';
import { stepEstimate } from './estimate.js';
import type { Scope } from './scope.js';

/** A plan step as a draft. `fallbackTarget` stands in for a step that names no target. */
export function planStepDraft(step: Step, path: PlanPath, fallbackTarget: string): StepDraft {
  const target = step.target ?? fallbackTarget;
  const undo = step.undo;
  return {
    kind: 'custom',
    action: step.action,
    target,
    args: step.args ?? {},
    description: step.description ?? `${step.action} ${target}`,
    estimate: stepEstimate(step.estimate),
    ...(step.approval
      ? {
          approval: {
            when: 'always' as const,
            role: step.approval.role,
            distinctFromRequester: step.approval.distinctFromRequester,
            reason: `The plan asks a member of \`${step.approval.role}\` to approve \`${step.id}\` before it runs.`,
          },
        }
      : {}),
    pointOfNoReturn: step.pointOfNoReturn,
    ...(undo
      ? {
          undo: {
            action: undo.action,
            target: undo.target ?? target,
            args: undo.args ?? {},
            description: undo.description ?? `${undo.action} ${undo.target ?? target}`,
          },
        }
      : {}),
    ...(step.timeout !== undefined ? { timeoutMs: step.timeout } : {}),
    retries: step.retries,
    ...(step.needs !== undefined ? { needs: step.needs } : {}),
    // A manual step may change anything: only checks, probes and waits are known to be harmless.
    readOnly: step.action !== 'manual' && isReadOnlyAction(step.action),
    origin: { path, stepId: step.id },
  };
}

/**
 * The service's `steps.before.<step>` go before the first derived step of that name, its
 * `steps.after.<step>` after the last one: "before promote" is before any promotion starts,
 * "after switch-traffic" once every record points to the new site. A name the runbook does not
 * derive inserts nothing: those steps would have nothing to run around.
 */
export function withCustomSteps(scope: Scope, drafts: readonly StepDraft[]): StepDraft[] {
  const custom = scope.svc.steps;
  if (!custom) return [...drafts];
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  drafts.forEach((d, i) => {
    if (d.kind === 'custom' || d.anchor === false) return;
    if (!first.has(d.kind)) first.set(d.kind, i);
    last.set(d.kind, i);
  });
  const around = (where: 'before' | 'after', anchor: string): StepDraft[] =>
    ((custom[where] as Record<string, Step[]> | undefined)?.[anchor] ?? []).map((s, i) =>
      planStepDraft(s, [...scope.path, 'steps', where, anchor, i], scope.name),
    );
  const out: StepDraft[] = [];
  drafts.forEach((d, i) => {
    if (first.get(d.kind) === i) out.push(...around('before', d.kind));
    out.push(d);
    if (last.get(d.kind) === i) out.push(...around('after', d.kind));
  });
  return out;
}

/** Custom steps the run leaves out because their anchor is not derived, for a warning. */
export function unanchoredCustomSteps(scope: Scope, drafts: readonly StepDraft[]): string[] {
  if (!scope.svc.steps) return [];
  const derived = new Set(drafts.filter((d) => d.anchor !== false).map((d) => d.kind));
  const out: string[] = [];
  for (const where of ['before', 'after'] as const)
    for (const anchor of DERIVED_STEPS)
      for (const s of scope.svc.steps?.[where]?.[anchor] ?? [])
        if (!derived.has(anchor)) out.push(`${s.id} (${where} ${anchor})`);
  return out;
}
