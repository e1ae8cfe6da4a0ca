// Executing one step (or one undo): intent → driver call → effect → result, with its timeout,
// its retries of retryable failures, and the fenced journal around it. Nothing here decides
// whether the step should run; execute.ts and abort.ts do.
import { LifeboatError } from '../core/errors/index.js';
import type { EffectResult, OperationContext } from '../drivers/driver.js';
import type { JsonValue } from '../store/index.js';
import { type ActionStep, handlerFor } from './actions/index.js';
import { sleep } from './approvals.js';
import type { RunContext } from './run-context.js';

export interface StepLimits {
  timeoutMs: number;
  retries: number;
}

export type FencedInRun = (
  service: string,
  node: string,
) => 'fenced' | 'unfenced-approved' | undefined;

export function errorJson(e: unknown): { code: string; message: string; retryable: boolean } {
  if (e instanceof LifeboatError)
    return { code: e.code, message: e.message, retryable: e.retryable };
  return {
    code: 'LB_E_ENGINE_STEP_FAILED',
    message: e instanceof Error ? e.message : String(e),
    retryable: false,
  };
}

/** Runs the action once, within the step's time limit, on behalf of the lease. */
export interface RunFacts {
  fencedInRun: FencedInRun;
  readinessChecked(service: string): boolean;
}

export const NO_FACTS: RunFacts = { fencedInRun: () => undefined, readinessChecked: () => false };

export async function applyOnce(
  rc: RunContext,
  step: ActionStep,
  timeoutMs: number,
  facts: RunFacts,
): Promise<EffectResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([rc.keeper.signal, timeout]);
  const op: OperationContext = { signal };
  try {
    return await handlerFor(step.action).apply({
      step,
      drivers: rc.config.drivers,
      op,
      acceptDataLoss: rc.data.planned.params.acceptDataLoss === true,
      note: (data) => rc.journal(step.id, 'note', data),
      fencedInRun: facts.fencedInRun,
      readinessChecked: facts.readinessChecked,
      siteGateMs: rc.config.siteGateMs ?? 10_000,
      sleep: (ms) => sleep(ms, signal),
    });
  } catch (e) {
    if (rc.keeper.signal.aborted) throw rc.keeper.lost ?? e;
    if (timeout.aborted)
      throw new LifeboatError(
        'LB_E_DRIVER_TIMEOUT',
        `step ${step.id} did not finish within ${Math.round(timeoutMs / 1000)} s`,
        { retryable: true, cause: e },
      );
    throw e;
  }
}

/**
 * intent, the action (retried up to `retries` times when it fails retryably), effect, result.
 * Resolves with the effect; rejects with the last error after writing a failed result. A lost
 * lease rejects without writing anything more (the token is stale: another process owns the run).
 */
export async function runStep(
  rc: RunContext,
  step: ActionStep,
  limits: StepLimits,
  facts: RunFacts,
  intentExtra: Record<string, JsonValue> = {},
): Promise<EffectResult> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    await rc.journal(step.id, 'intent', {
      attempt,
      action: step.action,
      target: step.target,
      args: step.args as Record<string, JsonValue>,
      ...intentExtra,
    });
    try {
      const effect = await applyOnce(rc, step, limits.timeoutMs, facts);
      await recordEffect(rc, step.id, effect, started);
      return effect;
    } catch (e) {
      if (rc.keeper.signal.aborted) throw e;
      const err = errorJson(e);
      if (err.retryable && attempt <= limits.retries) {
        await rc.journal(step.id, 'note', { event: 'retry', attempt, error: err });
        await sleep((rc.config.retryBackoffMs ?? 1000) * attempt, rc.keeper.signal);
        continue;
      }
      await rc.journal(step.id, 'result', {
        status: 'failed',
        error: err,
        durationMs: Date.now() - started,
      });
      throw e;
    }
  }
}

export async function recordEffect(
  rc: RunContext,
  stepId: string,
  effect: EffectResult,
  started: number,
): Promise<void> {
  await rc.journal(stepId, 'effect', {
    changed: effect.changed,
    detail: effect.detail,
    ...(effect.data ? { data: JSON.parse(JSON.stringify(effect.data)) as JsonValue } : {}),
  });
  await rc.journal(stepId, 'result', {
    status: 'succeeded',
    detail: effect.detail,
    durationMs: Date.now() - started,
  });
}
