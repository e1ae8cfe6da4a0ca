// Approvals: recording one (`lifeboat approve`, later the API) with every check the plan asks
// for, and waiting for one inside a run. An approval is bound to the run, the step, the plan's
// hash and the parameters' hash, single-use (consumed atomically by the run), and by someone
// other than the requester when the step says so. The engine never approves on its own.
import { LifeboatError } from '../core/errors/index.js';
import type { Approval, Run, StateStore } from '../store/index.js';
import type { RunContext } from './run-context.js';
import { findStep, type RunData, runData, type Waiting } from './run-data.js';

const ENDED = ['succeeded', 'aborted'];

/** What an approval of `stepId` of `run` would stand for now, or an error saying why there is none. */
export function pendingApproval(run: Run, stepId: string): Waiting {
  const data = runData(run);
  const step = findStep(data, stepId);
  if (!step)
    throw new LifeboatError('LB_E_ENGINE_UNKNOWN_STEP', `run ${run.id} has no step \`${stepId}\``, {
      details: { steps: data.planned.steps.map((s) => s.id) },
    });
  if (data.waiting?.stepId === stepId) return data.waiting;
  if (step.approval?.when === 'always' || step.action === 'manual')
    return {
      stepId,
      purpose: step.action === 'manual' ? 'manual' : 'step',
      reason: step.approval?.reason ?? step.description,
      ...(step.approval?.role ? { role: step.approval.role } : {}),
      distinctFromRequester: step.approval?.distinctFromRequester ?? false,
    };
  throw new LifeboatError(
    'LB_E_ENGINE_NO_APPROVAL_NEEDED',
    `step \`${stepId}\` of run ${run.id} does not wait for an approval${data.waiting ? `; the run waits for \`${data.waiting.stepId}\`` : ''}`,
  );
}

export interface ApproveRequest {
  runId: string;
  stepId: string;
  approver: string;
  /** The hash of the plan the approver has loaded: it must be the run's. */
  planHash: string;
  roles: Record<string, readonly string[]>;
}

export async function recordApproval(store: StateStore, req: ApproveRequest): Promise<Approval> {
  const run = await store.runs.get(req.runId);
  if (!run) throw new LifeboatError('LB_E_ENGINE_UNKNOWN_RUN', `no run ${req.runId}`);
  if (ENDED.includes(run.state))
    throw new LifeboatError('LB_E_ENGINE_RUN_ENDED', `run ${run.id} has ${run.state}`);
  if (req.planHash !== run.planHash)
    throw new LifeboatError(
      'LB_E_ENGINE_PLAN_CHANGED',
      `the plan loaded (${req.planHash}) is not the plan of run ${run.id} (${run.planHash}): an approval binds to the plan it was given on`,
    );
  const data: RunData = runData(run);
  const waiting = pendingApproval(run, req.stepId);
  if (waiting.distinctFromRequester && req.approver === data.requester)
    throw new LifeboatError(
      'LB_E_ENGINE_APPROVER_IS_REQUESTER',
      `${req.approver} started run ${run.id} and cannot also approve \`${req.stepId}\``,
    );
  if (waiting.role !== undefined && !(req.roles[waiting.role] ?? []).includes(req.approver))
    throw new LifeboatError(
      'LB_E_ENGINE_NOT_IN_ROLE',
      `${req.approver} is not a member of role \`${waiting.role}\`, which \`${req.stepId}\` requires`,
    );
  const approval = await store.approvals.record({
    runId: run.id,
    stepId: req.stepId,
    role: waiting.role ?? 'operator',
    approver: req.approver,
    planHash: run.planHash,
    paramsHash: run.paramsHash,
  });
  await store.audit.append({
    actor: req.approver,
    action: 'approval.record',
    subject: run.id,
    data: {
      stepId: req.stepId,
      purpose: waiting.purpose,
      role: approval.role,
      approvalId: approval.id,
    },
  });
  return approval;
}

/** Raised inside a run that waits for an approval while the caller asked not to wait. */
export class StillWaiting extends Error {
  constructor(readonly waiting: Waiting) {
    super(`waiting for an approval of ${waiting.stepId}`);
  }
}

/** Raised in a branch of a wave that stops waiting because another branch failed or must wait. */
export class BranchStopped extends Error {
  constructor() {
    super('another service of the wave stopped the run');
  }
}

/** Raised inside a run when an abort was requested; the run then undoes what it did. */
export class AbortRequested extends Error {
  constructor() {
    super('abort requested');
  }
}

/**
 * Consumes the step's approval, waiting for it when there is none yet (polling the store):
 * the run is `waiting-approval` meanwhile, and an abort request ends the wait.
 */
export async function awaitApproval(
  rc: RunContext,
  waiting: Waiting,
  stopped: () => boolean = () => false,
): Promise<Approval> {
  const match = {
    runId: rc.run.id,
    stepId: waiting.stepId,
    planHash: rc.run.planHash,
    paramsHash: rc.run.paramsHash,
    ...(waiting.role ? { role: waiting.role } : {}),
  };
  let announced = false;
  // Bounded by the operator: it ends with an approval, an abort request, or a lost lease.
  for (;;) {
    const approval = await rc.store.approvals.consume(match, rc.token);
    if (approval) {
      await rc.journal(waiting.stepId, 'note', {
        event: 'approved',
        purpose: waiting.purpose,
        approver: approval.approver,
        approvalId: approval.id,
        role: approval.role,
      });
      await rc.update(
        ({ waiting: _done, ...rest }) => rest,
        'running',
        `approved by ${approval.approver}`,
      );
      return approval;
    }
    if (stopped()) throw new BranchStopped();
    if (!announced) {
      await rc.journal(waiting.stepId, 'note', {
        event: 'waiting-approval',
        purpose: waiting.purpose,
        reason: waiting.reason,
        role: waiting.role ?? null,
        distinctFromRequester: waiting.distinctFromRequester,
      });
      await rc.update((d) => ({ ...d, waiting }), 'waiting-approval', waiting.reason);
      announced = true;
    }
    if (rc.config.waitForApprovals === false) throw new StillWaiting(waiting);
    await sleep(rc.config.pollMs ?? 500, rc.keeper.signal);
    const run = await rc.refresh();
    if (runData(run).abortRequested) throw new AbortRequested();
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
