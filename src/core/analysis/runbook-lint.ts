// Lints explicit runbooks and services' custom steps before anyone runs them: unknown targets,
// steps that can never run, missing or useless undos around the point of no return, approvals
// nobody can give.
import {
  DERIVED_STEPS,
  type Diagnostic,
  diagnostic,
  type Plan,
  type PlanPath,
  type Step,
} from '../plan/index.js';
import { findCycles } from './dependencies.js';
import type { PlanIndex } from './plan-index.js';

export interface StepList {
  /** For messages: "runbook `x`" or "custom steps of `svc`". */
  label: string;
  steps: { step: Step; path: PlanPath }[];
  /** Ids `needs` may name besides the list's own (derived step names, for custom steps). */
  implicitIds: ReadonlySet<string>;
}

/**
 * Steps that only read or wait change nothing, so an abort has nothing to reverse. `manual` is
 * exempt too: the operator doing it is shown its description, which says how to reverse it.
 */
export function isReadOnlyAction(action: string): boolean {
  return action === 'manual' || /\.(check|observe|probe|wait|verify)$/.test(action);
}

/** Every name a step may target: nodes, sites, services, data sets, traffic items, probes. */
export function knownTargets(index: PlanIndex): Set<string> {
  const known = new Set<string>([...index.nodes.keys(), ...Object.keys(index.plan.sites ?? {})]);
  for (const [name, svc] of index.services) {
    known.add(name);
    for (const d of svc.data ?? []) known.add(d.name);
    for (const p of svc.health ?? []) known.add(p.name);
    for (const t of svc.traffic ?? []) {
      if (t.kind === 'dns') known.add(t.record);
      else if (t.kind === 'haproxy') known.add(t.backend);
    }
  }
  return known;
}

export function stepLists(index: PlanIndex): StepList[] {
  const lists: StepList[] = [];
  const none = new Set<string>();
  for (const [name, rb] of Object.entries(index.plan.runbooks ?? {})) {
    lists.push({
      label: `runbook \`${name}\``,
      steps: rb.steps.map((step, i) => ({ step, path: ['runbooks', name, 'steps', i] })),
      implicitIds: none,
    });
  }
  const derived = new Set<string>(DERIVED_STEPS);
  for (const [name, svc] of index.services) {
    if (!svc.steps) continue;
    const steps: StepList['steps'] = [];
    for (const anchor of DERIVED_STEPS) {
      for (const where of ['before', 'after'] as const) {
        svc.steps[where]?.[anchor]?.forEach((step, i) => {
          steps.push({ step, path: ['services', name, 'steps', where, anchor, i] });
        });
      }
    }
    if (steps.length > 0)
      lists.push({ label: `custom steps of \`${name}\``, steps, implicitIds: derived });
  }
  return lists;
}

export function lintStepList(
  list: StepList,
  known: ReadonlySet<string>,
  roles: Plan['roles'],
  out: Diagnostic[],
): void {
  const { steps, label } = list;
  const ids = new Set(steps.map((s) => s.step.id));
  const pnr = steps.findIndex((s) => s.step.pointOfNoReturn);
  steps.forEach(({ step, path }, i) => {
    for (const [target, at] of [
      [step.target, [...path, 'target']],
      [step.undo?.target, [...path, 'undo', 'target']],
    ] as const) {
      if (target !== undefined && !known.has(target))
        out.push(
          diagnostic(
            'LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET',
            `${label}, step \`${step.id}\`: \`${target}\` is no node, site, service, data set, traffic item or probe of the plan`,
            { path: at },
          ),
        );
    }
    step.needs?.forEach((need, k) => {
      if (!ids.has(need) && !list.implicitIds.has(need))
        out.push(
          diagnostic(
            'LB_E_CHECK_RUNBOOK_UNREACHABLE',
            `${label}, step \`${step.id}\` needs \`${need}\`, which is no step: it can never run`,
            { path: [...path, 'needs', k] },
          ),
        );
    });
    if (pnr >= 0 && i < pnr && !step.undo && !isReadOnlyAction(step.action))
      out.push(
        diagnostic(
          'LB_E_CHECK_RUNBOOK_NO_UNDO',
          `${label}, step \`${step.id}\` (${step.action}) comes before the point of no return \`${steps[pnr]?.step.id}\` and has no undo`,
          { path },
        ),
      );
    if (pnr >= 0 && i > pnr && step.undo)
      out.push(
        diagnostic(
          'LB_E_CHECK_RUNBOOK_UNDO_AFTER_PNR',
          `${label}, step \`${step.id}\` comes after the point of no return \`${steps[pnr]?.step.id}\`: its undo can never run`,
          { path: [...path, 'undo'] },
        ),
      );
    if (step.approval) approvalFinding(label, step, path, roles, out);
  });
  cycleFindings(list, out);
}

function approvalFinding(
  label: string,
  step: Step,
  path: PlanPath,
  roles: Plan['roles'],
  out: Diagnostic[],
): void {
  const approval = step.approval;
  if (!approval) return;
  const members = roles?.[approval.role]?.members;
  const problem =
    members === undefined
      ? `role \`${approval.role}\` is not defined`
      : members.length === 0
        ? `role \`${approval.role}\` has no members`
        : approval.distinctFromRequester && members.length < 2
          ? `role \`${approval.role}\` has one member, who may not approve a run they started`
          : undefined;
  if (problem)
    out.push(
      diagnostic(
        'LB_E_CHECK_RUNBOOK_NO_APPROVER',
        `${label}, step \`${step.id}\` waits for an approval nobody can give: ${problem}`,
        { path: [...path, 'approval', 'role'] },
      ),
    );
}

/** Steps whose `needs` (default: the previous step) wait for each other. */
function cycleFindings(list: StepList, out: Diagnostic[]): void {
  const deps = new Map<string, { to: string; at: number }[]>();
  const pathOf = new Map<string, PlanPath>();
  list.steps.forEach(({ step, path }, i) => {
    pathOf.set(step.id, path);
    const needs = step.needs ?? (i > 0 ? [list.steps[i - 1]?.step.id as string] : []);
    deps.set(
      step.id,
      needs.map((to, at) => ({ to, at })),
    );
  });
  for (const cycle of findCycles([...deps.keys()], deps)) {
    out.push(
      diagnostic(
        'LB_E_CHECK_RUNBOOK_UNREACHABLE',
        `${list.label}: steps wait for each other in a cycle, so none of them can run: ${cycle.map((c) => `\`${c}\``).join(' → ')}`,
        { path: [...(pathOf.get(cycle[0] as string) ?? []), 'needs'] },
      ),
    );
  }
}
