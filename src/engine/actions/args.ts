// Reading a step's args: they come from the plan (validated there), but an explicit runbook may
// omit one; a missing or mistyped arg is LB_E_ENGINE_BAD_STEP before anything is touched.
import { LifeboatError } from '../../core/errors/index.js';
import type { ActionStep } from './types.js';

function bad(step: ActionStep, what: string): LifeboatError {
  return new LifeboatError(
    'LB_E_ENGINE_BAD_STEP',
    `step ${step.id} (${step.action} → ${step.target}): ${what}`,
  );
}

export function str(step: ActionStep, key: string): string {
  const v = step.args[key];
  if (typeof v !== 'string' || v === '')
    throw bad(step, `needs the argument \`${key}\` (a string)`);
  return v;
}

export function optStr(step: ActionStep, key: string): string | undefined {
  const v = step.args[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function strList(step: ActionStep, key: string): string[] {
  const v = step.args[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw bad(step, `needs the argument \`${key}\` (a list of strings)`);
  return v as string[];
}

export function num(step: ActionStep, key: string, fallback?: number): number {
  const v = step.args[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (fallback !== undefined) return fallback;
  throw bad(step, `needs the argument \`${key}\` (a number)`);
}

export function badStep(step: ActionStep, what: string): LifeboatError {
  return bad(step, what);
}
