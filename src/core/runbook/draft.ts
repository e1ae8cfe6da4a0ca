// Steps are first built as drafts (what to do, on what, how long), in order, per service; then a
// chain is finalised: ids, `needs`, timeouts and retries are assigned in one place, so that every
// kind of runbook follows the same rules for them.
import { type Diagnostic, diagnostic } from '../plan/index.js';
import { DERIVED_STEPS } from '../plan/schema/steps.js';
import { type Estimate, stepRetries, stepTimeoutMs } from './estimate.js';
import type {
  PlannedApproval,
  PlannedStep,
  PlannedUndo,
  StepArgs,
  StepKind,
  StepOrigin,
} from './types.js';

export interface StepDraft {
  kind: StepKind;
  action: string;
  target: string;
  /** Told apart steps of the same kind on the same target (a data set's name). */
  qualifier?: string;
  args: StepArgs;
  description: string;
  estimate: Estimate;
  approval?: PlannedApproval;
  pointOfNoReturn?: boolean;
  undo?: PlannedUndo;
  timeoutMs?: number;
  retries?: number;
  /** For steps written in the plan: the plan step ids or derived step names they wait for. */
  needs?: readonly string[];
  readOnly: boolean;
  origin: StepOrigin;
  /** `false`: custom steps never anchor here (lifting read-only is not the `read-only` step). */
  anchor?: boolean;
}

/**
 * Marks `drafts[at]` as the point of no return and drops the undo of every derived step from
 * there on: once it has run, going back is what the run must not do. Steps written in the plan
 * keep what the plan says (`lifeboat check` reports an undo after the point of no return).
 */
export function pointOfNoReturnAt(drafts: StepDraft[], at: number): void {
  const pnr = drafts[at];
  if (!pnr) return;
  pnr.pointOfNoReturn = true;
  for (const d of drafts.slice(at)) if (d.kind !== 'custom') delete d.undo;
}

const DERIVED = new Set<string>(DERIVED_STEPS);

/**
 * Ids are `service/kind/target` for derived steps and `service/id` for steps written in the
 * plan (whose ids cannot contain `/`, so the two never collide). Two steps of one kind on one
 * target (two data sets of one server) get their qualifier appended; anything still repeated
 * (a plan id used in both `before` and `after`) gets `~2`, `~3`, in order.
 */
function assignIds(service: string, drafts: readonly StepDraft[]): string[] {
  const base = drafts.map((d) =>
    d.origin.stepId !== undefined
      ? `${service}/${d.origin.stepId}`
      : `${service}/${d.kind}/${d.target}`,
  );
  // Nearly every chain has no repeated id: then the ids are the bases.
  if (new Set(base).size === base.length) return base;
  const count = new Map<string, number>();
  for (const b of base) count.set(b, (count.get(b) ?? 0) + 1);
  const qualified = base.map((b, i) => {
    const q = drafts[i]?.qualifier;
    return (count.get(b) ?? 0) > 1 && q !== undefined ? `${b}/${q}` : b;
  });
  const seen = new Map<string, number>();
  return qualified.map((id) => {
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}~${n}`;
  });
}

/** A step waits for the previous one, unless the plan lists what it `needs`. */
function resolveNeeds(
  service: string,
  drafts: readonly StepDraft[],
  ids: readonly string[],
  out: Diagnostic[],
): string[][] {
  // Derived steps only (the plan lists no `needs`): each waits for the previous one.
  if (drafts.every((d) => d.needs === undefined))
    return drafts.map((_, i) => (i === 0 ? [] : [ids[i - 1] as string]));
  const byPlanId = new Map<string, string>();
  const byKind = new Map<string, string[]>();
  drafts.forEach((d, i) => {
    const id = ids[i] as string;
    if (d.origin.stepId !== undefined && !byPlanId.has(d.origin.stepId))
      byPlanId.set(d.origin.stepId, id);
    if (d.kind !== 'custom') byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), id]);
  });
  return drafts.map((d, i) => {
    if (d.needs === undefined) return i === 0 ? [] : [ids[i - 1] as string];
    const needs: string[] = [];
    d.needs.forEach((need, k) => {
      const found = byPlanId.get(need) ?? (DERIVED.has(need) ? byKind.get(need) : undefined);
      if (found === undefined)
        out.push(
          diagnostic(
            'LB_E_RUNBOOK_UNREACHABLE_STEP',
            `\`${service}\`: step \`${d.origin.stepId ?? ids[i]}\` needs \`${need}\`, which is no step of this run: it could never start`,
            { path: [...d.origin.path, 'needs', k] },
          ),
        );
      else needs.push(...(typeof found === 'string' ? [found] : found));
    });
    return [...new Set(needs)];
  });
}

export function finalizeChain(
  service: string,
  drafts: readonly StepDraft[],
  out: Diagnostic[],
): PlannedStep[] {
  const ids = assignIds(service, drafts);
  const needs = resolveNeeds(service, drafts, ids, out);
  return drafts.map((d, i): PlannedStep => {
    const human = d.action === 'manual' || d.approval?.when === 'always';
    return {
      id: ids[i] as string,
      service,
      kind: d.kind,
      action: d.action,
      target: d.target,
      args: d.args,
      description: d.description,
      estimateMs: d.estimate.ms,
      estimateSource: d.estimate.source,
      ...(d.approval ? { approval: d.approval } : {}),
      pointOfNoReturn: d.pointOfNoReturn === true,
      ...(d.undo ? { undo: d.undo } : {}),
      timeoutMs: d.timeoutMs ?? stepTimeoutMs(d.estimate, human),
      retries: d.retries ?? stepRetries(d.action),
      needs: needs[i] ?? [],
      readOnly: d.readOnly,
      origin: d.origin,
    };
  });
}
