// The forward path of a run, from wherever the journal says the run is. Waves run one after the
// other; within a wave, each service's steps run in order and the services side by side (they
// never need each other: the derivation put them in one wave for that). Before a step: an abort
// request ends the forward path; an approval is awaited when the step needs one (one approval
// wait at a time: the run has a single `waiting`); a step possibly applied before a crash is
// observed (or, when not idempotent, approved) before being applied again; the point of no
// return is recorded before its step starts, atomically with the check that no abort was
// requested. A failing step stops its wave: the other services finish the step they are in and
// start no other.
import { LifeboatError } from '../core/errors/index.js';
import type { PlannedRun, PlannedStep } from '../core/runbook/index.js';
import { type ActionStep, handlerFor } from './actions/index.js';
import { observeTarget } from './actions/observe.js';
import {
  AbortRequested,
  awaitApproval,
  BranchStopped,
  pendingApproval,
  StillWaiting,
} from './approvals.js';
import type { RunOutcome } from './events.js';
import { foldJournal, type StepRecord } from './journal-state.js';
import type { RunContext } from './run-context.js';
import { runData } from './run-data.js';
import {
  errorJson,
  type FencedInRun,
  type RunFacts,
  recordEffect,
  runStep,
} from './step-runner.js';

export function actionStep(step: PlannedStep): ActionStep {
  return {
    id: step.id,
    service: step.service,
    action: step.action,
    target: step.target,
    args: step.args as Record<string, unknown>,
  };
}

const UNREACHABLE = new Set(['LB_E_DRIVER_UNREACHABLE', 'LB_E_DRIVER_TIMEOUT']);

function factsOf(steps: readonly PlannedStep[], records: Map<string, StepRecord>): RunFacts {
  const fencedInRun: FencedInRun = (service, node) => {
    for (const s of steps) {
      if (s.service !== service || s.kind !== 'fence' || s.target !== node) continue;
      const r = records.get(s.id);
      if (r?.phase !== 'succeeded') continue;
      return r.effectData?.unfenced === true ? 'unfenced-approved' : 'fenced';
    }
    return undefined;
  };
  const readinessChecked = (service: string) =>
    steps.some(
      (s) =>
        s.service === service &&
        s.kind === 'check-ready' &&
        records.get(s.id)?.phase === 'succeeded',
    );
  return { fencedInRun, readinessChecked };
}

async function checkAbort(rc: RunContext): Promise<void> {
  const run = await rc.refresh();
  if (runData(run).abortRequested) throw new AbortRequested();
}

/** The old primary could not be reached to be fenced: a human decides it is down. */
async function approveUnfenced(
  rc: RunContext,
  sh: Shared,
  step: PlannedStep,
  e: unknown,
): Promise<void> {
  const err = errorJson(e);
  await rc.journal(step.id, 'note', { event: 'unfenced', error: err });
  await rc.audit('run.unfenced', { stepId: step.id, target: step.target, error: err.message });
  const approval = await approvalOf(rc, sh, {
    stepId: step.id,
    purpose: 'unfenced',
    reason:
      step.approval?.reason ?? `${step.target} could not be fenced: approve only if it is down`,
    distinctFromRequester: step.approval?.distinctFromRequester ?? true,
    ...(step.approval?.role ? { role: step.approval.role } : {}),
  });
  const started = Date.now();
  await rc.journal(step.id, 'intent', {
    attempt: 0,
    action: step.action,
    target: step.target,
    unfenced: true,
  });
  await recordEffect(
    rc,
    step.id,
    {
      changed: false,
      detail: `${step.target} NOT fenced (unreachable: ${err.message}); ${approval.approver} approved going on`,
      data: { unfenced: true, approvedBy: approval.approver },
    },
    started,
  );
}

/** Runs async functions one at a time, in call order. */
class Serial {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(fn);
    this.#tail = p.catch(() => undefined);
    return p;
  }
}

/** What the branches of a wave share. */
interface Shared {
  records: Map<string, StepRecord>;
  lastSeq: number;
  facts: RunFacts;
  /** A branch failed or must wait: the others start no new step. */
  stop: boolean;
  approvals: Serial;
  fold: Serial;
}

interface Failure {
  stepId: string;
  code: string;
  message: string;
}

function approvalOf(rc: RunContext, sh: Shared, waiting: Parameters<typeof awaitApproval>[1]) {
  return sh.approvals.run(() => awaitApproval(rc, waiting, () => sh.stop));
}

/** The run's steps as waves of branches: one branch per service, in planned order. */
export function branchesOf(planned: PlannedRun): PlannedStep[][][] {
  const waves = planned.waves?.length ? planned.waves : planned.services.map((s) => [s]);
  const placed = new Set<string>();
  const out = waves
    .map((wave) =>
      wave
        .map((svc) => {
          placed.add(svc);
          return planned.steps.filter((s) => s.service === svc);
        })
        .filter((b) => b.length > 0),
    )
    .filter((w) => w.length > 0);
  const rest = planned.steps.filter((s) => !placed.has(s.service));
  if (rest.length > 0) out.push([rest]);
  return out;
}

/** One step of the forward path; a failure is returned, everything else thrown. */
async function forwardStep(
  rc: RunContext,
  sh: Shared,
  step: PlannedStep,
): Promise<Failure | undefined> {
  await checkAbort(rc);
  const rec = sh.records.get(step.id);
  if (rec?.phase === 'succeeded') return undefined;
  if (rec?.phase === 'effect') {
    // Applied before a crash; only its result was not written.
    await rc.journal(step.id, 'result', {
      status: 'succeeded',
      detail: rec.detail ?? 'applied before Lifeboat stopped',
      recovered: true,
    });
    sh.records.set(step.id, { ...rec, phase: 'succeeded' });
    return undefined;
  }
  const handler = handlerFor(step.action);
  await rc.update((d) => ({ ...d, current: step.id }));
  if ((step.approval?.when === 'always' || handler.human) && !rec?.approved)
    await approvalOf(rc, sh, pendingApproval(rc.run, step.id));
  if (rec?.phase === 'intent') {
    if (!handler.idempotent)
      await approvalOf(rc, sh, {
        stepId: step.id,
        purpose: 'reapply',
        reason: `${step.id} (${step.action} on ${step.target}) may have run before Lifeboat stopped: check ${step.target}, then approve to run it again, or abort`,
        distinctFromRequester: false,
      });
    else
      await rc.journal(step.id, 'note', {
        event: 'observed-before-reapply',
        summary: await observeTarget(rc.config.drivers, actionStep(step), {
          signal: rc.keeper.signal,
        }),
      });
  }
  if (step.pointOfNoReturn && !rc.data.pointOfNoReturnPassed) {
    await rc.update((d) => {
      if (d.abortRequested) throw new AbortRequested();
      return { ...d, pointOfNoReturnPassed: true };
    });
    await rc.journal(null, 'note', { event: 'point-of-no-return', stepId: step.id });
    await rc.audit('run.point-of-no-return', { stepId: step.id });
  }
  try {
    await runStep(
      rc,
      actionStep(step),
      { timeoutMs: step.timeoutMs, retries: step.retries },
      sh.facts,
    );
  } catch (e) {
    if (rc.keeper.signal.aborted) throw e;
    if (
      step.approval?.when === 'on-unreachable' &&
      e instanceof LifeboatError &&
      UNREACHABLE.has(e.code)
    ) {
      await approveUnfenced(rc, sh, step, e);
    } else {
      const err = errorJson(e);
      return { stepId: step.id, code: err.code, message: err.message };
    }
  }
  // Keep the fold current: later steps (a promote after a fence) ask what this run did.
  await sh.fold.run(async () => {
    const added = await rc.store.journal.read(rc.run.id, { afterSeq: sh.lastSeq });
    foldJournal(added, sh.records);
    sh.lastSeq = added.at(-1)?.seq ?? sh.lastSeq;
  });
  return undefined;
}

async function runBranch(
  rc: RunContext,
  sh: Shared,
  steps: PlannedStep[],
): Promise<Failure | undefined> {
  try {
    for (const step of steps) {
      if (sh.stop) return undefined;
      const failure = await forwardStep(rc, sh, step);
      if (failure) {
        sh.stop = true;
        return failure;
      }
    }
    return undefined;
  } catch (e) {
    sh.stop = true;
    throw e;
  }
}

/** Of the errors the branches of a wave threw, the one that decides what the run does next. */
function decisive(errors: unknown[]): unknown {
  const real = errors.filter((e) => !(e instanceof BranchStopped));
  return (
    real.find((e) => !(e instanceof AbortRequested) && !(e instanceof StillWaiting)) ??
    real.find((e) => e instanceof AbortRequested) ??
    real[0]
  );
}

export async function executeForward(rc: RunContext): Promise<RunOutcome> {
  const planned = rc.data.planned;
  const journal = await rc.store.journal.read(rc.run.id);
  const records = foldJournal(journal);
  const sh: Shared = {
    records,
    lastSeq: journal.at(-1)?.seq ?? 0,
    facts: factsOf(planned.steps, records),
    stop: false,
    approvals: new Serial(),
    fold: new Serial(),
  };
  for (const wave of branchesOf(planned)) {
    const settled = await Promise.allSettled(wave.map((steps) => runBranch(rc, sh, steps)));
    const thrown = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const error = decisive(thrown);
    if (error !== undefined) throw error;
    const failure = settled.find((r) => r.status === 'fulfilled' && r.value !== undefined) as
      | PromiseFulfilledResult<Failure>
      | undefined;
    if (failure) {
      const f = failure.value;
      await rc.update(
        // A service of the wave that stopped while it waited for an approval waits no more.
        ({ waiting: _w, ...d }) => ({
          ...d,
          failure: { stepId: f.stepId, code: f.code, message: f.message },
        }),
        'failed',
        `${f.stepId} failed: ${f.message}`,
      );
      await rc.audit('run.failed', { stepId: f.stepId, code: f.code });
      return {
        runId: rc.run.id,
        state: 'failed',
        stepId: f.stepId,
        code: f.code,
        message: `${f.stepId} failed: ${f.code} ${f.message}`,
      };
    }
  }
  const steps = planned.steps;
  await rc.update(({ current: _c, failure: _f, ...d }) => d, 'succeeded', 'every step succeeded');
  await rc.audit('run.succeeded', { steps: steps.length });
  return { runId: rc.run.id, state: 'succeeded', message: `${steps.length} step(s) succeeded` };
}
