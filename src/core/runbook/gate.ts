// A proposed run: the same planned run with one `engine.confirm` step in front, which waits for
// an operator's approval before anything is touched. The controller proposes failovers this way
// (`onOutage: propose`); `lifeboat approve <run> <service>/approve-run` lets it proceed. The gate
// is an ordinary planned step, kept in the run's record like every other: a resumed run finds it
// (approved or not) in its journal, and every interlock of the steps after it still applies.
import type { PlannedRun, PlannedStep } from './types.js';

export const GATE_STEP = 'approve-run';

export interface GateOptions {
  /** What the approver is asked to decide. */
  reason: string;
  /** A plan role whose members may approve; absent: any operator. */
  role?: string;
  /** The approver must differ from whoever starts the run (the controller). Default true. */
  distinctFromRequester?: boolean;
}

/** The gate's step id for a run: `<first service>/approve-run`. */
export function gateStepId(run: PlannedRun): string {
  return `${run.services[0] ?? 'run'}/${GATE_STEP}`;
}

/** Pure: `run` with a confirm step that waits for an approval before its first step. */
export function withApprovalGate(run: PlannedRun, opts: GateOptions): PlannedRun {
  const id = gateStepId(run);
  const gate: PlannedStep = {
    id,
    service: run.services[0] ?? '',
    kind: 'custom',
    action: 'engine.confirm',
    target: run.services[0] ?? '',
    args: {},
    description: opts.reason,
    estimateMs: 0,
    estimateSource: 'unknown',
    approval: {
      when: 'always',
      ...(opts.role !== undefined ? { role: opts.role } : {}),
      distinctFromRequester: opts.distinctFromRequester ?? true,
      reason: opts.reason,
    },
    pointOfNoReturn: false,
    timeoutMs: 4 * 3_600_000,
    retries: 0,
    needs: [],
    readOnly: true,
    origin: { path: ['services', run.services[0] ?? ''], stepId: GATE_STEP },
  };
  const steps = run.steps.map((s) => (s.needs.length === 0 ? { ...s, needs: [id] } : s));
  return { ...run, steps: [gate, ...steps] };
}
