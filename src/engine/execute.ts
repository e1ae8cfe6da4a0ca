// The forward path of a run: each planned step in order, from wherever the journal says the run
// is. Before a step: an abort request ends the forward path; an approval is awaited when the
// step needs one; a step possibly applied before a crash is observed (or, when not idempotent,
// approved) before being applied again; the point of no return is recorded before its step
// starts, atomically with the check that no abort was requested.
import { LifeboatError } from '../core/errors/index.js';
import type { PlannedStep } from '../core/runbook/index.js';
import { type ActionStep, handlerFor } from './actions/index.js';
import { observeTarget } from './actions/observe.js';
import { AbortRequested, awaitApproval, pendingApproval } from './approvals.js';
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
async function approveUnfenced(rc: RunContext, step: PlannedStep, e: unknown): Promise<void> {
  const err = errorJson(e);
  await rc.journal(step.id, 'note', { event: 'unfenced', error: err });
  await rc.audit('run.unfenced', { stepId: step.id, target: step.target, error: err.message });
  const approval = await awaitApproval(rc, {
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

export async function executeForward(rc: RunContext): Promise<RunOutcome> {
  const steps = rc.data.planned.steps;
  const journal = await rc.store.journal.read(rc.run.id);
  const records = foldJournal(journal);
  let lastSeq = journal.at(-1)?.seq ?? 0;
  const facts = factsOf(steps, records);
  for (const step of steps) {
    await checkAbort(rc);
    const rec = records.get(step.id);
    if (rec?.phase === 'succeeded') continue;
    if (rec?.phase === 'effect') {
      // Applied before a crash; only its result was not written.
      await rc.journal(step.id, 'result', {
        status: 'succeeded',
        detail: rec.detail ?? 'applied before Lifeboat stopped',
        recovered: true,
      });
      records.set(step.id, { ...rec, phase: 'succeeded' });
      continue;
    }
    const handler = handlerFor(step.action);
    await rc.update((d) => ({ ...d, current: step.id }));
    if ((step.approval?.when === 'always' || handler.human) && !rec?.approved)
      await awaitApproval(rc, pendingApproval(rc.run, step.id));
    if (rec?.phase === 'intent') {
      if (!handler.idempotent)
        await awaitApproval(rc, {
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
        facts,
      );
    } catch (e) {
      if (rc.keeper.signal.aborted) throw e;
      if (
        step.approval?.when === 'on-unreachable' &&
        e instanceof LifeboatError &&
        UNREACHABLE.has(e.code)
      ) {
        await approveUnfenced(rc, step, e);
      } else {
        const err = errorJson(e);
        await rc.update(
          (d) => ({ ...d, failure: { stepId: step.id, code: err.code, message: err.message } }),
          'failed',
          `${step.id} failed: ${err.message}`,
        );
        await rc.audit('run.failed', { stepId: step.id, code: err.code });
        return {
          runId: rc.run.id,
          state: 'failed',
          stepId: step.id,
          code: err.code,
          message: `${step.id} failed: ${err.code} ${err.message}`,
        };
      }
    }
    // Keep the fold current: later steps (a promote after a fence) ask what this run did.
    const added = await rc.store.journal.read(rc.run.id, { afterSeq: lastSeq });
    foldJournal(added, records);
    lastSeq = added.at(-1)?.seq ?? lastSeq;
  }
  await rc.update(({ current: _c, failure: _f, ...d }) => d, 'succeeded', 'every step succeeded');
  await rc.audit('run.succeeded', { steps: steps.length });
  return { runId: rc.run.id, state: 'succeeded', message: `${steps.length} step(s) succeeded` };
}
