// Helpers every driver uses to honour the OperationContext contract.
import { LifeboatError } from '../core/errors/index.js';
import type { OperationContext } from './driver.js';

/** Throws LB_E_DRIVER_ABORTED when the operation was aborted. Call between steps. */
export function throwIfAborted(ctx: OperationContext, what: string): void {
  if (ctx.signal.aborted) {
    throw new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`, {
      cause: ctx.signal.reason,
    });
  }
}

/** Resolves after `ms`, or rejects with LB_E_DRIVER_ABORTED as soon as the signal aborts. */
export function sleep(ms: number, ctx: OperationContext, what = 'the wait'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`));
      return;
    }
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `check` until it returns a value (not undefined), at most `timeoutMs`, every
 * `intervalMs`: the bounded loop drivers use to wait for a promotion, a DNS answer, a VIP.
 */
export async function pollUntil<T>(
  ctx: OperationContext,
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const maxRounds = Math.ceil(opts.timeoutMs / Math.max(1, opts.intervalMs)) + 1;
  for (let round = 0; round < maxRounds; round++) {
    throwIfAborted(ctx, what);
    const value = await check();
    if (value !== undefined) return value;
    ctx.heartbeat?.();
    if (Date.now() >= deadline) break;
    await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())), ctx, what);
  }
  throw new LifeboatError(
    'LB_E_DRIVER_TIMEOUT',
    `${what} did not happen within ${opts.timeoutMs} ms`,
  );
}

/** A context for callers that have no signal of their own (CLI one-shots, tests). */
export function contextWithTimeout(ms: number): OperationContext & { dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${ms} ms`)), ms);
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
