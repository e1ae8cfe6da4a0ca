// What every probe shares: a failed check is data (`ok: false` with why), never an exception;
// only bad configuration throws (at construction), and an abort of the caller's signal rejects
// LB_E_DRIVER_ABORTED. `observe` reads the same check, but cannot describe a target it could not
// reach, so there an unreachable target is a (retryable) error.
import { LifeboatError } from '../../core/errors/index.js';
import type { Observation, OperationContext, ProbeResult } from '../driver.js';

/** A probe's result plus what observe needs to know: did we reach the target at all. */
export interface CheckOutcome extends ProbeResult {
  reached: boolean;
  facts?: Record<string, unknown>;
}

export function aborted(what: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`);
}

/** The probe's own time limit combined with the caller's signal. */
export function limitSignal(ctx: OperationContext, timeoutMs: number): AbortSignal {
  return AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
}

/** Turns a network error into the few words an operator needs. */
export function describeNetError(e: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    case 'ETIMEDOUT':
      return `timed out after ${timeoutMs} ms`;
    default:
      return code ?? ((e as Error)?.message ?? 'failed').slice(0, 120);
  }
}

export function observation(what: string, o: CheckOutcome): Observation {
  if (!o.reached) {
    throw new LifeboatError('LB_E_DRIVER_UNREACHABLE', `${what}: ${o.detail}`);
  }
  return {
    healthy: o.ok,
    summary: `${what}: ${o.ok ? 'ok' : 'failing'} (${o.detail})`,
    facts: { ok: o.ok, latencyMs: o.latencyMs, ...(o.facts ?? {}) },
  };
}

export function positiveMs(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > 3_600_000) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} must be 1 to 3600000 ms`);
  }
  return v;
}
